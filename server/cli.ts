#!/usr/bin/env node
/**
 * `avisim`: serves a simulated Avi controller, over HTTPS (as real controllers do, with a
 * self-signed certificate unless one is given) and over plain HTTP, both on the same handler.
 * Every flag has an environment variable twin so the same settings work in a container.
 */
import { existsSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from './engine.js';
import { createListener } from './http/app.js';
import { publicOwnPort, toPublic } from './http/public-urls.js';
import { loadOrGenerateTls, type TlsMaterial } from './http/tls.js';
import { DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, listen, type Listening, type Timeouts } from './http/listen.js';
import { builtinScenarios } from './scenario/load.js';
import { DEFAULT_JOURNAL_BYTES } from './mock/journal.js';
import { ADMIN_USER } from './core/admin.js';

const HELP = `avisim: a simulated VMware Avi controller

Usage: avisim [options]
       avisim record --upstream <controller URL> --out <file>   (see avisim record --help)
       avisim replay <file> --target <URL>                      (see avisim replay --help)
       avisim validate <scenario>...                            (see avisim validate --help)

  --port <n|off>        plain HTTP port (env AVISIM_PORT, default 8080; 0 picks a free one; off disables it)
  --https-port <n|off>  HTTPS port (env AVISIM_HTTPS_PORT, default 8443; 0 picks a free one; off disables it)
  --tls-cert <file>     PEM certificate for HTTPS (env AVISIM_TLS_CERT; default: a self-signed one made at start)
  --tls-key <file>      PEM private key for --tls-cert (env AVISIM_TLS_KEY)
  --host <addr>         address to listen on (env AVISIM_HOST, default 127.0.0.1: this machine only; 0.0.0.0 for
                        every interface, as the container image sets)
  --scenario <name>     scenario to serve: a built-in one's name or a YAML/JSON file's path (env AVISIM_SCENARIO,
                        default fresh-controller; built-in: ${builtinScenarios().join(', ')})
  --seed <n>            reproducible uuids and timestamps (env AVISIM_SEED)
  --state-file <f>      persist state to this JSON file and restore it at start (env AVISIM_STATE_FILE)
  --password <pw>       admin password (env AVISIM_PASSWORD; default: the scenario's, else generated and printed)
  --idle-timeout <min>  session idle timeout in minutes, 0 = never (env AVISIM_IDLE_TIMEOUT;
                        default: controllerproperties.api_idle_timeout, 15)
  --nsx-port <n|off>    a port of its own for the NSX-T manager stub, HTTPS with the Avi certificate (env AVISIM_NSX_PORT,
                        default off; the stub is always served on the Avi listeners too, under /policy/api/v1)
  --nsx-user <name>     NSX manager user (env AVISIM_NSX_USER; default: the scenario's nsxt.credentials, else admin)
  --nsx-password <pw>   NSX manager password (env AVISIM_NSX_PASSWORD; default: the scenario's, else generated and printed)
  --nsx-realization-delay <ms>  static routes stay IN_PROGRESS this long after each change before REALIZED
                        (env AVISIM_NSX_REALIZATION_DELAY, default 0)
  --mock <on|off>       the test-control plane under /_mock and X-Mock-Sandbox sandboxes (env AVISIM_MOCK, default on)
  --mock-token <t>      /_mock calls, and making a sandbox without API credentials or a valid login, need
                        X-Mock-Token: <t> (env AVISIM_MOCK_TOKEN; default: no token)
  --scenario-dir <dir>  a folder of scenario files POST /_mock/scenario may load by name (<dir>/<name>.yaml|.yml|.json)
                        besides the built-in ones; over the network a scenario is never loaded by path
                        (env AVISIM_SCENARIO_DIR; default: none)
  --journal-size <n>    requests kept in each scope's journal, 0 = none (env AVISIM_JOURNAL_SIZE, default 1000)
  --journal-bytes <n>   request body bytes kept in each scope's journal; past it the oldest bodies are kept as
                        truncated markers, as is any body over 256 KiB (env AVISIM_JOURNAL_BYTES, default ${DEFAULT_JOURNAL_BYTES})
  --max-sandboxes <n>   sandboxes alive at once (env AVISIM_MAX_SANDBOXES, default 1000)
  --headers-timeout <ms>  a request's line and headers (and a TLS handshake) must arrive within this, else 408 and
                        the connection is closed (env AVISIM_HEADERS_TIMEOUT, default ${DEFAULT_HEADERS_TIMEOUT_MS})
  --request-timeout <ms>  a whole request, body included, must arrive within this (env AVISIM_REQUEST_TIMEOUT,
                        default ${DEFAULT_REQUEST_TIMEOUT_MS}; at least the headers timeout)
  -h, --help            this text
`;

/** A whole number setting (>= 0). */
function parseCount(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number >= 0, got "${text}"`);
  return n;
}

function parseSwitch(text: string | undefined, name: string): boolean {
  const t = (text ?? 'on').trim().toLowerCase();
  if (['on', 'true', '1', 'yes'].includes(t)) return true;
  if (['off', 'false', '0', 'no'].includes(t)) return false;
  throw new Error(`${name} must be on or off, got "${text}"`);
}

/** A port setting: a number in 0..65535, or `off` (undefined). */
function parsePort(text: string, name: string): number | undefined {
  if (text.trim().toLowerCase() === 'off') return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw new Error(`${name} must be a port number (0-65535, 0 picks a free one) or "off", got "${text}"`);
  }
  return n;
}

async function main(): Promise<void> {
  const command = process.argv[2];
  if (command === 'record' || command === 'replay') {
    const { runCommand } = await import('./record/commands.js');
    process.exitCode = await runCommand(command, process.argv.slice(3));
    return;
  }
  if (command === 'validate') return void (process.exitCode = await (await import('./check/command.js')).runValidate(process.argv.slice(3)));
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'https-port': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      host: { type: 'string' },
      scenario: { type: 'string' },
      seed: { type: 'string' },
      'state-file': { type: 'string' },
      password: { type: 'string' },
      'idle-timeout': { type: 'string' },
      mock: { type: 'string' },
      'mock-token': { type: 'string' },
      'scenario-dir': { type: 'string' },
      'journal-size': { type: 'string' },
      'journal-bytes': { type: 'string' },
      'max-sandboxes': { type: 'string' },
      'headers-timeout': { type: 'string' },
      'request-timeout': { type: 'string' },
      'nsx-port': { type: 'string' },
      'nsx-user': { type: 'string' },
      'nsx-password': { type: 'string' },
      'nsx-realization-delay': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const env = process.env;
  const httpPort = parsePort(values.port ?? env.AVISIM_PORT ?? '8080', '--port / AVISIM_PORT');
  const httpsPort = parsePort(values['https-port'] ?? env.AVISIM_HTTPS_PORT ?? '8443', '--https-port / AVISIM_HTTPS_PORT');
  if (httpPort === undefined && httpsPort === undefined) {
    throw new Error('both listeners are off (--port off and --https-port off): turn at least one on');
  }
  const nsxPort = parsePort(values['nsx-port'] ?? env.AVISIM_NSX_PORT ?? 'off', '--nsx-port / AVISIM_NSX_PORT');
  const nsxDelay = parseDelay(values['nsx-realization-delay'] ?? env.AVISIM_NSX_REALIZATION_DELAY);
  const timeouts = parseTimeouts(values['headers-timeout'] ?? env.AVISIM_HEADERS_TIMEOUT, values['request-timeout'] ?? env.AVISIM_REQUEST_TIMEOUT);
  // This machine only unless told otherwise: /_mock needs no token by default, and a
  // simulator on a laptop should not be a controller anyone on the network can drive.
  const host = values.host ?? env.AVISIM_HOST ?? '127.0.0.1';
  const wildcard = host === '0.0.0.0' || host === '::';
  const seedText = values.seed ?? env.AVISIM_SEED;
  const started = performance.now();
  const [engine, tls] = await Promise.all([
    Engine.create({
      scenario: values.scenario ?? env.AVISIM_SCENARIO,
      seed: seedText !== undefined ? Number(seedText) : undefined,
      stateFile: values['state-file'] ?? env.AVISIM_STATE_FILE,
      adminPassword: values.password ?? env.AVISIM_PASSWORD,
      idleTimeoutMinutes: parseIdleTimeout(values['idle-timeout'] ?? env.AVISIM_IDLE_TIMEOUT),
      nsx: {
        username: values['nsx-user'] ?? env.AVISIM_NSX_USER,
        password: values['nsx-password'] ?? env.AVISIM_NSX_PASSWORD,
        realizationDelayMs: nsxDelay,
      },
    }),
    httpsPort === undefined && nsxPort === undefined
      ? undefined
      : loadOrGenerateTls({
          certFile: values['tls-cert'] ?? env.AVISIM_TLS_CERT,
          keyFile: values['tls-key'] ?? env.AVISIM_TLS_KEY,
          hostnames: wildcard ? [] : [host],
        }),
  ]);
  const mock = {
    enabled: parseSwitch(values.mock ?? env.AVISIM_MOCK, '--mock / AVISIM_MOCK'),
    token: values['mock-token'] ?? env.AVISIM_MOCK_TOKEN ?? undefined,
    journalSize: parseCount(values['journal-size'] ?? env.AVISIM_JOURNAL_SIZE, '--journal-size / AVISIM_JOURNAL_SIZE'),
    journalBytes: parseCount(values['journal-bytes'] ?? env.AVISIM_JOURNAL_BYTES, '--journal-bytes / AVISIM_JOURNAL_BYTES'),
    maxSandboxes: parseCount(values['max-sandboxes'] ?? env.AVISIM_MAX_SANDBOXES, '--max-sandboxes / AVISIM_MAX_SANDBOXES'),
    scenarioDir: scenarioDir(values['scenario-dir'] ?? env.AVISIM_SCENARIO_DIR),
  };
  const { listener, nsxListener } = await createListener(engine, { mock });
  // Both listeners serve the same handler; it tells them apart by req.socket.encrypted.
  const servers: Listening[] = [];
  const shown = wildcard ? 'localhost' : isIP(host) === 6 ? `[${host}]` : host;
  const urls: { base: string; note: string }[] = [];
  let nsxBase: string | undefined;
  try {
    // Plain HTTP is printed first: tools that take the first "Avi API:" line keep getting a URL
    // a plain client can use.
    if (httpPort !== undefined) {
      const server = await listen(listener, httpPort, host, undefined, timeouts);
      servers.push(server);
      urls.push({ base: `http://${shown}:${server.port}`, note: '' });
    }
    if (httpsPort !== undefined && tls) {
      const server = await listen(listener, httpsPort, host, { cert: tls.cert, key: tls.key }, timeouts);
      servers.push(server);
      urls.push({ base: `https://${shown}:${server.port}`, note: `  (${describeCert(tls, values['tls-cert'] ?? env.AVISIM_TLS_CERT)})` });
    }
    // The NSX-T manager stub on a port of its own, so clients can be given a separate manager host.
    if (nsxPort !== undefined && tls) {
      const server = await listen(nsxListener, nsxPort, host, { cert: tls.cert, key: tls.key }, timeouts);
      servers.push(server);
      nsxBase = `https://${shown}:${server.port}`;
    }
    const published = toPublic(urls, env); // what a client outside reaches: AVISIM_PUBLIC_URL / AVISIM_PUBLIC_PORTS
    if (nsxBase) nsxBase = publicOwnPort(nsxBase, published);
  } catch (e) {
    await Promise.all(servers.map((s) => s.close(0)));
    await engine.close();
    throw e;
  }
  const ms = (performance.now() - started).toFixed(0);
  console.log(`avisim ${engine.scenario.controller.version} ready in ${ms} ms (scenario ${engine.scenario.name})`);
  for (const { base, note } of urls) console.log(`  Avi API:   ${base}/api/${note}`);
  if (mock.enabled) {
    console.log(`  control:   ${urls[0]!.base}/_mock  (reset, scenario, snapshot, journal, verify, faults, sandboxes${mock.token ? '; needs X-Mock-Token' : ''})`);
    if (wildcard && !mock.token) console.log('             open to every client that can reach this port: --mock-token guards it, --mock off turns it off');
    if (mock.scenarioDir) console.log(`  scenarios: ${mock.scenarioDir}  (POST /_mock/scenario {"name"} loads them)`);
  } else console.log('  control:   off (--mock off)');
  const admin = engine.credentials.find((c) => c.username === ADMIN_USER)!;
  console.log(`  user:      admin  password: ${admin.password}  (POST /login, or HTTP Basic once allowed)`);
  console.log(`  NSX API:   ${nsxBase ?? urls[urls.length - 1]!.base}/policy/api/v1/${nsxBase ? '  (own port, same certificate)' : ''}`);
  if (engine.nsx.realizationDelayMs) console.log(`  NSX realization delay: ${engine.nsx.realizationDelayMs} ms`);
  console.log(`  NSX user:  ${engine.nsx.username}  password: ${engine.nsx.password}  (HTTP Basic, or POST /api/session/create)`);
  if (engine.persistence) console.log(`  state:     ${engine.persistence.file}`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // Stop accepting, let requests in flight finish (at most 2 s), then make the state durable.
    await Promise.all(servers.map((s) => s.close(2000)));
    await engine.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function parseIdleTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < 0 || n > 1440) {
    throw new Error(`--idle-timeout / AVISIM_IDLE_TIMEOUT must be whole minutes 0-1440, got "${text}"`);
  }
  return n;
}

