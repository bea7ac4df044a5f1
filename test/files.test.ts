/**
 * Files: multipart uploads as the SDKs send them (supertest's form-data bodies, and the Go SDK's
 * exact bytes), stored as fileobjects with size and SHA-1, listed and read back byte for byte;
 * CSRF on uploads as on any write (stale token 401, fine after a new login); the body limit;
 * the WAF application-signature provider's rule-set update.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../server/engine.js';
import { createApp } from '../server/http/app.js';
import { anotherSession, startSim, TEST_HOST, type Sim } from './helpers.js';
import { createUser, loginAs, refusal } from './support/users.js';

/** Every byte value, CR/LF and boundary-looking runs: what a text-only parser would spoil. */
function binary(size: number): Buffer {
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const tricky = Buffer.from('\r\n--\r\n\r\n--boundary--\r\n\xff\xfe\x00');
  return Buffer.concat([all, tricky, randomBytes(Math.max(0, size - all.length - tricky.length))]);
}

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

/** GET answering bytes, collected as they came. */
function download(sim: Sim, uri: string) {
  return sim.http
    .get(`/api/fileservice?uri=${encodeURIComponent(uri)}`)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
}

/** The bytes the Go SDK's PostMultipartRequest sends: the `uri` field comes after the closing boundary. */
function goSdkBody(boundary: string, filename: string, content: Buffer, uri: string): Buffer {
  return Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n\r\n--${boundary}\r\nContent-Disposition: form-data; name="uri"\r\n\r\n${uri}`),
  ]);
}

let sim: Sim;
beforeEach(async () => {
  sim = await startSim();
});

describe('file service', () => {
  it('an upload to uploads is a fileobject and reads back byte for byte', async () => {
    const content = binary(200_000);
    const up = await sim.http.post('/api/fileservice/uploads').field('uri', 'controller://uploads').attach('file', content, 'blob.bin');
    expect(up.status, up.text).toBe(201);

    const got = await download(sim, 'controller://uploads/blob.bin');
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('application/octet-stream');
    expect(Buffer.compare(got.body as Buffer, content)).toBe(0);

    const listed = await sim.http.get('/api/fileobject?name=blob.bin');
    expect(listed.body.count).toBe(1);
    const fo = listed.body.results[0];
    expect(fo).toMatchObject({ name: 'blob.bin', size: content.length, checksum: sha1(content), path: '/var/lib/avi/uploads/blob.bin', type: 'OTHER_FILE_TYPES' });
    expect(JSON.stringify(listed.body)).not.toContain('_content');

    const dir = await sim.http.get('/api/fileservice?uri=controller://uploads');
    expect(dir.status).toBe(200);
    expect(dir.body.count).toBe(1);
    expect(dir.body.results[0]).toMatchObject({ url: `http://${TEST_HOST}/api/fileservice?uri=controller://uploads/blob.bin`, size: content.length });
  });

  it('takes the Go SDK body as it is sent (uri after the closing boundary, a local path as file name)', async () => {
    const content = binary(5000);
    const boundary = 'a1b2c3d4e5f6';
    const up = await sim.http
      .post('//api/fileservice/hsmpackages?hsmtype=safenet')
      .set('Content-Type', `multipart/form-data; boundary=${boundary}`)
      .send(goSdkBody(boundary, '/mnt/files/hsm/safenet.tar', content, 'controller://hsmpackages'));
    expect(up.status, up.text).toBe(201);
    const got = await download(sim, 'controller://hsmpackages/safenet.tar');
    expect(Buffer.compare(got.body as Buffer, content)).toBe(0);
    const fo = (await sim.http.get('/api/fileobject?name=safenet.tar')).body.results[0];
    expect(fo).toMatchObject({ type: 'HSMPACKAGES', path: '/var/lib/avi/hsmpackages/safenet.tar', size: 5000 });
  });

  it('an upload to the same path replaces the file; delete removes it', async () => {
    await sim.http.post('/api/fileservice/uploads').attach('file', Buffer.from('one'), 'f.txt').expect(201);
    await sim.http.post('/api/fileservice/uploads').attach('file', Buffer.from('second'), 'f.txt').expect(201);
    expect((await download(sim, 'controller://uploads/f.txt')).body.toString()).toBe('second');
    const listed = await sim.http.get('/api/fileobject?name=f.txt');
    expect(listed.body.count).toBe(1);
    expect(listed.body.results[0]).toMatchObject({ size: 6, checksum: sha1(Buffer.from('second')) });

    expect((await sim.http.delete('/api/fileservice?uri=controller://uploads/f.txt')).status).toBe(204);
    expect((await download(sim, 'controller://uploads/f.txt')).status).toBe(404);
    expect((await sim.http.get('/api/fileobject?name=f.txt')).body.count).toBe(0);
  });

  it('refuses URIs outside the file root and uploads without a file', async () => {
    for (const uri of ['controller://uploads/../etc/passwd', 'file:///etc/passwd', 'controller://']) {
      const res = await sim.http.get(`/api/fileservice?uri=${encodeURIComponent(uri)}`);
      expect(res.status, uri).toBe(400);
    }
    expect((await sim.http.get('/api/fileservice?uri=controller://uploads/none.bin')).status).toBe(404);
    const noFile = await sim.http.post('/api/fileservice/uploads').field('uri', 'controller://uploads');
    expect(noFile.status).toBe(400);
    const wrongDir = await sim.http.post('/api/fileservice/hsmpackages').field('uri', 'controller://uploads').attach('file', Buffer.from('x'), 'safenet.tar');
    expect(wrongDir.status).toBe(400);
  });
});

