/**
 * Runs the `run:` commands of .github/workflows/*.yml here, job by job in `needs` order, for a
 * ref (default: the tag of package.json's version, so the publishing steps run too, as their
 * stand-ins: see scripts/ci/steps.ts). Exits 1 when a step fails, 2 when it could not run.
 *
 *   npx tsx scripts/ci-local.ts [--ref refs/heads/main] [--job image]... [--only RE] [--skip RE]
 *
 * The image job needs a Docker engine (docs/docker.md says how to run one here); with
 * AVISIM_BUILD_CA the build hands npm that CA bundle.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import yaml from 'js-yaml';
import { runJob, type Job } from './ci/steps.js';

const root = path.resolve(import.meta.dirname, '..');

interface Workflow {
  env?: Record<string, unknown>;
  jobs: Record<string, Job>;
}

export function readWorkflows(dir = path.join(root, '.github', 'workflows')): Map<string, Workflow> {
  const out = new Map<string, Workflow>();
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    out.set(file, yaml.load(readFileSync(path.join(dir, file), 'utf8')) as Workflow);
  }
  return out;
}

/** Job names so that each comes after the jobs it needs. */
export function jobOrder(jobs: Record<string, Job>): string[] {
  const done: string[] = [];
  const visit = (name: string, trail: string[]) => {
    if (done.includes(name)) return;
    if (trail.includes(name)) throw new Error(`jobs need each other: ${[...trail, name].join(' -> ')}`);
    if (!Object.hasOwn(jobs, name)) throw new Error(`a job needs ${name}, which is not there`);
    const needs = jobs[name]!.needs;
    for (const n of typeof needs === 'string' ? [needs] : needs ?? []) visit(n, [...trail, name]);
    done.push(name);
  };
  for (const name of Object.keys(jobs)) visit(name, []);
  return done;
}

function dockerEngine(): boolean {
  return spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
}

function main(): number {
  const { values } = parseArgs({
    options: {
      ref: { type: 'string' },
      job: { type: 'string', multiple: true },
      only: { type: 'string' },
      skip: { type: 'string' },
    },
  });
  const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const ctx = {
    ref: values.ref ?? `refs/tags/v${version}`,
    owner: 'avisim-local',
    repo: 'avisim',
    cwd: root,
    only: values.only ? new RegExp(values.only) : undefined,
    skip: values.skip ? new RegExp(values.skip) : undefined,
  };
  const results: string[] = [];
  let code = 0;
  for (const [file, workflow] of readWorkflows()) {
    const failed = new Set<string>();
    for (const name of jobOrder(workflow.jobs)) {
      if (values.job && !values.job.includes(name)) continue;
      const job = workflow.jobs[name]!;
      const needs = typeof job.needs === 'string' ? [job.needs] : job.needs ?? [];
      if (needs.some((n) => failed.has(n))) {
        results.push(`${file} ${name}: not run (a job it needs failed)`);
        failed.add(name);
        continue;
      }
      if (JSON.stringify(job.steps ?? []).includes('docker ') && !dockerEngine()) {
        results.push(`${file} ${name}: COULD NOT RUN (no Docker engine answers \`docker info\`)`);
        code = Math.max(code, 2);
        failed.add(name);
        continue;
      }
      const outcome = runJob(name, job, ctx, workflow.env);
      results.push(`${file} ${name}: ${outcome}`);
      if (outcome === 'failed') {
        failed.add(name);
        code = Math.max(code, 1);
      }
    }
  }
  console.log(`\n${results.join('\n')}`);
  return code;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) process.exitCode = main();
