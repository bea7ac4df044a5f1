/**
 * Runs the `run:` steps of a GitHub Actions job on this machine, as the runner would: each as a
 * `bash -eo pipefail` script, with the workflow's, job's and step's `env`, the GITHUB_* variables
 * of the chosen ref, and `${{ }}` expressions filled in. What cannot run off GitHub is said, not
 * faked: `uses:` actions are not run (the working tree stands for actions/checkout, this
 * machine's node for actions/setup-node). Commands that publish run as stand-ins (bin/ beside
 * this file): `docker login` and `docker push` check the image exists and say what they would
 * do; `npm publish` becomes `npm publish --dry-run`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, unknown>;
  'working-directory'?: string;
}

export interface Job {
  needs?: string | string[];
  if?: string;
  env?: Record<string, unknown>;
  steps?: Step[];
  services?: unknown;
}

export interface Context {
  /** refs/heads/main, refs/tags/v1.2.3, ... */
  ref: string;
  owner: string;
  repo: string;
  /** where relative working directories start */
  cwd: string;
  /** step names (or commands) matching this are left out */
  skip?: RegExp;
  /** only step names (or commands) matching this run */
  only?: RegExp;
  /** extra variables, e.g. for a job's services */
  env?: Record<string, string>;
  /** maps a step's working-directory (for recipes that name a checkout of avisim elsewhere) */
  workingDirectory?: (dir: string) => string;
}

export type Outcome = 'ran' | 'skipped' | 'failed';

export const SHIMS = path.join(import.meta.dirname, 'bin');

/** The GitHub context values the expressions here may name. */
function githubValues(ctx: Context): Record<string, string> {
  const refName = ctx.ref.replace(/^refs\/(heads|tags)\//, '');
  return {
    'github.ref': ctx.ref,
    'github.ref_name': refName,
    'github.repository_owner': ctx.owner,
    'github.repository': `${ctx.owner}/${ctx.repo}`,
    'github.actor': ctx.owner,
    'github.event_name': 'push',
    'runner.temp': tmpdir(),
  };
}

/** `${{ expr }}` in text: a context value, or a secret (a placeholder: the stand-ins use none). */
export function expand(text: string, ctx: Context): string {
  const values = githubValues(ctx);
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
    if (Object.hasOwn(values, expr)) return values[expr]!;
    const secret = /^secrets\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(expr);
    if (secret) return `local-stand-in-for-${secret[1]}`;
    throw new Error(`expression not known to the local runner: \${{ ${expr} }}`);
  });
}

/** The `if:` forms the workflows here use: startsWith(ctx, 'lit'), ctx == 'lit', always() and the like, joined by &&. */
export function condition(expr: string | undefined, ctx: Context): boolean {
  if (expr === undefined) return true;
  const values = githubValues(ctx);
  const value = (name: string) => {
    if (!Object.hasOwn(values, name)) throw new Error(`if: names ${name}, not known to the local runner`);
    return values[name]!;
  };
  return expr
    .replace(/^\$\{\{\s*|\s*\}\}$/g, '')
    .split('&&')
    .every((part) => {
      const p = part.trim();
      // The runner stops at the first failure, so a step it reaches follows only successes.
      if (p === 'always()' || p === 'success()') return true;
      if (p === 'failure()' || p === 'cancelled()') return false;
      let m = /^startsWith\(\s*([\w.]+)\s*,\s*'([^']*)'\s*\)$/.exec(p);
      if (m) return value(m[1]!).startsWith(m[2]!);
      m = /^([\w.]+)\s*(==|!=)\s*'([^']*)'$/.exec(p);
      if (m) return (value(m[1]!) === m[3]) === (m[2] === '==');
      throw new Error(`if: ${expr}: a form the local runner does not read`);
    });
}

function environment(ctx: Context, ...layers: (Record<string, unknown> | undefined)[]): NodeJS.ProcessEnv {
  const refName = ctx.ref.replace(/^refs\/(heads|tags)\//, '');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_REF: ctx.ref,
    GITHUB_REF_NAME: refName,
    GITHUB_REF_TYPE: ctx.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    GITHUB_REPOSITORY: `${ctx.owner}/${ctx.repo}`,
    GITHUB_REPOSITORY_OWNER: ctx.owner,
    GITHUB_ACTOR: ctx.owner,
    RUNNER_TEMP: mkdtempSync(path.join(tmpdir(), 'avisim-runner-')),
    PATH: `${SHIMS}${path.delimiter}${process.env.PATH ?? ''}`,
    ...ctx.env,
  };
  for (const layer of layers) for (const [k, v] of Object.entries(layer ?? {})) env[k] = expand(String(v), ctx);
  return env;
}

/** Runs one job's steps in order; stops at the first failure. */
export function runJob(name: string, job: Job, ctx: Context, workflowEnv?: Record<string, unknown>): Outcome {
  if (!condition(job.if, ctx)) {
    console.log(`\n### job ${name}: if: ${job.if} is false for ${ctx.ref}: not run`);
    return 'skipped';
  }
  console.log(`\n### job ${name} (${ctx.ref})`);
  for (const [i, step] of (job.steps ?? []).entries()) {
    const label = step.name ?? step.uses ?? step.run?.split('\n')[0] ?? `step ${i + 1}`;
    if (step.uses) {
      console.log(`--- ${label}: an action, not run here (${standsIn(step.uses)})`);
      continue;
    }
    if (step.run === undefined) continue;
    const text = `${label}\n${step.run}`;
    if ((ctx.only && !ctx.only.test(text)) || ctx.skip?.test(text)) {
      console.log(`--- ${label}: left out (--only / --skip)`);
      continue;
    }
    if (!condition(step.if, ctx)) {
      console.log(`--- ${label}: if: ${step.if} is false for ${ctx.ref}`);
      continue;
    }
    console.log(`--- ${label}`);
    const dir = step['working-directory'];
    const cwd = dir === undefined ? ctx.cwd : path.resolve(ctx.cwd, ctx.workingDirectory ? ctx.workingDirectory(dir) : dir);
    const script = path.join(mkdtempSync(path.join(tmpdir(), 'avisim-step-')), 'step.sh');
    writeFileSync(script, expand(step.run, ctx));
    const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd,
      env: environment(ctx, workflowEnv, job.env, step.env),
      stdio: 'inherit',
    });
    if (result.status !== 0) {
      console.log(`--- ${label}: FAILED (exit ${result.status ?? result.signal})`);
      return 'failed';
    }
  }
  return 'ran';
}

function standsIn(uses: string): string {
  if (uses.startsWith('actions/checkout@')) return 'the working tree stands for the checkout';
  if (uses.startsWith('actions/setup-node@')) return `this machine's node ${process.version} stands for it`;
  return 'needs GitHub';
}
