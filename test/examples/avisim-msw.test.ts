/**
 * The example from docs/in-process.md, run in the project's own suite. In a project that
 * depends on avisim the import is `from 'avisim/msw'`; here it is the source module.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { setupServer } from 'msw/node';
import { createAvisimHandlers } from '../../server/msw.js';

// The client under test: anything that speaks to an Avi controller over fetch.
async function ensurePool(base: string, password: string, name: string): Promise<string> {
  const login = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  const cookies = login.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const csrf = cookies.find((c) => c.startsWith('csrftoken='))!.slice('csrftoken='.length);
  const session = { cookie: cookies.join('; '), 'x-csrftoken': csrf, 'content-type': 'application/json' };
  const found = await (await fetch(`${base}/api/pool?name=${name}`, { headers: session })).json();
  if (found.count > 0) return found.results[0].uuid;
  const created = await fetch(`${base}/api/pool`, { method: 'POST', headers: session, body: JSON.stringify({ name }) });
  return (await created.json()).uuid;
}

const avi = await createAvisimHandlers({ baseUrl: 'https://avi.example', adminPassword: 'secret' });
const server = setupServer(...avi.handlers);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => avi.reset());
afterAll(() => server.close());

it('creates the pool once', async () => {
  const first = await ensurePool('https://avi.example', 'secret', 'web');
  const again = await ensurePool('https://avi.example', 'secret', 'web');
  expect(again).toBe(first);
  expect(avi.engine.store.get('pool', first)?.data.name).toBe('web');
});
