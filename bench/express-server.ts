/**
 * The time-to-ready reference: a bare express app, started the way avisim's CLI starts
 * (express + node:http listen), answering the readiness probe (the controller's version, as avisim's initial-data does).
 *
 * Usage: node express-server.js <port>
 */
import { createServer } from 'node:http';
import express from 'express';

const app = express();
app.get('/api/initial-data', (_req, res) => {
  res.json({ version: { Version: '30.2.1' } });
});
createServer(app).listen(Number(process.argv[2]), '127.0.0.1');
