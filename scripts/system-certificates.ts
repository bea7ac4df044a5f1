/**
 * `npx tsx scripts/system-certificates.ts`: makes the fresh controller's system certificates
 * and writes them into seeds/fresh-controller.yaml, between the markers of its certificates
 * section. A controller makes these at installation and keeps them; the simulator ships the
 * ones made here, so no start pays for loading a certificate library or generating keys (that
 * was a third of a second of every start). Made with the simulator's own self-signed path
 * (node's crypto for the key, the `selfsigned` library for the certificate), valid ten years
 * from the day this runs: run it again before they expire, or to change one.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { generateSelfSigned } from '../server/avi/self-signed.js';
import { projectFile } from '../server/core/paths.js';

const SEED = projectFile('seeds', 'fresh-controller.yaml');
const BEGIN = '  # >>> system certificates: made by scripts/system-certificates.ts, do not edit by hand\n';
const END = '  # <<< system certificates\n';

const RSA_2048 = { algorithm: 'SSL_KEY_ALGORITHM_RSA', rsa_params: { key_size: 'SSL_KEY_2048_BITS', exponent: 65537 } };
const EC_P256 = { algorithm: 'SSL_KEY_ALGORITHM_EC', ec_params: { curve: 'SSL_KEY_EC_CURVE_SECP256R1' } };

/** name, type, subject common name, key: what a controller makes at installation. */
const CERTIFICATES = [
  ['System-Default-Cert', 'SSL_CERTIFICATE_TYPE_VIRTUALSERVICE', 'System Default Cert', RSA_2048],
  ['System-Default-Cert-EC', 'SSL_CERTIFICATE_TYPE_VIRTUALSERVICE', 'System Default EC Cert', EC_P256],
  ['System-Default-Portal-Cert', 'SSL_CERTIFICATE_TYPE_SYSTEM', 'Default Portal Cert', RSA_2048],
  ['System-Default-Portal-Cert-EC256', 'SSL_CERTIFICATE_TYPE_SYSTEM', 'Default Portal EC Cert', EC_P256],
  ['System-Default-Root-CA', 'SSL_CERTIFICATE_TYPE_CA', 'Avi Controller Root CA', EC_P256],
  ['System-Default-Secure-Channel-Cert', 'SSL_CERTIFICATE_TYPE_SYSTEM', 'Avi Secure Channel', EC_P256],
] as const;

const indent = (text: string, spaces: number) =>
  text
    .trim()
    .split('\n')
    .map((l) => ' '.repeat(spaces) + l)
    .join('\n');

async function main(): Promise<void> {
  const seed = readFileSync(SEED, 'utf8');
  const from = seed.indexOf(BEGIN);
  const to = seed.indexOf(END);
  if (from < 0 || to < from) throw new Error(`${SEED}: no "${BEGIN.trim()}" … "${END.trim()}" section`);
  const entries: string[] = [];
  for (const [name, type, cn, keyParams] of CERTIFICATES) {
    const made = await generateSelfSigned({ certificate: { self_signed: true, days_until_expire: 3650, subject: { common_name: cn } }, key_params: keyParams });
    if (!made) throw new Error(`${name}: nothing generated`);
    entries.push(
      [
        '  - sslkeyandcertificate:',
        `      name: ${name}`,
        `      type: ${type}`,
        '      certificate:',
        '        certificate: |',
        indent(made.certificate, 10),
        '      key: |',
        indent(made.key, 8),
        '      _system: true',
      ].join('\n'),
    );
  }
  writeFileSync(SEED, seed.slice(0, from + BEGIN.length) + entries.join('\n') + '\n' + seed.slice(to));
  console.log(`wrote ${CERTIFICATES.length} certificates into ${SEED}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
