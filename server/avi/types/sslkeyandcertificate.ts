/**
 * SSLKeyAndCertificate: what a controller does with a certificate.
 *
 * - `certificate.self_signed: true` without a PEM: the key and the certificate are generated
 *   (server/avi/self-signed.ts) before the write, as if the client had sent them.
 * - A PEM certificate (and key) is parsed: `certificate.*` and `key_params` are the
 *   certificate's own (server/avi/x509.ts), whatever the client sent there; a PEM that does not
 *   parse, a key that does not, or one that does not match the certificate, is a 400.
 * - The private key (`key`, `key_passphrase`) is kept but never shown: every answer leaves it
 *   out unless the query has `export_key=true`. A PUT or PATCH without it keeps the stored one
 *   (a client that read without `export_key` and writes the object back must not lose it), and
 *   one without the PEM keeps the stored certificate.
 * - `days_until_expire` and `expiry_status` are worked out at each read, against the
 *   controller's `ssl_certificate_expiry_warning_days` (30 when unset) [inferred: 0 days once
 *   expired].
 * - `type` defaults to SSL_CERTIFICATE_TYPE_VIRTUALSERVICE; a certificate issued by a stored CA
 *   certificate (type SSL_CERTIFICATE_TYPE_CA) the object's tenant sees gets it in `ca_certs`
 *   when the client gave none, and `chain_verified` [inferred].
 */
import type { X509Certificate } from 'node:crypto';
import type { TypeBehaviour } from '../behaviour.js';
import { errors } from '../errors.js';
import type { Ctx, ObjectService } from '../objects.js';
import { generateSelfSigned } from '../self-signed.js';
import { isObject } from '../shape-ops.js';
import { decodeMaterial, describeCertificate, fromAvDate, keyParamsOf, parseCertificate, parsePrivateKey } from '../x509.js';
import { tenantOf, type Data, type Rec } from '../../core/store.js';

const SECRETS = ['key', 'key_passphrase'] as const;
/** `certificate.*` fields taken from the certificate itself, never from the client */
const DERIVED = [
  'subject', 'issuer', 'not_before', 'not_after', 'serial_number', 'fingerprint', 'signature_algorithm',
  'public_key', 'self_signed', 'version', 'text', 'subject_alt_names', 'expiry_status', 'days_until_expire',
  'chain_verified',
];
const DEFAULT_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;

export function sslkeyandcertificateBehaviour(svc: ObjectService): TypeBehaviour {
  return {
    prepareBody(body, existing) {
      return hasText(pemOf(existing?.data)) ? Promise.resolve(body) : selfSignedBody(body);
    },

    normalizeInput(data, existing) {
      if (data.key === undefined || data.key === '') {
        delete data.key;
        for (const f of SECRETS) if (data[f] === undefined && typeof existing?.data[f] === 'string') data[f] = existing.data[f];
      }
      if (!isObject(data.certificate)) return;
      const cert = { ...data.certificate };
      const stored = pemOf(existing?.data);
      if (!hasText(cert.certificate) && hasText(stored)) {
        cert.certificate = stored;
        if (data.certificate_base64 === undefined && existing!.data.certificate_base64 !== undefined) {
          data.certificate_base64 = existing!.data.certificate_base64;
        }
      }
      // Worked out from the PEM below: what a client sends back there must not trip validation.
      if (hasText(cert.certificate)) for (const f of DERIVED) delete cert[f];
      data.certificate = cert;
    },

    beforeWrite({ data }) {
      if (data.format === 'SSL_PKCS12') throw errors.pkcs12Unsupported();
      const cert = isObject(data.certificate) ? { ...data.certificate } : {};
      if (!hasText(cert.certificate)) throw cert.self_signed === true ? errors.selfSignedNotHere() : errors.certificateRequired();
      const x509 = parseCertificate(decodeMaterial(cert.certificate, data.certificate_base64 === true));
      if (!x509) throw errors.badCertificate();
      if (hasText(data.key)) checkKey(x509, data);
      Object.assign(cert, describeCertificate(x509));
      Object.assign(cert, expiry(cert, warningDays(svc)));
      data.type ??= 'SSL_CERTIFICATE_TYPE_VIRTUALSERVICE';
      if (cert.self_signed !== true && !(Array.isArray(data.ca_certs) && data.ca_certs.length)) {
        const ca = issuerOf(svc, x509, tenantOf(data));
        if (ca) {
          data.ca_certs = [{ name: svc.nameOf(ca), ca_ref: ca.uuid }];
          cert.chain_verified = true;
        }
      }
      data.certificate = cert;
      const keyParams = keyParamsOf(x509.publicKey);
      if (keyParams) data.key_params = keyParams;
      else delete data.key_params;
    },

    renderExtras(_rec, out, _svc, ctx) {
      if (!exportKey(ctx)) for (const f of SECRETS) delete out[f];
      // `out.certificate` is shared with the stored object: replaced, not changed.
      if (isObject(out.certificate)) out.certificate = { ...out.certificate, ...expiry(out.certificate, warningDays(svc)) };
    },
  };
}