describe('fileobject upload', () => {
  it('makes a fileobject from the form fields the Go SDK sends, downloadable, kept through a PUT', async () => {
    const content = binary(70_000);
    const up = await sim.http
      .post('/api/fileobject/upload')
      .field('name', 'TestHsmPackage')
      .field('read_only', 'false')
      .field('type', 'IP_REPUTATION')
      .field('version', '2.1.1')
      .field('restrict_download', 'false')
      .attach('file', content, 'safenet.tar');
    expect(up.status, up.text).toBe(201);
    expect(up.body).toMatchObject({ name: 'TestHsmPackage', type: 'IP_REPUTATION', version: '2.1.1', read_only: false, size: content.length, checksum: sha1(content) });
    expect(up.body).not.toHaveProperty('_content');
    expect(up.headers.location).toContain(`/api/fileobject/${up.body.uuid}`);
    const uri = `controller://${String(up.body.path).replace('/var/lib/avi/', '')}`;
    expect(Buffer.compare((await download(sim, uri)).body as Buffer, content)).toBe(0);

    // a client's PUT cannot change the bytes, nor make size and checksum lie about them
    const put = await sim.http.put(`/api/fileobject/${up.body.uuid}`).send({ ...up.body, description: 'd', size: 1, checksum: 'x', _content: 'AAAA' });
    expect(put.status, put.text).toBe(200);
    expect(put.body).toMatchObject({ description: 'd', size: content.length, checksum: sha1(content) });
    expect(Buffer.compare((await download(sim, uri)).body as Buffer, content)).toBe(0);

    expect((await sim.http.delete(`/api/fileobject/${up.body.uuid}`)).status).toBe(204);
    expect((await download(sim, uri)).status).toBe(404);
  });

  it('a restricted file is not downloaded; a fileobject made with JSON has no bytes to download', async () => {
    const up = await sim.http.post('/api/fileobject/upload').field('type', 'OTHER_FILE_TYPES').field('restrict_download', 'true').attach('file', Buffer.from('secret'), 's.bin');
    expect(up.status, up.text).toBe(201);
    const uri = `controller://${String(up.body.path).replace('/var/lib/avi/', '')}`;
    expect((await download(sim, uri)).status).toBe(403);

    const made = await sim.http.post('/api/fileobject').send({ name: 'plain', type: 'OTHER_FILE_TYPES', path: '/var/lib/avi/uploads/plain.bin', _content: 'ZXZpbA==' });
    expect(made.status, made.text).toBe(201);
    expect((await download(sim, 'controller://uploads/plain.bin')).status).toBe(404);
  });

  it('validates the fields like a create (type is required)', async () => {
    const res = await sim.http.post('/api/fileobject/upload').attach('file', Buffer.from('x'), 'x.bin');
    expect(res.status).toBe(400);
    expect((await sim.http.get('/api/fileobject')).body.count).toBe(0);
  });
});

