/**
 * An AKO-like client against an avisim set up the way a controller admin prepares one for AKO
 * (contract §2, §4, §11; the shared-SE-group TKG environment of the field notes): a VIP network
 * with a static range, a node network and an SE group in Default-Cloud.
 */
import { startSim, type Sim } from '../../test/helpers.js';

/** AKO pins the API version it speaks (it caps the controller's at 22.1.3). */
export const AKO_VERSION = '22.1.3';
export const VIP_NETWORK = 'VDS01-VLAN112-VIP';
export const NODE_NETWORK = 'VDS01-VLAN114-Workload';
export const SE_GROUP = 'seg-tkgm-guest1';
/** the VIP range the admin configured: 10 addresses */
export const VIP_RANGE = { begin: '10.112.1.100', end: '10.112.1.109' };

export type Data = Record<string, any>;

export interface AkoEnv {
  sim: Sim;
  /** requests as AKO sends them for a cluster (version, tenant header) */
  ako: ReturnType<typeof akoClient>;
}

export function akoClient(sim: Sim, tenant = 'admin') {
  const h = sim.http;
  const set = <T extends { set(k: string, v: string): T }>(r: T) => r.set('X-Avi-Version', AKO_VERSION).set('X-Avi-Tenant', tenant);
  return {
    get: (path: string) => set(h.get(path)),
    post: (path: string, body: unknown) => set(h.post(path)).send(body as object),
    put: (path: string, body: unknown) => set(h.put(path)).send(body as object),
    patch: (path: string, body: unknown) => set(h.patch(path)).send(body as object),
    del: (path: string) => set(h.delete(path)),
  };
}

const v4 = (addr: string) => ({ addr, type: 'V4' });

export async function akoEnv(): Promise<AkoEnv> {
  const sim = await startSim();
  const admin = sim.http;
  const ok = (res: { status: number; body: unknown }, what: string) => {
    if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Data;
  };
  ok(
    await admin.post('/api/network').send({
      name: VIP_NETWORK,
      cloud_ref: '/api/cloud/?name=Default-Cloud',
      vrf_context_ref: '/api/vrfcontext/?name=global',
      configured_subnets: [
        {
          prefix: { ip_addr: v4('10.112.1.0'), mask: 24 },
          static_ip_ranges: [{ type: 'STATIC_IPS_FOR_VIP', range: { begin: v4(VIP_RANGE.begin), end: v4(VIP_RANGE.end) } }],
        },
      ],
    }),
    'VIP network',
  );
  ok(
    await admin.post('/api/network').send({
      name: NODE_NETWORK,
      cloud_ref: '/api/cloud/?name=Default-Cloud',
      configured_subnets: [{ prefix: { ip_addr: v4('10.114.1.0'), mask: 24 } }],
    }),
    'node network',
  );
  ok(await admin.post('/api/serviceenginegroup').send({ name: SE_GROUP, cloud_ref: '/api/cloud/?name=Default-Cloud' }), 'SE group');
  return { sim, ako: akoClient(sim) };
}

/** The markers and ownership fields AKO puts on everything it creates. */
export function owned(cluster: string, extra: Data = {}): Data {
  return {
    created_by: `ako-${cluster}`,
    markers: [{ key: 'clustername', values: [cluster] }],
    cloud_config_cksum: String(Math.floor(Math.random() * 4e9)),
    ...extra,
  };
}

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, p) => n * 256 + Number(p), 0);
}

export function inVipRange(ip: string): boolean {
  const n = ipToInt(ip);
  return n >= ipToInt(VIP_RANGE.begin) && n <= ipToInt(VIP_RANGE.end);
}

export function expectCreated(res: { status: number; body: any }, what: string): Data {
  if (res.status !== 201) throw new Error(`${what}: expected 201, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export const uuidOf = (ref: string) => ref.split('#')[0]!.split('/').pop()!;
