/**
 * Contract: the Kubernetes vSphere cloud provider's route controller (routable pods, contract §8)
 * against the NSX-T stub on its own HTTPS port (what `avisim --nsx-port` serves), over real TLS.
 *
 * `RouteProvider` below does on the wire what cloud-provider-vsphere
 * pkg/cloudprovider/vsphere/route/routeprovider.go does through the vsphere-automation Go SDK:
 * - ListRoutes: GET /policy/api/v1/search/query?query=resource_type:StaticRoutes AND
 *   tags.scope:vsphere.k8s.io\/cluster-name AND tags.tag:<cluster> (one page, no cursor; the
 *   query value PathEscaped by runtime v0.7.0, QueryEscaped with `+` → %20 by newer runtimes),
 *   reading id, network and the vsphere.k8s.io/node-name tag of each hit;
 * - CreateRoute: PATCH .../tier-1s/<t1>/static-routes/<node UID>_<cidr with / → _> with the
 *   generateStaticRoute body (keys in encoding/json order), then polls realized-entities for the
 *   intent path every second for up to 10 s until a result is REALIZED;
 * - DeleteRoute: DELETE .../static-routes/<id>.
 * Basic auth on every request, `Content-Type: application/json`, a vAPI User-Agent. The Go SDK
 * fails any response whose Content-Type is not JSON, so that is checked on every answer.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../server/engine.js';
import { listen, type Listening } from '../server/http/listen.js';
import { loadOrGenerateTls } from '../server/http/tls.js';
import { createNsxListener } from '../server/nsxt/index.js';
import { WireClient, type WireResponse } from '../test/support/listening.js';

const NSX_USER = 'admin';
const NSX_PASSWORD = 'NSXTPASSWORD';
const SCENARIO = 'seeds/routable-pods-nsxt.yaml';
const CLUSTER_SCOPE = 'vsphere.k8s.io/cluster-name';
const NODE_SCOPE = 'vsphere.k8s.io/node-name';

/** Go's url.PathEscape (runtime v0.7.0 query values). */
function goPathEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%(24|26|2B|2C|3A|3B|3D|40)/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** Go's url.QueryEscape, then `+` → %20 (newer runtimes). */
function goQueryEscape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

interface Node {
  name: string;
  uid: string;
  ip: string;
  podCIDR: string;
}

interface Route {
  name: string;
  targetNode: string;
  destinationCIDR: string;
}

/** What the route controller does on the wire, one method per cloudprovider.Routes call. */
class RouteProvider {
  readonly calls: { method: string; url: string; res: WireResponse }[] = [];
  private readonly client = new WireClient();

  constructor(
    private readonly base: string,
    private readonly routerPath: string,
    private readonly escape: (s: string) => string = goPathEscape,
    private readonly pollMs = 1000,
  ) {}

  private get t1(): string {
    return this.routerPath.split('/').pop()!;
  }

