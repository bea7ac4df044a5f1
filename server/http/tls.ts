/**
 * The certificate and key for the HTTPS listener. Real Avi controllers serve HTTPS with a
 * self-signed certificate and every SDK skips verification, so by default one is made at start
 * (in memory, never written to disk); `--tls-cert`/`--tls-key` serve a given PEM pair instead.
 */
import { readFile } from 'node:fs/promises';
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { hostname } from 'node:os';

export interface TlsOptions {
  certFile?: string;
  keyFile?: string;
  /** extra DNS names or IP addresses for a generated certificate's subjectAltName (beyond
   * localhost, the machine hostname, 127.0.0.1 and ::1) */
  hostnames?: readonly string[];
}

export interface TlsMaterial {
  /** PEM */
  cert: string;
  /** PEM */
  key: string;
  /** true when made at start (self-signed), false when read from files */
  generated: boolean;
  /** SHA-256 of the DER certificate, colon-separated upper-case hex (as `openssl x509 -fingerprint -sha256`) */
  fingerprint: string;
}

export async function loadOrGenerateTls(options: TlsOptions = {}): Promise<TlsMaterial> {
  const { certFile, keyFile } = options;
  if (certFile !== undefined || keyFile !== undefined) {
    if (!certFile || !keyFile) {
      throw new Error(
        `--tls-cert and --tls-key go together: got only ${certFile ? `--tls-cert ${certFile}` : `--tls-key ${keyFile}`}`,
      );
    }
    return loadPair(certFile, keyFile);
  }
  return generateSelfSigned(options.hostnames ?? []);
}

async function loadPair(certFile: string, keyFile: string): Promise<TlsMaterial> {
  const [cert, key] = await Promise.all([readPem(certFile, 'certificate'), readPem(keyFile, 'key')]);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (e) {
    throw new Error(`TLS certificate ${certFile} is not a PEM certificate (${message(e)})`);
  }
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(key);
  } catch (e) {
    throw new Error(`TLS key ${keyFile} is not an unencrypted PEM private key (${message(e)})`);
  }
  if (!x509.checkPrivateKey(keyObject)) {
    throw new Error(`TLS key ${keyFile} does not belong to the certificate ${certFile}`);
  }
  return { cert, key, generated: false, fingerprint: x509.fingerprint256 };
}

async function readPem(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read TLS ${what} ${file}: ${message(e)}`);
  }
}

async function generateSelfSigned(extra: readonly string[]): Promise<TlsMaterial> {
  // Loaded only when needed: it costs ~100 ms to import.
  const { generate } = await import('selfsigned');
  // A hostname that is not a valid DNS name (some machines have one) is left out rather than
  // failing the start.
  const names = [...new Set(['localhost', hostname(), ...extra, '127.0.0.1', '::1'])].filter(
    (n) => isIP(n) !== 0 || /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(n),
  );
  const altNames = names.map((n) => (isIP(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n }));
  // A day of slack before "now" so a client whose clock runs behind still accepts it.
  const notBeforeDate = new Date(Date.now() - 24 * 3600_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + 366 * 24 * 3600_000);
  // EC P-256: ~15 ms to generate, against 80-500 ms for RSA 2048; Go, Python and Node clients all speak it.
  const pems = await generate([{ name: 'commonName', value: 'avisim' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return {
    cert: pems.cert,
    key: pems.private,
    generated: true,
    fingerprint: new X509Certificate(pems.cert).fingerprint256,
  };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
