import { appendFileSync, mkdtempSync, readFileSync, statSync, existsSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../server/engine.js';
import { readState } from '../server/core/persistence.js';
import { startSim } from './helpers.js';

const tempState = () => path.join(mkdtempSync(path.join(tmpdir(), 'avisim-state-')), 'state.json');

describe('persistence through a state file', () => {
  it('restores the exact state after a restart with the same file', async () => {
    const file = tempState();
    const first = await startSim({ stateFile: file });
    const hm = await first.http.post('/api/healthmonitor').send({ name: 'hm1', type: 'HEALTH_MONITOR_TCP' });
    expect(hm.status).toBe(201);
    const pool = await first.http
      .post('/api/pool')
      .send({ name: 'p1', health_monitor_refs: [hm.body.url], servers: [{ ip: { addr: '10.0.0.1', type: 'V4' } }] });
    expect(pool.status).toBe(201);
    await first.http.patch(`/api/pool/${pool.body.uuid}`).send({ add: { servers: [{ ip: { addr: '10.0.0.2', type: 'V4' } }] } });
    const before = first.engine.store.snapshot();
    const poolBefore = (await first.http.get(`/api/pool/${pool.body.uuid}`)).body;

    const second = await startSim({ stateFile: file });
    expect(second.engine.store.snapshot()).toEqual(before);
    const poolAfter = await second.http.get(`/api/pool/${pool.body.uuid}`);
    expect(poolAfter.body).toEqual(poolBefore);
    // Back-references survive the restart: the health monitor is still protected.
    const del = await second.http.delete(`/api/healthmonitor/${hm.body.uuid}`);
    expect(del.status).toBe(403);
    expect(del.body.error).toBe("Cannot delete, object is referred by: ['Pool p1']");
    // The clock keeps increasing across the restart.
    const put = await second.http.put(`/api/pool/${pool.body.uuid}`).send({ ...poolAfter.body });
    expect(BigInt(put.body._last_modified)).toBeGreaterThan(BigInt(poolBefore._last_modified));
  });

  it('answers a write only after a file write holding it has finished', async () => {
    const file = tempState();
    const sim = await startSim({ stateFile: file });
    const names = Array.from({ length: 40 }, (_, i) => `gc-${i}`);
    const writesBefore = sim.engine.persistence!.writes;
    await Promise.all(
      names.map(async (name) => {
        const res = await sim.http.post('/api/pool').send({ name });
        expect(res.status).toBe(201);
        // The response has arrived: the object must already be on disk.
        const onDisk = await readState(file);
        expect(onDisk!.objects.some((o) => o.data.uuid === res.body.uuid)).toBe(true);
      }),
    );
    expect(sim.engine.persistence!.writes).toBeGreaterThan(writesBefore);
  });

  it('group commit: changes made while a write is in flight share the next write', async () => {
    const file = tempState();
    const { engine } = await startSim({ stateFile: file });
    const ctx = { tenant: 'admin', base: '' };
    const writesBefore = engine.persistence!.writes;
    engine.objects.create('pool', { name: 'first' }, ctx);
    const first = engine.commit(); // starts a journal append
    const rest: Promise<void>[] = [];
    for (let i = 0; i < 39; i++) {
      engine.objects.create('pool', { name: `during-${i}` }, ctx);
      rest.push(engine.commit()); // arrives while the first append is in flight
    }
    await Promise.all([first, ...rest]);
    expect(engine.persistence!.writes - writesBefore).toBe(2);
    const onDisk = await readState(file);
    expect(onDisk!.objects.filter((o) => o.type === 'pool')).toHaveLength(40);
  });

  it('replaces the snapshot atomically when compacting (new file, no temp file left behind)', async () => {
    const file = tempState();
    const sim = await startSim({ stateFile: file });
    const inodeBefore = statSync(file).ino;
    await sim.http.post('/api/pool').send({ name: 'atomic' }).expect(201);
    // A write appends to the journal; the snapshot is untouched until compaction.
    expect(statSync(file).ino).toBe(inodeBefore);
    expect(readFileSync(`${file}.journal`, 'utf8')).toContain('"name":"atomic"');
    await sim.engine.persistence!.compact();
    expect(statSync(file).ino).not.toBe(inodeBefore);
    expect(readFileSync(`${file}.journal`, 'utf8')).toBe('');
    expect(readdirSync(path.dirname(file)).sort()).toEqual(['state.json', 'state.json.journal']);
    const snap = JSON.parse(readFileSync(file, 'utf8'));
    expect(snap.objects.some((o: any) => o.data.name === 'atomic')).toBe(true);
  });

  it('compacts the journal into a new snapshot once the journal outgrows it', async () => {
    const file = tempState();
    const sim = await startSim({ stateFile: file, compactAfterBytes: 1 });
    const snapshots = sim.engine.persistence!.snapshots;
    for (let i = 0; i < 150; i++) {
      await sim.http.post('/api/pool').send({ name: `grow-${i}`, description: 'x'.repeat(500) }).expect(201);
    }
    expect(sim.engine.persistence!.snapshots).toBeGreaterThan(snapshots);
    expect(statSync(`${file}.journal`).size).toBeLessThan(statSync(file).size);
    const restored = await startSim({ stateFile: file });
    expect(restored.engine.store.snapshot()).toEqual(sim.engine.store.snapshot());
  });

  it('ignores a torn last journal line (a crash mid-append) and keeps every whole entry', async () => {
    const file = tempState();
    const sim = await startSim({ stateFile: file });
    await sim.http.post('/api/pool').send({ name: 'whole' }).expect(201);
    const expected = sim.engine.store.snapshot();
    appendFileSync(`${file}.journal`, '{"op":"put","type":"pool","clo');
    const restored = await startSim({ stateFile: file });
    expect(restored.engine.store.snapshot()).toEqual(expected);
  });

  it('replays journal entries the snapshot already holds without harm (crash between snapshot and truncate)', async () => {
    const file = tempState();
    const sim = await startSim({ stateFile: file });
    const p = await sim.http.post('/api/pool').send({ name: 'twice' }).expect(201);
    await sim.http.put(`/api/pool/${p.body.uuid}`).send({ name: 'twice', description: 'v2' }).expect(200);
    const gone = await sim.http.post('/api/pool').send({ name: 'gone' }).expect(201);
    await sim.http.delete(`/api/pool/${gone.body.uuid}`).expect(204);
    const journal = readFileSync(`${file}.journal`, 'utf8');
    await sim.engine.persistence!.compact();
    writeFileSync(`${file}.journal`, journal); // as if the truncate never happened
    const restored = await startSim({ stateFile: file });
    expect(restored.engine.store.snapshot()).toEqual(sim.engine.store.snapshot());
  });

  it('does not write a failed request, and keeps the state it had', async () => {
    const file = tempState();
    const sim = await startSim({ stateFile: file });
    const before = await readState(file);
    const journal = readFileSync(`${file}.journal`, 'utf8');
    const writes = sim.engine.persistence!.writes;
    const res = await sim.http.post('/api/pool').send({ name: 'x', lb_algorithm: 'NOPE' });
    expect(res.status).toBe(400);
    await sim.engine.commit();
    expect(sim.engine.persistence!.writes).toBe(writes);
    expect(readFileSync(`${file}.journal`, 'utf8')).toBe(journal);
    expect(await readState(file)).toEqual(before);
  });

  it('refuses a file that is not an avisim state file, with a clear message', async () => {
    const file = tempState();
    writeFileSync(file, JSON.stringify({ hello: 'world' }));
    await expect(Engine.create({ stateFile: file })).rejects.toThrow(/not an avisim state file/);
  });

  it('keeps everything in memory when no state file is given', async () => {
    const sim = await startSim();
    expect(sim.engine.persistence).toBeUndefined();
    await sim.http.post('/api/pool').send({ name: 'mem' }).expect(201);
    expect(existsSync(path.join(process.cwd(), 'state.json'))).toBe(false);
  });
});
