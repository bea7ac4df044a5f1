/**
 * The baseline: a bare `node:http` server that keeps the same pool JSON objects avisim served in
 * a Map keyed by name and one keyed by uuid, and answers the bench's four requests with the same
 * shapes (`{count, results}` for GETs, the stored object for writes). No validation, no refs, no
 * defaults: the ceiling any Node server doing this work could reach on this machine.
 *
 * Usage: node baseline-server.js <port> <pools.json>
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

type Obj = Record<string, unknown>;

const [portArg, poolsFile] = process.argv.slice(2);
const port = Number(portArg);
const base = `http://127.0.0.1:${port}`;

const all: Obj[] = [];
const byName = new Map<string, Obj>();
const byUuid = new Map<string, { obj: Obj; index: number }>();

function store(obj: Obj): void {
  const old = byUuid.get(obj.uuid as string);
  if (old) {
    byName.delete(old.obj.name as string);
    all[old.index] = obj;
    byUuid.set(obj.uuid as string, { obj, index: old.index });
  } else {
    byUuid.set(obj.uuid as string, { obj, index: all.length });
    all.push(obj);
  }
  byName.set(obj.name as string, obj);
}

for (const obj of JSON.parse(poolsFile ? readFileSync(poolsFile, 'utf8') : '[]') as Obj[]) store(obj);

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Obj> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Obj);
      } catch (e) {
        reject(e);
      }
    });
    req.on('error', reject);
  });
}

const COLLECTION = '/api/pool';

createServer(async (req, res) => {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  try {
    if (req.method === 'GET' && path === COLLECTION) {
      const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
      const name = query.get('name');
      if (name !== null) {
        const obj = byName.get(name);
        return send(res, 200, { count: obj ? 1 : 0, results: obj ? [obj] : [] });
      }
      const pageSize = Number(query.get('page_size') ?? 25);
      const out: Obj = { count: all.length, results: all.slice(0, pageSize) };
      if (pageSize < all.length) out.next = `${base}${COLLECTION}?page_size=${pageSize}&page=2`;
      return send(res, 200, out);
    }
    if (req.method === 'POST' && path === COLLECTION) {
      const body = await readBody(req);
      if (byName.has(body.name as string)) return send(res, 409, { error: 'duplicate name' });
      const uuid = `pool-${randomUUID()}`;
      const obj = { url: `${base}${COLLECTION}/${uuid}`, uuid, ...body };
      store(obj);
      res.setHeader('Location', obj.url);
      return send(res, 201, obj);
    }
    if (req.method === 'PUT' && path.startsWith(`${COLLECTION}/`)) {
      const uuid = path.slice(COLLECTION.length + 1);
      if (!byUuid.has(uuid)) return send(res, 404, { error: 'not found' });
      const body = await readBody(req);
      const obj = { url: `${base}${COLLECTION}/${uuid}`, ...body, uuid };
      store(obj);
      return send(res, 200, obj);
    }
    if (req.method === 'GET' && path === '/api/initial-data') return send(res, 200, { version: { Version: '30.2.1' } });
    send(res, 404, { error: 'not found' });
  } catch (e) {
    send(res, 400, { error: (e as Error).message });
  }
}).listen(port, '127.0.0.1');
