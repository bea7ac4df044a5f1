/**
 * The macro API: POST /api/macro creates an object and its inline `*_ref_data`
 * children in one transaction, DELETE /api/macro deletes them; all or nothing, in memory and on
 * disk.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readState } from '../server/core/persistence.js';
import { client, startSim, TEST_HOST, uuidOf, type Sim } from './helpers.js';

const tempState = () => path.join(mkdtempSync(path.join(tmpdir(), 'avisim-macro-')), 'state.json');

/** Static VIPs: an address is held by one VsVip per VRF, so each macro gets its own. */
let lastHost = 9;
const vsvip = (name: string, addr = `10.0.0.${++lastHost}`) => ({ name, vip: [{ vip_id: '0', ip_address: { addr, type: 'V4' } }] });
const pool = (name: string) => ({
  name,
  servers: [{ ip: { addr: '10.1.1.1', type: 'V4' } }, { ip: { addr: '10.1.1.2', type: 'V4' } }],
});

/** A VS with an inline VsVip and pool, as AKO ≤1.3 sent it. */
function vsMacro(name = 'vs1', data: Record<string, unknown> = {}, addr?: string) {
  return {
    model_name: 'VirtualService',
    data: {
      name,
      services: [{ port: 80 }],
      vsvip_ref_data: vsvip(`${name}-vip`, addr),
      pool_ref_data: pool(`${name}-pool`),
      ...data,
    },
  };
}

const macro = (sim: Sim) => ({
  post: (body: unknown) => sim.http.post('/api/macro').send(body as object),
  del: (body: unknown) => sim.http.delete('/api/macro').send(body as object),
});

async function byName(sim: Sim, type: string, name: string) {
  const res = await client(sim).get(`/api/${type}?name=${name}&include_name=true`);
  expect(res.status).toBe(200);
  return res.body.results as any[];
}

