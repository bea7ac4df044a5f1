/**
 * The self-signed certificates avisim writes itself (server/avi/x509-build.ts): what node's
 * X.509 parser (OpenSSL) reads back from them — names in any script, every form of address in
 * the alternative names, leaf and CA extensions, dates on both sides of 2050 — and that each
 * verifies with its own key.
 */
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OID, selfSignedCertificate, type SelfSignedSpec } from '../server/avi/x509-build.js';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

function build(overrides: Partial<SelfSignedSpec> = {}): X509Certificate {
  const pem = selfSignedCertificate({
    subject: [{ oid: OID.commonName, value: 'web.example.com' }],
    ...ec,
    notBefore: new Date('2026-01-02T03:04:05Z'),
    notAfter: new Date('2027-01-02T03:04:05Z'),
    ca: false,
    keyEncipherment: false,
    altNames: [],
    ...overrides,
  });
  expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE-----\n$/);
  return new X509Certificate(pem);
}

describe('a self-signed certificate written by avisim', () => {
  it('is an EC leaf that signs itself, for server and client authentication', () => {
    const x = build();
    expect(x.subject).toBe('CN=web.example.com');
    expect(x.issuer).toBe(x.subject);
    expect(x.verify(ec.publicKey)).toBe(true);
    expect(x.checkPrivateKey(ec.privateKey)).toBe(true);
    expect(x.ca).toBe(false);
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(x.toLegacyObject()).toMatchObject({ bits: 256 });
    expect(new Date(x.validFrom).toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(new Date(x.validTo).toISOString()).toBe('2027-01-02T03:04:05.000Z');
    // a positive serial, at most 20 octets
    expect(x.serialNumber).toMatch(/^[0-7][0-9A-F]{0,39}$/);
  });

  it('keeps the subject in the order given, in whatever script', () => {
    const x = build({
      subject: [
        { oid: OID.country, value: 'CH' },
        { oid: OID.locality, value: 'Zürich' },
        { oid: OID.organization, value: 'ACME, Inc.' },
        { oid: OID.commonName, value: '例え.jp' },
        { oid: OID.emailAddress, value: 'ops@example.com' },
      ],
    });
    expect(x.subject.split('\n')).toEqual(['C=CH', 'L=Zürich', 'O=ACME\\, Inc.', 'CN=例え.jp', 'emailAddress=ops@example.com']);
  });

  it('writes DNS names and IPv4, IPv6 and IPv4-mapped addresses as alternative names', () => {
    const x = build({ altNames: [{ dns: 'a.example.com' }, { ip: '192.0.2.7' }, { ip: '2001:db8::1' }, { ip: '::' }, { ip: '::ffff:192.0.2.8' }, { ip: 'fe80:0:0:0:1:2:3:4' }] });
    expect(x.subjectAltName).toBe(
      'DNS:a.example.com, IP Address:192.0.2.7, IP Address:2001:DB8:0:0:0:0:0:1, IP Address:0:0:0:0:0:0:0:0, IP Address:0:0:0:0:0:FFFF:C000:208, IP Address:FE80:0:0:0:1:2:3:4',
    );
  });

  it('is an RSA CA certificate when asked, which may sign certificates', () => {
    const x = build({ ...rsa, ca: true });
    expect(x.ca).toBe(true);
    expect(x.verify(rsa.publicKey)).toBe(true);
    expect(x.keyUsage).toBeUndefined();
    expect(x.toLegacyObject()).toMatchObject({ bits: 2048, exponent: '0x10001' });
  });

  it('writes dates from 2050 on as GeneralizedTime', () => {
    const x = build({ notBefore: new Date('2049-12-31T23:59:59Z'), notAfter: new Date('2051-06-01T00:00:00Z') });
    expect(new Date(x.validFrom).toISOString()).toBe('2049-12-31T23:59:59.000Z');
    expect(new Date(x.validTo).toISOString()).toBe('2051-06-01T00:00:00.000Z');
    expect(x.verify(ec.publicKey)).toBe(true);
  });
});
