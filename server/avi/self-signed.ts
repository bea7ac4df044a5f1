/**
 * A self-signed certificate and its key, made the way a controller makes one for
 * `certificate.self_signed: true`: the key from `key_params` (RSA size and exponent, or EC
 * curve; node's crypto, off the event loop), the certificate signed with SHA-256 by the
 * `selfsigned` library, valid from now for `certificate.days_until_expire` days, with the
 * subject and `subject_alt_names` asked for. Wrong input answers the controller's 400 [inferred
 * texts]; input the schema refuses (an unknown enum, days out of range) is left for validation.
 */
import { createPrivateKey, generateKeyPair } from 'node:crypto';
import { isIP } from 'node:net';
import { errors } from './errors.js';
import { isObject } from '../core/json.js';

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
/** subject field → the attribute `selfsigned` takes, and its longest value (X.520 upper bounds) */
const SUBJECT: [field: string, attribute: string, max: number][] = [
  ['country', 'countryName', 2],
  ['state', 'ST', 128],
  ['locality', 'localityName', 128],
  ['organization', 'organizationName', 64],
  ['organization_unit', 'OU', 64],
  ['common_name', 'commonName', 64],
  ['email_address', 'E', 128],
];
const MAX_ALT_NAMES = 100;

interface PemPair {
  publicKey: string;
  privateKey: string;
}

/** A key pair as PEM, made in node's thread pool (an RSA 4096 key takes seconds). */
function generateKeys(spec: { rsa: number; exponent: number } | { curve: string }): Promise<PemPair> {
  const encoding = { publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } } as const;
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, publicKey: string, privateKey: string) => (err ? reject(err) : resolve({ publicKey, privateKey }));
    if ('rsa' in spec) generateKeyPair('rsa', { modulusLength: spec.rsa, publicExponent: spec.exponent, ...encoding }, done);
    else generateKeyPair('ec', { namedCurve: spec.curve, ...encoding }, done);
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
  // The key is made in the thread pool while `selfsigned` loads (only when a certificate is
  // made: importing it costs ~100 ms).
  const keyPair = generateKeys(algorithm === 'SSL_KEY_ALGORITHM_EC' ? { curve: curve! } : { rsa: bits!, exponent });
  keyPair.catch(() => undefined);
  const { generate } = await import('selfsigned');
  let keys: PemPair;
  let pems: Awaited<ReturnType<typeof generate>>;
  try {
    keys = await keyPair;
    pems = await generate(attributes, {
      keyPair: { privateKey: keys.privateKey, publicKey: keys.publicKey },
      keyType: algorithm === 'SSL_KEY_ALGORITHM_EC' ? 'ec' : 'rsa',
      ...(algorithm === 'SSL_KEY_ALGORITHM_EC' ? { curve } : {}),
      algorithm: 'sha256',
      notBeforeDate,
      notAfterDate,
      extensions: [
        { name: 'basicConstraints', cA: isCa, critical: isCa },
        isCa
          ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }
          : { name: 'keyUsage', digitalSignature: true, keyEncipherment: algorithm === 'SSL_KEY_ALGORITHM_RSA', critical: true },
        ...(isCa ? [] : [{ name: 'extKeyUsage' as const, serverAuth: true, clientAuth: true }]),
        ...(altNames.length ? [{ name: 'subjectAltName' as const, altNames }] : []),
      ],
    });
  } catch (e) {
    throw errors.certificateGeneration(e instanceof Error ? e.message : String(e));
  }
  const key = passphrase
    ? createPrivateKey(keys.privateKey).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }).toString()
    : keys.privateKey;
  return { certificate: pems.cert, key };
}

/** Numbers as the parser takes them: decimal strings too (the write path coerces them alike). */
function number(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : NaN;
}

function validExponent(v: number): boolean {
  return Number.isInteger(v) && v >= 3 && v <= 0xffffffff && v % 2 === 1;
}

/** The subject as `selfsigned` attributes, each value escaped for its RFC 4514 name parser. */
function subjectOf(subject: unknown): { name: string; value: string }[] {
  const s = isObject(subject) ? subject : {};
  if (typeof s.common_name !== 'string' || s.common_name.trim() === '') throw errors.selfSignedNeedsCommonName();
  const out: { name: string; value: string }[] = [];
  for (const [field, attribute, max] of SUBJECT) {
    const v = s[field];
    if (v === undefined || v === '') continue;
    if (typeof v !== 'string' || v.length > max || /[\u0000-\u001f\u007f]/.test(v)) {
      throw errors.badSubjectField(`certificate.subject.${field}`, max);
    }
    out.push({ name: attribute, value: escapeRdn(v) });
  }
  return out;
}

function escapeRdn(v: string): string {
  return v.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`).replace(/^[ #]| $/g, (c) => `\\${c}`);
}

/** `subject_alt_names`: addresses as IP entries, anything else as a DNS name. */
function altNamesOf(names: unknown): ({ type: 7; ip: string } | { type: 2; value: string })[] {
  if (names === undefined) return [];
  if (!Array.isArray(names) || names.length > MAX_ALT_NAMES) throw errors.badAltNames();
  return names.map((n) => {
    if (typeof n !== 'string' || n === '' || n.length > 253 || !/^[\x21-\x7e]+$/.test(n)) throw errors.badAltNames();
    return isIP(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n };
  });
}
