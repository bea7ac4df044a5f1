/** What `avisim` prints once it listens: versions, where it serves, and how to log in. */
import type { Engine } from '../engine.js';
import { ADMIN_USER } from '../core/admin.js';
import type { TlsMaterial } from '../http/tls.js';
import type { Settings } from './args.js';

export interface Served {
  /** the Avi listeners' bases, plain HTTP first: tools that take the first "Avi API:" line get one a plain client can use */
  urls: { base: string; note: string }[];
  nsxBase?: string;
}

export function bannerLines(engine: Engine, settings: Settings, served: Served, version: string, readyMs: number): string[] {
  const { mock } = settings;
  const { urls, nsxBase } = served;
  const lines = [
    `avisim ${version} ready in ${readyMs.toFixed(0)} ms: Avi controller ${engine.scenario.controller.version} (scenario ${engine.scenario.name})`,
  ];
  for (const { base, note } of urls) lines.push(`  Avi API:   ${base}/api/${note}`);
  if (mock.enabled) {
    lines.push(`  control:   ${urls[0]!.base}/_mock  (reset, scenario, snapshot, journal, verify, faults, sandboxes${mock.token ? '; needs X-Mock-Token' : ''})`);
    if (settings.wildcard && !mock.token) lines.push('             open to every client that can reach this port: --mock-token guards it, --mock off turns it off');
    if (mock.scenarioDir) lines.push(`  scenarios: ${mock.scenarioDir}  (POST /_mock/scenario {"name"} loads them)`);
  } else lines.push('  control:   off (--mock off)');
  const admin = engine.credentials.find((c) => c.username === ADMIN_USER)!;
  const basic = settings.engine.basicAuth ? 'or HTTP Basic (--basic-auth)' : 'or HTTP Basic once allowed';
  lines.push(`  user:      admin  password: ${admin.password}  (POST /login, ${basic})`);
  lines.push(`  NSX API:   ${nsxBase ?? urls[urls.length - 1]!.base}/policy/api/v1/${nsxBase ? '  (own port, same certificate)' : ''}`);
  if (engine.nsx.realizationDelayMs) lines.push(`  NSX realization delay: ${engine.nsx.realizationDelayMs} ms`);
  lines.push(`  NSX user:  ${engine.nsx.username}  password: ${engine.nsx.password}  (HTTP Basic, or POST /api/session/create)`);
  if (engine.persistence) lines.push(`  state:     ${engine.persistence.file}`);
  if (settings.configFile) lines.push(`  config:    ${settings.configFile}`);
  if (settings.log.level !== 'silent') lines.push(`  log:       ${settings.log.level}${settings.log.level === 'info' ? ' (one line per request)' : ''}`);
  return lines;
}

export function describeCert(tls: TlsMaterial, certFile: string | undefined): string {
  return `${tls.generated ? 'self-signed' : `certificate ${certFile}`}, SHA-256 ${tls.fingerprint}`;
}
