/**
 * Service Engine sub-resources from its record and placement, and its actions.
 *
 * - `runtime`: the ServiceEngineRuntimeSummary a connected, powered-on SE reports; a disabled
 *   SE is OPER_DISABLED [inferred: no SE process is simulated, so every SE is connected].
 * - `vnicdb`, `interface`, `interfacesummary`: its management and data NICs with the addresses
 *   placement gave them.
 * - `placement*`, `sevssplacement`, `reservedvs`: the virtual services it hosts.
 * - `reboot`: accepted, the SE comes back as it was; `switchover`: on each virtual service where
 *   it is primary and another SE hosts it, that one becomes primary; `forcedelete`: the SE goes
 *   (a controller-created one too) and its virtual services are placed again [inferred].
 */
import type { Data, Rec } from '../../core/store.js';
import { tenantOf } from '../../core/store.js';
import { placementOf } from '../placement.js';
import { isObject } from '../shape-ops.js';
import { accepted, asList, identity, recOf, ref, seOperStatus, str } from './common.js';
import type { SubCall, TypeSubresources } from './types.js';

function nicsOf(se: Rec): Array<{ nic: Record<string, unknown>; management: boolean }> {
  const out: Array<{ nic: Record<string, unknown>; management: boolean }> = [];
  if (isObject(se.data.mgmt_vnic)) out.push({ nic: se.data.mgmt_vnic, management: true });
  for (const nic of asList(se.data.data_vnics)) if (isObject(nic)) out.push({ nic, management: false });
  return out;
}

function addressesOf(nic: Record<string, unknown>): Data[] {
  const out: Data[] = [];
  for (const vn of asList(nic.vnic_networks)) {
    if (isObject(vn) && isObject(vn.ip) && isObject(vn.ip.ip_addr)) out.push({ ip: vn.ip, mode: vn.mode ?? 'STATIC' });
  }
  return out;
}

function vnicEntry(call: SubCall, nic: Record<string, unknown>, management: boolean): Data {
  const out: Data = {
    if_name: str(nic.if_name) ?? '',
    linux_name: str(nic.linux_name) ?? str(nic.if_name) ?? '',
    mac_address: str(nic.mac_address) ?? '',
    is_mgmt: management,
    connected: nic.connected !== false,
    state: nic.connected === false ? 'IF_DOWN' : 'IF_UP',
    vnic_networks: addressesOf(nic),
  };
  if (typeof nic.network_ref === 'string') out.network_ref = ref(call, 'network', nic.network_ref);
  if (typeof nic.network_name === 'string') out.network_name = nic.network_name;
  if (typeof nic.vrf_ref === 'string') out.vrf_ref = ref(call, 'vrfcontext', nic.vrf_ref);
  return out;
}

function vnics(call: SubCall): Data {
  const se = recOf(call);
  return { ...identity(call, se), vnics: nicsOf(se).map(({ nic, management }) => vnicEntry(call, nic, management)) };
}

function interfaces(call: SubCall): Data {
  const se = recOf(call);
  const list = nicsOf(se).map(({ nic, management }) => {
    const v = vnicEntry(call, nic, management);
    return { ...v, ip_addresses: (v.vnic_networks as Data[]).map((a) => a.ip) };
  });
  return { ...identity(call, se), num_interfaces: list.length, interfaces: list };
}

function runtime(call: SubCall): Data {
  const se = recOf(call);
  const oper = seOperStatus(call.svc, se);
  const lm = Number(se.data._last_modified);
  const out: Data = {
    oper_status: oper,
    power_state: 'SE_POWER_ON',
    se_connected: true,
    at_curr_ver: true,
    gateway_up: true,
    sufficient_memory: true,
    inband_mgmt: false,
    migrate_state: 'SE_MIGRATE_STATE_IDLE',
    license_state: 'LICENSE_STATE_LICENSED',
    licensed_service_cores: 1,
  };
  if (Number.isFinite(lm) && lm > 0) out.online_since = new Date(Math.floor(lm / 1000)).toISOString();
  return out;
}

function hostedBody(call: SubCall): Data {
  const se = recOf(call);
  const placement = placementOf(call.svc);
  const vs_list = placement.vsesOn(se.uuid).flatMap((u) => {
    const vs = call.svc.store.get('virtualservice', u);
    if (!vs) return [];
    return [{ vs_ref: ref(call, 'virtualservice', u), vs_uuid: u, vs_name: call.svc.nameOf(vs), is_primary: placement.sesOf(vs)[0]?.uuid === se.uuid }];
  });
  return { ...identity(call, se), num_vs: vs_list.length, vs_list };
}

function switchover(call: SubCall): Data {
  const se = recOf(call);
  const placement = placementOf(call.svc);
  for (const u of placement.vsesOn(se.uuid)) {
    const vs = call.svc.store.get('virtualservice', u);
    const ses = vs ? placement.sesOf(vs).map((s) => s.uuid) : [];
    if (!vs || ses[0] !== se.uuid || ses.length < 2) continue;
    placement.assignSes(vs, [...ses.slice(1), se.uuid]);
    call.svc.rewrite(vs, vs.data);
  }
  return accepted(call);
}

function forceDelete(call: SubCall): Data {
  const se = recOf(call);
  const placement = placementOf(call.svc);
  const hosted = placement.vsesOn(se.uuid);
  const answer = accepted(call);
  call.svc.remove('serviceengine', se.uuid, { ...call.ctx, tenant: tenantOf(se.data) || 'admin' });
  for (const u of hosted) {
    const vs = call.svc.store.get('virtualservice', u);
    if (!vs) continue;
    placement.place(vs);
    call.svc.rewrite(vs, vs.data);
  }
  return answer;
}

export const serviceengineSubresources: TypeSubresources = {
  get: {
    runtime,
    'runtime/detail': (call) => ({ ...identity(call, recOf(call)), ...runtime(call), ...hostedBody(call) }),
    vnicdb: vnics,
    vnicdbhistory: vnics,
    interface: interfaces,
    interfacesummary: interfaces,
    placement: hostedBody,
    'placement/detail': hostedBody,
    'placement/summary': hostedBody,
    sevssplacement: hostedBody,
    reservedvs: hostedBody,
  },
  schemas: { runtime: 'ServiceEngineRuntimeSummary' },
  actions: { reboot: (call) => accepted(call), switchover, forcedelete: forceDelete },
};
