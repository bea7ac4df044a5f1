/**
 * vCenter runtime actions. There is no vCenter behind the simulator: a login is verified against
 * the vCenter clouds configured on it (same `vcenter_url` and `username`; a password is not
 * kept readable, so it is not compared) and refused with the controller's 400 otherwise, as a
 * controller that cannot reach the host answers [inferred text]. AWS and OpenStack logins have
 * nothing to reach: 400. `vcenterstatus` answers the cloud's status; the other actions
 * (discovery, SE spawn and NIC changes, fault injection) are accepted jobs.
 */
import { errors } from '../errors.js';
import type { Data, Rec } from '../../core/store.js';
import { isObject } from '../shape-ops.js';
import { accepted, checkedBody, identity, recOf, ref, str } from './common.js';
import { cloudStatus } from './cloud.js';
import type { SubCall, TypeSubresources } from './types.js';

const hostOf = (url: unknown) => String(url ?? '').replace(/^[a-z]+:\/\//i, '').replace(/[/:].*$/, '').toLowerCase();

function vcenterClouds(call: SubCall): Rec[] {
  return [...call.svc.store.collection('cloud').values()].filter((c) => c.data.vtype === 'CLOUD_VCENTER' && call.svc.visible(c, call.ctx));
}

function verifyLogin(call: SubCall): Data {
  const body = checkedBody(call);
  const host = hostOf(body.vcenter_url);
  for (const cloud of vcenterClouds(call)) {
    const conf = isObject(cloud.data.vcenter_configuration) ? cloud.data.vcenter_configuration : {};
    if (hostOf(conf.vcenter_url) !== host || (body.username !== undefined && conf.username !== body.username)) continue;
    const dc = str(conf.datacenter);
    return { resource: { vcenter_dc_info: dc ? [{ name: dc }] : [] }, cloud_ref: ref(call, 'cloud', cloud.uuid) };
  }
  throw errors.invalid(`Cannot connect to vCenter ${host || '(no vcenter_url)'}: login failed`);
}

function vcenterStatus(call: SubCall): Data {
  const body = checkedBody(call);
  const cloud = typeof body.cloud_uuid === 'string' ? call.svc.store.get('cloud', body.cloud_uuid) : vcenterClouds(call)[0];
  if (!cloud || !call.svc.visible(cloud, call.ctx)) throw errors.refNotFound('Cloud');
  return { ...identity(call, cloud), ...cloudStatus(cloud) };
}

function networks(call: SubCall): Data {
  const rt = recOf(call);
  checkedBody(call);
  const cloud = str(rt.data.cloud_ref);
  const list = [...call.svc.store.collection('network').values()]
    .filter((n) => cloud !== undefined && n.data.cloud_ref === cloud)
    .map((n) => ({ network_ref: ref(call, 'network', n.uuid), name: call.svc.nameOf(n) }));
  return { ...identity(call, rt), networks: list };
}

const unreachable = (what: string) => (call: SubCall) => {
  checkedBody(call);
  throw errors.invalid(`Cannot connect to ${what}: no such endpoint is reachable from the controller`);
};

export const vimgrvcenterruntimeSubresources: TypeSubresources = {
  actions: {
    verifylogin: verifyLogin,
    vcenterstatus: vcenterStatus,
    awsverifylogin: unreachable('AWS'),
    osverifylogin: unreachable('OpenStack'),
    getnetworks: networks,
  },
};

export const vimgrhostruntimeSubresources: TypeSubresources = {
  actions: { getquarantinedhosts: (call) => accepted(call, { hosts: [] }) },
};
