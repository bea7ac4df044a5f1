/**
 * Contract: the Kubernetes vSphere cloud provider's route controller (routable pods)
 * against the target's NSX-T manager (in process: the stub on its own HTTPS port, what
 * `avisim --nsx-port` serves), over real TLS. The Tier-1 the routes go to is the run's own.
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
import { useTarget } from './support/target.js';
import type { Wire, WireResponse } from '../test/support/wire.js';

const t = useTarget();
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
  private readonly client: Wire = t.wire();

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
      Authorization: `Basic ${Buffer.from(`${t.nsxCredentials.username}:${t.nsxCredentials.password}`).toString('base64')}`,
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

const cl1Nodes: Node[] = [
  { name: 'cl1-control-plane-nh9n7', uid: '62d347a4-1b70-435e-b92a-9a61453843ee', ip: '172.16.128.63', podCIDR: '172.16.136.0/24' },
  { name: 'cl1-md-0-5789bbcb76-hbnqz', uid: 'a4775ec4-8b68-42ea-86fc-d17390e4c373', ip: '172.16.128.126', podCIDR: '172.16.137.0/24' },
  { name: 'cl1-md-0-5789bbcb76-abcde', uid: 'a57a555e-e4eb-49ad-af74-e11a7d7a8ad8', ip: '172.16.128.40', podCIDR: '172.16.138.0/24' },
];

/** the run's Tier-1 (NSXT_ROUTER_PATH), cluster name and base URL */
let T1: string;
let ROUTER: string;
let CL1: string;
let base: string;

beforeAll(async () => {
  T1 = `${t.prefix}tanzu-cl1`;
  ROUTER = `/infra/tier-1s/${T1}`;
  CL1 = `${t.prefix}cl1`;
  base = t.nsxUrl;
  // What the admin set up for the clusters: a Tier-1 advertising its static routes.
  const res = await t.nsx('PATCH', `/policy/api/v1${ROUTER}`, { display_name: T1, route_advertisement_types: ['TIER1_STATIC_ROUTES', 'TIER1_CONNECTED'] });
  expect(res.status, res.text).toBe(200);
});