/**
 * A new object's body with the key and self-signed certificate it asks for
 * (`certificate.self_signed: true` without a PEM) made in; any other body as it is. Made from
 * the body alone, so a scenario's objects can be made before the engine exists.
 */
export async function selfSignedBody(body: Data): Promise<Data> {
  const cert = body.certificate;
  if (!isObject(cert) || hasText(cert.certificate)) return body;
  if (cert.self_signed !== true && cert.self_signed !== 'true') return body;
  const made = await generateSelfSigned(body);
  if (!made) return body;
  return { ...body, certificate: { ...cert, certificate: made.certificate }, key: made.key };
}

function hasText(v: unknown): v is string {
  return typeof v === 'string' && v.trim() !== '';
}

function pemOf(data: Data | undefined): unknown {
  return data && isObject(data.certificate) ? data.certificate.certificate : undefined;
}

/** `export_key` counts as true when present with any value but `false` (as `include_name`). */
function exportKey(ctx: Ctx): boolean {
  const v = ctx.query?.get('export_key');
  return v !== null && v !== undefined && v.toLowerCase() !== 'false';
}

/** The key must parse (with its passphrase) and be the certificate's. */
function checkKey(x509: X509Certificate, data: Data): void {
  const passphrase = hasText(data.key_passphrase) ? data.key_passphrase : undefined;
  const key = parsePrivateKey(decodeMaterial(data.key as string, data.key_base64 === true), passphrase);
  if (!key) throw errors.badPrivateKey();
  let matches = false;
  try {
    matches = x509.checkPrivateKey(key);
  } catch {
    // a key of another kind than the certificate's cannot match it
  }
  if (!matches) throw errors.keyMismatch();
}

/** `days_until_expire` (whole days left, rounded up; 0 once expired) and `expiry_status`. */
function expiry(cert: Data, warnDays: number): Data {
  const notAfter = fromAvDate(cert.not_after);
  if (!notAfter) return {};
  const left = notAfter.getTime() - Date.now();
  const days = left > 0 ? Math.ceil(left / DAY_MS) : 0;
  const status = left <= 0 ? 'SSL_CERTIFICATE_EXPIRED' : days <= warnDays ? 'SSL_CERTIFICATE_EXPIRY_WARNING' : 'SSL_CERTIFICATE_GOOD';
  return { days_until_expire: days, expiry_status: status };
}

/** The largest of the controller's `ssl_certificate_expiry_warning_days`, 30 when unset. */
function warningDays(svc: ObjectService): number {
  for (const rec of svc.store.collection('controllerproperties').values()) {
    const days = rec.data.ssl_certificate_expiry_warning_days;
    const valid = Array.isArray(days) ? days.filter((d): d is number => Number.isInteger(d) && d >= 0) : [];
    if (valid.length) return Math.max(...valid);
  }
  return DEFAULT_WARNING_DAYS;
}

/** A stored CA certificate the tenant sees that issued (and signed) `x509`. */
function issuerOf(svc: ObjectService, x509: X509Certificate, tenant: string): Rec | undefined {
  for (const rec of svc.store.collection('sslkeyandcertificate').values()) {
    if (rec.data.type !== 'SSL_CERTIFICATE_TYPE_CA' || !svc.visible(rec, { tenant: tenant || 'admin', base: '' })) continue;
    const pem = pemOf(rec.data);
    const ca = hasText(pem) ? parseCertificate(decodeMaterial(pem, rec.data.certificate_base64 === true)) : undefined;
    try {
      if (ca && x509.checkIssued(ca) && x509.verify(ca.publicKey)) return rec;
    } catch {
      // a CA whose key cannot verify this signature did not sign it
    }
  }
  return undefined;
}

