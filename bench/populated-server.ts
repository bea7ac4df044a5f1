/**
 * avisim with a store of N pools made in-process through the engine's object service (the same
 * validation, defaults and indexes as API writes, without N HTTP round trips), then served by the
 * same app the CLI serves. Used for "lookups at scale".
 *
 * Usage: node populated-server.js <port> <count>
 */
import { createServer } from 'node:http';
import { Engine } from '../server/engine.js';
import { createListener } from '../server/http/app.js';
import { ADMIN_TENANT } from '../server/core/admin.js';
import { poolBody } from './pools.js';
import { BENCH_PASSWORD } from './procs.js';

const port = Number(process.argv[2]);
const count = Number(process.argv[3]);

const engine = await Engine.create({ seed: 1, adminPassword: BENCH_PASSWORD });
const ctx = { tenant: ADMIN_TENANT, base: `http://127.0.0.1:${port}` };
const started = performance.now();
for (let i = 0; i < count; i++) engine.objects.create('pool', poolBody(i), ctx);
const made = engine.store.collection('pool').size;
if (made < count) throw new Error(`only ${made} of ${count} pools were created`);
console.log(`created ${count} pools in ${(performance.now() - started).toFixed(0)} ms`);

const { listener } = await createListener(engine);
createServer(listener).listen(port, '127.0.0.1');
