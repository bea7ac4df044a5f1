import { mkdtempSync, readFileSync, statSync, existsSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../server/engine.js';
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
        const onDisk = JSON.parse(readFileSync(file, 'utf8'));
        expect(onDisk.objects.some((o: any) => o.data.uuid === res.body.uuid)).toBe(true);
      }),
    );
    const writes = sim.engine.persistence!.writes - writesBefore;
    // Group commit: requests that arrived during a write shared the next one.
    expect(writes).toBeGreaterThan(0);
    expect(writes).toBeLessThan(names.length);
  });

  it('replaces the file atomically (a new file each write, no temp file left behind)', async () => {
    const file = tempState();
    const sim = await startSim({ stateFile: file });
    const inodeBefore = statSync(file).ino;
    await sim.http.post('/api/pool').send({ name: 'atomic' }).expect(201);
    expect(statSync(file).ino).not.toBe(inodeBefore);
    expect(readdirSync(path.dirname(file))).toEqual(['state.json']);
  });

  it('does not write a failed request, and keeps the state it had', async () => {
    const file = tempState();
    const sim = await startSim({ stateFile: file });
    const before = readFileSync(file, 'utf8');
    const writes = sim.engine.persistence!.writes;
    const res = await sim.http.post('/api/pool').send({ name: 'x', lb_algorithm: 'NOPE' });
    expect(res.status).toBe(400);
    expect(sim.engine.persistence!.writes).toBe(writes);
    expect(readFileSync(file, 'utf8')).toBe(before);
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