function parseDelay(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < 0 || n > 3_600_000) {
    throw new Error(`--nsx-realization-delay / AVISIM_NSX_REALIZATION_DELAY must be whole milliseconds 0-3600000, got "${text}"`);
  }
  return n;
}

/** The scenario folder, absolute; it must be a directory. */
function scenarioDir(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  const dir = path.resolve(text);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`--scenario-dir / AVISIM_SCENARIO_DIR: ${text} is not a directory`);
  return dir;
}

function parseTimeouts(headers: string | undefined, request: string | undefined): Timeouts {
  const ms = (text: string | undefined, name: string): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (text.trim() === '' || !Number.isInteger(n) || n < 1 || n > 3_600_000) {
      throw new Error(`${name} must be whole milliseconds 1-3600000, got "${text}"`);
    }
    return n;
  };
  const headersTimeoutMs = ms(headers, '--headers-timeout / AVISIM_HEADERS_TIMEOUT') ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const requestTimeoutMs = ms(request, '--request-timeout / AVISIM_REQUEST_TIMEOUT') ?? Math.max(DEFAULT_REQUEST_TIMEOUT_MS, headersTimeoutMs);
  if (requestTimeoutMs < headersTimeoutMs) {
    throw new Error(`--request-timeout (${requestTimeoutMs} ms) must be at least --headers-timeout (${headersTimeoutMs} ms)`);
  }
  return { headersTimeoutMs, requestTimeoutMs };
}

function describeCert(tls: TlsMaterial, certFile: string | undefined): string {
  return `${tls.generated ? 'self-signed' : `certificate ${certFile}`}, SHA-256 ${tls.fingerprint}`;
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
