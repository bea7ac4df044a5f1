/**
 * Contract: an ingress on a shared parent virtual service with an SNI child, as AKO builds it:
 * parent vsvip + parent VS, then certificate → pool → poolgroup →
 * httppolicyset → child VS; the parent learns its child; deletes go in reverse.
 */
import { generate } from 'selfsigned';
import { beforeAll, describe, expect, it } from 'vitest';
import { akoEnv, expectCreated, owned, type AkoEnv, type Data } from './support/ako.js';
import { useTarget } from './support/target.js';

const t = useTarget();
const HOST = 'hello.avi.example';
let env: AkoEnv;
let CLUSTER: string;
let PARENT: string;
let CHILD: string;
let SE_GROUP: string;
beforeAll(async () => {
  env = await akoEnv(t);
  CLUSTER = env.cluster('tkgm-guest1');
  PARENT = `${CLUSTER}--Shared-L7-0`;
  CHILD = `${CLUSTER}--${HOST}`;
  SE_GROUP = env.seGroup;
});

describe('an ingress on a shared parent with an SNI child', () => {
  const made: Record<string, Data> = {};

  it('creates the shared parent: vsvip with a VIP, VS with HTTP and HTTPS services', async () => {
    made.vsvip = expectCreated(
      await env.ako.post(
        '/api/vsvip',
        owned(CLUSTER, {
          name: PARENT,
          cloud_ref: '/api/cloud/?name=Default-Cloud',
          vip: [{ vip_id: '0', auto_allocate_ip: true, ipam_network_subnet: { network_ref: `/api/network/?name=${env.vipNetwork}` } }],
        }),
      ),
      'parent vsvip',
    );
    expect(made.vsvip.vip[0].ip_address?.addr).toMatch(/^10\.112\.1\.\d+$/);
    made.parent = expectCreated(
      await env.ako.post(
        '/api/virtualservice',
        owned(CLUSTER, {
          name: PARENT,
          cloud_ref: '/api/cloud/?name=Default-Cloud',
          type: 'VS_TYPE_VH_PARENT',
          vsvip_ref: made.vsvip.url,
          se_group_ref: `/api/serviceenginegroup/?name=${SE_GROUP}`,
          services: [{ port: 80 }, { port: 443, enable_ssl: true }],
        }),
      ),
      'parent VS',
    );
    // Controller fill-ins AKO relies on.
    expect(made.parent.application_profile_ref).toMatch(/#System-HTTP$/);
    expect(made.parent.ssl_profile_ref).toMatch(/#System-Standard-PFS$/);
    expect(made.parent.vrf_context_ref).toMatch(/#global$/);
    expect(made.parent.services.map((s: Data) => s.port_range_end)).toEqual([80, 443]);
  });

  it('creates the child chain and links the child to its parent', async () => {
    // the TLS secret of the ingress: a real certificate and key, as a controller checks them
    const tls = await generate([{ name: 'commonName', value: HOST }], { keyType: 'ec', algorithm: 'sha256' });
    made.cert = expectCreated(
      await env.ako.post(
        '/api/sslkeyandcertificate',
        owned(CLUSTER, {
          name: `${CLUSTER}--hello-tls`,
          type: 'SSL_CERTIFICATE_TYPE_VIRTUALSERVICE',
          certificate: { certificate: tls.cert },
          key: tls.private,
        }),
      ),
      'certificate',
    );
    made.pool = expectCreated(
      await env.ako.post(
        '/api/pool',
        owned(CLUSTER, {
          name: `${CHILD}_-default-hello`,
          cloud_ref: '/api/cloud/?name=Default-Cloud',
          servers: [{ ip: { addr: '100.96.1.21', type: 'V4' }, port: 8080 }],
        }),
      ),
      'pool',
    );
    made.pg = expectCreated(
      await env.ako.post('/api/poolgroup', owned(CLUSTER, { name: `${CHILD}_-default-hello`, cloud_ref: '/api/cloud/?name=Default-Cloud', members: [{ pool_ref: made.pool.url, ratio: 100 }] })),
      'poolgroup',
    );
    made.policy = expectCreated(
      await env.ako.post(
        '/api/httppolicyset',
        owned(CLUSTER, {
          name: `${CHILD}-default-hello`,
          http_request_policy: {
            rules: [
              {
                name: `${CHILD}-rule`,
                index: 0,
                enable: true,
                match: { path: { match_criteria: 'BEGINS_WITH', match_str: ['/'] } },
                switching_action: { action: 'HTTP_SWITCHING_SELECT_POOLGROUP', pool_group_ref: made.pg.url },
              },
            ],
          },
        }),
      ),
      'httppolicyset',
    );
    expect(made.policy.http_request_policy.rules[0].switching_action.pool_group_ref).toBe(made.pg.url);
    made.child = expectCreated(
      await env.ako.post(
        '/api/virtualservice',
        owned(CLUSTER, {
          name: CHILD,
          cloud_ref: '/api/cloud/?name=Default-Cloud',
          type: 'VS_TYPE_VH_CHILD',
          vh_parent_vs_ref: made.parent.url,
          vh_domain_name: [HOST],
          se_group_ref: `/api/serviceenginegroup/?name=${SE_GROUP}`,
          ssl_key_and_certificate_refs: [made.cert.url],
          http_policies: [{ index: 11, http_policy_set_ref: made.policy.url }],
        }),
      ),
      'child VS',
    );
    expect(made.child.vh_parent_vs_ref.split('#')[1]).toBe(PARENT);
    const parent = (await env.ako.get(`/api/virtualservice/${made.parent.uuid}`)).body;
    expect(parent.vh_child_vs_uuid).toEqual([made.child.uuid]);
  });

  it('finds the child by the listings AKO uses at boot', async () => {
    const res = await env.ako.get(`/api/virtualservice?name.contains=${CLUSTER}--&created_by=ako-${CLUSTER}&include_name&page_size=100`);
    expect(res.body.results.map((v: Data) => v.name)).toEqual([PARENT, CHILD]); // creation order: parents first
  });

  it('updates the child by full PUT and deletes the chain in reverse', async () => {
    const child = (await env.ako.get(`/api/virtualservice/${made.child.uuid}?include_name`)).body;
    const put = await env.ako.put(`/api/virtualservice/${child.uuid}`, { ...child, vh_domain_name: [HOST, `www.${HOST}`] });
    expect(put.status).toBe(200);
    expect(put.body.vh_domain_name).toEqual([HOST, `www.${HOST}`]);
    const blocked = await env.ako.del(`/api/poolgroup/${made.pg.uuid}`);
    expect(blocked.status).toBe(403);
    expect(blocked.body.error).toContain('Cannot delete, object is referred by:');
    for (const [type, obj] of [
      ['virtualservice', made.child],
      ['httppolicyset', made.policy],
      ['poolgroup', made.pg],
      ['pool', made.pool],
      ['sslkeyandcertificate', made.cert],
    ] as const) {
      expect((await env.ako.del(`/api/${type}/${obj!.uuid}`)).status, type).toBe(204);
    }
    expect((await env.ako.get(`/api/virtualservice/${made.parent.uuid}`)).body.vh_child_vs_uuid ?? []).toEqual([]);
  });
});