describe('vSphere cloud provider route controller, over HTTPS', () => {
  let provider: RouteProvider;
  const routeUrl = (node: Node) => `/policy/api/v1/infra/tier-1s/${T1}/static-routes/${node.uid}_${node.podCIDR.replace('/', '_')}`;

  beforeAll(() => {
    provider = new RouteProvider(base, ROUTER);
  });
  afterAll(() => {
    provider.close();
  });

  it('a new cluster: empty search, then one PATCH per node pod CIDR, each realized', async () => {
    expect(await provider.listRoutes(CL1)).toEqual([]);
    await provider.reconcile(CL1, cl1Nodes);
    const patches = provider.calls.filter((c) => c.method === 'PATCH');
    expect(patches.map((c) => c.url)).toEqual(cl1Nodes.map(routeUrl));
    for (const p of patches) expect(p.res.text).toBe('');
    const polls = provider.calls.filter((c) => c.url.includes('realized-entities'));
    expect(polls.length).toBeGreaterThanOrEqual(3);
    await t.onAvisim('realized at the first poll: one realized-state GET per PATCH', 'a manager realizes in its own time; the stub at once unless told', () => {
      expect(polls).toHaveLength(3);
    });
  });

  it('the search by cluster tags finds them, with the node from the node-name tag', async () => {
    const routes = await provider.listRoutes(CL1);
    expect(routes.map((r) => [r.targetNode, r.destinationCIDR]).sort()).toEqual(cl1Nodes.map((n) => [n.name, n.podCIDR]).sort());
    expect(await provider.listRoutes(`${t.prefix}other`)).toEqual([]);
  });

  it('the stored route is what NSX would hold: next hop, default admin distance, display name, tags', async () => {
    const got = await provider['send']('GET', routeUrl(cl1Nodes[0]!));
    expect(got.body).toMatchObject({
      id: '62d347a4-1b70-435e-b92a-9a61453843ee_172.16.136.0_24',
      display_name: `${CL1}_cl1-control-plane-nh9n7_172.16.136.0/24`,
      network: '172.16.136.0/24',
      next_hops: [{ ip_address: '172.16.128.63', admin_distance: 1 }],
      resource_type: 'StaticRoutes',
      parent_path: ROUTER,
      _revision: 0,
    });
  });

  it('a second reconcile changes nothing (the routes are found, no PATCH)', async () => {
    const before = provider.calls.length;
    await provider.reconcile(CL1, cl1Nodes);
    expect(provider.calls.slice(before).map((c) => c.method)).toEqual(['GET']);
  });

  it('a node leaves: its route is deleted; the search no longer finds it', async () => {
    await provider.reconcile(CL1, cl1Nodes.slice(0, 2));
    const deletes = provider.calls.filter((c) => c.method === 'DELETE');
    expect(deletes.map((c) => c.url)).toEqual([routeUrl(cl1Nodes[2]!)]);
    expect(deletes[0]!.res.text).toBe('');
    expect((await provider.listRoutes(CL1)).map((r) => r.destinationCIDR).sort()).toEqual(['172.16.136.0/24', '172.16.137.0/24']);
  });

  it("the newer runtimes' QueryEscape encoding is understood the same way", async () => {
    const modern = new RouteProvider(base, ROUTER, goQueryEscape);
    try {
      expect((await modern.listRoutes(CL1)).length).toBe(2);
      expect(modern.calls[0]!.url).toContain(`%5C%2Fcluster-name%20AND%20tags.tag%3A${goQueryEscape(CL1)}`);
      await modern.createRoute(CL1, 'b0b0b0b0-0000-4000-8000-000000000001', { name: 'cl1-md-0-new', uid: 'x', ip: '172.16.128.77', podCIDR: '172.16.139.0/24' });
      expect((await modern.listRoutes(CL1)).length).toBe(3);
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
  afterEach(async () => {
    if (t.hasControlPlane) await t.control('DELETE', '/faults');
  });

  it('IN_PROGRESS for the delay, then REALIZED; the create completes after a few polls', async (ctx) => {
    t.needsControlPlane(ctx, 'the realization delay is set with POST /_mock/faults {kind: nsx_realization_delay}');
    await t.control('POST', '/faults', { kind: 'nsx_realization_delay', delay_ms: 1200 });
    const provider = new RouteProvider(base, ROUTER);
    try {
      const started = Date.now();
      await provider.createRoute(CL1, 'c0ffee00-0000-4000-8000-000000000002', { name: 'cl1-md-0-delayed', uid: 'd', ip: '172.16.128.78', podCIDR: '172.16.141.0/24' });
      const polls = provider.calls.filter((c) => c.url.includes('realized-entities'));
      expect(polls.length).toBeGreaterThanOrEqual(2);
      expect(polls[0]!.res.body.results[0].state).toBe('IN_PROGRESS');
      expect(polls.at(-1)!.res.body.results[0].state).toBe('REALIZED');
      expect(Date.now() - started).toBeGreaterThanOrEqual(1200);
    } finally {
      provider.close();
    }
  });

  it('a route that never realizes fails the create after 10 s of polling (fault injection)', async (ctx) => {
    t.needsControlPlane(ctx, 'the realization error is set with POST /_mock/faults {kind: nsx_realization_error}');
    await t.control('POST', '/faults', { kind: 'nsx_realization_error', path: `${ROUTER}/static-routes/u_172.16.140.0_24`, state: 'ERROR' });
    const provider = new RouteProvider(base, ROUTER, goPathEscape, 100);
    try {
      await expect(provider.createRoute(CL1, 'u', { name: 'n', uid: 'u', ip: '172.16.128.9', podCIDR: '172.16.140.0/24' })).rejects.toThrow(/not realized/);
      const states = provider.calls.filter((c) => c.url.includes('realized-entities')).map((c) => c.res.body.results[0].state);
      expect(new Set(states)).toEqual(new Set(['ERROR']));
    } finally {
      provider.close();
    }
  }, 20_000);
});
