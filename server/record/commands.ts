/**
 * `avisim record` and `avisim replay`: the command-line faces of the recording proxy and the
 * replayer. Each returns the process exit status rather than exiting, so tests can call them.
 */
import { parseArgs } from 'node:util';
import { startRecordProxy } from './proxy.js';
import { formatResult, formatSummary, loadExchanges, replay } from './replay.js';

export const RECORD_HELP = `avisim record: a proxy that records a client's session with a controller as a scenario

Usage: avisim record --upstream <controller URL> --out <file.yaml> [options]

Point the client at the proxy's URL instead of the controller's. Every request (the Avi API,
/login, /logout, the NSX-T API under /policy/api, /api/v1 and /api/session/create) goes to the
controller unchanged; base URLs in answers are rewritten so the client keeps using the proxy.
The scenario file is rewritten shortly after each exchange and on SIGINT/SIGTERM.

  --upstream <url>   the controller, e.g. https://10.0.0.5 (required)
  --out <file>       the scenario file to write (required)
  --port <n>         port to listen on (default 8090; 0 picks a free one)
  --host <addr>      address to listen on (default 127.0.0.1)
  --https            listen over HTTPS with a self-signed certificate made at start
  --insecure         do not verify the controller's certificate (needed for self-signed ones,
                     which controllers and avisim serve by default)
  --base <name>      the scenario the recorded controller started from (default fresh-controller)
  --name <name>      the scenario's name (default: the file name)
  -q, --quiet        do not print a line per exchange
  -h, --help         this text

Passwords, tokens, cookies, CSRF tokens, credentials and private keys are written as <scrubbed>.
`;

export const REPLAY_HELP = `avisim replay: sends a recorded scenario's exchanges to a controller and compares the answers

Usage: avisim replay <file>... --target <URL> [options]

Each file is a scenario written by avisim record, or a vcrpy cassette (YAML or JSON, as the Avi
Python SDK's and Ansible/pytest suites record them); each is replayed on its own, with its own
fidelity report. A cassette's logins are made with --username/--password instead of its own.

  --target <url>          the controller or avisim to replay against (required)
  --username <name>       user for the recorded logins (env AVISIM_USERNAME; default: the recorded one)
  --password <pw>         password for the recorded logins (env AVISIM_PASSWORD)
  --nsx-username <name>   NSX manager user (env AVISIM_NSX_USER; default: --username)
  --nsx-password <pw>     NSX manager password (env AVISIM_NSX_PASSWORD; default: --password)
  --insecure              do not verify the target's certificate
  --report <text|json>    the report's form (default text: a line per exchange and a summary)
  -h, --help              this text

uuids and _last_modified stamps are mapped to the live ones as they appear; timestamps, base
URLs, cookies and tokens are normalised before comparing. Exit status: 0 when every exchange
matches, 1 when any does not, 2 when the replay could not run.

Against avisim, start it with --seed <n> (e.g. avisim --seed 1 --password <pw>) so its uuids,
timestamps and allocated IPs are reproducible from one replay to the next.
`;

type Out = (text: string) => void;

export async function runRecord(argv: string[], out: Out = (t) => process.stdout.write(t), err: Out = (t) => process.stderr.write(t)): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      upstream: { type: 'string' },
      out: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      https: { type: 'boolean' },
      insecure: { type: 'boolean' },
      base: { type: 'string' },
      name: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out(RECORD_HELP);
    return 0;
  }
  if (!values.upstream || !values.out) {
    err(`avisim record: --upstream and --out are required\n\n${RECORD_HELP}`);
    return 2;
  }
  const port = Number(values.port ?? '8090');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    err(`avisim record: --port must be a port number (0-65535), got "${values.port}"\n`);
    return 2;
  }
  const proxy = await startRecordProxy({
    upstream: values.upstream,
    out: values.out,
    port,
    host: values.host,
    https: values.https,
    insecure: values.insecure,
    base: values.base,
    name: values.name,
    log: values.quiet ? undefined : (line) => out(`${line}\n`),
  });
  out(`avisim record: proxy ${proxy.url} → ${new URL(values.upstream).origin}\n  writing ${values.out}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await proxy.close();
  out(`avisim record: wrote ${values.out} (${proxy.recorder.exchanges.length} exchanges, ${proxy.recorder.objects.size} objects)\n`);
  return 0;
}

export async function runReplay(argv: string[], out: Out = (t) => process.stdout.write(t), err: Out = (t) => process.stderr.write(t)): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      target: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      'nsx-username': { type: 'string' },
      'nsx-password': { type: 'string' },
      insecure: { type: 'boolean' },
      report: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out(REPLAY_HELP);
    return 0;
  }
  if (!positionals.length || !values.target) {
    err(`avisim replay: give a scenario file (or several) and --target\n\n${REPLAY_HELP}`);
    return 2;
  }
  const report = values.report ?? 'text';
  if (report !== 'text' && report !== 'json') {
    err(`avisim replay: --report is text or json, got "${report}"\n`);
    return 2;
  }
  const env = process.env;
  const options = {
    target: values.target,
    username: values.username ?? (env.AVISIM_USERNAME || undefined),
    password: values.password ?? (env.AVISIM_PASSWORD || undefined),
    nsxUsername: values['nsx-username'] ?? (env.AVISIM_NSX_USER || undefined),
    nsxPassword: values['nsx-password'] ?? (env.AVISIM_NSX_PASSWORD || undefined),
    insecure: values.insecure,
  };
  // one fidelity report per file (scenario or cassette), each replayed on its own
  const reports: object[] = [];
  let status = 0;
  for (const file of positionals) {
    try {
      const exchanges = await loadExchanges(file);
      if (exchanges.length === 0) {
        err(`avisim replay: ${file} has no exchanges to replay (a scenario written by avisim record, or a vcrpy cassette, holds them)\n`);
        return 2;
      }
      if (report === 'text' && positionals.length > 1) out(`${file}\n`);
      const result = await replay(exchanges, { ...options, onResult: report === 'text' ? (r) => out(`${formatResult(r)}\n`) : undefined });
      if (report === 'json') reports.push({ file, ...result, summary: formatSummary(result) });
      else out(`${positionals.length > 1 ? `${file}: ` : ''}${formatSummary(result)}\n`);
      if (!result.ok) status = 1;
    } catch (e) {
      err(`avisim replay: could not run: ${(e as Error).message}\n`);
      return 2;
    }
  }
  if (report === 'json') out(`${JSON.stringify(positionals.length > 1 ? reports : reports[0], null, 2)}\n`);
  return status;
}

/** `avisim <command> …` for record and replay; a usage error (an unknown flag) is status 2. */
export async function runCommand(command: 'record' | 'replay', argv: string[]): Promise<number> {
  endQuietlyOnClosedPipe();
  try {
    return await (command === 'record' ? runRecord(argv) : runReplay(argv));
  } catch (e) {
    const usage = (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`avisim ${command}: ${(e as Error).message}\n${usage ? `(avisim ${command} --help lists the options)\n` : ''}`);
    return usage ? 2 : 1;
  }
}

/**
 * Output piped into a reader that stops early (`| head`) closes the pipe: the command ends
 * there, quietly, as other command-line tools do, instead of dying on an unhandled EPIPE.
 */
export function endQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
}
