/**
 * Logging in to a running avisim as a client would: POST /login, then the session cookie and
 * the CSRF token on every later request.
 */
import { CookieJar } from '../../server/testing.js';

export const TEST_PASSWORD = 'test-admin-pw';

export interface SessionHeaders extends Record<string, string> {
  Cookie: string;
  'X-CSRFToken': string;
}

/** `setCookies` are the Set-Cookie headers of a successful /login. */
export function sessionHeaders(setCookies: readonly string[] | undefined): SessionHeaders {
  const jar = new CookieJar();
  jar.store(setCookies);
  const csrf = jar.get('csrftoken');
  if (csrf === undefined) throw new Error('login answered no csrftoken cookie');
  return { Cookie: jar.header(), 'X-CSRFToken': csrf };
}

/** Logs in over plain HTTP with fetch. */
export async function fetchLogin(base: string, password = TEST_PASSWORD): Promise<SessionHeaders> {
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return sessionHeaders(res.headers.getSetCookie());
}
