/**
 * What `avisim record` keeps out of a scenario file: secrets by field name, by shape (PEM
 * private keys, credentials in headers, query parameters) and, once seen, by value anywhere.
 */
import { describe, expect, it } from 'vitest';
import { isSecretKey, SCRUBBED, Scrubber, TOO_DEEP } from '../server/record/scrub.js';

const PRIVATE_KEY = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBfzCCASWgAwIBAgIU\n-----END CERTIFICATE-----\n';

describe('secret field names', () => {
  it('covers passwords, passphrases, secrets, private keys, TLS ticket keys, tokens, session ids, CSRF and cookies', () => {
    for (const k of ['password', 'j_password', 'key_passphrase', 'client_secret', 'private_key', 'privatekey', 'token', 'auth_token', 'sessionid', 'session_id', 'csrftoken', 'cookie', 'Authorization', 'aes_key', 'hmac_key']) {
      expect(isSecretKey(k), k).toBe(true);
    }
  });

  it('leaves names that only point at or name a secret', () => {
    for (const k of ['session_cookie_name', 'secret_ref', 'token_uuid', 'name', 'username', 'key', 'certificate']) expect(isSecretKey(k), k).toBe(false);
  });
});

describe('Scrubber.json', () => {
  it('copies hostile JSON safely: a __proto__ key stays an own field, nesting past 100 levels is cut', () => {
    const hostile = JSON.parse('{"__proto__": {"password": "hunter2-long"}, "a": 1}');
    const out = new Scrubber().json(hostile) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"password":"<scrubbed>"},"a":1}');
    const deep = JSON.parse(`${'['.repeat(5000)}"x"${']'.repeat(5000)}`);
    const cut = JSON.stringify(new Scrubber().json(deep));
    expect(cut).toContain(TOO_DEEP);
    expect(cut.length).toBeLessThan(1000);
    expect(JSON.stringify(new Scrubber().deep(deep))).toContain(TOO_DEEP);
  });

  it('replaces a login password and keeps the user name', () => {
    expect(new Scrubber().json({ username: 'admin', password: 'hunter2-long' })).toEqual({ username: 'admin', password: SCRUBBED });
  });

  it("replaces an sslkeyandcertificate's key and passphrase, keeps its certificate", () => {
    const body = { name: 'c', key: PRIVATE_KEY, key_passphrase: 'pass-phrase-1', certificate: { certificate: CERT } };
    expect(new Scrubber().json(body, 'sslkeyandcertificate')).toEqual({ name: 'c', key: SCRUBBED, key_passphrase: SCRUBBED, certificate: { certificate: CERT } });
  });

  it("does the same for each result of an sslkeyandcertificate list", () => {
    const list = { count: 1, results: [{ name: 'c', key: 'opaque-key-text' }] };
    expect(new Scrubber().json(list, 'sslkeyandcertificate')).toEqual({ count: 1, results: [{ name: 'c', key: SCRUBBED }] });
  });

  it('keeps a `key` that is no private key (markers, labels) on other types', () => {
    const body = { name: 'vs', markers: [{ key: 'clustername', values: ['c1'] }] };
    expect(new Scrubber().json(body, 'virtualservice')).toEqual(body);
  });

  it('replaces a PEM private key wherever it is', () => {
    const out = new Scrubber().json({ data: { blob: `before\n${PRIVATE_KEY}after` } }) as any;
    expect(out.data.blob).toBe(`before\n${SCRUBBED}\nafter`);
  });

  it('keeps non-string values of secret-looking names (switches, not secrets)', () => {
    const body = { password_strength_check: true, token_refresh_seconds: 60, password: '' };
    expect(new Scrubber().json(body)).toEqual(body);
  });

  it('replaces a user token in an answer and, later, wherever the token appears again', () => {
    const s = new Scrubber();
    expect(s.json({ token: 'tok-0123456789abcdef' })).toEqual({ token: SCRUBBED });
    expect(s.path('/api/pool?token=tok-0123456789abcdef&name=x')).toBe(`/api/pool?token=${SCRUBBED}&name=x`);
    expect(s.deep({ note: 'used tok-0123456789abcdef here' })).toEqual({ note: `used ${SCRUBBED} here` });
  });
});

describe('Scrubber on forms, paths and headers', () => {
  it('replaces passwords in form bodies (Python SDK login, NSX session create) and keeps the rest as sent', () => {
    const s = new Scrubber();
    expect(s.form('username=admin&password=p%40ss-word-1')).toBe(`username=admin&password=${SCRUBBED}`);
    expect(s.form('j_username=admin&j_password=nsx-pass-123')).toBe(`j_username=admin&j_password=${SCRUBBED}`);
    // remembered decoded, so the raw value is caught in any later text
    expect(s.text('p@ss-word-1')).toBe(SCRUBBED);
  });

  it('keeps the scheme of Authorization and remembers the password inside Basic credentials', () => {
    const s = new Scrubber();
    const basic = Buffer.from('admin:basic-secret-9').toString('base64');
    expect(s.header('Authorization', `Basic ${basic}`)).toBe(`Basic ${SCRUBBED}`);
    expect(s.text(`pw basic-secret-9 and ${basic}`)).toBe(`pw ${SCRUBBED} and ${SCRUBBED}`);
  });

  it('remembers cookies, CSRF and XSRF tokens seen in headers and takes them out of any text', () => {
    const s = new Scrubber();
    s.rememberHeaders({
      cookie: 'csrftoken=csrf-value-1234; avi-sessionid=session-value-5678',
      'set-cookie': ['sessionid=other-session-9999; Path=/; HttpOnly'],
      'x-csrftoken': 'csrf-value-1234',
      'x-xsrf-token': 'xsrf-value-4321',
    });
    const text = s.deep({ a: 'csrf-value-1234', b: ['session-value-5678', 'other-session-9999'], c: 'xsrf-value-4321' });
    expect(JSON.stringify(text)).not.toMatch(/csrf-value|session-value|other-session|xsrf-value/);
  });

  it('does not blindly replace short remembered values (they would hit ordinary words)', () => {
    const s = new Scrubber();
    s.remember('admin');
    expect(s.text('tenant admin')).toBe('tenant admin');
  });
});
