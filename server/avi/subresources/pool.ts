/**
 * Pool sub-resources: its servers with their state, the virtual services it serves. No health
 * monitoring is simulated: an enabled server of an enabled pool is up [as the runtime model].
 * A server's `hostname` and `port` are its own or the pool's `default_server_port` (80).
 */
import type { Data, Rec } from '../../core/store.js';
import { poolRuntime, vsOperStatus } from '../placement.js';
import { isObject } from '../shape-ops.js';
import { asList, identity, recOf, ref, seEntry, sesOfRec, str, vsesOfPool } from './common.js';
import type { SubCall, TypeSubresources } from './types.js';

function serverEntries(call: SubCall, pool: Rec): Data[] {
  const port = typeof pool.data.default_server_port === 'number' ? pool.data.default_server_port : 80;
  return asList(pool.data.servers).filter(isObject).map((s) => {
    const addr = isObject(s.ip) && typeof s.ip.addr === 'string' ? s.ip.addr : '';
    const p = typeof s.port === 'number' ? s.port : port;
    const enabled = s.enabled !== false;
    let state = 'OPER_UP';
    if (pool.data.enabled === false || !enabled) state = 'OPER_DISABLED';
    const out: Data = {
      ip_addr: isObject(s.ip) ? s.ip : { addr, type: 'V4' },
      port: p,
      server_name: `${addr}:${p}`,
      hostname: str(s.hostname) ?? addr,
      enabled,
      oper_status: { state },
      ratio: typeof s.ratio === 'number' ? s.ratio : 1,
    };
    if (typeof s.nw_ref === 'string') out.nw_ref = ref(call, 'network', s.nw_ref);
    return out;
  });
}

/** `runtime/server[/detail|internal|hmonstat]`: every server with its state. */
function servers(call: SubCall): Data {
  const pool = recOf(call);
  const list = serverEntries(call, pool);
  return { ...identity(call, pool), oper_status: poolRuntime(call.svc, pool).oper_status, num_servers: list.length, servers: list };
}

/** `runtime/detail`: the runtime summary, the servers and the SEs serving it. */
function detail(call: SubCall): Data {
  const pool = recOf(call);
  return {
    ...identity(call, pool),
    ...poolRuntime(call.svc, pool),
    servers: serverEntries(call, pool),
    se_list: sesOfRec(call.svc, pool).map((se) => seEntry(call, se)),
  };
}

/** `vs`: the virtual services sending traffic to the pool. */
function vses(call: SubCall): Data {
  const pool = recOf(call);
  const vs_list = vsesOfPool(call.svc, pool).map((vs) => ({
    vs_ref: ref(call, 'virtualservice', vs.uuid),
    vs_uuid: vs.uuid,
    vs_name: call.svc.nameOf(vs),
    oper_status: vsOperStatus(call.svc, vs),
  }));
  return { ...identity(call, pool), vs_list };
}

export const poolSubresources: TypeSubresources = {
  get: {
    'runtime/detail': detail,
    'runtime/server': servers,
    'runtime/server/detail': servers,
    'runtime/server/internal': servers,
    'runtime/server/hmonstat': servers,
    vs: vses,
  },
};
