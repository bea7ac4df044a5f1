/**
 * Writes that cannot half-happen: an answer that cannot be written, a type hook that throws
 * after the store took the object, or a journal append that fails leaves nothing behind and
 * acknowledges nothing; names are bounded as the controller bounds them, and a client-chosen uuid
 * (body `uuid` or `Slug`) is one its path can reach.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TypeBehaviour } from '../server/avi/objects.js';
import { client, startSim, TEST_HOST, type Sim } from './helpers.js';

const BASE = `http://${TEST_HOST}`;
const tempState = () => path.join(mkdtempSync(path.join(tmpdir(), 'avisim-write-')), 'state.json');

async function pools(sim: Sim, name: string): Promise<any[]> {
  const res = await client(sim).get(`/api/pool?name=${encodeURIComponent(name)}`);
  expect(res.status).toBe(200);
  return res.body.results;
}

async function poolCount(sim: Sim): Promise<number> {
  return (await client(sim).get('/api/pool?page_size=1')).body.count;
}

/** Replaces one hook of a type's behaviour for the rest of the simulator's life. */
function failHook(sim: Sim, type: string, hook: keyof TypeBehaviour): void {
  const behaviours = sim.engine.objects.behaviours;
  behaviours[type] = {
    ...behaviours[type],
    [hook]: () => {
      throw new Error(`${hook} failed`);
    },
  };
}

/** The fragment of a Location header, decoded. */
const fragmentOf = (location: string) => decodeURIComponent(location.slice(location.indexOf('#') + 1));

