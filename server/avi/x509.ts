/**
 * A certificate and its key as a controller describes them: the read-only parts of an
 * SSLKeyAndCertificate (`certificate.subject`, `issuer`, validity, fingerprint, ... and the
 * top-level `key_params`), taken from the PEM with node's crypto. Formats [inferred from public
 * samples]: dates `YYYY-MM-DD HH:MM:SS` (UTC), the fingerprint as `openssl x509 -fingerprint`
 * prints it, the serial number in decimal, `version` as stored in the certificate (`"2"` for
 * X.509 v3), distinguished names in RFC 4514 order, `text` an abridged `openssl x509 -text`.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';

type Obj = Record<string, unknown>;

/** The PEM (or DER) text a field holds, decoded when its `*_base64` flag says so. */
export function decodeMaterial(value: string, base64: boolean): string | Buffer {
  if (!base64 || value.includes('-----BEGIN')) return value;
  const raw = Buffer.from(value, 'base64');
  const text = raw.toString('latin1');
  return text.includes('-----BEGIN') ? text : raw;
}

/** The certificate, or undefined when the text is not one. */
export function parseCertificate(material: string | Buffer): X509Certificate | undefined {
  try {
    return new X509Certificate(material);
  } catch {
    return undefined;
  }
}

/** The private key (decrypted with `passphrase` when it is encrypted), or undefined. */
export function parsePrivateKey(material: string | Buffer, passphrase: string | undefined): KeyObject | undefined {
  try {
    return createPrivateKey(passphrase === undefined ? { key: material } : { key: material, passphrase });
  } catch {
    return undefined;
  }
}

const NAME_FIELDS: [string, string][] = [
  ['CN', 'common_name'],
  ['O', 'organization'],
  ['OU', 'organization_unit'],
  ['C', 'country'],
  ['L', 'locality'],
  ['ST', 'state'],
  ['emailAddress', 'email_address'],
];

/** `certificate.*` fields derived from the certificate itself (everything but the PEM). */
export function describeCertificate(x: X509Certificate): Obj {
  const legacy = x.toLegacyObject();
  const { signatureOid, version } = signatureAndVersion(x.raw);
  const notBefore = opensslDate(x.validFrom);
  const notAfter = opensslDate(x.validTo);
  const out: Obj = {
    subject: describeName(legacy.subject, x.subject),
    issuer: describeName(legacy.issuer, x.issuer),
    serial_number: BigInt(`0x${x.serialNumber}`).toString(),
    fingerprint: `SHA1 Fingerprint=${x.fingerprint}`,
    signature_algorithm: signatureName(signatureOid),
    public_key: x.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    self_signed: isSelfSigned(x),
    version: String(version),
    text: certificateText(x, version, signatureName(signatureOid)),
  };
  if (notBefore) out.not_before = avDate(notBefore);
  if (notAfter) out.not_after = avDate(notAfter);
  const sans = altNames(x.subjectAltName);
  if (sans.length) out.subject_alt_names = sans;
  return out;
}

/** Top-level `key_params` for a public (or private) key; undefined for kinds the enum lacks. */
export function keyParamsOf(key: KeyObject): Obj | undefined {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    const size = `SSL_KEY_${details.modulusLength}_BITS`;
    const rsa: Obj = { exponent: Number(details.publicExponent ?? 65537n) };
    if (RSA_SIZES.has(size)) rsa.key_size = size;
    return { algorithm: 'SSL_KEY_ALGORITHM_RSA', rsa_params: rsa };
  }
  if (key.asymmetricKeyType === 'ec') {
    const curve = EC_CURVES[details.namedCurve ?? ''];
    return { algorithm: 'SSL_KEY_ALGORITHM_EC', ...(curve ? { ec_params: { curve } } : {}) };
  }
  return undefined;
}

const RSA_SIZES = new Set(['SSL_KEY_1024_BITS', 'SSL_KEY_2048_BITS', 'SSL_KEY_3072_BITS', 'SSL_KEY_4096_BITS']);
const EC_CURVES: Record<string, string> = Object.assign(Object.create(null), {
  prime256v1: 'SSL_KEY_EC_CURVE_SECP256R1',
  secp384r1: 'SSL_KEY_EC_CURVE_SECP384R1',
  secp521r1: 'SSL_KEY_EC_CURVE_SECP521R1',
});

