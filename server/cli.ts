#!/usr/bin/env node
/**
 * `avisim`: serves a simulated Avi controller, over HTTPS (as real controllers do, with a
 * self-signed certificate unless one is given) and over plain HTTP, both on the same handler.
 * Settings come from flags, their environment variable twins and a config file
 * (server/cli/args.ts), so the same settings work in a container.
 */
import { isIP } from 'node:net';
import { Engine } from './engine.js';
import { createListener } from './http/app.js';
import { publicOwnPort, toPublic } from './http/public-urls.js';
import { loadOrGenerateTls } from './http/tls.js';
import { listen, type Listening } from './http/listen.js';
import { readInvocation, type Settings } from './cli/args.js';
import { bannerLines, describeCert, type Served } from './cli/banner.js';
import { packageVersion, versionText } from './cli/version.js';
import { createLogger, withRequestLog } from './log.js';

async function main(): Promise<void> {
  const command = process.argv[2];
  if (command === 'record' || command === 'replay') {
    const { runCommand } = await import('./record/commands.js');
    process.exitCode = await runCommand(command, process.argv.slice(3));
    return;
  }
  if (command === 'validate') return void (process.exitCode = await (await import('./check/command.js')).runValidate(process.argv.slice(3)));
  const asked = readInvocation(process.argv.slice(2), process.env);
  if (asked.action === 'help') {
    const { helpText } = await import('./cli/help.js');
    process.stdout.write(helpText());
  } else if (asked.action === 'version') {
    process.stdout.write(await versionText(asked.scenario));
  } else {
    await serve(asked.settings);
  }
}

async function serve(settings: Settings): Promise<void> {
  const { host, wildcard, timeouts } = settings;
  const started = performance.now();
  const [engine, tls] = await Promise.all([
    Engine.create(settings.engine),
    settings.httpsPort === undefined && settings.nsxPort === undefined
      ? undefined
      : loadOrGenerateTls({ certFile: settings.tlsCert, keyFile: settings.tlsKey, hostnames: wildcard ? [] : [host] }),
  ]);
  const logger = createLogger(settings.log.level, settings.log.format);
  const simulator = await createListener(engine, { mock: settings.mock });
  const listener = withRequestLog(simulator.listener, logger);
  const nsxListener = withRequestLog(simulator.nsxListener, logger);
  // Both listeners serve the same handler; it tells them apart by req.socket.encrypted.
  const servers: Listening[] = [];
  const shown = wildcard ? 'localhost' : isIP(host) === 6 ? `[${host}]` : host;
  const served: Served = { urls: [] };
  try {
    if (settings.httpPort !== undefined) {
      const server = await listen(listener, settings.httpPort, host, undefined, timeouts);
      servers.push(server);
      served.urls.push({ base: `http://${shown}:${server.port}`, note: '' });
    }
    if (settings.httpsPort !== undefined && tls) {
      const server = await listen(listener, settings.httpsPort, host, { cert: tls.cert, key: tls.key }, timeouts);
      servers.push(server);
      served.urls.push({ base: `https://${shown}:${server.port}`, note: `  (${describeCert(tls, settings.tlsCert)})` });
    }
    // The NSX-T manager stub on a port of its own, so clients can be given a separate manager host.
    if (settings.nsxPort !== undefined && tls) {
      const server = await listen(nsxListener, settings.nsxPort, host, { cert: tls.cert, key: tls.key }, timeouts);
      servers.push(server);
      served.nsxBase = `https://${shown}:${server.port}`;
    }
    // what a client outside reaches: AVISIM_PUBLIC_URL / AVISIM_PUBLIC_PORTS (server/http/public-urls.ts)
    const published = toPublic(served.urls, process.env);
    if (served.nsxBase) served.nsxBase = publicOwnPort(served.nsxBase, published);
  } catch (e) {
    await Promise.all(servers.map((s) => s.close(0)));
    await engine.close();
    throw e;
  }
  console.log(bannerLines(engine, settings, served, packageVersion(), performance.now() - started).join('\n'));

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // Stop accepting, let requests in flight finish (at most 2 s), then make the state durable.
    await Promise.all(servers.map((s) => s.close(2000)));
    await engine.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