describe('Location headers can always be written', () => {
  const cases: Array<[string, string, string]> = [
    ['characters above U+00FF', 'web-日本', 'web-%E6%97%A5%E6%9C%AC'],
    ['CR and LF', 'a\r\nSet-Cookie: x=1', 'a%0D%0ASet-Cookie:%20x=1'],
    ['a lone surrogate', 'half-\ud800', 'half-%EF%BF%BD'],
    ['a space, a percent sign and a hash', 'a b%c#d', 'a%20b%25c%23d'],
  ];
  for (const [what, name, encoded] of cases) {
    it(`a name with ${what} gets 201, a percent-encoded fragment, and the raw name in the body`, async () => {
      const sim = await startSim();
      const count = await poolCount(sim);
      const res = await client(sim).post('/api/pool', { name });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const uuid = res.body.uuid;
      expect(res.headers.location).toBe(`${BASE}/api/pool/${uuid}#${encoded}`);
      // JSON carries any character: the body keeps the name as stored, as refs render it
      expect(res.body.url).toBe(`${BASE}/api/pool/${uuid}#${name}`);
      expect(fragmentOf(res.headers.location)).toBe(name.replace('\ud800', '\ufffd'));
      expect((await client(sim).get(`/api/pool/${uuid}`)).body.name).toBe(name);
      expect(await poolCount(sim)).toBe(count + 1);
    });
  }

  it('a body with invalid UTF-8 is stored with replacement characters and answered 201', async () => {
    const sim = await startSim();
    const body = Buffer.concat([Buffer.from('{"name":"bad-'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    // sent as bytes: a string would be UTF-8 encoded, a Buffer JSON-serialised
    const res = await sim.http.post('/api/pool').set('Content-Type', 'application/json').serialize((b) => b).send(body as any);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.name).toBe('bad-\ufffd\ufffd');
    expect(res.headers.location).toBe(`${BASE}/api/pool/${res.body.uuid}#bad-%EF%BF%BD%EF%BF%BD`);
    expect(await pools(sim, 'bad-\ufffd\ufffd')).toHaveLength(1);
  });

  it('names a URI fragment may hold are left as they are, so Location equals the url', async () => {
    const sim = await startSim();
    const name = "AKO_cluster--ns.web@x+y:80/a?b=c&d;e,f(g)*'!$~";
    const res = await client(sim).post('/api/pool', { name });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(res.body.url);
  });
});

describe('a failure after the store took a write undoes it', () => {
  it('POST: an afterWrite hook that throws answers 500 and leaves no object, no name taken', async () => {
    const sim = await startSim();
    failHook(sim, 'pool', 'afterWrite');
    const count = await poolCount(sim);
    const res = await client(sim).post('/api/pool', { name: 'hooked' });
    expect(res.status).toBe(500);
    expect(await poolCount(sim)).toBe(count);
    expect(await pools(sim, 'hooked')).toHaveLength(0);
  });

  it('PUT and PATCH: the object stays as it was, with its refs and its name', async () => {
    const sim = await startSim();
    const hm = await client(sim).create('healthmonitor', { name: 'hm-a', type: 'HEALTH_MONITOR_TCP' });
    const created = await client(sim).create('pool', { name: 'kept', health_monitor_refs: [hm.url] });
    const path = `/api/pool/${created.uuid}`;
    const before = (await client(sim).get(path)).body;
    failHook(sim, 'pool', 'afterWrite');
    const put = await client(sim).put(path, { name: 'renamed', health_monitor_refs: [] });
    expect(put.status).toBe(500);
    const patch = await client(sim).patch(path, { replace: { name: 'renamed-too' } });
    expect(patch.status).toBe(500);
    expect((await client(sim).get(path)).body).toEqual(before);
    expect(await pools(sim, 'renamed')).toHaveLength(0);
    expect(await pools(sim, 'kept')).toHaveLength(1);
    // the back-reference is still there: the health monitor cannot be deleted
    expect((await client(sim).del(`/api/healthmonitor/${hm.uuid}`)).status).toBe(403);
  });

  it('DELETE: an afterRemove hook that throws answers 500 and the object is still there', async () => {
    const sim = await startSim();
    const created = await client(sim).create('pool', { name: 'stays' });
    failHook(sim, 'pool', 'afterRemove');
    expect((await client(sim).del(`/api/pool/${created.uuid}`)).status).toBe(500);
    expect((await client(sim).get(`/api/pool/${created.uuid}`)).status).toBe(200);
  });

  it('a failed create does not take its name: the same POST succeeds once the hook works again', async () => {
    const sim = await startSim();
    const original = sim.engine.objects.behaviours.pool;
    failHook(sim, 'pool', 'afterWrite');
    expect((await client(sim).post('/api/pool', { name: 'retry', uuid: 'pool-retry' })).status).toBe(500);
    sim.engine.objects.behaviours.pool = original!;
    const res = await client(sim).post('/api/pool', { name: 'retry', uuid: 'pool-retry' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });

  it('macro: an answer that fails to render undoes every object the macro created', async () => {
    const sim = await startSim();
    failHook(sim, 'virtualservice', 'renderExtras');
    const res = await sim.http.post('/api/macro').send({
      model_name: 'VirtualService',
      data: { name: 'm-vs', services: [{ port: 80 }], pool_ref_data: { name: 'm-pool' } },
    });
    expect(res.status).toBe(500);
    expect(await pools(sim, 'm-pool')).toHaveLength(0);
    expect((await client(sim).get('/api/virtualservice?name=m-vs')).body.count).toBe(0);
  });

  it('a journal append that fails answers 500, undoes the write, and the state file never holds it', async () => {
    const file = tempState();
    const sim = await startSim({ stateFile: file });
    const journal = (sim.engine.persistence as any).journal;
    const write = journal.write;
    journal.write = () => {
      journal.write = write; // fails once, as a full disk would
      return Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
    };
    const res = await client(sim).post('/api/pool', { name: 'lost' });
    expect(res.status).toBe(500);
    expect(await pools(sim, 'lost')).toHaveLength(0);
    const after = await client(sim).post('/api/pool', { name: 'after' });
    expect(after.status).toBe(201);
    // a restart without a graceful close sees what was answered
    const second = await startSim({ stateFile: file });
    expect(await pools(second, 'lost')).toHaveLength(0);
    expect(await pools(second, 'after')).toHaveLength(1);
  });
});

describe('names are bounded as the controller bounds them (255 characters)', () => {
  it('POST with 256 characters answers 400 naming the field; 255 are taken', async () => {
    const sim = await startSim();
    const res = await client(sim).post('/api/pool', { name: 'n'.repeat(256) });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("Invalid data: field 'name' allows at most 255 characters");
    expect((await client(sim).post('/api/pool', { name: 'n'.repeat(255) })).status).toBe(201);
  });

  it('counts characters, not UTF-16 units: 255 emoji are a valid name', async () => {
    const sim = await startSim();
    expect((await client(sim).post('/api/pool', { name: '🙂'.repeat(255) })).status).toBe(201);
    expect((await client(sim).post('/api/pool', { name: '🙂'.repeat(256) })).status).toBe(400);
  });

  it('a 300k-character name is refused before anything is stored, on POST, PUT and PATCH', async () => {
    const sim = await startSim();
    const long = 'x'.repeat(300_000);
    const count = await poolCount(sim);
    const post = await client(sim).post('/api/pool', { name: long });
    expect(post.status).toBe(400);
    expect(post.body.error).toContain("field 'name'");
    expect(await poolCount(sim)).toBe(count);
    const created = await client(sim).create('pool', { name: 'short' });
    expect((await client(sim).put(`/api/pool/${created.uuid}`, { name: long })).status).toBe(400);
    expect((await client(sim).patch(`/api/pool/${created.uuid}`, { replace: { name: long } })).status).toBe(400);
    expect((await client(sim).get(`/api/pool/${created.uuid}`)).body.name).toBe('short');
  });

  it('holds for every object type with a name, including macro children', async () => {
    const sim = await startSim();
    for (const info of sim.engine.catalog.types.values()) {
      const name = sim.engine.catalog.shapeOf(info.type).fields.get('name');
      if (name?.rule?.type === 'string') expect(name.rule.maxLength, info.type).toBe(255);
    }
    const required: Record<string, object> = { cloud: { vtype: 'CLOUD_NONE' }, healthmonitor: { type: 'HEALTH_MONITOR_TCP' } };
    for (const type of ['virtualservice', 'tenant', 'cloud', 'vsvip', 'healthmonitor', 'vrfcontext', 'user']) {
      const res = await client(sim).post(`/api/${type}`, { name: 'y'.repeat(256), ...required[type] });
      expect(res.status, type).toBe(400);
      expect(res.body.error, type).toContain("field 'name' allows at most 255 characters");
    }
    const macro = await sim.http.post('/api/macro').send({
      model_name: 'VirtualService',
      data: { name: 'ok-vs', services: [{ port: 80 }], pool_ref_data: { name: 'z'.repeat(256) } },
    });
    expect(macro.status).toBe(400);
    expect((await client(sim).get('/api/virtualservice?name=ok-vs')).body.count).toBe(0);
  });
});

describe('names the simulator makes itself stay within the bound', () => {
  it('a VS placed on an SE group with a 300-character se_name_prefix is created; its SE name is cut to 255', async () => {
    // A cloud with an orchestrator: on a No-Orchestrator cloud the controller makes no SE at all.
    const sim = await startSim({ scenario: path.join(import.meta.dirname, 'fixtures', 'scenarios', 'vcenter-cloud.yaml') });
    const c = client(sim);
    const seg = await c.create('serviceenginegroup', { name: 'long-prefix', se_name_prefix: 'p'.repeat(300) });
    const vip = await c.create('vsvip', { name: 'v', vip: [{ vip_id: '0', ip_address: { addr: '10.0.0.5', type: 'V4' } }] });
    const vs = await c.post('/api/virtualservice', { name: 'vs', vsvip_ref: vip.url, se_group_ref: seg.url, services: [{ port: 80 }] });
    expect(vs.status, JSON.stringify(vs.body)).toBe(201);
    const ses = (await c.get(`/api/serviceengine?se_group_ref.name=long-prefix`)).body.results;
    expect(ses).toHaveLength(1);
    expect(ses[0].name).toMatch(/^p{246}-se-[a-z]{5}$/);
  });
});

describe('a client-chosen uuid is one its path can reach', () => {
  const refused: Array<[string, unknown]> = [
    ['a slash', 'a/b'],
    ['CR and LF', 'pool-x\r\nX-Evil: 1'],
    ['a dot segment', '..'],
    ['a leading dash', '-pool'],
    ['a space', 'pool x'],
    ['a percent sign', 'pool%2F'],
    ['a hash', 'pool#x'],
    ['a question mark', 'pool?x'],
    ['non-ASCII letters', 'pool-日本'],
    ['129 characters', 'p'.repeat(129)],
    ['200k characters', 'p'.repeat(200_000)],
    ['a number', 5],
    ['an object', { a: 1 }],
  ];
  for (const [what, uuid] of refused) {
    it(`a body uuid with ${what} answers 400 naming 'uuid', nothing stored`, async () => {
      const sim = await startSim();
      const count = await poolCount(sim);
      const res = await client(sim).post('/api/pool', { name: 'u1', uuid });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/^Invalid data: field 'uuid' /);
      expect(await poolCount(sim)).toBe(count);
    });
  }

  it('the Slug header follows the same rules, answered as header \'Slug\'', async () => {
    const sim = await startSim();
    for (const slug of ['a/b', '..', 'p'.repeat(129), 'x y', 'pool%2F']) {
      const res = await sim.http.post('/api/pool').set('Slug', slug).send({ name: `s-${slug.length}` });
      expect(res.status, slug).toBe(400);
      expect(res.body.error).toMatch(/^Invalid data: header 'Slug' /);
    }
    expect(await pools(sim, 's-3')).toHaveLength(0);
  });

  it('readable uuids as scenarios use them, and the prefix form, are taken', async () => {
    const sim = await startSim();
    for (const uuid of ['user-9', 'cloud-22222222-2222-4222-8222-222222222299', 'A.b_c~d-9', '0', 'p'.repeat(128)]) {
      const res = await client(sim).post('/api/pool', { name: `r-${uuid.slice(0, 20)}`, uuid });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.uuid).toBe(uuid);
    }
    const slugged = await sim.http.post('/api/pool').set('Slug', 'pool-by-slug').send({ name: 'slugged', uuid: 'ignored' });
    expect(slugged.status).toBe(201);
    expect(slugged.body.uuid).toBe('pool-by-slug');
  });

  it('every uuid it accepts, random or hostile, answers GET, PUT and DELETE on /api/pool/<uuid>', async () => {
    const sim = await startSim();
    const api = client(sim);
    const alphabet = fc.constantFrom(...'abcXYZ0189-._~/%#? \u00e9\u65e5\r\n'.split(''));
    const uuids = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$/),
      fc.string({ unit: alphabet, minLength: 1, maxLength: 140 }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(uuids, async (uuid) => {
        const name = `prop-${n++}`;
        const count = await poolCount(sim);
        const res = await api.post('/api/pool', { name, uuid });
        if (res.status !== 201) {
          expect(res.status).toBe(400);
          expect(res.body.error).toMatch(/^Invalid data: field 'uuid' /);
          expect(await poolCount(sim)).toBe(count);
          return;
        }
        expect(res.body.uuid).toBe(uuid);
        const at = `/api/pool/${uuid}`; // as a client builds it: no encoding
        expect((await api.get(at)).body.name).toBe(name);
        expect((await api.put(at, { name: `${name}-put` })).status).toBe(200);
        expect((await api.del(at)).status).toBe(204);
        expect((await api.get(at)).status).toBe(404);
      }),
      { numRuns: 60 },
    );
  });
});
