/**
 * `npm run contract [-- <vitest options>]`: the contract suites against a controller.
 *
 * With AVISIM_TARGET set, vitest runs contract-tests/ against that URL (credentials and the
 * other settings from the environment: see contract-tests/README.md). Without it, an avisim is
 * started first as a process of its own (the fresh-controller scenario plus a second local user,
 * free ports on 127.0.0.1, a known password, the NSX-T stub on a port of its own), the suites
 * run against its HTTPS URL exactly as they would against a real controller, and it is stopped
 * afterwards. Exits with vitest's status.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, startAvisimProcess } from '../contract-tests/support/process.js';
import { SECOND_USER } from '../contract-tests/support/scenario.js';

const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');

function runVitest(env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, [VITEST, 'run', '--config', join(ROOT, 'vitest.contract.config.ts'), ...process.argv.slice(2)], {
    cwd: ROOT,
    env,
    stdio: 'inherit',
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

async function main(): Promise<number> {
  if (process.env.AVISIM_TARGET) {
    console.log(`contract suites against ${process.env.AVISIM_TARGET}`);
    return runVitest(process.env);
  }
  const avisim = await startAvisimProcess();
  try {
    console.log(`contract suites against an avisim started for them: ${avisim.https} (NSX-T ${avisim.nsx})`);
    return await runVitest({
      ...process.env,
      AVISIM_TARGET: avisim.https,
      AVISIM_USERNAME: 'admin',
      AVISIM_PASSWORD: avisim.password,
      AVISIM_NSX_TARGET: avisim.nsx,
      AVISIM_INSECURE: '1',
      AVISIM_SECOND_USERNAME: SECOND_USER.username,
      AVISIM_SECOND_PASSWORD: SECOND_USER.password,
    });
  } finally {
    await avisim.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