  private async send(method: string, path: string, body?: unknown): Promise<WireResponse> {
    const url = `${this.base}${path}`;
    const headers: Record<string, string> = {
      Authorization: `Basic ${Buffer.from(`${NSX_USER}:${NSX_PASSWORD}`).toString('base64')}`,
      Accept: 'application/json',
      'User-Agent': 'vAPI/2.100.0 Go/go1.19 (linux; amd64)',
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await this.client.send({ method, url, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    this.calls.push({ method, url: path, res });
    // the Go SDK refuses any answer that is not JSON
    expect(res.headers['content-type'], `${method} ${path}`).toMatch(/^application\/json/);
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
    return res;
  }

  async listRoutes(clusterName: string): Promise<Route[]> {
    const query = `resource_type:StaticRoutes AND tags.scope:${CLUSTER_SCOPE.replace(/\//g, '\\/')} AND tags.tag:${clusterName}`;
    const res = await this.send('GET', `/policy/api/v1/search/query?query=${this.escape(query)}`);
    expect(Number.isInteger(res.body.result_count)).toBe(true);
    expect(res.body.cursor ?? '').toBe('');
    return (res.body.results as any[]).map((r) => {
      // the provider dereferences these without checks
      expect(r.id).toBeTypeOf('string');
      expect(r.network).toBeTypeOf('string');
      expect(Array.isArray(r.tags)).toBe(true);
      const node = (r.tags as { scope: string; tag: string }[]).find((t) => t.scope === NODE_SCOPE)?.tag ?? '';
      return { name: r.id, targetNode: node, destinationCIDR: r.network };
    });
  }

  async createRoute(clusterName: string, nameHint: string, node: Node): Promise<string> {
    const id = `${nameHint}_${node.podCIDR.replace(/\//g, '_')}`;
    // generateStaticRoute, serialised by encoding/json (keys sorted, unset optionals omitted)
    const body = {
      display_name: `${clusterName}_${node.name}_${node.podCIDR}`,
      network: node.podCIDR,
      next_hops: [{ ip_address: node.ip }],
      tags: [
        { scope: CLUSTER_SCOPE, tag: clusterName },
        { scope: NODE_SCOPE, tag: node.name },
      ],
    };
    const res = await this.send('PATCH', `/policy/api/v1/infra/tier-1s/${this.t1}/static-routes/${id}`, body);
    expect(res.status).toBe(200);
    await this.waitRealized(id);
    return id;
  }

  /** checkStaticRouteRealizedState: PollImmediate(1 s, 10 s) until a result is REALIZED. */
  private async waitRealized(routeId: string): Promise<number> {
    const intentPath = [this.routerPath, 'static-routes', routeId].join('/');
    const deadline = Date.now() + 10_000;
    for (let polls = 1; ; polls++) {
      const res = await this.send('GET', `/policy/api/v1/infra/realized-state/realized-entities?intent_path=${this.escape(intentPath)}`);
      for (const r of res.body.results as any[]) {
        expect(r.state).toBeTypeOf('string');
        if (r.state === 'REALIZED' && r.intent_paths[0] === intentPath) return polls;
      }
      if (Date.now() + this.pollMs > deadline) throw new Error(`route ${routeId} not realized after 10 s`);
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  async deleteRoute(route: Route): Promise<void> {
    const res = await this.send('DELETE', `/policy/api/v1/infra/tier-1s/${this.t1}/static-routes/${route.name}`);
    expect(res.status).toBe(200);
  }

  /** The k8s route controller's reconcile: a route per node pod CIDR, none for nodes gone. */
  async reconcile(clusterName: string, nodes: Node[]): Promise<void> {
    const routes = await this.listRoutes(clusterName);
    for (const node of nodes) {
      if (!routes.some((r) => r.targetNode === node.name && r.destinationCIDR === node.podCIDR)) {
        await this.createRoute(clusterName, node.uid, node);
      }
    }
    for (const r of routes) {
      if (!nodes.some((n) => n.name === r.targetNode && n.podCIDR === r.destinationCIDR)) await this.deleteRoute(r);
    }
  }

  close(): void {
    this.client.close();
  }
}

async function startNsx(delayMs?: number): Promise<{ engine: Engine; server: Listening; base: string }> {
  const engine = await Engine.create({ scenario: SCENARIO, nsx: { realizationDelayMs: delayMs } });
  const tls = await loadOrGenerateTls({ hostnames: ['127.0.0.1'] });
  const server = await listen(createNsxListener(engine), 0, '127.0.0.1', { cert: tls.cert, key: tls.key });
  return { engine, server, base: `https://127.0.0.1:${server.port}` };
}

const cl1Nodes: Node[] = [
  { name: 'cl1-control-plane-nh9n7', uid: '62d347a4-1b70-435e-b92a-9a61453843ee', ip: '172.16.128.63', podCIDR: '172.16.136.0/24' },
  { name: 'cl1-md-0-5789bbcb76-hbnqz', uid: 'a4775ec4-8b68-42ea-86fc-d17390e4c373', ip: '172.16.128.126', podCIDR: '172.16.137.0/24' },
  { name: 'cl1-md-0-5789bbcb76-abcde', uid: 'a57a555e-e4eb-49ad-af74-e11a7d7a8ad8', ip: '172.16.128.40', podCIDR: '172.16.138.0/24' },
];

describe('vSphere cloud provider route controller, over HTTPS', () => {
  let nsx: Awaited<ReturnType<typeof startNsx>>;
  let provider: RouteProvider;

  beforeAll(async () => {
    nsx = await startNsx();
    provider = new RouteProvider(nsx.base, '/infra/tier-1s/tanzu-cl1');
  });
  afterAll(async () => {
    provider.close();
    await nsx.server.close(0);
    await nsx.engine.close();
  });

  it('a new cluster: empty search, then one PATCH per node pod CIDR, each realized at the first poll', async () => {
    expect(await provider.listRoutes('cl1')).toEqual([]);
    await provider.reconcile('cl1', cl1Nodes);
    const patches = provider.calls.filter((c) => c.method === 'PATCH');
    expect(patches.map((c) => c.url)).toEqual([
      '/policy/api/v1/infra/tier-1s/tanzu-cl1/static-routes/62d347a4-1b70-435e-b92a-9a61453843ee_172.16.136.0_24',
      '/policy/api/v1/infra/tier-1s/tanzu-cl1/static-routes/a4775ec4-8b68-42ea-86fc-d17390e4c373_172.16.137.0_24',
      '/policy/api/v1/infra/tier-1s/tanzu-cl1/static-routes/a57a555e-e4eb-49ad-af74-e11a7d7a8ad8_172.16.138.0_24',
    ]);
    for (const p of patches) expect(p.res.text).toBe('');
    // immediate realization: exactly one realized-state GET per PATCH
    expect(provider.calls.filter((c) => c.url.includes('realized-entities'))).toHaveLength(3);
  });

  it('the search by cluster tags finds them, with the node from the node-name tag', async () => {
    const routes = await provider.listRoutes('cl1');
    expect(routes.map((r) => [r.targetNode, r.destinationCIDR]).sort()).toEqual(cl1Nodes.map((n) => [n.name, n.podCIDR]).sort());
    expect(await provider.listRoutes('other')).toEqual([]);
  });

  it('the stored route is what NSX would hold: next hop, default admin distance, display name, tags', async () => {
    const got = await provider['send']('GET', '/policy/api/v1/infra/tier-1s/tanzu-cl1/static-routes/62d347a4-1b70-435e-b92a-9a61453843ee_172.16.136.0_24');
    expect(got.body).toMatchObject({
      id: '62d347a4-1b70-435e-b92a-9a61453843ee_172.16.136.0_24',
      display_name: 'cl1_cl1-control-plane-nh9n7_172.16.136.0/24',
      network: '172.16.136.0/24',
      next_hops: [{ ip_address: '172.16.128.63', admin_distance: 1 }],
      resource_type: 'StaticRoutes',
      parent_path: '/infra/tier-1s/tanzu-cl1',
      _revision: 0,
    });
  });

  it('a second reconcile changes nothing (the routes are found, no PATCH)', async () => {
    const before = provider.calls.length;
    await provider.reconcile('cl1', cl1Nodes);
    expect(provider.calls.slice(before).map((c) => c.method)).toEqual(['GET']);
  });

  it('a node leaves: its route is deleted; the search no longer finds it', async () => {
    await provider.reconcile('cl1', cl1Nodes.slice(0, 2));
    const deletes = provider.calls.filter((c) => c.method === 'DELETE');
    expect(deletes.map((c) => c.url)).toEqual([
      '/policy/api/v1/infra/tier-1s/tanzu-cl1/static-routes/a57a555e-e4eb-49ad-af74-e11a7d7a8ad8_172.16.138.0_24',
    ]);
    expect(deletes[0]!.res.text).toBe('');
    expect((await provider.listRoutes('cl1')).map((r) => r.destinationCIDR).sort()).toEqual(['172.16.136.0/24', '172.16.137.0/24']);
  });

  it('the newer runtimes\' QueryEscape encoding is understood the same way', async () => {
    const modern = new RouteProvider(nsx.base, '/infra/tier-1s/tanzu-cl1', goQueryEscape);
    try {
      expect((await modern.listRoutes('cl1')).length).toBe(2);
      expect(modern.calls[0]!.url).toContain('%5C%2Fcluster-name%20AND%20tags.tag%3Acl1');
      await modern.createRoute('cl1', 'b0b0b0b0-0000-4000-8000-000000000001', { name: 'cl1-md-0-new', uid: 'x', ip: '172.16.128.77', podCIDR: '172.16.139.0/24' });
      expect((await modern.listRoutes('cl1')).length).toBe(3);
    } finally {
      modern.close();
    }
  });

  it('every request carried Basic auth and got JSON back', () => {
    expect(provider.calls.length).toBeGreaterThan(10);
    for (const c of provider.calls) expect(c.res.headers['content-type']).toMatch(/^application\/json/);
  });
});

describe('realization delay: the provider polls until REALIZED', () => {
  let nsx: Awaited<ReturnType<typeof startNsx>>;
  afterEach(async () => {
    await nsx.server.close(0);
    await nsx.engine.close();
  });

  it('IN_PROGRESS for the delay, then REALIZED; the create completes after a few polls', async () => {
    nsx = await startNsx(1200);
    const provider = new RouteProvider(nsx.base, '/infra/tier-1s/tanzu-cl1');
    try {
      const started = Date.now();
      await provider.createRoute('cl1', cl1Nodes[0]!.uid, cl1Nodes[0]!);
      const polls = provider.calls.filter((c) => c.url.includes('realized-entities'));
      expect(polls.length).toBeGreaterThanOrEqual(2);
      expect(polls[0]!.res.body.results[0].state).toBe('IN_PROGRESS');
      expect(polls.at(-1)!.res.body.results[0].state).toBe('REALIZED');
      expect(Date.now() - started).toBeGreaterThanOrEqual(1200);
    } finally {
      provider.close();
    }
  });

  it('a route that never realizes fails the create after 10 s of polling (fault injection)', async () => {
    nsx = await startNsx();
    nsx.engine.nsx.forcedState.set('/infra/tier-1s/tanzu-cl1/static-routes/u_172.16.140.0_24', 'ERROR');
    const provider = new RouteProvider(nsx.base, '/infra/tier-1s/tanzu-cl1', goPathEscape, 100);
    try {
      await expect(provider.createRoute('cl1', 'u', { name: 'n', uid: 'u', ip: '172.16.128.9', podCIDR: '172.16.140.0/24' })).rejects.toThrow(/not realized/);
      const states = provider.calls.filter((c) => c.url.includes('realized-entities')).map((c) => c.res.body.results[0].state);
      expect(new Set(states)).toEqual(new Set(['ERROR']));
    } finally {
      provider.close();
    }
  }, 20_000);
});
