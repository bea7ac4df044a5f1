/**
 * A self-signed X.509 v3 certificate (RFC 5280) written in DER and signed with node's crypto:
 * the subject (issuer alike), validity, public key and the extensions a controller's
 * self-signed certificates carry (basic constraints, key usage, extended key usage for leaves,
 * subject alternative names). Built here rather than with a library because loading one costs
 * 100-500 ms of every start that makes a certificate, and a fresh controller makes six.
 */
import { randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIPv4 } from 'node:net';

export interface NameAttribute {
  /** dotted attribute type, e.g. 2.5.4.3 (commonName) */
  oid: string;
  value: string;
}

export interface SelfSignedSpec {
  /** the subject's attributes, one per RDN, in the order written (the issuer is the same) */
  subject: readonly NameAttribute[];
  publicKey: KeyObject;
  privateKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  /** a CA certificate: may sign certificates and CRLs; else a TLS leaf (server and client auth) */
  ca: boolean;
  /** an RSA leaf's key also enciphers keys */
  keyEncipherment: boolean;
  altNames: readonly ({ dns: string } | { ip: string })[];
}

export const OID = {
  commonName: '2.5.4.3',
  country: '2.5.4.6',
  locality: '2.5.4.7',
  state: '2.5.4.8',
  organization: '2.5.4.10',
  organizationUnit: '2.5.4.11',
  emailAddress: '1.2.840.113549.1.9.1',
} as const;

const EC_WITH_SHA256 = '1.2.840.10045.4.3.2';
const RSA_WITH_SHA256 = '1.2.840.113549.1.1.11';
const BASIC_CONSTRAINTS = '2.5.29.19';
const KEY_USAGE = '2.5.29.15';
const EXT_KEY_USAGE = '2.5.29.37';
const SUBJECT_ALT_NAME = '2.5.29.17';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** The certificate as PEM. */
export function selfSignedCertificate(spec: SelfSignedSpec): string {
  const algorithm = spec.privateKey.asymmetricKeyType === 'ec' ? seq(oid(EC_WITH_SHA256)) : seq(oid(RSA_WITH_SHA256), NULL);
  // issuer and subject: one name, as the certificate signs itself
  const name = seq(...spec.subject.map((a) => set(seq(oid(a.oid), nameValue(a)))));
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(serialNumber()),
    algorithm,
    name,
    seq(time(spec.notBefore), time(spec.notAfter)),
    name,
    spec.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(...extensions(spec))),
  );
  const signature = sign('sha256', tbs, spec.privateKey);
  const der = seq(tbs, algorithm, bitString(signature));
  const lines = der.toString('base64').match(/.{1,64}/g)!;
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

function extensions(spec: SelfSignedSpec): Buffer[] {
  // key usage bits, from the most significant: digitalSignature(0), keyEncipherment(2), keyCertSign(5), cRLSign(6)
  const usage = spec.ca ? 0x80 | 0x04 | 0x02 : spec.keyEncipherment ? 0x80 | 0x20 : 0x80;
  const out = [
    extension(BASIC_CONSTRAINTS, spec.ca, spec.ca ? seq(BOOLEAN_TRUE) : seq()),
    extension(KEY_USAGE, true, namedBits(usage)),
  ];
  if (!spec.ca) out.push(extension(EXT_KEY_USAGE, false, seq(oid(SERVER_AUTH), oid(CLIENT_AUTH))));
  if (spec.altNames.length) {
    const names = spec.altNames.map((n) => ('dns' in n ? tlv(0x82, Buffer.from(n.dns, 'ascii')) : tlv(0x87, ipBytes(n.ip))));
    out.push(extension(SUBJECT_ALT_NAME, false, seq(...names)));
  }
  return out;
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), BOOLEAN_TRUE, octets(value)) : seq(oid(id), octets(value));
}

/** Random, positive, at most 20 octets (RFC 5280 4.1.2.2). */
function serialNumber(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes;
}

/** PrintableString where the value allows it, IA5String for e-mail addresses, else UTF8String. */
function nameValue(a: NameAttribute): Buffer {
  if (a.oid === OID.emailAddress && /^[\x00-\x7f]*$/.test(a.value)) return tlv(0x16, Buffer.from(a.value, 'ascii'));
  if (/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(a.value)) return tlv(0x13, Buffer.from(a.value, 'ascii'));
  return tlv(0x0c, Buffer.from(a.value, 'utf8'));
}

/** UTCTime through 2049, GeneralizedTime after (RFC 5280 4.1.2.5), to the second. */
function time(d: Date): Buffer {
  const iso = d.toISOString();
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const year = d.getUTCFullYear();
  return year >= 1950 && year < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii')) : tlv(0x18, Buffer.from(digits, 'ascii'));
}

/** The 4 or 16 bytes of an address isIP accepted. */
function ipBytes(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  // an IPv6 address may end in dotted IPv4; `::` stands for the zero groups it leaves out
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const all = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

// ---- DER -----------------------------------------------------------------------------------

function tlv(tag: number, body: Buffer): Buffer {
  if (body.length < 0x80) return Buffer.concat([Buffer.from([tag, body.length]), body]);
  const length: number[] = [];
  for (let n = body.length; n > 0; n = Math.floor(n / 256)) length.unshift(n % 256);
  return Buffer.concat([Buffer.from([tag, 0x80 | length.length, ...length]), body]);
}

const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const octets = (b: Buffer) => tlv(0x04, b);
const explicit = (n: number, b: Buffer) => tlv(0xa0 | n, b);
const bitString = (b: Buffer, unused = 0) => tlv(0x03, Buffer.concat([Buffer.from([unused]), b]));
const NULL = Buffer.from([0x05, 0x00]);
const BOOLEAN_TRUE = Buffer.from([0x01, 0x01, 0xff]);

/** A non-negative INTEGER from its big-endian bytes, in its shortest form. */
function integer(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const trimmed = bytes.subarray(i);
  return tlv(0x02, trimmed[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const out = [40 * first + second];
  for (const arc of rest) {
    const base128 = [arc & 0x7f];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) base128.unshift((n & 0x7f) | 0x80);
    out.push(...base128);
  }
  return tlv(0x06, Buffer.from(out));
}

/** A one-byte named bit list, trailing zero bits dropped (X.690 11.2.2). */
function namedBits(byte: number): Buffer {
  let unused = 0;
  while (unused < 7 && !(byte & (1 << unused))) unused++;
  return bitString(Buffer.from([byte]), unused);
}
