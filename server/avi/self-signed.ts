/**
 * A self-signed certificate and its key, made the way a controller makes one for
 * `certificate.self_signed: true`: the key from `key_params` (RSA size and exponent, or EC
 * curve; node's crypto, off the event loop), the certificate written and signed with SHA-256
 * (server/avi/x509-build.ts), valid from now for `certificate.days_until_expire` days, with the
 * subject and `subject_alt_names` asked for. Wrong input answers the controller's 400 [inferred
 * texts]; input the schema refuses (an unknown enum, days out of range) is left for validation.
 */
import { generateKeyPair, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { errors } from './errors.js';
import { isObject } from './shape-ops.js';
import { OID, selfSignedCertificate, type NameAttribute } from './x509-build.js';

type Obj = Record<string, unknown>;

export interface Generated {
  /** PEM */
  certificate: string;
  /** PEM (PKCS #8), encrypted with the passphrase when one was given */
  key: string;
}

const RSA_BITS: Record<string, number> = Object.assign(Object.create(null), {
  SSL_KEY_1024_BITS: 1024,
  SSL_KEY_2048_BITS: 2048,
  SSL_KEY_3072_BITS: 3072,
  SSL_KEY_4096_BITS: 4096,
});
const CURVES: Record<string, 'P-256' | 'P-384' | 'P-521'> = Object.assign(Object.create(null), {
  SSL_KEY_EC_CURVE_SECP256R1: 'P-256',
  SSL_KEY_EC_CURVE_SECP384R1: 'P-384',
  SSL_KEY_EC_CURVE_SECP521R1: 'P-521',
});
/** subject field → its attribute type, and its longest value (X.520 upper bounds) */
const SUBJECT: [field: string, oid: string, max: number][] = [
  ['country', OID.country, 2],
  ['state', OID.state, 128],
  ['locality', OID.locality, 128],
  ['organization', OID.organization, 64],
  ['organization_unit', OID.organizationUnit, 64],
  ['common_name', OID.commonName, 64],
  ['email_address', OID.emailAddress, 128],
];
const MAX_ALT_NAMES = 100;

interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

/** A key pair, made in node's thread pool (an RSA 4096 key takes seconds). */
function generateKeys(spec: { rsa: number; exponent: number } | { curve: string }): Promise<KeyPair> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, publicKey: KeyObject, privateKey: KeyObject) => (err ? reject(err) : resolve({ publicKey, privateKey }));
    if ('rsa' in spec) generateKeyPair('rsa', { modulusLength: spec.rsa, publicExponent: spec.exponent }, done);
    else generateKeyPair('ec', { namedCurve: spec.curve }, done);
  });
}

/**
 * The certificate and key asked for, or undefined when the request holds values the schema
 * check will refuse anyway (it names the field better than this could).
 */
export async function generateSelfSigned(body: Obj): Promise<Generated | undefined> {
  const cert = isObject(body.certificate) ? body.certificate : {};
  const params = isObject(body.key_params) ? body.key_params : isObject(cert.key_params) ? cert.key_params : {};
  const days = number(cert.days_until_expire ?? 365);
  if (!Number.isInteger(days) || days < 1 || days > 3650) return undefined;
  const algorithm = params.algorithm ?? 'SSL_KEY_ALGORITHM_RSA';
  const rsa = isObject(params.rsa_params) ? params.rsa_params : {};
  const ec = isObject(params.ec_params) ? params.ec_params : {};
  const bits = RSA_BITS[String(rsa.key_size ?? 'SSL_KEY_2048_BITS')];
  const curve = CURVES[String(ec.curve ?? 'SSL_KEY_EC_CURVE_SECP256R1')];
  const exponent = number(rsa.exponent ?? 65537);
  if (algorithm === 'SSL_KEY_ALGORITHM_RSA' && (!bits || Number.isNaN(exponent))) return undefined;
  if (algorithm === 'SSL_KEY_ALGORITHM_RSA' && !validExponent(exponent)) throw errors.badExponent(exponent);
  if (algorithm === 'SSL_KEY_ALGORITHM_EC' && !curve) return undefined;
  if (algorithm !== 'SSL_KEY_ALGORITHM_RSA' && algorithm !== 'SSL_KEY_ALGORITHM_EC') return undefined;

  const attributes = subjectOf(cert.subject);
  const altNames = altNamesOf(cert.subject_alt_names);
  const passphrase = typeof body.key_passphrase === 'string' && body.key_passphrase !== '' ? body.key_passphrase : undefined;
  const isCa = body.type === 'SSL_CERTIFICATE_TYPE_CA';
  const notBeforeDate = new Date();
  const notAfterDate = new Date(notBeforeDate.getTime() + days * 86_400_000);
  let certificate: string;
  let keys: KeyPair;
  try {
    keys = await generateKeys(algorithm === 'SSL_KEY_ALGORITHM_EC' ? { curve: curve! } : { rsa: bits!, exponent });
    certificate = selfSignedCertificate({
      subject: attributes,
      publicKey: keys.publicKey,
      privateKey: keys.privateKey,
      notBefore: notBeforeDate,
      notAfter: notAfterDate,
      ca: isCa,
      keyEncipherment: algorithm === 'SSL_KEY_ALGORITHM_RSA',
      altNames,
    });
  } catch (e) {
    throw errors.certificateGeneration(e instanceof Error ? e.message : String(e));
  }
  const key = passphrase
    ? keys.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase })
    : keys.privateKey.export({ type: 'pkcs8', format: 'pem' });
  return { certificate, key: key.toString() };
}

/** Numbers as the parser takes them: decimal strings too (the write path coerces them alike). */
function number(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : NaN;
}

function validExponent(v: number): boolean {
  return Number.isInteger(v) && v >= 3 && v <= 0xffffffff && v % 2 === 1;
}

/** The subject's attributes, in the order of SUBJECT (the common name is required). */
function subjectOf(subject: unknown): NameAttribute[] {
  const s = isObject(subject) ? subject : {};
  if (typeof s.common_name !== 'string' || s.common_name.trim() === '') throw errors.selfSignedNeedsCommonName();
  const out: NameAttribute[] = [];
  for (const [field, oid, max] of SUBJECT) {
    const v = s[field];
    if (v === undefined || v === '') continue;
    if (typeof v !== 'string' || v.length > max || /[\u0000-\u001f\u007f]/.test(v)) {
      throw errors.badSubjectField(`certificate.subject.${field}`, max);
    }
    out.push({ oid, value: v });
  }
  return out;
}

/** `subject_alt_names`: addresses as IP entries, anything else as a DNS name. */
function altNamesOf(names: unknown): ({ ip: string } | { dns: string })[] {
  if (names === undefined) return [];
  if (!Array.isArray(names) || names.length > MAX_ALT_NAMES) throw errors.badAltNames();
  return names.map((n) => {
    if (typeof n !== 'string' || n === '' || n.length > 253 || !/^[\x21-\x7e]+$/.test(n)) throw errors.badAltNames();
    return isIP(n) ? { ip: n } : { dns: n };
  });
}
