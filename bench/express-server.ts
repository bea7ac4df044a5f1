/**
 * The time-to-ready reference: a bare express app, started the way avisim's CLI starts
 * (express + node:http listen), answering the readiness probe with an empty list.
 *
 * Usage: node express-server.js <port>
 */
import { createServer } from 'node:http';
import express from 'express';

const app = express();
app.get('/api/pool', (_req, res) => {
  res.json({ count: 0, results: [] });
});
createServer(app).listen(Number(process.argv[2]), '127.0.0.1');
