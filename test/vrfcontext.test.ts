/**
 * VRF static routes: validation of every route on every form of write, PATCH
 * add/replace/delete keyed by route_id, full PUT, and two route controllers (AKO >= 1.11 style:
 * GET, merge, PUT with the `_last_modified` read) writing one shared VRF at the same time.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { anotherSession, client, startSim } from './helpers.js';

type Data = Record<string, any>;
type Client = ReturnType<typeof client>;

const v4 = (addr: string) => ({ addr, type: 'V4' });
const route = (route_id: string, net: string, mask: number, hop: string, cluster?: string): Data => ({
  route_id,
  prefix: { ip_addr: { addr: net, type: net.includes(':') ? 'V6' : 'V4' }, mask },
  next_hop: { addr: hop, type: hop.includes(':') ? 'V6' : 'V4' },
  ...(cluster ? { labels: [{ key: 'clustername', value: cluster }] } : {}),
});

async function globalVrf(c: Client): Promise<Data> {
  const res = await c.get('/api/vrfcontext?name=global');
  expect(res.body.count).toBe(1);
  return res.body.results[0];
}

describe('static route validation', () => {
  let c: Client;
  let vrf: Data;
  beforeAll(async () => {
    c = client(await startSim());
    vrf = (await c.post('/api/vrfcontext', { name: 'routes' })).body;
  });
  const put = (static_routes: Data[]) => c.put(`/api/vrfcontext/${vrf.uuid}`, { name: 'routes', static_routes });

  it('accepts IPv4 and IPv6 routes with a label and stores them as sent', async () => {
    const routes = [route('c1-1', '10.244.0.0', 24, '10.52.2.23', 'c1'), route('v6', 'fd00:10::', 64, 'fd00::1')];
    const res = await put(routes);
    expect(res.status, res.text).toBe(200);
    expect(res.body.static_routes).toEqual(routes);
    expect((await put([route('host', '10.1.1.1', 32, '10.0.0.1'), route('all', '0.0.0.0', 0, '10.0.0.1')])).status).toBe(200);
  });

  it('requires route_id (the field is named)', async () => {
    const { route_id: _, ...noId } = route('x', '10.0.0.0', 24, '10.1.1.1');
    const res = await put([route('ok', '10.9.0.0', 16, '10.1.1.1'), noId]);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("Invalid data: field 'static_routes[1].route_id' is required");
    const patch = await c.patch(`/api/vrfcontext/${vrf.uuid}`, { add: { static_routes: [noId] } });
    expect(patch.status).toBe(400);
    expect(patch.body.error).toContain('route_id');
  });

  it('refuses a route_id used twice in the VRF', async () => {
    const res = await put([route('r1', '10.1.0.0', 24, '10.0.0.1'), route('r1', '10.2.0.0', 24, '10.0.0.2')]);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("Invalid data: route_id 'r1' is used by more than one static route");
  });

  it('checks addresses, their type, the mask range and the next hop family', async () => {
    const cases: Array<[Data, string]> = [
      [route('a', '10.1.0.300', 24, '10.0.0.1'), `Invalid data: field 'static_routes[0].prefix.ip_addr.addr' value "10.1.0.300" is not a valid IPv4 address`],
      [{ ...route('b', '10.1.0.0', 24, '10.0.0.1'), prefix: { ip_addr: { addr: 'fd00::', type: 'V4' }, mask: 24 } }, `Invalid data: field 'static_routes[0].prefix.ip_addr.addr' value "fd00::" is not a valid IPv4 address`],
      [{ ...route('c', '10.1.0.0', 24, '10.0.0.1'), prefix: { ip_addr: { addr: '10.1.0.0', type: 'V6' }, mask: 24 } }, `Invalid data: field 'static_routes[0].prefix.ip_addr.addr' value "10.1.0.0" is not a valid IPv6 address`],
      [{ ...route('d', '10.1.0.0', 24, '10.0.0.1'), prefix: { ip_addr: { addr: 'x.example', type: 'DNS' }, mask: 24 } }, `Invalid data: field 'static_routes[0].prefix.ip_addr.addr' value "x.example" is not a valid IPv4 or IPv6 address`],
      [route('e', '10.1.0.0', 33, '10.0.0.1'), `Invalid data: field 'static_routes[0].prefix.mask' value 33 is outside the allowed range 0-32`],
      [route('f', '10.1.0.0', -1, '10.0.0.1'), `Invalid data: field 'static_routes[0].prefix.mask' value -1 is outside the allowed range 0-32`],
      [route('g', 'fd00::', 129, 'fd00::1'), `Invalid data: field 'static_routes[0].prefix.mask' value 129 is outside the allowed range 0-128`],
      [route('h', '10.1.0.0', 24, 'fd00::1'), `Invalid data: field 'static_routes[0].next_hop' must be of the same address family as the route's prefix`],
      [{ ...route('i', '10.1.0.0', 24, '10.0.0.1'), next_hop: v4('10.0.0') }, `Invalid data: field 'static_routes[0].next_hop.addr' value "10.0.0" is not a valid IPv4 address`],
    ];
    for (const [bad, text] of cases) {
      const res = await put([bad]);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error).toBe(text);
    }
    const twoLabels = await put([{ ...route('j', '10.1.0.0', 24, '10.0.0.1'), labels: [{ key: 'clustername', value: 'a' }, { key: 'clustername', value: 'b' }] }]);
    expect(twoLabels.status).toBe(400);
    expect(twoLabels.body.error).toBe("Invalid data: field 'static_routes[0].labels' allows at most 1 items");
  });

  it('a refused write changes nothing', async () => {
    const before = (await c.get(`/api/vrfcontext/${vrf.uuid}`)).body;
    expect((await put([route('z', '10.1.0.0', 40, '10.0.0.1')])).status).toBe(400);
    expect((await c.get(`/api/vrfcontext/${vrf.uuid}`)).body).toEqual(before);
  });
});

describe('static routes through PATCH and PUT', () => {
  it('PATCH add / replace / delete are keyed by route_id; PUT replaces the list', async () => {
    const c = client(await startSim());
    const vrf = (await c.post('/api/vrfcontext', { name: 'vrf-p', static_routes: [route('c1-1', '100.96.1.0', 24, '10.114.1.56', 'c1')] })).body;
    const at = `/api/vrfcontext/${vrf.uuid}`;
    const ids = (b: Data) => (b.static_routes ?? []).map((r: Data) => r.route_id);

    const add = await c.patch(at, { add: { static_routes: [route('c1-2', '100.96.2.0', 24, '10.114.1.57', 'c1')] } });
    expect(add.status, add.text).toBe(200);
    expect(ids(add.body)).toEqual(['c1-1', 'c1-2']);
    const dupAdd = await c.patch(at, { add: { static_routes: [route('c1-2', '100.96.9.0', 24, '10.114.1.59')] } });
    expect(dupAdd.status).toBe(400);
    expect(dupAdd.body.error).toBe("Invalid data: route_id 'c1-2' is used by more than one static route");

    // AKO <= 1.10: replace the whole list, delete by route_id (the entry as sent, or the id alone).
    const replace = await c.patch(at, {
      replace: { static_routes: [route('c1-1', '100.96.1.0', 24, '10.114.1.56', 'c1'), route('c1-3', '100.96.3.0', 24, '10.114.1.59', 'c1')] },
    });
    expect(replace.status, replace.text).toBe(200);
    expect(ids(replace.body)).toEqual(['c1-1', 'c1-3']);
    const del = await c.patch(at, { delete: { static_routes: [{ route_id: 'c1-1' }] } });
    expect(del.status, del.text).toBe(200);
    expect(ids(del.body)).toEqual(['c1-3']);
    const delFull = await c.patch(at, { delete: { static_routes: [route('c1-3', '1.2.3.0', 24, '1.2.3.4')] } });
    expect(ids(delFull.body)).toEqual([]);

    const full = (await c.get(at)).body;
    const put = await c.put(at, { ...full, static_routes: [route('p1', '10.0.0.0', 8, '192.168.0.1')] });
    expect(put.status, put.text).toBe(200);
    expect(put.body.static_routes).toEqual([route('p1', '10.0.0.0', 8, '192.168.0.1')]);
    // Stale _last_modified: 412, nothing changed.
    const stale = await c.put(at, { ...full, static_routes: [] });
    expect(stale.status).toBe(412);
    expect(stale.body).toEqual({ error: 'Concurrent Update Error: Need to reload object data VrfContext' });
    expect(ids((await c.get(at)).body)).toEqual(['p1']);
  });
});

describe('two clusters syncing static routes into one shared VRF (AKO >= 1.11)', () => {
  /** The routes a cluster wants this round: one per node, ids `<cluster>-<round>-<idx>`. */
  const wanted = (cluster: string, round: number, octet: number) =>
    [0, 1, 2].map((i) => route(`${cluster}-${round}-${i}`, `100.${octet}.${i}.0`, 24, `10.114.${octet}.${10 + i}`, cluster));

  /** Keep routes without labels or with another cluster's label; replace one's own. */
  const merge = (current: Data[] | undefined, cluster: string, mine: Data[]) => [
    ...(current ?? []).filter((r) => !r.labels?.length || r.labels[0].value !== cluster),
    ...mine,
  ];

  const foreign = route('manual-default', '0.0.0.0', 0, '10.114.1.1');
  const third = route('c3-1', '100.200.0.0', 24, '10.114.3.1', 'c3');

  async function setup() {
    const sim = await startSim();
    const a = client(sim);
    const b = client(await anotherSession(sim));
    const vrf = await globalVrf(a);
    const seeded = await a.put(`/api/vrfcontext/${vrf.uuid}`, { ...vrf, static_routes: [foreign, third] });
    expect(seeded.status, seeded.text).toBe(200);
    return { a, b, at: `/api/vrfcontext/${vrf.uuid}` };
  }

  /** GET, (wait for the other writer's read), merge, PUT with _last_modified; re-read and retry on 412. */
  async function sync(c: Client, at: string, cluster: string, mine: Data[], bothRead?: Promise<unknown>, onRead?: () => void) {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 10; attempt++) {
      const got = (await c.get(at)).body;
      if (attempt === 0) {
        onRead?.();
        await bothRead;
      }
      const res = await c.put(at, { ...got, static_routes: merge(got.static_routes, cluster, mine) });
      statuses.push(res.status);
      if (res.status === 200) return statuses;
      expect(res.status, res.text).toBe(412);
      expect(res.body.error).toBe('Concurrent Update Error: Need to reload object data VrfContext');
    }
    throw new Error(`${cluster} never got its PUT in: ${statuses.join(',')}`);
  }

  function checkRoutes(routes: Data[], round: number) {
    const ids = routes.map((r) => r.route_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(routes.filter((r) => r.labels?.[0]?.value === 'c1')).toEqual(wanted('c1', round, 1));
    expect(routes.filter((r) => r.labels?.[0]?.value === 'c2')).toEqual(wanted('c2', round, 2));
    expect(routes.find((r) => r.route_id === 'manual-default')).toEqual(foreign);
    expect(routes.find((r) => r.route_id === 'c3-1')).toEqual(third);
    expect(routes).toHaveLength(8);
  }

  it('both read, both PUT: exactly one 200 and one 412; the loser re-reads, merges, wins; no route lost (20 rounds)', async () => {
    const { a, b, at } = await setup();
    for (let round = 0; round < 20; round++) {
      let reads = 0;
      let release!: () => void;
      const bothRead = new Promise<void>((r) => (release = r));
      const onRead = () => {
        if (++reads === 2) release();
      };
      const [sa, sb] = await Promise.all([
        sync(a, at, 'c1', wanted('c1', round, 1), bothRead, onRead),
        sync(b, at, 'c2', wanted('c2', round, 2), bothRead, onRead),
      ]);
      const firsts = [sa[0], sb[0]].sort();
      expect(firsts, `round ${round}`).toEqual([200, 412]);
      const loser = sa[0] === 412 ? sa : sb;
      expect(loser, `round ${round}`).toEqual([412, 200]);
      checkRoutes((await a.get(at)).body.static_routes, round);
    }
  });

  it('free-running writers (no lock step) never lose a route (20 rounds)', async () => {
    const { a, b, at } = await setup();
    for (let round = 0; round < 20; round++) {
      const [sa, sb] = await Promise.all([sync(a, at, 'c1', wanted('c1', round, 1)), sync(b, at, 'c2', wanted('c2', round, 2))]);
      expect([...sa, ...sb].filter((s) => s === 200)).toHaveLength(2);
      checkRoutes((await b.get(at)).body.static_routes, round);
    }
  });
});
