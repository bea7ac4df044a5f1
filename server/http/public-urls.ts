/**
 * The URLs the start-up banner prints, as a client outside reaches them. Inside a container
 * avisim listens on 8080/8443 of its own network namespace; the host reaches whatever `-p`
 * published, and a proxy or load balancer in front may have another name altogether. Two
 * settings tell avisim so:
 *
 *   AVISIM_PUBLIC_URL    base URLs clients use, comma-separated (`https://avi.lab:9443`); each
 *                        stands for the listener of its scheme
 *   AVISIM_PUBLIC_PORTS  the `-p` mappings, comma-separated, in docker's own syntax:
 *                        `HOSTPORT:PORT` or `ADDR:HOSTPORT:PORT` (`/tcp` allowed)
 *
 * When either is set, the banner shows only listeners it names (the others are not reachable
 * from outside as far as avisim is told); when neither is, the local addresses.
 */

export interface PublicSettings {
  /** public base URL per scheme ('http:' / 'https:'), without a trailing slash */
  urls: Map<string, string>;
  /** listener port → the host address and port it is published on */
  ports: Map<number, { host: string | undefined; port: number }>;
}

const PORT_MAPPING = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):)?(\d{1,5}):(\d{1,5})(?:\/tcp)?$/;

export function publicSettings(env: Record<string, string | undefined>): PublicSettings {
  const urls = new Map<string, string>();
  for (const text of list(env.AVISIM_PUBLIC_URL)) {
    const url = parseBase(text);
    if (urls.has(url.protocol)) throw new Error(`AVISIM_PUBLIC_URL names two ${url.protocol.slice(0, -1)} URLs: give one per scheme`);
    urls.set(url.protocol, `${url.origin}${url.pathname.replace(/\/+$/, '')}`);
  }
  const ports = new Map<number, { host: string | undefined; port: number }>();
  for (const text of list(env.AVISIM_PUBLIC_PORTS)) {
    const m = PORT_MAPPING.exec(text);
    const hostPort = Number(m?.[2]);
    const port = Number(m?.[3]);
    if (!m || !validPort(hostPort) || !validPort(port)) {
      throw new Error(`AVISIM_PUBLIC_PORTS: "${text}" is not a port mapping: HOSTPORT:PORT or ADDR:HOSTPORT:PORT, as given to -p`);
    }
    // Published on every host address: the host itself reaches it as localhost.
    const host = m[1] === undefined || m[1] === '0.0.0.0' || m[1] === '[::]' ? undefined : m[1];
    ports.set(port, { host, port: hostPort });
  }
  return { urls, ports };
}

/**
 * The base a client outside uses for a listener serving the Avi API (`http://localhost:8080`
 * style), or undefined when the settings leave it unpublished.
 */
export function publicBase(local: string, settings: PublicSettings): string | undefined {
  if (settings.urls.size === 0 && settings.ports.size === 0) return local;
  const url = new URL(local);
  const named = settings.urls.get(url.protocol);
  if (named !== undefined) return named;
  return mapped(url, settings);
}

/** A listener of its own (the NSX manager port): mapped ports apply, a public URL does not. */
export function publicOwnPort(local: string, settings: PublicSettings): string {
  return mapped(new URL(local), settings) ?? local;
}

/**
 * The banner's API lines, rewritten in place to what a client outside reaches; lines for
 * listeners left unpublished are dropped, unless that would drop them all.
 */
export function toPublic<T extends { base: string }>(lines: T[], env: Record<string, string | undefined>): PublicSettings {
  const settings = publicSettings(env);
  const kept = lines.flatMap((line) => {
    const base = publicBase(line.base, settings);
    return base === undefined ? [] : [{ ...line, base }];
  });
  if (kept.length > 0) lines.splice(0, lines.length, ...kept);
  return settings;
}

function mapped(url: URL, settings: PublicSettings): string | undefined {
  const to = settings.ports.get(Number(url.port || (url.protocol === 'https:' ? 443 : 80)));
  if (to === undefined) return undefined;
  return `${url.protocol}//${to.host ?? url.hostname}:${to.port}`;
}

function parseBase(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`AVISIM_PUBLIC_URL: "${text}" is not a URL (e.g. https://avi.lab:8443)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`AVISIM_PUBLIC_URL: "${text}" must be http:// or https://`);
  if (url.username || url.password || url.search || url.hash) {
    throw new Error(`AVISIM_PUBLIC_URL: "${text}" must be a base URL, without credentials, query or fragment`);
  }
  return url;
}

function list(text: string | undefined): string[] {
  return (text ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function validPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}
