/**
 * Renderings are cached per stored version; these pin every way a cached text can go stale.
 */
import { describe, expect, it } from 'vitest';
import { startSim } from './helpers.js';

describe('cached renderings', () => {
  it('show a referenced object under its new name after a rename', async () => {
    const { http } = await startSim();
    const hm = (await http.post('/api/healthmonitor').send({ name: 'hm-old', type: 'HEALTH_MONITOR_TCP' })).body;
    const pool = (await http.post('/api/pool').send({ name: 'p', health_monitor_refs: [hm.url] })).body;
    const before = await http.get(`/api/pool/${pool.uuid}?include_name`);
    expect(before.body.health_monitor_refs[0]).toMatch(/#hm-old$/);
    await http.put(`/api/healthmonitor/${hm.uuid}`).send({ name: 'hm-new', type: 'HEALTH_MONITOR_TCP' }).expect(200);
    const one = await http.get(`/api/pool/${pool.uuid}?include_name`);
    expect(one.body.health_monitor_refs[0]).toMatch(/#hm-new$/);
    const list = await http.get('/api/pool?name=p&include_name');
    expect(list.body.results[0].health_monitor_refs[0]).toMatch(/#hm-new$/);
  });

  it('follow the host the client used and the include_name choice', async () => {
    const { http } = await startSim();
    const pool = (await http.post('/api/pool').send({ name: 'hosts' })).body;
    const a = await http.get(`/api/pool/${pool.uuid}`).set('Host', 'one.test');
    const b = await http.get(`/api/pool/${pool.uuid}`).set('Host', 'two.test');
    const c = await http.get(`/api/pool/${pool.uuid}?include_name`).set('Host', 'two.test');
    expect(a.body.url).toBe(`http://one.test/api/pool/${pool.uuid}`);
    expect(b.body.url).toBe(`http://two.test/api/pool/${pool.uuid}`);
    expect(c.body.url).toBe(`http://two.test/api/pool/${pool.uuid}#hosts`);
  });

  it('show the new version after each write', async () => {
    const { http } = await startSim();
    const pool = (await http.post('/api/pool').send({ name: 'ver', description: 'v1' })).body;
    expect((await http.get(`/api/pool/${pool.uuid}`)).body.description).toBe('v1');
    await http.patch(`/api/pool/${pool.uuid}`).send({ replace: { description: 'v2' } }).expect(200);
    expect((await http.get(`/api/pool/${pool.uuid}`)).body.description).toBe('v2');
    expect((await http.get('/api/pool?name=ver')).body.results[0].description).toBe('v2');
  });
});
