/**
 * Runs the CI recipes of docs/ci.md (the blocks after `<!-- recipe: NAME -->`) and
 * docs/docker-compose.yml with this machine's Docker engine, each building the image as the
 * recipe does. Exits 1 when one fails, 2 when they could not run (no engine, ports taken).
 *
 *   npx tsx scripts/ci-recipes.ts [NAME...]      names: github-build, gitlab-dind, compose
 *
 * AVISIM_BUILD_CA (a CA bundle) is handed to npm in the builds, for a TLS-intercepting proxy.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { runJob, SHIMS, type Job } from './ci/steps.js';

const root = path.resolve(import.meta.dirname, '..');
const env = { ...process.env, PATH: `${SHIMS}${path.delimiter}${process.env.PATH ?? ''}` };

/** The YAML block after each `<!-- recipe: NAME -->` marker of a Markdown file. */
export function recipes(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of markdown.matchAll(/<!-- recipe: ([\w-]+) -->\s*```ya?ml\n([\s\S]*?)```/g)) out.set(m[1]!, m[2]!);
  return out;
}

function sh(cmd: string, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): number {
  console.log(`$ ${cmd}`);
  return spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', cmd], { cwd: options.cwd ?? root, env: options.env ?? env, stdio: 'inherit' }).status ?? 1;
}

function removeContainer(name: string): void {
  spawnSync('docker', ['rm', '-f', name], { env, stdio: 'ignore' });
}

function githubBuild(text: string): boolean {
  const doc = yaml.load(text) as { jobs: Record<string, Job> };
  removeContainer('avisim');
  try {
    // This checkout stands for the job's `path: avisim`; the job's own checkout is not needed.
    const ctx = { ref: 'refs/heads/main', owner: 'avisim-local', repo: 'avisim', cwd: root, workingDirectory: () => '.' };
    return Object.entries(doc.jobs).every(([name, job]) => runJob(name, job, ctx) !== 'failed');
  } finally {
    removeContainer('avisim');
  }
}

function gitlabDind(text: string): boolean {
  const doc = yaml.load(text) as Record<string, { variables?: Record<string, string>; script: string[]; after_script?: string[] }>;
  const [name, job] = Object.entries(doc)[0]!;
  console.log(`\n### ${name}`);
  // The job's own variables, then what differs on this machine: the engine is local, not a
  // dind service, and its published ports are on localhost.
  const vars: NodeJS.ProcessEnv = { ...env, ...job.variables, AVISIM_SRC: root, AVISIM_URL: 'http://127.0.0.1:8080' };
  delete vars.DOCKER_HOST;
  removeContainer('avisim');
  try {
    return job.script.every((line) => sh(line, { env: vars }) === 0);
  } finally {
    for (const line of job.after_script ?? []) sh(line, { env: vars });
    removeContainer('avisim');
  }
}

/** The compose file as shipped, with its placeholder client replaced by one that logs in. */
function compose(): boolean {
  console.log('\n### docs/docker-compose.yml');
  const file = path.join(root, 'docs', 'docker-compose.yml');
  if (sh(`docker-compose -f ${JSON.stringify(file)} config -q`) !== 0) return false;
  const doc = yaml.load(readFileSync(file, 'utf8')) as { services: Record<string, Record<string, unknown>> };
  const avisim = doc.services.avisim!;
  avisim.build = { context: path.resolve(path.dirname(file), (avisim.build as { context: string }).context) };
  doc.services.client = {
    ...doc.services.client,
    image: 'avisim',
    entrypoint: ['node', '-e', CLIENT],
  };
  const dir = mkdtempSync(path.join(tmpdir(), 'avisim-compose-'));
  const exercised = path.join(dir, 'docker-compose.yml');
  writeFileSync(exercised, yaml.dump(doc));
  const project = `-p avisim-recipe -f ${JSON.stringify(exercised)}`;
  try {
    return sh(`docker-compose ${project} up --build --abort-on-container-exit --exit-code-from client`) === 0;
  } finally {
    sh(`docker-compose ${project} down -v`);
  }
}

/** The stand-in client: logs in over HTTPS with the compose file's settings, reads a cloud. */
const CLIENT = `
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
const base = 'https://' + process.env.AVI_CONTROLLER;
(async () => {
  const login = await fetch(base + '/login', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: process.env.AVI_USERNAME, password: process.env.AVI_PASSWORD }) });
  if (login.status !== 200) throw new Error('login: ' + login.status);
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const cloud = await (await fetch(base + '/api/cloud?name=Default-Cloud', { headers: { cookie } })).json();
  if (cloud.count !== 1) throw new Error('no Default-Cloud');
  console.log('client: logged in to', base, 'and read', cloud.results[0].name);
})().catch((e) => { console.error('client:', e.message); process.exit(1); });
`;

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer().once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

async function main(): Promise<number> {
  if (spawnSync('docker', ['info'], { env, stdio: 'ignore' }).status !== 0) {
    console.error('could not run: no Docker engine answers `docker info` (docs/docker.md says how to run one)');
    return 2;
  }
  for (const port of [8080, 8443]) {
    if (!(await portFree(port))) {
      console.error(`could not run: host port ${port} is taken, and the recipes publish on it`);
      return 2;
    }
  }
  const blocks = recipes(readFileSync(path.join(root, 'docs', 'ci.md'), 'utf8'));
  const runs: Record<string, () => boolean> = {
    'github-build': () => githubBuild(blocks.get('github-build')!),
    'gitlab-dind': () => gitlabDind(blocks.get('gitlab-dind')!),
    compose,
  };
  const wanted = process.argv.slice(2);
  const results: string[] = [];
  let code = 0;
  for (const [name, run] of Object.entries(runs)) {
    if (wanted.length && !wanted.includes(name)) continue;
    const ok = run();
    results.push(`${name}: ${ok ? 'passed' : 'FAILED'}`);
    if (!ok) code = 1;
  }
  console.log(`\n${results.join('\n')}`);
  return code;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) process.exitCode = await main();
