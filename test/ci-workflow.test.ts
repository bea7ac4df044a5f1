/**
 * The GitHub Actions workflow cannot run here: it is checked as YAML, for what it must do on a
 * tag, and its commands run through scripts/ci-local.ts's runner (the tag check for real; the
 * stand-ins that keep publishing on this machine against fake clients).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import yaml from 'js-yaml';
import { existsSync } from 'node:fs';
import { jobOrder, readWorkflows } from '../scripts/ci-local.js';
import { recipes } from '../scripts/ci-recipes.js';
import { condition, expand, runJob, SHIMS, type Context, type Job } from '../scripts/ci/steps.js';

const root = path.resolve(import.meta.dirname, '..');
const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version as string;
const workflows = readWorkflows();
const release = workflows.get('release.yml') as unknown as { on: any; jobs: Record<string, Job> };
const TAG = `refs/tags/v${version}`;
const ctx = (ref: string, extra: Partial<Context> = {}): Context => ({ ref, owner: 'Acme', repo: 'avisim', cwd: root, ...extra });
const steps = (job: string) => release.jobs[job]!.steps!;
const step = (job: string, name: string) => steps(job).find((s) => s.name === name)!;
const onTag = "startsWith(github.ref, 'refs/tags/v')";

describe('.github/workflows', () => {
  it('parse as YAML, every job in an order its needs allow', () => {
    expect([...workflows.keys()]).toEqual(['release.yml']);
    expect(jobOrder(release.jobs)).toEqual(['test', 'image', 'package']);
    expect(release.on.push.tags).toEqual(['v*']);
    expect(release.on).toHaveProperty('pull_request');
  });

  it('test, then build and check the image, then publish image and package only on a tag', () => {
    expect(steps('test').map((s) => s.run?.trim()).filter(Boolean)).toEqual(
      expect.arrayContaining(['npm ci --no-audit --no-fund', 'npm test', 'npm run --silent attack']),
    );
    expect(release.jobs.image!.needs).toBe('test');
    expect(step('image', 'build the image').run).toContain('docker build -t avisim:ci .');
    expect(step('image', 'the image serves').run).toContain('docker run -d');
    expect(step('image', 'push the image').if).toBe(onTag);
    expect(step('image', 'push the image').run).toContain('docker push');
    expect(step('image', 'log in to ghcr.io').if).toBe(onTag);
    expect(release.jobs.package!.if).toBe(onTag);
    expect(release.jobs.package!.needs).toBe('test');
    expect(step('package', 'publish to npm').run).toContain('npm publish');
    expect(step('package', 'publish to npm').env).toEqual({ NODE_AUTH_TOKEN: '${{ secrets.NPM_TOKEN }}' });
    // Every publishing command sits behind the tag condition.
    for (const [name, job] of Object.entries(release.jobs)) {
      for (const s of job.steps ?? []) {
        if (/docker push|docker login|npm publish/.test(s.run ?? '')) expect(s.if ?? job.if, `${name}: ${s.name}`).toBe(onTag);
      }
    }
  });

  it('pins every action to a major version and uses only expressions the local runner knows', () => {
    for (const job of Object.values(release.jobs)) {
      for (const s of job.steps ?? []) {
        if (s.uses) expect(s.uses).toMatch(/^[\w-]+\/[\w-]+@v\d+$/);
        for (const text of [s.run ?? '', ...Object.values(s.env ?? {}).map(String)]) expect(() => expand(text, ctx(TAG))).not.toThrow();
        expect(() => condition(s.if, ctx(TAG))).not.toThrow();
      }
      expect(() => condition(job.if, ctx(TAG))).not.toThrow();
    }
    expect(condition(onTag, ctx('refs/heads/main'))).toBe(false);
    expect(() => expand('${{ github.event.head_commit.message }}', ctx(TAG))).toThrow(/not known/);
  });

  it("the tag check passes for package.json's version and fails for another (run as the workflow has it)", () => {
    const only = /^tag matches/;
    expect(runJob('test', release.jobs.test!, ctx(TAG, { only }))).toBe('ran');
    expect(runJob('test', release.jobs.test!, ctx('refs/tags/v0.0.0-not-this', { only }))).toBe('failed');
    // On a branch the step is not run at all.
    expect(runJob('test', release.jobs.test!, ctx('refs/heads/main', { only }))).toBe('ran');
  });
});

describe('the local stand-ins for publishing', () => {
  /** A fake client that records its arguments, earlier on PATH than anything real. */
  function fake(name: string): { dir: string; calls: () => string[] } {
    const dir = mkdtempSync(path.join(tmpdir(), `fake-${name}-`));
    const log = path.join(dir, 'calls');
    writeFileSync(path.join(dir, name), `#!/usr/bin/env bash\necho "$*" >> ${JSON.stringify(log)}\n`);
    chmodSync(path.join(dir, name), 0o755);
    return { dir, calls: () => readFileSync(log, 'utf8').trim().split('\n') };
  }
  const run = (cmd: string, dir: string, input = '') =>
    spawnSync('bash', ['-c', cmd], { input, encoding: 'utf8', env: { ...process.env, PATH: `${SHIMS}:${dir}:/usr/bin:/bin` } });

  it('docker push and login never reach the real client; build gets BuildKit and the CA secret', () => {
    const docker = fake('docker');
    const push = run('docker push ghcr.io/acme/avisim:1.0.0', docker.dir);
    expect(push.status).toBe(0);
    expect(push.stdout).toContain('not run here');
    expect(run('echo tok | docker login ghcr.io -u acme --password-stdin', docker.dir).status).toBe(0);
    const ca = path.join(docker.dir, 'ca.pem');
    writeFileSync(ca, 'not really a CA');
    expect(run(`AVISIM_BUILD_CA=${ca} docker build -t avisim:ci .`, docker.dir).status).toBe(0);
    expect(run('docker ps -a', docker.dir).status).toBe(0);
    const calls = docker.calls();
    expect(calls.filter((c) => /^(push|login)\b/.test(c))).toEqual([]);
    expect(calls).toContain('image inspect ghcr.io/acme/avisim:1.0.0');
    expect(calls).toContain(`build --secret id=npm_ca,src=${ca} -t avisim:ci .`);
    expect(calls).toContain('ps -a');
  });

  it('npm publish becomes a dry run without provenance', () => {
    const npm = fake('npm');
    expect(run('npm publish --provenance --access public && npm ci', npm.dir).status).toBe(0);
    expect(npm.calls()).toEqual(['publish --dry-run --access public', 'ci']);
  });
});

