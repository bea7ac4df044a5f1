/**
 * `GET /`: what a person (or a script) finds at the simulator's root. A browser gets a small
 * HTML page, anything else JSON: both list the same links, relative to the root so the page
 * works behind any published port or proxy and echoes nothing the client sent.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface LandingFacts {
  /** the emulated controller version (public on a controller too: /api/initial-data) */
  version: string;
  /** the test-control plane is served */
  mock: boolean;
  /** /_mock calls need X-Mock-Token */
  mockToken: boolean;
}

interface Link {
  name: string;
  href: string;
  about: string;
}

/** The root itself (`/`, `//`, with or without a query), read with GET or HEAD. */
export function isLanding(req: IncomingMessage): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && (req.url ?? '/').split('?')[0] === '/';
}

export function landingLinks(facts: LandingFacts): Link[] {
  const links: Link[] = [
    { name: 'api', href: '/api/initial-data', about: 'Avi REST API (public: initial-data, cluster/status; everything else after POST /login)' },
    { name: 'login', href: '/login', about: 'POST {"username", "password"}: a session cookie and the csrftoken writes send back as X-CSRFToken' },
    { name: 'nsx', href: '/policy/api/v1/infra/tier-1s', about: 'NSX-T Policy API stub (HTTP Basic with the NSX user)' },
  ];
  if (facts.mock) {
    const guard = facts.mockToken ? ' (needs X-Mock-Token)' : '';
    links.push(
      { name: 'control', href: '/_mock', about: `test-control plane: reset, scenario, snapshot, journal, verify, faults, sandboxes${guard}` },
      { name: 'inspector', href: '/_mock/ui/', about: `web inspector: objects, topology, journal${guard}` },
      { name: 'docs', href: '/_mock/openapi.json', about: `OpenAPI document of the test-control plane${guard}` },
    );
  }
  return links;
}

/** JSON unless the client asks for HTML first (a browser does; curl's `*\/*` gets JSON). */
export function wantsHtml(accept: string | undefined): boolean {
  let html = 0;
  let json = 0;
  for (const part of (accept ?? '').split(',')) {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q)) continue;
    if (type === 'text/html' || type === 'application/xhtml+xml') html = Math.max(html, q);
    else if (type === 'application/json') json = Math.max(json, q);
  }
  return html > 0 && html >= json;
}

export function sendLanding(req: IncomingMessage, res: ServerResponse, facts: LandingFacts): void {
  const links = landingLinks(facts);
  const html = wantsHtml(req.headers.accept);
  const text = html
    ? page(facts, links)
    : JSON.stringify({ simulator: 'avisim', controller_version: facts.version, links: Object.fromEntries(links.map((l) => [l.name, l.href])), about: links });
  res.writeHead(200, {
    'Content-Type': html ? 'text/html; charset=utf-8' : 'application/json',
    'Content-Length': Buffer.byteLength(text),
    Vary: 'Accept',
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}

function page(facts: LandingFacts, links: Link[]): string {
  const items = links.map((l) => `    <li><a href="${escape(l.href)}">${escape(l.href)}</a> — ${escape(l.about)}</li>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>avisim</title>
  <style>body{font:15px/1.5 system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em}code{background:#f3f3f3;padding:0 .2em}</style>
</head>
<body>
  <h1>avisim</h1>
  <p>A simulated VMware Avi controller, version ${escape(facts.version)}.</p>
  <ul>
${items}
  </ul>
  <p>Log in like an SDK: <code>POST /login</code> with <code>{"username": "admin", "password": "…"}</code>, then send the
  session cookie, and on writes the <code>csrftoken</code> cookie's value as <code>X-CSRFToken</code>.</p>
</body>
</html>
`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
