/**
 * The whole document answers: no operation is left at 501, and every operation that is not
 * CRUD answers a sample call (GET 200 with a JSON object; an action 200, or the controller's
 * 400 for a body it refuses) whose body follows the document's response schema where the
 * operation or the sub-resource has one.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDocument } from '../server/core/catalog.js';
import { answerSchemaOf } from '../server/avi/subresources/index.js';
import { parseSubPath } from '../server/http/subresources.js';
import { startSim, type Sim } from './helpers.js';
import { minimalBody } from './support/minimal-body.js';

type Json = Record<string, any>;

const doc = loadDocument();

let sim: Sim;
let counter = 0;

beforeAll(async () => {
  sim = await startSim({ seed: 3 });
});

interface Op { method: string; path: string; operationId: string; status: string }

async function coverage(): Promise<Op[]> {
  const res = await sim.http.get('/_mock/coverage');
  expect(res.status).toBe(200);
  return res.body.operations;
}

/** An object of `type` to call its sub-resources on: one listed, else one made from the schema. */
async function objectOf(type: string, depth = 0): Promise<string> {
  const info = doc['x-avi-types'][type];
  if (info?.singleton) return (await sim.http.get(`/api/${type}`)).body.uuid;
  const first = (await sim.http.get(`/api/${type}?page_size=1`)).body.results?.[0];
  if (first) return first.uuid;
  if (depth > 6) throw new Error(`refs nest too deep at ${type}`);
  const body = await minimalBody(doc, type, { name: `cov-${type}-${++counter}`, refTo: async (t) => `/api/${t}/${await objectOf(t, depth + 1)}` });
  if (type === 'sslkeyandcertificate') Object.assign(body, { certificate: { self_signed: true, subject: { common_name: 'cov.example' } }, key_params: { algorithm: 'SSL_KEY_ALGORITHM_EC' } });
  const made = await sim.http.post(`/api/${type}`).send(body);
  if (made.status !== 201) throw new Error(`creating ${type}: ${made.status} ${made.text}`);
  return made.body.uuid;
}

describe('coverage', () => {
  it('lists no operation as not_implemented', async () => {
    const left = (await coverage()).filter((o) => o.status === 'not_implemented');
    expect(left.map((o) => `${o.method} ${o.path}`)).toEqual([]);
  });

  it('every non-CRUD operation answers a sample call, following the response schema where there is one', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
    ajv.addSchema(doc, 'avi');
    const problems: string[] = [];
    const ops = (await coverage()).filter((o) => !/^[a-z0-9-]+\.[a-z]+$/.test(o.operationId));
    expect(ops.length).toBeGreaterThan(250);
    let validated = 0;
    for (const op of ops) {
      const parsed = parseSubPath(op.path);
      if (!parsed || !doc['x-avi-types'][parsed.type]) continue; // the system and file endpoints have tests of their own
      const url = op.path.replace('{uuid}', parsed.object ? await objectOf(parsed.type) : '');
      const method = op.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch';
      const res = method === 'get' ? await sim.http.get(url) : await sim.http[method](url).send({});
      const where = `${op.method} ${op.path}: ${res.status} ${res.text.slice(0, 200)}`;
      const ok = res.status === 200 || (method !== 'get' && res.status === 400 && typeof res.body.error === 'string');
      if (!ok) { problems.push(where); continue; }
      if (res.status !== 200) continue;
      if (typeof res.body !== 'object' || res.body === null || Array.isArray(res.body)) problems.push(`${where}: not a JSON object`);
      const responses = (doc.paths as Json)[op.path]?.[method]?.responses?.['200'];
      const ref = responses?.content?.['application/json']?.schema?.$ref ?? (method === 'get' ? answerSchemaOf(parsed.type, parsed.sub) && `#/components/schemas/${answerSchemaOf(parsed.type, parsed.sub)}` : undefined);
      if (!ref) continue;
      const validate = ajv.getSchema(`avi${ref}`)!;
      validated++;
      if (!validate(res.body)) problems.push(`${where}: ${ajv.errorsText(validate.errors)}`);
    }
    expect(problems, problems.join('\n')).toEqual([]);
    expect(validated).toBeGreaterThanOrEqual(4);
  }, 120_000);
});