describe('docs/ci.md recipes and docs/docker-compose.yml', () => {
  const blocks = recipes(readFileSync(path.join(root, 'docs', 'ci.md'), 'utf8'));

  it('every marked recipe parses and builds the image in the job', () => {
    expect([...blocks.keys()]).toEqual(['github-build', 'gitlab-dind']);
    const github = yaml.load(blocks.get('github-build')!) as { jobs: Record<string, Job> };
    const runs = Object.values(github.jobs).flatMap((j) => j.steps ?? []);
    expect(runs.map((s) => s.run ?? '').join('\n')).toMatch(/docker build -t avisim \.\n\s*docker run -d/);
    for (const s of runs) {
      expect(() => expand(s.run ?? '', ctx('refs/heads/main'))).not.toThrow();
      expect(() => condition(s.if, ctx('refs/heads/main'))).not.toThrow();
    }
    const gitlab = yaml.load(blocks.get('gitlab-dind')!) as Record<string, { script: string[] }>;
    expect(Object.values(gitlab)[0]!.script[0]).toBe('docker build -t avisim "$AVISIM_SRC"');
  });

  it('the compose file builds avisim from the checkout when there is no image, and the client waits for it healthy', () => {
    const doc = yaml.load(readFileSync(path.join(root, 'docs', 'docker-compose.yml'), 'utf8')) as any;
    const context = path.resolve(root, 'docs', doc.services.avisim.build.context);
    expect(existsSync(path.join(context, 'Dockerfile'))).toBe(true);
    expect(doc.services.avisim.image).toBe('avisim');
    expect(doc.services.client.depends_on).toEqual({ avisim: { condition: 'service_healthy' } });
    expect(doc.services.client.environment.AVI_PASSWORD).toBe(doc.services.avisim.environment.AVISIM_PASSWORD);
  });
});
