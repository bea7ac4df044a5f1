/**
 * Raw spaces in request lines (old Go SDKs) reach the API instead of dying in the HTTP parser,
 * and nothing else on the wire is touched.
 */
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../server/engine.js';
import { createListener } from '../server/http/app.js';
import { listen, type Listening } from '../server/http/listen.js';
import { loadOrGenerateTls } from '../server/http/tls.js';
import { RequestLineFixer, fixRequestLine } from '../server/http/wire.js';
import { sessionHeaders, TEST_PASSWORD } from './support/session.js';

describe('fixRequestLine', () => {
  it('percent-encodes spaces inside the request target only', () => {
    const fixed = fixRequestLine(Buffer.from('GET /api/pool?name=a b&x=c d HTTP/1.1\r\n'));
    expect(fixed.toString()).toBe('GET /api/pool?name=a%20b&x=c%20d HTTP/1.1\r\n');
    const plain = Buffer.from('GET /api/pool?name=ab HTTP/1.1\r\n');
    expect(fixRequestLine(plain)).toBe(plain);
  });
});

describe('RequestLineFixer framing', () => {
  const feed = (chunks: string[]) => {
    const fixer = new RequestLineFixer(new EventEmitter() as unknown as Socket);
    return chunks.map((c) => fixer.fix(Buffer.from(c)).toString()).join('');
  };

  it('fixes every request line of pipelined requests, never a body', () => {
    const body = 'GET /looks like a line HTTP/1.1\r\n';
    const input = [
      `POST /api/pool?a=b c HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      'GET /api/pool?name=d e HTTP/1.1\r\nHost: x\r\n\r\n',
    ];
    expect(feed(input)).toBe(
      `POST /api/pool?a=b%20c HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}` +
        'GET /api/pool?name=d%20e HTTP/1.1\r\nHost: x\r\n\r\n',
    );
  });

  it('handles lines and bodies split across chunks', () => {
    const whole = 'PUT /x?q=1 2 HTTP/1.1\r\nContent-Length: 4\r\n\r\nab cGET /y z HTTP/1.1\r\n\r\n';
    const pieces = whole.match(/.{1,3}/gs)!;
    expect(feed(pieces)).toBe('PUT /x?q=1%202 HTTP/1.1\r\nContent-Length: 4\r\n\r\nab cGET /y%20z HTTP/1.1\r\n\r\n');
  });

  it('passes a chunked body through and stops fixing on that connection', () => {
    const input = 'POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nGET \r\n0\r\n\r\nGET /b c HTTP/1.1\r\n\r\n';
    expect(feed([input])).toBe(input);
  });
});

describe('over real sockets', () => {
  let engine: Engine;
  let plain: Listening;
  let secure: Listening;

  beforeAll(async () => {
    engine = await Engine.create({ adminPassword: TEST_PASSWORD });
    const { listener } = await createListener(engine);
    plain = await listen(listener, 0, '127.0.0.1');
    const tls = await loadOrGenerateTls({ hostnames: ['127.0.0.1'] });
    secure = await listen(listener, 0, '127.0.0.1', { cert: tls.cert, key: tls.key });
  });
  afterAll(async () => {
    await plain.close(0);
    await secure.close(0);
  });

  /** Sends raw bytes, resolves with the whole answer (the server closes after it). */
  function raw(port: number, text: string, tls = false): Promise<string> {
    return new Promise((resolve, reject) => {
      const sock = tls ? tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false }) : connect(port, '127.0.0.1');
      let out = '';
      sock.on(tls ? 'secureConnect' : 'connect', () => sock.write(text));
      sock.on('data', (d) => (out += d));
      sock.on('end', () => resolve(out));
      sock.on('error', reject);
    });
  }

  async function session(port: number, tls = false) {
    const body = JSON.stringify({ username: 'admin', password: TEST_PASSWORD });
    const answer = await raw(port, `POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`, tls);
    const cookies = answer.split('\r\n').filter((l) => /^set-cookie:/i.test(l)).map((l) => l.replace(/^set-cookie:\s*/i, ''));
    return sessionHeaders(cookies);
  }

  it('answers a query with raw spaces and a trailing & over HTTPS', async () => {
    const s = await session(secure.port, true);
    const create = JSON.stringify({ name: 'with space' });
    const created = await raw(secure.port, `POST /api/pool HTTP/1.1\r\nHost: x\r\nCookie: ${s.Cookie}\r\nX-CSRFToken: ${s['X-CSRFToken']}\r\nContent-Type: application/json\r\nContent-Length: ${create.length}\r\nConnection: close\r\n\r\n${create}`, true);
    expect(created).toMatch(/^HTTP\/1.1 201/);
    const got = await raw(secure.port, `GET /api/pool?name=with space&include_name& HTTP/1.1\r\nHost: x\r\nCookie: ${s.Cookie}\r\nConnection: close\r\n\r\n`, true);
    expect(got).toMatch(/^HTTP\/1.1 200/);
    const json = JSON.parse(got.slice(got.indexOf('\r\n\r\n') + 4));
    expect(json.count).toBe(1);
    expect(json.results[0].url).toMatch(/#with space$/);
  });

  it('serves plain HTTP with Node\'s parser as is (encoded queries; raw spaces are an HTTPS-client habit)', async () => {
    const s = await session(plain.port);
    const got = await raw(plain.port, `GET /api/cloud?name=Default-Cloud&fields=name,%20uuid HTTP/1.1\r\nHost: x\r\nCookie: ${s.Cookie}\r\nConnection: close\r\n\r\n`);
    expect(got).toMatch(/^HTTP\/1.1 200/);
    expect(JSON.parse(got.slice(got.indexOf('\r\n\r\n') + 4)).count).toBe(1);
  });

  it('keeps a keep-alive connection working across requests', async () => {
    const s = await session(secure.port, true);
    const req = (name: string, last: boolean) =>
      `GET /api/pool?name=${name} HTTP/1.1\r\nHost: x\r\nCookie: ${s.Cookie}\r\n${last ? 'Connection: close\r\n' : ''}\r\n`;
    const answer = await raw(secure.port, req('a b', false) + req('c d', false) + req('e', true), true);
    expect(answer.match(/HTTP\/1.1 200/g)).toHaveLength(3);
  });

  it('closes an HTTPS listener with an idle keep-alive connection open, without waiting out the grace period', async () => {
    const { listener } = await createListener(engine);
    const tls = await loadOrGenerateTls({ hostnames: ['127.0.0.1'] });
    const own = await listen(listener, 0, '127.0.0.1', { cert: tls.cert, key: tls.key });
    const sock = tlsConnect({ port: own.port, host: '127.0.0.1', rejectUnauthorized: false });
    const first = await new Promise<string>((resolve, reject) => {
      let out = '';
      sock.on('secureConnect', () => sock.write('GET /api/initial-data HTTP/1.1\r\nHost: x\r\n\r\n'));
      sock.on('data', (d) => {
        out += d;
        if (out.includes('\r\n\r\n') && out.includes('}')) resolve(out);
      });
      sock.on('error', reject);
    });
    expect(first).toMatch(/^HTTP\/1.1 200/);
    const ended = new Promise((r) => sock.on('close', r));
    // A grace far longer than the test's timeout: only closing the idle connection lets this end.
    await own.close(600_000);
    await ended;
  });
});
