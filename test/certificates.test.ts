/**
 * SSLKeyAndCertificate as a controller keeps it: self-signed generation (RSA and EC), PEM
 * uploads parsed into `certificate.*` and `key_params`, the private key kept out of every answer
 * unless `export_key=true`, refused PEMs and keys, and writes back that keep the key.
 */
import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import { generate } from 'selfsigned';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../server/engine.js';
import { client, startSim, uuidOf, type Sim } from './helpers.js';

type Json = Record<string, any>;

let sim: Sim;
let api: ReturnType<typeof client>;
beforeAll(async () => {
  sim = await startSim({ seed: 1 });
  api = client(sim);
});

/** `YYYY-MM-DD HH:MM:SS` of a Date, to the second */
const avDate = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');

/** An EC P-256 certificate and key made here, as a client would bring them. */
async function pemPair(cn: string, opts: { notBefore?: Date; days?: number; ca?: { key: string; cert: string } } = {}) {
  const notBeforeDate = opts.notBefore ?? new Date(Date.now() - 3600_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + (opts.days ?? 90) * 86_400_000);
  const pems = await generate([{ name: 'commonName', value: cn }, { name: 'organizationName', value: 'Example Org' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ...(opts.ca ? { ca: opts.ca } : {}),
    extensions: [
      { name: 'basicConstraints', cA: cn.startsWith('ca.') },
      { name: 'subjectAltName', altNames: [{ type: 2, value: cn }, { type: 7, ip: '192.0.2.10' }] },
    ],
  });
  return { cert: pems.cert, key: pems.private, x509: new X509Certificate(pems.cert), notBeforeDate, notAfterDate };
}

/** Every way an object can be read back, without export_key. */
async function everyRead(uuid: string, name: string): Promise<Json[]> {
  const one = await api.get(`/api/sslkeyandcertificate/${uuid}`);
  const named = await api.get(`/api/sslkeyandcertificate/${uuid}?include_name=true`);
  const list = await api.get('/api/sslkeyandcertificate?page_size=100');
  const byName = await api.get(`/api/sslkeyandcertificate?name=${encodeURIComponent(name)}`);
  const fields = await api.get(`/api/sslkeyandcertificate/${uuid}?fields=key,key_passphrase,name`);
  const noExport = await api.get(`/api/sslkeyandcertificate/${uuid}?export_key=false`);
  for (const r of [one, named, list, byName, fields, noExport]) expect(r.status, r.text).toBe(200);
  return [one.body, named.body, ...list.body.results.filter((o: Json) => o.uuid === uuid), ...byName.body.results, fields.body, noExport.body];
}

describe('self-signed generation', () => {
  it('makes an RSA key and certificate from the subject, key_params and days asked for', async () => {
    const res = await api.post('/api/sslkeyandcertificate', {
      name: 'gen-rsa',
      certificate: {
        self_signed: true,
        days_until_expire: 30,
        subject: { common_name: 'web.example.com', organization: 'ACME, Inc.', country: 'US', state: 'CA', locality: 'Sunnyvale' },
        subject_alt_names: ['web.example.com', '10.0.0.5'],
      },
      key_params: { algorithm: 'SSL_KEY_ALGORITHM_RSA', rsa_params: { key_size: 'SSL_KEY_2048_BITS' } },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).not.toHaveProperty('key');
    const c = res.body.certificate;
    const x509 = new X509Certificate(c.certificate);
    expect(x509.subject.split('\n')).toEqual(expect.arrayContaining(['CN=web.example.com', 'O=ACME\\, Inc.', 'C=US', 'ST=CA', 'L=Sunnyvale']));
    expect(x509.subjectAltName).toBe('DNS:web.example.com, IP Address:10.0.0.5');
    expect(x509.publicKey.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048, publicExponent: 65537n });
    const days = (Date.parse(x509.validTo) - Date.parse(x509.validFrom)) / 86_400_000;
    expect(Math.round(days)).toBe(30);
    expect(c).toMatchObject({
      self_signed: true,
      subject: { common_name: 'web.example.com', organization: 'ACME, Inc.', country: 'US', state: 'CA', locality: 'Sunnyvale' },
      issuer: { common_name: 'web.example.com' },
      signature_algorithm: 'sha256WithRSAEncryption',
      version: '2',
      subject_alt_names: ['web.example.com', '10.0.0.5'],
      fingerprint: `SHA1 Fingerprint=${x509.fingerprint}`,
      days_until_expire: 30,
      expiry_status: 'SSL_CERTIFICATE_EXPIRY_WARNING',
    });
    expect(res.body.key_params).toEqual({ algorithm: 'SSL_KEY_ALGORITHM_RSA', rsa_params: { key_size: 'SSL_KEY_2048_BITS', exponent: 65537 } });
    expect(res.body.type).toBe('SSL_CERTIFICATE_TYPE_VIRTUALSERVICE');

    const exported = await api.get(`/api/sslkeyandcertificate/${res.body.uuid}?export_key=true`);
    expect(exported.status).toBe(200);
    expect(x509.checkPrivateKey(createPrivateKey(exported.body.key))).toBe(true);
  });

  it('makes an EC key on the curve asked for', async () => {
    const created = await api.create('sslkeyandcertificate', {
      name: 'gen-ec',
      certificate: { self_signed: true, subject: { common_name: 'ec.example.com' } },
      key_params: { algorithm: 'SSL_KEY_ALGORITHM_EC', ec_params: { curve: 'SSL_KEY_EC_CURVE_SECP384R1' } },
    });
    const x509 = new X509Certificate(created.certificate.certificate);
    expect(x509.publicKey.asymmetricKeyDetails).toEqual({ namedCurve: 'secp384r1' });
    expect(created.certificate).toMatchObject({ signature_algorithm: 'ecdsa-with-SHA256', self_signed: true, days_until_expire: 365 });
    expect(created.certificate.subject.distinguished_name).toBe('CN=ec.example.com');
    expect(created.key_params).toEqual({ algorithm: 'SSL_KEY_ALGORITHM_EC', ec_params: { curve: 'SSL_KEY_EC_CURVE_SECP384R1' } });
    const key = (await api.get(`/api/sslkeyandcertificate/${created.uuid}?export_key=true`)).body.key;
    expect(x509.checkPrivateKey(createPrivateKey(key))).toBe(true);
  });

  it('encrypts the generated key with key_passphrase when one is given', async () => {
    const created = await api.create('sslkeyandcertificate', {
      name: 'gen-pass',
      key_passphrase: 'open sesame',
      certificate: { self_signed: true, subject: { common_name: 'pass.example.com' } },
      key_params: { algorithm: 'SSL_KEY_ALGORITHM_EC' },
    });
    const { key } = (await api.get(`/api/sslkeyandcertificate/${created.uuid}?export_key=true`)).body;
    expect(key).toContain('ENCRYPTED PRIVATE KEY');
    const x509 = new X509Certificate(created.certificate.certificate);
    expect(x509.checkPrivateKey(createPrivateKey({ key, passphrase: 'open sesame' }))).toBe(true);
  });

  it('refuses a self-signed request without a common name, or with a bad exponent, and stores nothing', async () => {
    const noCn = await api.post('/api/sslkeyandcertificate', { name: 'gen-no-cn', certificate: { self_signed: true, subject: { organization: 'x' } } });
    expect(noCn.status).toBe(400);
    expect(noCn.body.error).toBe("Invalid data: field 'certificate.subject.common_name' is required for a self-signed certificate");
    const exponent = await api.post('/api/sslkeyandcertificate', {
      name: 'gen-exp',
      certificate: { self_signed: true, subject: { common_name: 'x' } },
      key_params: { algorithm: 'SSL_KEY_ALGORITHM_RSA', rsa_params: { exponent: 4 } },
    });
    expect(exponent.status).toBe(400);
    expect(exponent.body.error).toMatch(/key_params\.rsa_params\.exponent/);
    const badSize = await api.post('/api/sslkeyandcertificate', {
      name: 'gen-size',
      certificate: { self_signed: true, subject: { common_name: 'x' } },
      key_params: { algorithm: 'SSL_KEY_ALGORITHM_RSA', rsa_params: { key_size: 'SSL_KEY_512_BITS' } },
    });
    expect(badSize.status).toBe(400);
    expect(badSize.body.error).toMatch(/key_params\.rsa_params\.key_size/);
    for (const name of ['gen-no-cn', 'gen-exp', 'gen-size']) {
      expect((await api.get(`/api/sslkeyandcertificate?name=${name}`)).body.count).toBe(0);
    }
  });
});

describe('a PEM certificate given by the client', () => {
  it('is parsed into certificate.* and key_params, whatever the client put there', async () => {
    const { cert, key, x509, notBeforeDate, notAfterDate } = await pemPair('upload.example.com', { days: 200 });
    const created = await api.create('sslkeyandcertificate', {
      name: 'upload',
      type: 'SSL_CERTIFICATE_TYPE_VIRTUALSERVICE',
      certificate: { certificate: cert, subject: { common_name: 'not what the PEM says' }, expiry_status: 'SSL_CERTIFICATE_EXPIRED' },
      key,
      key_params: { algorithm: 'SSL_KEY_ALGORITHM_RSA' },
    });
    const c = created.certificate;
    expect(c.certificate).toBe(cert);
    expect(c.subject).toEqual({ common_name: 'upload.example.com', organization: 'Example Org', distinguished_name: 'O=Example Org,CN=upload.example.com' });
    expect(c.issuer).toEqual(c.subject);
    expect(c.not_before).toBe(avDate(notBeforeDate));
    expect(c.not_after).toBe(avDate(notAfterDate));
    expect(c.serial_number).toBe(BigInt(`0x${x509.serialNumber}`).toString());
    expect(c.fingerprint).toBe(`SHA1 Fingerprint=${x509.fingerprint}`);
    expect(c.public_key).toBe(x509.publicKey.export({ type: 'spki', format: 'pem' }));
    expect(c.subject_alt_names).toEqual(['upload.example.com', '192.0.2.10']);
    expect(c.text).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(c.text).toContain(`Not After : ${x509.validTo}`);
    expect(c).toMatchObject({ self_signed: true, version: '2', signature_algorithm: 'ecdsa-with-SHA256', expiry_status: 'SSL_CERTIFICATE_GOOD' });
    expect(c.days_until_expire).toBe(Math.ceil((notAfterDate.getTime() - Date.now()) / 86_400_000));
    expect(created.key_params).toEqual({ algorithm: 'SSL_KEY_ALGORITHM_EC', ec_params: { curve: 'SSL_KEY_EC_CURVE_SECP256R1' } });
  });

  it('is kept without a key (a CA certificate), and a leaf it issued lists it in ca_certs', async () => {
    const ca = await pemPair('ca.example.com', { days: 3650 });
    const caObj = await api.create('sslkeyandcertificate', { name: 'ca', type: 'SSL_CERTIFICATE_TYPE_CA', certificate: { certificate: ca.cert } });
    expect(caObj.certificate.subject.common_name).toBe('ca.example.com');
    const leaf = await pemPair('leaf.example.com', { ca: { key: ca.key, cert: ca.cert } });
    const leafObj = await api.create('sslkeyandcertificate', { name: 'leaf', certificate: { certificate: leaf.cert }, key: leaf.key });
    expect(leafObj.certificate).toMatchObject({ self_signed: false, chain_verified: true, issuer: { common_name: 'ca.example.com' } });
    expect(leafObj.ca_certs).toEqual([{ name: 'ca', ca_ref: expect.stringMatching(new RegExp(`/api/sslkeyandcertificate/${caObj.uuid}#ca$`)) }]);
  });

  it('shows an expired certificate as expired, and a PUT of what was read back still works', async () => {
    const old = await pemPair('old.example.com', { notBefore: new Date(Date.now() - 40 * 86_400_000), days: 10 });
    const created = await api.create('sslkeyandcertificate', { name: 'old', certificate: { certificate: old.cert }, key: old.key });
    expect(created.certificate).toMatchObject({ expiry_status: 'SSL_CERTIFICATE_EXPIRED', days_until_expire: 0 });
    // as stored too (what a snapshot holds), not only as rendered
    const snapshot = (await sim.http.get('/_mock/snapshot')).body;
    const stored = snapshot.objects.find((o: Json) => o.uuid === created.uuid || o.data?.uuid === created.uuid);
    expect(JSON.stringify(stored)).toContain('"expiry_status":"SSL_CERTIFICATE_EXPIRED"');
    const read = (await api.get(`/api/sslkeyandcertificate/${created.uuid}`)).body;
    const put = await api.put(`/api/sslkeyandcertificate/${created.uuid}`, read);
    expect(put.status, put.text).toBe(200);
  });

  it('answers 400 to a PEM that does not parse, and stores nothing', async () => {
    const res = await api.post('/api/sslkeyandcertificate', {
      name: 'bad-pem',
      certificate: { certificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("Invalid data: field 'certificate.certificate' is not a valid PEM certificate");
    expect((await api.get('/api/sslkeyandcertificate?name=bad-pem')).body.count).toBe(0);
    const none = await api.post('/api/sslkeyandcertificate', { name: 'no-pem', certificate: {} });
    expect(none.status).toBe(400);
    expect(none.body.error).toMatch(/certificate\.certificate/);
  });

  it("answers 400 to a key that is not the certificate's, or that does not parse", async () => {
    const { cert } = await pemPair('mismatch.example.com');
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    const res = await api.post('/api/sslkeyandcertificate', { name: 'mismatch', certificate: { certificate: cert }, key: other });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('Private key does not match the public key in the certificate');
    const garbage = await api.post('/api/sslkeyandcertificate', { name: 'mismatch', certificate: { certificate: cert }, key: 'not a key' });
    expect(garbage.status).toBe(400);
    expect(garbage.body.error).toMatch(/field 'key' is not a valid private key/);
    expect((await api.get('/api/sslkeyandcertificate?name=mismatch')).body.count).toBe(0);
  });
});

describe('the private key', () => {
  let uuid: string;
  let key: string;
  let cert: string;
  beforeAll(async () => {
    ({ cert, key } = await pemPair('secret.example.com'));
    const res = await api.post('/api/sslkeyandcertificate', { name: 'secret', certificate: { certificate: cert }, key, key_passphrase: 'unused' });
    expect(res.status, res.text).toBe(201);
    expect(res.body).not.toHaveProperty('key');
    expect(res.body).not.toHaveProperty('key_passphrase');
    uuid = res.body.uuid;
  });

  it('is left out of every read unless export_key=true', async () => {
    for (const body of await everyRead(uuid, 'secret')) {
      expect(body).not.toHaveProperty('key');
      expect(body).not.toHaveProperty('key_passphrase');
    }
    const one = await api.get(`/api/sslkeyandcertificate/${uuid}?export_key=true`);
    expect(one.body).toMatchObject({ key, key_passphrase: 'unused' });
    const list = await api.get('/api/sslkeyandcertificate?name=secret&export_key=true');
    expect(list.body.results[0].key).toBe(key);
  });

  it('is kept by a PUT of what a read gave (no key in it), and left out of its answer', async () => {
    const read = (await api.get(`/api/sslkeyandcertificate/${uuid}`)).body;
    const put = await api.put(`/api/sslkeyandcertificate/${uuid}`, { ...read, created_by: 'terraform' });
    expect(put.status, put.text).toBe(200);
    expect(put.body).not.toHaveProperty('key');
    expect(put.body.created_by).toBe('terraform');
    expect((await api.get(`/api/sslkeyandcertificate/${uuid}?export_key=true`)).body).toMatchObject({ key, key_passphrase: 'unused' });
  });

  it('is kept by a PATCH, and by a PUT whose certificate has no PEM', async () => {
    const patch = await api.patch(`/api/sslkeyandcertificate/${uuid}`, { replace: { created_by: 'ansible' } });
    expect(patch.status, patch.text).toBe(200);
    expect(patch.body).not.toHaveProperty('key');
    const put = await api.put(`/api/sslkeyandcertificate/${uuid}`, { name: 'secret', certificate: { subject: { common_name: 'secret.example.com' } } });
    expect(put.status, put.text).toBe(200);
    const got = (await api.get(`/api/sslkeyandcertificate/${uuid}?export_key=true`)).body;
    expect(got.key).toBe(key);
    expect(got.certificate.certificate).toBe(cert);
  });

  it('is left out of a macro answer too', async () => {
    const pair = await pemPair('macro.example.com');
    const res = await api.post('/api/macro', { model_name: 'SSLKeyAndCertificate', data: { name: 'macro-cert', certificate: { certificate: pair.cert }, key: pair.key } });
    expect(res.status, res.text).toBe(200);
    expect(res.body[0].certificate.subject.common_name).toBe('macro.example.com');
    expect(res.body[0]).not.toHaveProperty('key');
    expect((await api.get(`/api/sslkeyandcertificate/${uuidOf(res.body[0].url)}?export_key=true`)).body.key).toBe(pair.key);
    // generation waits for the key, which the macro's all-or-nothing write cannot: a PEM is needed there
    const selfSigned = await api.post('/api/macro', {
      model_name: 'SSLKeyAndCertificate',
      data: { name: 'macro-self-signed', certificate: { self_signed: true, subject: { common_name: 'm.example.com' } } },
    });
    expect(selfSigned.status).toBe(400);
    expect(selfSigned.body.error).toMatch(/self-signed certificate is generated by POST or PUT/);
  });
});

describe('a scenario that asks for a self-signed certificate', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'avisim-certs-'));
  const scenarioWith = (subject: Json) => {
    const file = path.join(dir, `${Object.keys(subject).join('-') || 'none'}.yaml`);
    const cert = { name: 'lab-cert', certificate: { self_signed: true, subject }, key_params: { algorithm: 'SSL_KEY_ALGORITHM_EC' } };
    writeFileSync(file, dump({ extends: 'fresh-controller', objects: [{ sslkeyandcertificate: cert }] }));
    return file;
  };

  it('gets it made at load, once: a reset keeps the same certificate and key', async () => {
    const lab = await startSim({ scenario: scenarioWith({ common_name: 'lab.example.com' }) });
    const labApi = client(lab);
    const read = async () => (await labApi.get('/api/sslkeyandcertificate?name=lab-cert&export_key=true')).body.results[0];
    const first = await read();
    const x509 = new X509Certificate(first.certificate.certificate);
    expect(first.certificate.subject.common_name).toBe('lab.example.com');
    expect(x509.checkPrivateKey(createPrivateKey(first.key))).toBe(true);
    expect((await labApi.del(`/api/sslkeyandcertificate/${first.uuid}`)).status).toBe(204);
    expect((await lab.http.post('/_mock/reset')).status).toBe(200);
    const again = await read();
    expect(again.certificate.certificate).toBe(first.certificate.certificate);
    expect(again.key).toBe(first.key);
  });

  it('names the object when what it asks for cannot be made', async () => {
    await expect(Engine.create({ scenario: scenarioWith({ organization: 'no common name' }) })).rejects.toThrow(
      /objects\[0\] sslkeyandcertificate 'lab-cert'.*common_name' is required for a self-signed certificate/,
    );
  });
});
