#!/usr/bin/env node
/**
 * Compiles the TypeScript into dist/ from scratch and stamps it, so later runs can tell
 * whether it is current.
 *
 *   node scripts/build.mjs             always build (npm pack: no file of an older build is shipped)
 *   node scripts/build.mjs --if-stale  build only when a source is newer than the last build
 *                                       (npm's prepare step of a git install, the benchmarks)
 *   node scripts/build.mjs --serve ... the same, then run the server in this process with the
 *                                       arguments after --serve (npm start: one node, not two)
 *
 * Plain JavaScript with no dependency: it runs before anything is compiled, and `npm start` on
 * an unchanged checkout should cost no more than this walk over the sources.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.build-stamp');
/** What the output depends on: tsconfig.build.json compiles server/ and bench/, build:ui bundles ui/. */
const INPUTS = ['server', 'bench', 'ui', 'scripts/build-ui.ts', 'tsconfig.json', 'tsconfig.build.json'];

/** The newest modification under `p` (directories too: a deleted or renamed file changes its folder). */
function newest(p) {
  const st = statSync(p, { throwIfNoEntry: false });
  if (!st) return { time: 0, file: p };
  let best = { time: st.mtimeMs, file: p };
  if (st.isDirectory()) {
    for (const name of readdirSync(p)) {
      const found = newest(path.join(p, name));
      if (found.time > best.time) best = found;
    }
  }
  return best;
}

/** Why a build is needed, or undefined when dist/ is current. */
function staleReason() {
  const built = statSync(stamp, { throwIfNoEntry: false });
  if (!built) return existsSync(dist) ? 'dist/ was not built by this script' : 'no dist/ yet';
  for (const input of INPUTS) {
    const found = newest(path.join(root, input));
    if (found.time > built.mtimeMs) return `${path.relative(root, found.file)} changed since the last build`;
  }
  return undefined;
}

function build() {
  // From scratch: output of sources since deleted or moved would otherwise linger and be shipped.
  rmSync(dist, { recursive: true, force: true });
  // `npm run build` stays the one definition of a build (the image runs it too).
  const npmCli = process.env.npm_execpath;
  const [cmd, args] = npmCli && /\.[cm]?js$/.test(npmCli) ? [process.execPath, [npmCli]] : ['npm', []];
  const run = spawnSync(cmd, [...args, 'run', '--silent', 'build'], { stdio: 'inherit', cwd: root });
  if (run.status !== 0) {
    // No stamp: the next start tries again instead of running output of sources that failed.
    process.stderr.write('avisim: the build failed (see above)\n');
    process.exit(run.status ?? 1);
  }
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
}

const serveAt = process.argv.indexOf('--serve');
if (serveAt > 0 || process.argv.includes('--if-stale')) {
  const reason = staleReason();
  if (reason) {
    process.stderr.write(`avisim: building… (${reason})\n`);
    const started = performance.now();
    build();
    process.stderr.write(`avisim: built in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
  if (serveAt > 0) {
    // The server reads its arguments from process.argv.slice(2), as when started itself.
    process.argv.splice(2, serveAt - 1);
    await import(pathToFileURL(path.join(dist, 'server', 'cli.js')).href);
  }
} else {
  build();
}
