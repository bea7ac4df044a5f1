/**
 * What `avisim` was asked to do, from its command line, its environment and its config file, in
 * that order of precedence: every serving flag `--x-y` has the environment twin `AVISIM_X_Y` and
 * the config key `x-y`. Each value is checked here, before anything starts.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { EngineOptions } from '../engine.js';
import type { Timeouts } from '../http/listen.js';
import type { MockOptions } from '../mock/scopes.js';
import { CONFIG_FILE, readConfig } from './config.js';
import * as v from './values.js';
import type { LogFormat, LogLevel } from '../log.js';

/** The serving flags; each but basic-auth takes a value. */
const FLAGS = [
  'port', 'https-port', 'tls-cert', 'tls-key', 'host', 'scenario', 'seed', 'state-file', 'password', 'basic-auth',
  'idle-timeout', 'mock', 'mock-token', 'scenario-dir', 'journal-size', 'journal-bytes', 'max-sandboxes',
  'headers-timeout', 'request-timeout', 'nsx-port', 'nsx-user', 'nsx-password', 'nsx-realization-delay',
  'log-level', 'log-format',
] as const;
type Flag = (typeof FLAGS)[number];

export const envName = (flag: string) => `AVISIM_${flag.toUpperCase().replaceAll('-', '_')}`;

export interface Settings {
  httpPort?: number;
  httpsPort?: number;
  nsxPort?: number;
  host: string;
  /** listening on every interface */
  wildcard: boolean;
  tlsCert?: string;
  tlsKey?: string;
  engine: EngineOptions;
  mock: MockOptions & { enabled: boolean };
  timeouts: Timeouts;
  log: { level: LogLevel; format: LogFormat };
  /** the config file read, if any */
  configFile?: string;
}

export type Invocation =
  | { action: 'help' }
  | { action: 'version'; scenario?: string }
  | { action: 'serve'; settings: Settings };

export function readInvocation(argv: string[], env: NodeJS.ProcessEnv, cwd = process.cwd()): Invocation {
  const options = Object.fromEntries(FLAGS.map((f) => [f, { type: f === 'basic-auth' ? ('boolean' as const) : ('string' as const) }]));
  const { values: given } = parseArgs({
    args: argv,
    options: { ...options, config: { type: 'string' }, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
  });
  const values = given as Record<string, string | boolean | undefined>;
  if (values.help) return { action: 'help' };
  const configFile = configPath(values.config as string | undefined, env, cwd);
  const fromFile = configFile ? readConfig(configFile, FLAGS) : new Map<string, string>();
  const raw = (flag: Flag): string | undefined => {
    const flagValue = values[flag];
    if (flagValue !== undefined) return flagValue === true ? 'on' : String(flagValue);
    return env[envName(flag)] ?? fromFile.get(flag);
  };
  if (values.version) return { action: 'version', scenario: raw('scenario') };
  return { action: 'serve', settings: settingsOf(raw, configFile) };
}

/** --config, else AVISIM_CONFIG, else ./avisim.config.yaml when there is one. */
function configPath(given: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  const named = given ?? env.AVISIM_CONFIG;
  if (named !== undefined && named !== '') {
    const file = path.resolve(cwd, named);
    if (!existsSync(file)) throw new Error(`--config / AVISIM_CONFIG: ${named} does not exist`);
    return file;
  }
  const local = path.join(cwd, CONFIG_FILE);
  return existsSync(local) ? local : undefined;
}

function settingsOf(raw: (flag: Flag) => string | undefined, configFile: string | undefined): Settings {
  const name = (flag: Flag) => `--${flag} / ${envName(flag)}`;
  const httpPort = v.parsePort(raw('port') ?? '8080', name('port'));
  const httpsPort = v.parsePort(raw('https-port') ?? '8443', name('https-port'));
  if (httpPort === undefined && httpsPort === undefined) {
    throw new Error('both listeners are off (--port off and --https-port off): turn at least one on');
  }
  // This machine only unless told otherwise: /_mock needs no token by default, and a
  // simulator on a laptop should not be a controller anyone on the network can drive.
  const host = raw('host') ?? '127.0.0.1';
  return {
    httpPort,
    httpsPort,
    nsxPort: v.parsePort(raw('nsx-port') ?? 'off', name('nsx-port')),
    host,
    wildcard: host === '0.0.0.0' || host === '::',
    tlsCert: raw('tls-cert'),
    tlsKey: raw('tls-key'),
    engine: {
      scenario: raw('scenario'),
      seed: v.parseSeed(raw('seed'), name('seed')),
      stateFile: raw('state-file'),
      adminPassword: raw('password'),
      idleTimeoutMinutes: v.parseIdleTimeout(raw('idle-timeout'), name('idle-timeout')),
      basicAuth: v.parseSwitch(raw('basic-auth') ?? 'off', name('basic-auth')),
      nsx: {
        username: raw('nsx-user'),
        password: raw('nsx-password'),
        realizationDelayMs: v.parseDelay(raw('nsx-realization-delay'), name('nsx-realization-delay')),
      },
    },
    mock: {
      enabled: v.parseSwitch(raw('mock'), name('mock')),
      token: raw('mock-token'),
      journalSize: v.parseCount(raw('journal-size'), name('journal-size')),
      journalBytes: v.parseCount(raw('journal-bytes'), name('journal-bytes')),
      maxSandboxes: v.parseCount(raw('max-sandboxes'), name('max-sandboxes')),
      scenarioDir: v.scenarioDir(raw('scenario-dir'), name('scenario-dir')),
    },
    timeouts: v.parseTimeouts(raw('headers-timeout'), raw('request-timeout')),
    log: { level: v.parseLogLevel(raw('log-level'), name('log-level')), format: v.parseLogFormat(raw('log-format'), name('log-format')) },
    configFile,
  };
}
