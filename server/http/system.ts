/**
 * System endpoints clients read before anything else: the controller version (initial-data,
 * cluster/version), the cluster's state (AKO exits unless it is up, and shuts down when the
 * leader's name or up_since change, so both are stable for the life of an engine), the cluster
 * object, and the IPAM/DNS domain list of a cloud. Version, build and cluster state are the
 * scenario's `controller:` facts; the nodes are the stored cluster object's.
 */
import { createHash } from 'node:crypto';
import type { Engine } from '../engine.js';
import { errors } from '../avi/errors.js';
import { isObject } from '../avi/shape-ops.js';
import { flagParam } from '../avi/query.js';
import type { Rec } from '../core/store.js';
import { sendJson, sendJsonText, type ApiHandler } from './api.js';

const DEFAULT_BUILD = 9046;
/**
 * When the build was made [inferred: the day the 30.2.1 reference definitions were published];
 * a controller's `Tag` ends in it as `yyyymmdd.hhmmss`.
 */
const BUILD_DATE = '2024-03-26T08:14:32+00:00';

/** `{Version, build, Tag, Date, ...}` as /login, /api/initial-data and /api/cluster/version give it. */
export function versionInfo(engine: Engine): Record<string, unknown> {
  const facts = engine.scenario.controller;
  const version = facts.version;
  const build = Number(facts.build ?? DEFAULT_BUILD);
  const stamp = BUILD_DATE.slice(0, 19).replace(/-/g, '').replace('T', '.').replace(/:/g, '');
  return {
    Version: version,
    build,
    Tag: `${version}-${build}-${stamp}`,
    Date: BUILD_DATE,
    min_version: 15.2,
    ProductName: 'Avi Cloud Controller',
    Product: 'controller',
  };
}

/** `2020-10-28 04:58:48`, the controller's up_since format. */
function upSince(engine: Engine): string {
  return new Date(Math.floor(engine.leader.sinceMicros / 1000)).toISOString().replace('T', ' ').slice(0, 19);
}

function clusterRec(engine: Engine): Rec | undefined {
  for (const rec of engine.store.collection('cluster').values()) return rec;
  return undefined;
}

interface Node {
  name: string;
  ip: string;
  vmUuid?: string;
}

/**
 * The cluster's nodes as stored (a controller names nodes by address), the leader first: the
 * first node, or after a leader change fault the next one (a one-node cluster keeps its name;
 * up_since moves).
 */
function clusterNodes(engine: Engine): Node[] {
  const stored = clusterRec(engine)?.data.nodes;
  const nodes = (Array.isArray(stored) ? stored : []).map((n): Node => {
    const o = isObject(n) ? n : {};
    const ip = isObject(o.ip) && typeof o.ip.addr === 'string' ? o.ip.addr : '';
    const name = typeof o.name === 'string' ? o.name : '';
    return { name, ip: ip || name, vmUuid: typeof o.vm_uuid === 'string' && o.vm_uuid ? o.vm_uuid : undefined };
  });
  if (!nodes.length || !nodes.every((n) => n.name)) return [{ name: '127.0.0.1', ip: '127.0.0.1' }];
  const leader = engine.leader.changes % nodes.length;
  return [...nodes.slice(leader), ...nodes.slice(0, leader)];
}

/** A node's uuid: its VM's when the scenario gives one, else one made from the cluster and its name [inferred]. */
function nodeUuid(clusterUuid: string, node: Node): string {
  if (node.vmUuid) return node.vmUuid;
  const h = createHash('sha1').update(`${clusterUuid}/${node.name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The cluster's uuid and its nodes (uuid and name), the leader first: the controller entities of analytics. */
export function controllerNodes(engine: Engine): { clusterUuid?: string; nodes: Array<{ uuid: string; name: string }> } {
  const clusterUuid = clusterRec(engine)?.uuid;
  return { clusterUuid, nodes: clusterNodes(engine).map((n) => ({ uuid: nodeUuid(clusterUuid ?? '', n), name: n.name })) };
}

/**
 * `/api/cluster/runtime`: the scenario's cluster state (controller.cluster.state), the leader
 * first, and `node_info`, the node that answers (the leader: clients talk to it). Which nodes
 * are down in a degraded cluster is not public [inferred]: a compromised three-node cluster has
 * lost its last follower, a cluster that is down has no active node.
 */
function clusterState(engine: Engine) {
  const since = upSince(engine);
  const state = engine.scenario.controller.cluster?.state ?? 'CLUSTER_UP_NO_HA';
  const nodes = clusterNodes(engine);
  const down = (i: number) => state === 'CLUSTER_DOWN' || (state === 'CLUSTER_UP_HA_COMPROMISED' && i > 0 && i === nodes.length - 1);
  const clusterUuid = clusterRec(engine)?.uuid ?? '';
  const self = nodes[0]!;
  return {
    cluster_state: state === 'CLUSTER_DOWN' ? { state } : { state, up_since: since, progress: 100 },
    node_states: nodes.map(({ name }, i) => ({
      name,
      role: i === 0 ? 'CLUSTER_LEADER' : 'CLUSTER_FOLLOWER',
      ...(down(i) ? { state: 'CLUSTER_INACTIVE' } : { up_since: since, state: 'CLUSTER_ACTIVE' }),
    })),
    node_info: { cluster_uuid: clusterUuid, uuid: nodeUuid(clusterUuid, self), name: self.name, mgmt_ip: self.ip },
  };
}

export function systemHandlers(engine: Engine): Record<string, ApiHandler> {
  return {
    'system.initialData': (_c, _call, res) =>
      sendJson(res, 200, {
        version: versionInfo(engine),
        current_time: new Date(Math.floor(engine.ids.nowMicros() / 1000)).toISOString(),
        setup_failed: false,
        user_initial_setup: false,
        sso: false,
        banner: '',
      }),
    'cluster.runtime': (_c, _call, res) => sendJson(res, 200, clusterState(engine)),
    'cluster.status': (_c, _call, res) => sendJson(res, 200, clusterState(engine)),
    'cluster.version': (_c, _call, res) => {
      const { Version, build, Tag } = versionInfo(engine);
      sendJson(res, 200, { Version, build, Tag });
    },
    // GET /api/cluster answers the cluster object itself, not a collection.
    'cluster.list': (_c, call, res) => {
      const rec = clusterRec(engine);
      if (!rec) throw errors.objectNotFound('Cluster');
      sendJsonText(res, 200, engine.objects.renderJson(rec, call.ctx, flagParam(call.query, 'include_name')));
    },
    'ipamdnsproviderprofile.domainList': (_c, call, res) => {
      const cloudUuid = call.query.get('cloud_uuid');
      const clouds: Rec[] = [];
      if (cloudUuid) {
        const cloud = engine.store.get('cloud', cloudUuid);
        if (!cloud) throw errors.objectNotFound('Cloud');
        clouds.push(cloud);
      } else clouds.push(...engine.store.collection('cloud').values());
      const domains = new Set<string>();
      for (const cloud of clouds) {
        for (const field of ['dns_provider_ref', 'ipam_provider_ref']) {
          const uuid = cloud.data[field];
          const profile = typeof uuid === 'string' ? engine.store.get('ipamdnsproviderprofile', uuid) : undefined;
          const internal = profile?.data.internal_profile;
          const list = isObject(internal) && Array.isArray(internal.dns_service_domain) ? internal.dns_service_domain : [];
          for (const d of list) if (isObject(d) && typeof d.domain_name === 'string') domains.add(d.domain_name);
        }
      }
      sendJson(res, 200, { domains: [...domains] });
    },
  };
}
