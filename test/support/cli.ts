/**
 * The one way the suites, the contract runner, the bench and the scripts start a Node program
 * as a process of their own: `spawnCli` runs the `avisim` command from source (through tsx),
 * `spawnNode` any script (the bench's built servers). Output (stdout and stderr together) is
 * kept, so a caller waits for a banner line and reports it when the program fails.
 * Nothing here imports vitest: the bench and the scripts use it outside a test run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root (this file is test/support/cli.ts when run from source). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface SpawnOptions {
  /** Node's own flags, before the script */
  nodeArgs?: string[];
  /** variables set on top of the environment */
  env?: Record<string, string>;
  /** variables of this process left out, by name (e.g. /^AVISIM_/: the CLI reads them as settings) */
  dropEnv?: RegExp;
  cwd?: string;
}

export interface Spawned {
  child: ChildProcess;
  /** stdout and stderr so far */
  output(): string;
  /** the exit code (null after a signal) */
  exited: Promise<number | null>;
  /**
   * The first match of `pattern` in the output, once there is one; rejects when the process
   * exits first or after `timeoutMs`.
   */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** SIGTERM (the program finishes what is in flight), SIGKILL after 5 s */
  stop(): Promise<void>;
}

const live = new Set<Spawned>();

/** `node [nodeArgs] <script> [args]`. */
export function spawnNode(script: string, args: string[], options: SpawnOptions = {}): Spawned {
  const drop = options.dropEnv;
  const base = drop ? Object.fromEntries(Object.entries(process.env).filter(([k]) => !drop.test(k))) : process.env;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...args], {
    cwd: options.cwd,
    env: { ...base, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', () => resolve((code = null)));
    child.once('exit', (c) => resolve((code = c)));
  });
  const spawned: Spawned = {
    child,
    output: () => out,
    exited,
    waitFor: (pattern, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(out);
          if (!m) return false;
          done();
          resolve(m);
          return true;
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${script}: no ${pattern} within ${timeoutMs} ms:\n${out}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        if (check()) return;
        listeners.add(check);
        void exited.then((c) => {
          if (listeners.has(check) && !check()) {
            done();
            reject(new Error(`${script} exited (${c}) before ${pattern}:\n${out}`));
          }
        });
      }),
    stop: async () => {
      if (code === undefined && child.exitCode === null && child.signalCode === null) {
        const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.kill('SIGTERM');
        await exited;
        clearTimeout(kill);
      }
      live.delete(spawned);
    },
  };
  live.add(spawned);
  void exited.then(() => live.delete(spawned));
  return spawned;
}

/** `avisim <args>` from source (server/cli.ts through tsx), started in the project's root. */
export function spawnCli(args: string[], options: Omit<SpawnOptions, 'nodeArgs'> = {}): Spawned {
  return spawnNode(join(ROOT, 'server', 'cli.ts'), args, { cwd: ROOT, ...options, nodeArgs: ['--import', 'tsx'] });
}

/** Kills (SIGKILL) every process started here that still runs: a test's or a run's clean-up. */
export function killAll(): void {
  for (const s of live) s.child.kill('SIGKILL');
  live.clear();
}
