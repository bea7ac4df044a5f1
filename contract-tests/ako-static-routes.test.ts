/**
 * Contract: static-route sync of two clusters that share one VRF (the shared SE
 * group environment of the field notes). AKO ≥1.11 reads the VRF and PUTs it back with its own
 * routes merged: keep routes without labels or with another cluster's label, replace its own.
 * Run concurrently, one writer gets 412, re-reads and retries; no route is lost. AKO ≤1.10
 * PATCHes instead.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { akoEnv, type AkoEnv, type Data } from './support/ako.js';
import { useTarget } from './support/target.js';

const t = useTarget();
let env: AkoEnv;
let vrfUuid: string;
/** the run's names for the two clusters and the admin's hand-made route */
let GUEST1: string;
let GUEST2: string;
let ADMIN_ROUTE: string;

const v4 = (addr: string) => ({ addr, type: 'V4' });

/** One route per node: pod CIDR via node IP, labelled with the cluster, id `<cluster>-<uuid4>-<idx>`. */
function clusterRoutes(cluster: string, nodes: Array<[string, string]>): Data[] {
  const id = randomUUID();
  return nodes.map(([podCidr, nodeIp], i) => {
    const [addr, mask] = podCidr.split('/');
    return {
      route_id: `${cluster}-${id}-${i}`,
      prefix: { ip_addr: v4(addr!), mask: Number(mask) },
      next_hop: v4(nodeIp),
      labels: [{ key: 'clustername', value: cluster }],
    };
  });
}

const NODES: Record<'guest1' | 'guest2', Array<[string, string]>> = {
  guest1: [
    ['100.96.1.0/24', '10.114.1.56'],
    ['100.96.2.0/24', '10.114.1.57'],
    ['100.96.3.0/24', '10.114.1.59'],
  ],
  guest2: [
    ['100.96.1.0/24', '10.114.1.16'],
    ['100.96.2.0/24', '10.114.1.17'],
    ['100.96.3.0/24', '10.114.1.65'],
  ],
};

const isOwn = (cluster: string) => (r: Data) => (r.labels ?? []).some((l: Data) => l.key === 'clustername' && l.value === cluster);

/** AKO ≥1.11's sync: GET, merge, PUT with the _last_modified it read; on 412 re-read and retry. */
async function sync(cluster: string): Promise<number[]> {
  const statuses: number[] = [];
  const mine = clusterRoutes(cluster, NODES[cluster === GUEST1 ? 'guest1' : 'guest2']);
  for (let attempt = 0; attempt < 5; attempt++) {
    const vrf = (await env.ako.get(`/api/vrfcontext/${vrfUuid}`)).body;
    const kept = (vrf.static_routes ?? []).filter((r: Data) => !isOwn(cluster)(r));
    const res = await env.ako.put(`/api/vrfcontext/${vrfUuid}`, { ...vrf, static_routes: [...kept, ...mine] });
    statuses.push(res.status);
    if (res.status !== 412) return statuses;
    expect(res.body).toEqual({ error: 'Concurrent Update Error: Need to reload object data VrfContext' });
  }
  return statuses;
}

beforeAll(async () => {
  env = await akoEnv(t);
  GUEST1 = env.cluster('tkgm-guest1');
  GUEST2 = env.cluster('tkgm-guest2');
  ADMIN_ROUTE = `${t.prefix}admin-route`;
  vrfUuid = (await env.ako.get('/api/vrfcontext?name=global&cloud_ref.name=Default-Cloud')).body.results[0].uuid;
  // A route the admin added by hand: no labels, owned by no cluster. Routes already there stay.
  const vrf = (await env.ako.get(`/api/vrfcontext/${vrfUuid}`)).body;
  const ours = (r: Data) => String(r.route_id ?? '').startsWith(t.prefix);
  t.defer('the global VRF\'s static routes', async () => {
    // Back to the routes it had: this run's are the only ones taken out.
    for (let attempt = 0; attempt < 5; attempt++) {
      const now = (await env.ako.get(`/api/vrfcontext/${vrfUuid}`)).body;
      const res = await env.ako.put(`/api/vrfcontext/${vrfUuid}`, { ...now, static_routes: (now.static_routes ?? []).filter((r: Data) => !ours(r)) });
      if (res.status === 200) return;
      if (res.status !== 412) throw new Error(`restoring the VRF's routes: ${res.status} ${res.text}`);
    }
    throw new Error("restoring the VRF's routes: 412 five times");
  });
  const res = await env.ako.put(`/api/vrfcontext/${vrfUuid}`, {
    ...vrf,
    static_routes: [...(vrf.static_routes ?? []), { route_id: ADMIN_ROUTE, prefix: { ip_addr: v4('198.51.100.0'), mask: 24 }, next_hop: v4('10.114.1.1') }],
  });
  expect(res.status).toBe(200);
});

describe('two clusters syncing static routes into one VRF', () => {
  it('run concurrently: one 412, a retry, every route kept', async () => {
    let conflicts = 0;
    for (let round = 0; round < 10; round++) {
      const [a, b] = await Promise.all([sync(GUEST1), sync(GUEST2)]);
      expect(a.at(-1)).toBe(200);
      expect(b.at(-1)).toBe(200);
      conflicts += a.filter((s) => s === 412).length + b.filter((s) => s === 412).length;
      const routes = (await env.ako.get(`/api/vrfcontext/${vrfUuid}`)).body.static_routes as Data[];
      expect(routes.filter(isOwn(GUEST1))).toHaveLength(3);
      expect(routes.filter(isOwn(GUEST2))).toHaveLength(3);
      expect(routes.filter((r) => r.route_id === ADMIN_ROUTE)).toHaveLength(1);
      expect(routes.every((r) => typeof r.route_id === 'string' && r.route_id.length > 0)).toBe(true);
    }
    // Both read before either wrote in at least some rounds: the controller must have said 412.
    expect(conflicts).toBeGreaterThan(0);
  });

  it('AKO ≤1.10 style: PATCH replace and delete by route_id leave others alone', async () => {
    const before = (await env.ako.get(`/api/vrfcontext/${vrfUuid}`)).body.static_routes as Data[];
    const theirs = before.filter(isOwn(GUEST2));
    const extra = clusterRoutes(GUEST1, [['100.96.9.0/24', '10.114.1.60']])[0]!;
    const add = await env.ako.patch(`/api/vrfcontext/${vrfUuid}`, { add: { static_routes: [extra] } });
    expect(add.status).toBe(200);
    const del = await env.ako.patch(`/api/vrfcontext/${vrfUuid}`, { delete: { static_routes: [{ route_id: extra.route_id }] } });
    expect(del.status).toBe(200);
    const after = del.body.static_routes as Data[];
    expect(after.map((r) => r.route_id)).toEqual(before.map((r) => r.route_id));
    expect(after.filter(isOwn(GUEST2))).toEqual(theirs);
  });

  it('refuses a route without a route_id (AKO dereferences it)', async () => {
    const vrf = (await env.ako.get(`/api/vrfcontext/${vrfUuid}`)).body;
    const res = await env.ako.put(`/api/vrfcontext/${vrfUuid}`, {
      ...vrf,
      static_routes: [...vrf.static_routes, { prefix: { ip_addr: v4('100.96.7.0'), mask: 24 }, next_hop: v4('10.114.1.70') }],
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('route_id');
  });
});