describe('uploads are writes: CSRF and the body limit', () => {
  it('a stale CSRF token is refused with 401 and nothing stored; after a new login the same upload succeeds', async () => {
    const content = binary(3000);
    const stale = await sim.http.post('/api/fileservice/hsmpackages?hsmtype=safenet').set('X-CSRFToken', '').field('uri', 'controller://hsmpackages').attach('file', content, 'safenet.tar');
    expect(stale.status).toBe(401);
    expect(stale.text).toBe('CSRF token missing or incorrect.');
    expect((await sim.http.get('/api/fileobject')).body.count).toBe(0);

    const fresh = await anotherSession(sim);
    const ok = await fresh.http.post('/api/fileservice/hsmpackages?hsmtype=safenet').field('uri', 'controller://hsmpackages').attach('file', content, 'safenet.tar');
    expect(ok.status, ok.text).toBe(201);
    expect(Buffer.compare((await download(fresh, 'controller://hsmpackages/safenet.tar')).body as Buffer, content)).toBe(0);
  });

  it('the file service is the controller\'s: a user without write on it is refused, nothing stored', async () => {
    await createUser(sim, 'app', 'App-pass-1', [{ role: 'Application-Admin', tenant: 'admin' }]);
    const app = await loginAs(sim, 'app', 'App-pass-1');
    const res = await app.http.post('/api/fileservice/uploads').attach('file', Buffer.from('x'), 'x.bin');
    expect(res.status).toBe(403);
    expect(res.body).toEqual(refusal('app', 'write', 'System', 'admin'));
    expect((await sim.http.get('/api/fileobject')).body.count).toBe(0);
  });

  it('an upload over the body limit is 413 and stores nothing', async () => {
    const engine = await Engine.create({});
    const app = await createApp(engine, { bodyLimit: 128 * 1024 });
    const small = await anotherSession({ engine, app, http: request.agent(app) });
    const res = await small.http.post('/api/fileservice/uploads').attach('file', binary(200 * 1024), 'big.bin');
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: 'Request body too large' });
    expect((await small.http.get('/api/fileobject')).body.count).toBe(0);
    await engine.close();
  });
});

describe('WAF application signature provider', () => {
  it('the fresh controller has the system provider; update takes a rule set and moves its version on', async () => {
    const list = await sim.http.get('/api/wafapplicationsignatureprovider?name=System-WafApplicationSignatureProvider');
    expect(list.body.count).toBe(1);
    const uuid = list.body.results[0].uuid;

    const first = await sim.http.post(`/api/wafapplicationsignatureprovider/${uuid}/update`).attach('file', binary(4000), 'vmware-waf-rulesets-1610418004000.zip');
    expect(first.status, first.text).toBe(200);
    expect(first.body.ruleset_version).toBe('1610418004000');
    expect(first.body.service_status.last_successful_update_check.secs).toBeGreaterThan(0);

    const second = await sim.http.post(`/api/wafapplicationsignatureprovider/${uuid}/update`).attach('file', binary(4000), 'rules.zip');
    expect(second.status).toBe(200);
    expect(Number(second.body.ruleset_version)).toBeGreaterThan(1610418004000);

    // read-only: a client's PUT keeps it
    const put = await sim.http.put(`/api/wafapplicationsignatureprovider/${uuid}`).send({ name: 'System-WafApplicationSignatureProvider', ruleset_version: 'mine' });
    expect(put.status, put.text).toBe(200);
    expect(put.body.ruleset_version).toBe(second.body.ruleset_version);
  });

  it('update needs a file and an existing provider', async () => {
    const uuid = (await sim.http.get('/api/wafapplicationsignatureprovider')).body.results[0].uuid;
    expect((await sim.http.post(`/api/wafapplicationsignatureprovider/${uuid}/update`).field('x', 'y')).status).toBe(400);
    expect((await sim.http.post('/api/wafapplicationsignatureprovider/nope/update').attach('file', Buffer.from('x'), 'r.zip')).status).toBe(404);
  });
});

describe('files are state', () => {
  it('an uploaded file survives a restart with the state file; a reset drops it', async () => {
    const stateFile = path.join(mkdtempSync(path.join(tmpdir(), 'avisim-files-')), 'state.json');
    const content = binary(50_000);
    const first = await startSim({ stateFile });
    await first.http.post('/api/fileservice/uploads').attach('file', content, 'kept.bin').expect(201);
    await first.engine.close();

    const second = await startSim({ stateFile });
    expect(Buffer.compare((await download(second, 'controller://uploads/kept.bin')).body as Buffer, content)).toBe(0);
    await second.engine.close();

    await sim.http.post('/api/fileservice/uploads').attach('file', content, 'gone.bin').expect(201);
    expect((await sim.http.post('/_mock/reset')).status).toBe(200);
    expect((await download(sim, 'controller://uploads/gone.bin')).status).toBe(404);
  });
});

it('the file operations are modelled', async () => {
  const cov = await sim.http.get('/_mock/coverage');
  const ops = new Map<string, string>(cov.body.operations.map((o: { operationId: string; status: string }) => [o.operationId, o.status]));
  for (const id of ['fileservice.get', 'fileservice.delete', 'fileservice.uploads', 'fileservice.hsmpackages', 'fileservice.ipamdnsscripts', 'fileobject.upload', 'wafapplicationsignatureprovider.update']) {
    expect(ops.get(id), id).toBe('modelled');
  }
});