/** `YYYY-MM-DD HH:MM:SS` (UTC) */
export function avDate(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/** Back from `avDate`; undefined for anything else. */
export function fromAvDate(v: unknown): Date | undefined {
  if (typeof v !== 'string' || !/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(v)) return undefined;
  const d = new Date(`${v.replace(' ', 'T')}Z`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Dec  3 15:45:34 2026 GMT` (node's validFrom/validTo) → Date. */
function opensslDate(v: string): Date | undefined {
  const m = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d) (\d{4}) GMT$/.exec(v);
  const month = m ? MONTHS.indexOf(m[1]!) : -1;
  if (!m || month < 0) return undefined;
  return new Date(Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])));
}

/** The subject or issuer: the usual attributes and the whole name (RFC 4514: last RDN first). */
function describeName(parsed: unknown, oneLinePerRdn: string): Obj {
  const attrs = (parsed ?? {}) as Record<string, string | string[] | undefined>;
  const out: Obj = {};
  for (const [attr, field] of NAME_FIELDS) {
    const v = Object.hasOwn(attrs, attr) ? attrs[attr] : undefined;
    if (v !== undefined) out[field] = Array.isArray(v) ? v.join(', ') : v;
  }
  out.distinguished_name = oneLinePerRdn.split('\n').filter(Boolean).reverse().join(',');
  return out;
}

/** Issued by its own subject and signed by its own key (checkIssued would also want keyCertSign). */
function isSelfSigned(x: X509Certificate): boolean {
  try {
    return x.issuer === x.subject && x.verify(x.publicKey);
  } catch {
    return false;
  }
}

/** `DNS:a, IP Address:10.0.0.1` → `['a', '10.0.0.1']` */
function altNames(san: string | undefined): string[] {
  if (!san) return [];
  return san
    .split(/, (?=[A-Za-z][A-Za-z ]*:)/)
    .map((entry) => entry.slice(entry.indexOf(':') + 1).replace(/^"(.*)"$/, '$1'))
    .filter(Boolean);
}

const SIGNATURES: Record<string, string> = Object.assign(Object.create(null), {
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
});

function signatureName(oid: string | undefined): string {
  return oid === undefined ? 'unknown' : (SIGNATURES[oid] ?? oid);
}

/**
 * The signature algorithm's OID and the version field of a DER certificate. Node 20's
 * X509Certificate exposes neither, so the three outer elements are read here (only read, and
 * bounded by the buffer): Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version
 * OPTIONAL, ... }, signatureAlgorithm SEQUENCE { OID, ... }, ... }. Version 0 (v1) when absent.
 */
function signatureAndVersion(der: Buffer): { signatureOid?: string; version: number } {
  const cert = element(der, 0);
  const tbs = cert && element(der, cert.start);
  if (!tbs) return { version: 0 };
  const first = element(der, tbs.start);
  const int = first?.tag === 0xa0 ? element(der, first.start) : undefined;
  const version = int?.tag === 0x02 && int.end > int.start ? der[int.end - 1]! : 0;
  const alg = element(der, tbs.end);
  const oid = alg?.tag === 0x30 ? element(der, alg.start) : undefined;
  return { signatureOid: oid?.tag === 0x06 ? oidText(der.subarray(oid.start, oid.end)) : undefined, version };
}

/** The DER element at `at`: its tag and where its content starts and ends. */
function element(der: Buffer, at: number): { tag: number; start: number; end: number } | undefined {
  if (at + 2 > der.length) return undefined;
  let length = der[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4 || start + bytes > der.length) return undefined;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i]!;
    start += bytes;
  }
  const end = start + length;
  return end <= der.length ? { tag: der[at]!, start, end } : undefined;
}

function oidText(bytes: Buffer): string {
  const parts: number[] = [];
  let n = 0;
  for (const b of bytes) {
    n = n * 128 + (b & 0x7f);
    if (b & 0x80) continue;
    if (parts.length === 0) parts.push(n < 80 ? Math.floor(n / 40) : 2, n < 80 ? n % 40 : n - 80);
    else parts.push(n);
    n = 0;
  }
  return parts.join('.');
}

/** The main parts of `openssl x509 -noout -text`, in its layout. */
function certificateText(x: X509Certificate, version: number, signature: string): string {
  const oneLine = (name: string) => name.split('\n').filter(Boolean).map((rdn) => rdn.replace('=', ' = ')).join(', ');
  const serial = x.serialNumber.toLowerCase().replace(/(..)(?=.)/g, '$1:');
  const key = x.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  const keyLines =
    key.asymmetricKeyType === 'rsa'
      ? ['Public Key Algorithm: rsaEncryption', `    Public-Key: (${details.modulusLength} bit)`]
      : key.asymmetricKeyType === 'ec'
        ? ['Public Key Algorithm: id-ecPublicKey', `    ASN1 OID: ${details.namedCurve}`]
        : [`Public Key Algorithm: ${key.asymmetricKeyType}`];
  const lines = [
    'Certificate:',
    '    Data:',
    `        Version: ${version + 1} (0x${version.toString(16)})`,
    '        Serial Number:',
    `            ${serial}`,
    `        Signature Algorithm: ${signature}`,
    `        Issuer: ${oneLine(x.issuer)}`,
    '        Validity',
    `            Not Before: ${x.validFrom}`,
    `            Not After : ${x.validTo}`,
    `        Subject: ${oneLine(x.subject)}`,
    '        Subject Public Key Info:',
    ...keyLines.map((l) => `            ${l}`),
  ];
  const extensions: string[] = [];
  if (x.subjectAltName) extensions.push('X509v3 Subject Alternative Name:', `    ${x.subjectAltName}`);
  extensions.push('X509v3 Basic Constraints:', `    CA:${x.ca ? 'TRUE' : 'FALSE'}`);
  lines.push('        X509v3 extensions:', ...extensions.map((l) => `            ${l}`));
  lines.push(`    Signature Algorithm: ${signature}`);
  return `${lines.join('\n')}\n`;
}
