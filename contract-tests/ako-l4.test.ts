/**
 * Contract: a Kubernetes LoadBalancer service as AKO realises it: vsvip →
 * pool → l4policyset → virtual service, the VIP read from the vsvip POST answer (AKO never
 * polls), then an update by full PUT and a delete in reverse order.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { akoEnv, escapeRe, expectCreated, inVipRange, owned, uuidOf, type AkoEnv, type Data } from './support/ako.js';
import { useTarget } from './support/target.js';

const t = useTarget();
let env: AkoEnv;
let CLUSTER: string;
let NAME: string;
let SE_GROUP: string;
beforeAll(async () => {
  env = await akoEnv(t);
  CLUSTER = env.cluster('tkgm-guest1');
  NAME = `${CLUSTER}--default-hello-lb`;
  SE_GROUP = env.seGroup;
});

function vsvipBody(name: string): Data {
  return owned(CLUSTER, {
    name,
    cloud_ref: '/api/cloud/?name=Default-Cloud',
    vrf_context_ref: '/api/vrfcontext/?name=global',
    vsvip_cloud_config_cksum: '1234',
    vip: [{ vip_id: '0', auto_allocate_ip: true, ipam_network_subnet: { network_ref: `/api/network/?name=${env.vipNetwork}` } }],
  });
}

describe('an L4 LoadBalancer service', () => {
  const made: Record<string, Data> = {};

  it('gets its VIP in the vsvip POST answer', async () => {
    const res = expectCreated(await env.ako.post('/api/vsvip', vsvipBody(NAME)), 'vsvip');
    const ip = res.vip[0].ip_address?.addr;
    expect(ip).toBeDefined();
    expect(inVipRange(ip)).toBe(true);
    expect(res.vip[0].ip_address.type).toBe('V4');
    expect(res.vsvip_cloud_config_cksum).toBe('1234');
    made.vsvip = res;
  });

  it('creates the pool, the l4policyset and the virtual service that ties them', async () => {
    made.pool = expectCreated(
      await env.ako.post(
        '/api/pool',
        owned(CLUSTER, {
          name: `${NAME}--80-tcp`,
          cloud_ref: '/api/cloud/?name=Default-Cloud',
          vrf_ref: '/api/vrfcontext/?name=global',
          default_server_port: 30080,
          servers: ['10.114.1.56', '10.114.1.57', '10.114.1.59'].map((addr) => ({ ip: { addr, type: 'V4' }, port: 30080 })),
          service_metadata: '{"namespace_svc_name":["default/hello"]}',
        }),
      ),
      'pool',
    );
    made.l4 = expectCreated(
      await env.ako.post(
        '/api/l4policyset',
        owned(CLUSTER, {
          name: NAME,
          l4_connection_policy: {
            rules: [
              {
                name: `${NAME}-80`,
                index: 0,
                enable: true,
                match: { port: { match_criteria: 'IS_IN', ports: [80] }, protocol: { match_criteria: 'IS_IN', protocol: 'PROTOCOL_TCP' } },
                action: { select_pool: { action_type: 'L4_RULE_ACTION_SELECT_POOL', pool_ref: made.pool.url } },
              },
            ],
          },
        }),
      ),
      'l4policyset',
    );
    expect(made.l4.l4_connection_policy.rules[0].action.select_pool.pool_ref).toBe(made.pool.url);
    const vsBody = owned(CLUSTER, {
      name: NAME,
      cloud_ref: '/api/cloud/?name=Default-Cloud',
      vsvip_ref: made.vsvip.url,
      se_group_ref: `/api/serviceenginegroup/?name=${SE_GROUP}`,
      application_profile_ref: '/api/applicationprofile/?name=System-L4-Application',
      network_profile_ref: '/api/networkprofile/?name=System-TCP-Fast-Path',
      services: [{ port: 80 }],
      l4_policies: [{ index: 0, l4_policy_set_ref: made.l4.url }],
      service_metadata: '{"namespace_svc_name":["default/hello"]}',
    });
    made.vs = expectCreated(await env.ako.post('/api/virtualservice', vsBody), 'virtualservice');
    // What AKO reads back from the answer: refs with #name, its own fields verbatim.
    expect(made.vs.se_group_ref).toMatch(new RegExp(`#${escapeRe(SE_GROUP)}$`));
    expect(made.vs.vsvip_ref.split('#')[1]).toBe(NAME);
    expect(made.vs.cloud_config_cksum).toBe(vsBody.cloud_config_cksum);
    expect(made.vs.service_metadata).toBe(vsBody.service_metadata);
    expect(made.vs.created_by).toBe(`ako-${CLUSTER}`);
    // The vsvip now knows its virtual service.
    const vsvip = (await env.ako.get(`/api/vsvip/${made.vsvip.uuid}`)).body;
    expect((vsvip.vs_refs ?? []).map(uuidOf)).toEqual([made.vs.uuid]);
  });

  it('reports the service up: a VIP, enabled servers, placed on a Service Engine', async () => {
    const inventory = (await env.ako.get(`/api/virtualservice-inventory?name=${NAME}`)).body;
    expect(inventory.count).toBe(1);
    expect(inventory.results[0].runtime.oper_status, JSON.stringify(inventory.results[0].runtime)).toMatchObject({ state: 'OPER_UP' });
    const joined = (await env.ako.get(`/api/virtualservice/${made.vs.uuid}?join_subresources=runtime`)).body;
    expect(joined.runtime.oper_status.state).toBe('OPER_UP');
    expect(joined.vip_runtime.length).toBeGreaterThan(0);
    const ses = (await env.ako.get(`/api/serviceengine?se_group_ref.name=${SE_GROUP}`)).body;
    expect(ses.count).toBe(1);
  });

  it('updates by full PUT of what AKO read, keeping the VIP when the address is not re-sent', async () => {
    const pool = (await env.ako.get(`/api/pool/${made.pool.uuid}`)).body;
    const put = await env.ako.put(`/api/pool/${pool.uuid}`, { ...pool, servers: [...pool.servers, { ip: { addr: '10.114.1.16', type: 'V4' }, port: 30080 }] });
    expect(put.status).toBe(200);
    expect(put.body.servers).toHaveLength(4);
    const vsvipPut = await env.ako.put(`/api/vsvip/${made.vsvip.uuid}`, vsvipBody(NAME));
    expect(vsvipPut.status).toBe(200);
    expect(vsvipPut.body.vip[0].ip_address.addr).toBe(made.vsvip.vip[0].ip_address.addr);
  });

  it('deletes in reverse order; the VIP is free again afterwards', async () => {
    // Out of order is refused while references remain.
    const early = await env.ako.del(`/api/pool/${made.pool.uuid}`);
    expect(early.status).toBe(403);
    expect(early.body.error).toBe(`Cannot delete, object is referred by: ['L4PolicySet ${NAME}']`);
    for (const [type, obj] of [['virtualservice', made.vs], ['l4policyset', made.l4], ['pool', made.pool], ['vsvip', made.vsvip]] as const) {
      const res = await env.ako.del(`/api/${type}/${obj!.uuid}`);
      expect(res.status, type).toBe(204);
    }
    // A 404 on a repeated delete is what AKO treats as done.
    expect((await env.ako.del(`/api/vsvip/${made.vsvip.uuid}`)).status).toBe(404);
    const again = expectCreated(await env.ako.post('/api/vsvip', vsvipBody(`${NAME}-again`)), 'vsvip again');
    expect(again.vip[0].ip_address.addr).toBe(made.vsvip.vip[0].ip_address.addr);
  });
});