describe('POST /api/macro', () => {
  it('creates the children first, links them, and answers the created objects as an array', async () => {
    const sim = await startSim();
    const res = await macro(sim).post(vsMacro('vs1', {}, '10.0.0.10'));
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
    expect(res.body.map((o: any) => o.url.split('/')[4].split('-')[0])).toEqual(['vsvip', 'pool', 'virtualservice']);
    const [vip, p, vs] = res.body;
    // Rendered like a POST answer: url and refs with #name.
    expect(vip.url).toBe(`http://${TEST_HOST}/api/vsvip/${vip.uuid}#vs1-vip`);
    expect(vs.url).toBe(`http://${TEST_HOST}/api/virtualservice/${vs.uuid}#vs1`);
    expect(vs.vsvip_ref).toBe(`http://${TEST_HOST}/api/vsvip/${vip.uuid}#vs1-vip`);
    expect(vs.pool_ref).toBe(`http://${TEST_HOST}/api/pool/${p.uuid}#vs1-pool`);
    expect(vs).not.toHaveProperty('vsvip_ref_data');
    expect(vs).not.toHaveProperty('pool_ref_data');
    expect(vip.vip[0].ip_address).toEqual({ addr: '10.0.0.10', type: 'V4' });
    expect(p.servers.map((s: any) => s.ip.addr)).toEqual(['10.1.1.1', '10.1.1.2']);

    // All stored, refs linked (by uuid), in the request's tenant and the default cloud.
    const [storedVs] = await byName(sim, 'virtualservice', 'vs1');
    expect(uuidOf(storedVs.vsvip_ref)).toBe(vip.uuid);
    expect(uuidOf(storedVs.pool_ref)).toBe(p.uuid);
    expect((await client(sim).get(`/api/vsvip/${vip.uuid}`)).status).toBe(200);
    expect((await client(sim).get(`/api/pool/${p.uuid}`)).status).toBe(200);
    expect(p.tenant_ref).toBe(`http://${TEST_HOST}/api/tenant/admin#admin`);
    expect(p.cloud_ref).toBe(vs.cloud_ref);
    // The pool is now referred to by the VS, like any ref.
    const del = await client(sim).del(`/api/pool/${p.uuid}`);
    expect(del.status).toBe(403);
    expect(del.body.error).toBe("Cannot delete, object is referred by: ['VirtualService vs1']");
  });

  it('matches model_name case-insensitively and creates nested children (pool group → pool)', async () => {
    const sim = await startSim();
    const res = await macro(sim).post({
      model_name: 'virtualservice',
      data: {
        name: 'vs-pg',
        services: [{ port: 443 }],
        vsvip_ref_data: vsvip('pg-vip'),
        pool_group_ref_data: {
          name: 'pg1',
          members: [
            { ratio: 2, pool_ref_data: pool('pg-pool-a') },
            { pool_ref_data: { ...pool('pg-pool-b'), health_monitor_refs_data: [{ name: 'hm-b', type: 'HEALTH_MONITOR_TCP' }] } },
          ],
        },
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.map((o: any) => o.name)).toEqual(['pg-vip', 'pg-pool-a', 'hm-b', 'pg-pool-b', 'pg1', 'vs-pg']);
    const [, poolA, hm, poolB, pg, vs] = res.body;
    expect(pg.members.map((m: any) => m.pool_ref)).toEqual([
      `http://${TEST_HOST}/api/pool/${poolA.uuid}#pg-pool-a`,
      `http://${TEST_HOST}/api/pool/${poolB.uuid}#pg-pool-b`,
    ]);
    expect(pg.members[0].ratio).toBe(2);
    expect(pg.members[0]).not.toHaveProperty('pool_ref_data');
    expect(poolB.health_monitor_refs).toEqual([`http://${TEST_HOST}/api/healthmonitor/${hm.uuid}#hm-b`]);
    expect(vs.pool_group_ref).toBe(`http://${TEST_HOST}/api/poolgroup/${pg.uuid}#pg1`);
    expect(await byName(sim, 'poolgroup', 'pg1')).toHaveLength(1);
  });

  it('creates children in the request tenant', async () => {
    const sim = await startSim();
    const t = await client(sim).post('/api/tenant', { name: 't1' });
    expect(t.status).toBe(201);
    const res = await sim.http.post('/api/macro').set('X-Avi-Tenant', 't1').send(vsMacro('vs-t1'));
    expect(res.status).toBe(200);
    for (const o of res.body) expect(uuidOf(o.tenant_ref)).toBe(t.body.uuid);
    expect(await byName(sim, 'pool', 'vs-t1-pool')).toHaveLength(0); // invisible from admin
  });

  it('a failure in the parent answers its error and leaves no child behind', async () => {
    const sim = await startSim();
    const before = sim.engine.store.snapshot();
    const plain = await client(sim).post('/api/virtualservice', { name: 'bad', type: 'VS_TYPE_BOGUS' });
    expect(plain.status).toBe(400);
    const res = await macro(sim).post(vsMacro('bad', { type: 'VS_TYPE_BOGUS' }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual(plain.body);
    expect(sim.engine.store.snapshot()).toEqual(before);
    expect(await byName(sim, 'vsvip', 'bad-vip')).toHaveLength(0);
    expect(await byName(sim, 'pool', 'bad-pool')).toHaveLength(0);
  });

  it('a failing second child rolls back the first: 409 like POST, nothing left', async () => {
    const sim = await startSim();
    expect((await client(sim).post('/api/pool', { name: 'vs2-pool' })).status).toBe(201);
    const before = sim.engine.store.snapshot();
    const res = await macro(sim).post(vsMacro('vs2'));
    expect(res.status).toBe(409);
    expect(res.body.error).toContain('already exists');
    expect(sim.engine.store.snapshot()).toEqual(before);
    expect(await byName(sim, 'vsvip', 'vs2-vip')).toHaveLength(0);
    // The same macro goes through once the name is free.
    const [existing] = await byName(sim, 'pool', 'vs2-pool');
    expect((await client(sim).del(`/api/pool/${existing.uuid}`)).status).toBe(204);
    expect((await macro(sim).post(vsMacro('vs2'))).status).toBe(200);
  });

  it('an unresolvable ref inside a child rolls back everything before it', async () => {
    const sim = await startSim();
    const before = sim.engine.store.snapshot();
    const res = await macro(sim).post(vsMacro('vs3', { pool_ref_data: { ...pool('vs3-pool'), health_monitor_refs: ['/api/healthmonitor?name=nope'] } }));
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('HealthMonitor object not found!');
    expect(sim.engine.store.snapshot()).toEqual(before);
  });

  it('refuses an unknown model_name and a body without data', async () => {
    const sim = await startSim();
    const unknown = await macro(sim).post({ model_name: 'NoSuchThing', data: { name: 'x' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toContain('NoSuchThing');
    const noData = await macro(sim).post({ model_name: 'Pool' });
    expect(noData.status).toBe(400);
    const notObject = await macro(sim).post({ model_name: 'VirtualService', data: { name: 'v', pool_ref_data: 'p' } });
    expect(notObject.status).toBe(400);
    expect(notObject.body.error).toContain('pool_ref_data');
  });

  it('a macro of one object without children is a plain create', async () => {
    const sim = await startSim();
    const res = await macro(sim).post({ model_name: 'Pool', data: pool('solo') });
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(1);
    expect(res.body[0].url).toMatch(/\/api\/pool\/pool-.*#solo$/);
  });
});

describe('DELETE /api/macro', () => {
  it('deletes the object and its inline children', async () => {
    const sim = await startSim();
    const before = sim.engine.store.snapshot();
    expect((await macro(sim).post(vsMacro('vs-del'))).status).toBe(200);
    const res = await macro(sim).del(vsMacro('vs-del'));
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    for (const [type, name] of [['virtualservice', 'vs-del'], ['vsvip', 'vs-del-vip'], ['pool', 'vs-del-pool']]) {
      expect(await byName(sim, type!, name!)).toHaveLength(0);
    }
    // Of the macro's types, exactly what was there before (placing a VS may leave other objects,
    // such as a service engine, behind, as on a controller).
    const ofMacroTypes = (objects: Array<{ type: string }>) =>
      objects.filter((o) => ['virtualservice', 'vsvip', 'pool'].includes(o.type));
    expect(ofMacroTypes(sim.engine.store.snapshot().objects)).toEqual(ofMacroTypes(before.objects));
  });

  it('deletes nested children (pool group members) in reverse creation order', async () => {
    const sim = await startSim();
    const body = {
      model_name: 'VirtualService',
      data: { name: 'vs-n', vsvip_ref_data: vsvip('n-vip'), pool_group_ref_data: { name: 'n-pg', members: [{ pool_ref_data: pool('n-pool') }] } },
    };
    expect((await macro(sim).post(body)).status).toBe(200);
    expect((await macro(sim).del(body)).status).toBe(204);
    expect(await byName(sim, 'poolgroup', 'n-pg')).toHaveLength(0);
    expect(await byName(sim, 'pool', 'n-pool')).toHaveLength(0);
  });

  it('refused part-way (a child still referred to elsewhere): nothing is deleted', async () => {
    const sim = await startSim();
    const created = await macro(sim).post(vsMacro('vs-a'));
    expect(created.status).toBe(200);
    const other = await client(sim).post('/api/virtualservice', { name: 'vs-other', pool_ref: created.body[1].url });
    expect(other.status).toBe(201);
    const before = sim.engine.store.snapshot();
    const res = await macro(sim).del(vsMacro('vs-a'));
    expect(res.status).toBe(403);
    expect(res.body.error).toBe("Cannot delete, object is referred by: ['VirtualService vs-other']");
    expect(sim.engine.store.snapshot()).toEqual(before);
    // The VS deleted before the refusal is back, with its refs (the vsvip is still protected by it).
    expect(await byName(sim, 'virtualservice', 'vs-a')).toHaveLength(1);
    const vipDel = await client(sim).del(`/api/vsvip/${created.body[0].uuid}`);
    expect(vipDel.status).toBe(403);
    expect(vipDel.body.error).toContain('VirtualService vs-a');
  });

  it('answers 404 when a named object does not exist, deleting nothing', async () => {
    const sim = await startSim();
    expect((await macro(sim).post(vsMacro('vs-b'))).status).toBe(200);
    const before = sim.engine.store.snapshot();
    const res = await macro(sim).del(vsMacro('vs-b', { pool_ref_data: pool('no-such-pool') }));
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('Pool object not found!');
    expect(sim.engine.store.snapshot()).toEqual(before);
  });
});

describe('macro persistence', () => {
  it('a macro is durable when answered, in one commit', async () => {
    const file = tempState();
    const sim = await startSim({ stateFile: file });
    const writes = sim.engine.persistence!.writes;
    const res = await macro(sim).post(vsMacro('vs-p'));
    expect(res.status).toBe(200);
    expect(sim.engine.persistence!.writes).toBe(writes + 1);
    const onDisk = await readState(file);
    for (const o of res.body) expect(onDisk!.objects.some((x) => x.data.uuid === o.uuid)).toBe(true);
  });

  it('failed macros leave the state file as before, across a restart', async () => {
    const file = tempState();
    const first = await startSim({ stateFile: file });
    expect((await client(first).post('/api/pool', { name: 'vs-f-pool' })).status).toBe(201);
    expect((await macro(first).post(vsMacro('vs-g'))).status).toBe(200);
    const gPool = (await byName(first, 'pool', 'vs-g-pool'))[0];
    expect((await client(first).post('/api/virtualservice', { name: 'holder', pool_ref: gPool.url })).status).toBe(201);
    const before = first.engine.store.snapshot();

    // A create that fails at its second child, a delete refused after its first delete: each
    // rollback is a restore, which persistence writes as a snapshot.
    const snapshots = first.engine.persistence!.snapshots;
    expect((await macro(first).post(vsMacro('vs-f'))).status).toBe(409);
    expect((await macro(first).del(vsMacro('vs-g'))).status).toBe(403);
    expect(first.engine.store.snapshot()).toEqual(before);
    expect(first.engine.persistence!.snapshots).toBe(snapshots + 2);

    // What is on disk is what was answered; the journal goes on after the rollback's snapshot.
    expect(await readState(file)).toEqual(before);
    expect((await client(first).post('/api/pool', { name: 'after' })).status).toBe(201);
    const now = first.engine.store.snapshot();
    expect(now.objects.filter((o) => o.data.name !== 'after')).toEqual(before.objects);

    // Restart from the file without a graceful close.
    const second = await startSim({ stateFile: file });
    expect(second.engine.store.snapshot()).toEqual(now);
    expect(await byName(second, 'vsvip', 'vs-f-vip')).toHaveLength(0);
    expect(await byName(second, 'virtualservice', 'vs-g')).toHaveLength(1);
    expect(await byName(second, 'pool', 'after')).toHaveLength(1);
  });
});
