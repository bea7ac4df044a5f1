/**
 * The example from docs/testing.md, run in the project's own suite. In a project that depends
 * on avisim the import is `from 'avisim/testing'`; here it is the source module.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAvisim, type StartedAvisim } from '../../server/testing.js';

let avi: StartedAvisim;

beforeAll(async () => {
  avi = await startAvisim({ seed: 42 });
});
afterEach(() => avi.reset());
afterAll(() => avi.close());

describe('my pool sync', () => {
  it('creates the pool it is told about', async () => {
    // The code under test would get avi.url, avi.username and avi.password; the helper's own
    // client stands in for it here.
    const created = await avi.client.post('/api/pool', {
      name: 'web',
      servers: [{ ip: { addr: '10.0.0.1', type: 'V4' } }],
    });
    expect(created.status).toBe(201);

    const found = await avi.client.get('/api/pool?name=web');
    expect(found.body.count).toBe(1);
    expect(found.body.results[0].servers[0].ip.addr).toBe('10.0.0.1');
  });

  it('starts from the scenario again in the next test', async () => {
    const found = await avi.client.get('/api/pool?name=web');
    expect(found.body.count).toBe(0);
  });
});
