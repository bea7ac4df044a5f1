/**
 * An AKO-like client against a controller set up the way an admin prepares one for AKO
 * (the shared-SE-group TKG environment of the field notes): a VIP network
 * with a static range, a node network and an SE group in Default-Cloud, and a Service Engine in
 * that group (Default-Cloud has no orchestrator: the controller deploys no SE there, the admin
 * deploys one by hand). The suite creates them over the API (named after the run, deleted when
 * the file ends), so any target that can create them will do.
 */
import type { Target } from './target.js';
import type { ApiClient, ApiResponse } from '../../test/support/wire.js';

/** AKO pins the API version it speaks (it caps the controller's at 22.1.3). */
export const AKO_VERSION = '22.1.3';
/** the VIP range the admin configured: 10 addresses */
export const VIP_RANGE = { begin: '10.112.1.100', end: '10.112.1.109' };

export type Data = Record<string, any>;

export interface AkoEnv {
  target: Target;
  /** requests as AKO sends them for a cluster (version, admin tenant) */
  ako: ApiClient;
  /** the run's names for the admin-made objects */
  vipNetwork: string;
  nodeNetwork: string;
  seGroup: string;
  /** a cluster name unique to this run */
  cluster(name: string): string;
}

/** The same session speaking as AKO for `tenant` (`*`: every tenant, as AKO lists at boot). */
export function akoClient(client: ApiClient, tenant = 'admin'): ApiClient {
  return client.with({ 'X-Avi-Version': AKO_VERSION, 'X-Avi-Tenant': tenant });
}

const v4 = (addr: string) => ({ addr, type: 'V4' });

export async function akoEnv(target: Target): Promise<AkoEnv> {
  const admin = target.admin;
  const p = target.prefix;
  const env: AkoEnv = {
    target,
    ako: akoClient(admin),
    vipNetwork: `${p}VDS01-VLAN112-VIP`,
    nodeNetwork: `${p}VDS01-VLAN114-Workload`,
    seGroup: `${p}seg-tkgm-guest1`,
    cluster: (name) => `${p}${name}`,
  };
  const ok = (res: ApiResponse, what: string) => {
    if (res.status >= 300) throw new Error(`${what}: ${res.status} ${res.text}`);
    return res.body as Data;
  };
  ok(
    await admin.post('/api/network', {
      name: env.vipNetwork,
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
    await admin.post('/api/network', {
      name: env.nodeNetwork,
      cloud_ref: '/api/cloud/?name=Default-Cloud',
      configured_subnets: [{ prefix: { ip_addr: v4('10.114.1.0'), mask: 24 } }],
    }),
    'node network',
  );
  ok(await admin.post('/api/serviceenginegroup', { name: env.seGroup, cloud_ref: '/api/cloud/?name=Default-Cloud' }), 'SE group');
  ok(
    await admin.post('/api/serviceengine', {
      name: `${p}se-1`,
      cloud_ref: '/api/cloud/?name=Default-Cloud',
      se_group_ref: `/api/serviceenginegroup/?name=${env.seGroup}`,
      data_vnics: [{
        if_name: 'eth1',
        mac_address: '00:50:56:a1:12:fe',
        network_ref: `/api/network/?name=${env.vipNetwork}`,
        vnic_networks: [{ ip: { ip_addr: v4('10.112.1.254'), mask: 24 }, mode: 'STATIC' }],
      }],
    }),
    'Service Engine',
  );
  return env;
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

export function expectCreated(res: { status: number; body: any; text?: string }, what: string): Data {
  if (res.status !== 201) throw new Error(`${what}: expected 201, got ${res.status} ${res.text ?? JSON.stringify(res.body)}`);
  return res.body;
}

export const uuidOf = (ref: string) => ref.split('#')[0]!.split('/').pop()!;

/** `s` with the characters a RegExp treats specially escaped. */
export const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
