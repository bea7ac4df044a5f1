/**
 * How long `npm start` takes on an unchanged checkout: from running the command to the whole
 * banner printed, a few times over, the build brought up to date first (not counted).
 *
 *   npm run bench:start [-- <runs>]
 */
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const RUNS = Number(process.argv[2] ?? 5);

function once(): Promise<number> {
  const started = performance.now();
  const child = spawn('npm', ['start', '--silent', '--', '--port', '0', '--https-port', '0', '--log-level', 'silent'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const done = (d: Buffer) => {
      out += d.toString();
      if (/NSX user:.*\n/.test(out)) {
        const ms = performance.now() - started;
        process.kill(-child.pid!, 'SIGTERM'); // npm and the node it started
        resolve(ms);
      }
    };
    child.stdout!.on('data', done);
    child.stderr!.on('data', done);
    child.on('exit', (code) => reject(new Error(`npm start exited (${code}) before the banner:\n${out}`)));
  });
}

const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), '--if-stale'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(1);
const times: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const ms = await once();
  times.push(ms);
  console.log(`run ${i + 1}: banner after ${ms.toFixed(0)} ms`);
}
times.sort((a, b) => a - b);
// Wall time on a shared machine says little without how busy it was.
const [load] = os.loadavg();
console.log(`load average ${load!.toFixed(1)} on ${os.availableParallelism()} cores`);
console.log(`npm start on an unchanged checkout: median ${times[Math.floor(times.length / 2)]!.toFixed(0)} ms, best ${times[0]!.toFixed(0)} ms (${RUNS} runs)`);
process.exit(0);
