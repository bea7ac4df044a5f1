/**
 * avisim/testing: startAvisim serves a real listener; its client logs in, writes with the CSRF
 * token, and reset() brings back the state the scenario produced, sessions intact.
 */
import { describe, expect, it } from 'vitest';
import { startAvisim } from '../server/testing.js';

describe('startAvisim', () => {
  it('serves plain HTTP with a logged-in client; reset() restores the scenario state', async () => {
    const avi = await startAvisim({ seed: 11, adminPassword: 'helper-pw' });
    try {
      expect(avi.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(avi.apiUrl).toBe(`${avi.url}/api`);
      expect(avi.username).toBe('admin');
      expect(avi.password).toBe('helper-pw');
      expect(avi.client.csrfToken).toBeTruthy();

      const before = await avi.client.get('/api/pool');
      expect(before.status).toBe(200);
      const freshCount = before.body.count;

      const created = await avi.client.post('/api/pool', { name: 'web', servers: [{ ip: { addr: '10.0.0.1', type: 'V4' } }] });
      expect(created.status).toBe(201);
      expect(created.body.url).toMatch(new RegExp(`^${avi.url}/api/pool/pool-`));

      const read = await avi.client.get(created.body.url);
      expect(read.body.name).toBe('web');
      const patched = await avi.client.patch(`/api/pool/${created.body.uuid}`, { replace: { description: 'x' } });
      expect(patched.status).toBe(200);
      expect(patched.body.description).toBe('x');
      const replaced = await avi.client.put(`/api/pool/${created.body.uuid}`, { ...patched.body, description: 'y' });
      expect(replaced.status).toBe(200);
      const second = await avi.client.post('/api/pool', { name: 'db' });
      expect(second.status).toBe(201);
      expect(await avi.client.delete(`/api/pool/${second.body.uuid}`)).toMatchObject({ status: 204, text: '' });

      // the controller's settings too: a PATCH of the idle timeout is undone
      const props = (await avi.client.get('/api/controllerproperties')).body;
      const original = props.api_idle_timeout;
      await avi.client.put('/api/controllerproperties', { ...props, api_idle_timeout: original + 5 });
      expect(avi.engine.idleTimeoutMinutes()).toBe(original + 5);

      await avi.reset();

      expect(avi.engine.idleTimeoutMinutes()).toBe(original);
      // same session, no new login: sessions survive reset()
      const after = await avi.client.get('/api/pool');
      expect(after.status).toBe(200);
      expect(after.body.count).toBe(freshCount);
      expect((await avi.client.get(`/api/pool/${created.body.uuid}`)).status).toBe(404);
      // and writes still go through (CSRF token still valid)
      expect((await avi.client.post('/api/pool', { name: 'web' })).status).toBe(201);
    } finally {
      await avi.close();
    }
    // closed: nothing answers any more
    await expect(fetch(`${avi.url}/api/cluster/status`)).rejects.toThrow();
  });

  it('answers 401 to a write with a wrong CSRF token, and a second client has its own session', async () => {
    const avi = await startAvisim();
    try {
      expect(avi.password).toBeTruthy();
      const wrong = await avi.client.post('/api/pool', { name: 'x' }, { headers: { 'X-CSRFToken': 'nope' } });
      expect(wrong.status).toBe(401);
      expect(wrong.text).toBe('CSRF token missing or incorrect.');
      const other = await avi.newClient();
      expect(other.csrfToken).not.toBe(avi.client.csrfToken);
      expect((await other.post('/api/pool', { name: 'x' })).status).toBe(201);
    } finally {
      await avi.close();
    }
  });

  it('serves HTTPS with a self-signed certificate and closes with a keep-alive client still connected', async () => {
    const avi = await startAvisim({ https: true });
    try {
      expect(avi.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(avi.tls?.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      const created = await avi.client.post('/api/pool', { name: 'tls' });
      expect(created.status).toBe(201);
      expect(created.body.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/api\/pool\//);
    } finally {
      const started = Date.now();
      await avi.close();
      expect(Date.now() - started).toBeLessThan(1500);
    }
  });
});
