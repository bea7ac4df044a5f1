/**
 * The `objects:` of a recorded scenario: the last state of every Avi object the answers showed.
 */
import { describe, expect, it } from 'vitest';
import { ObjectTracker, plainRefs } from '../server/record/objects.js';

const pool = (name: string, extra: Record<string, unknown> = {}) => ({
  url: `/api/pool/pool-11111111-1111-4111-8111-111111111111#${name}`,
  uuid: 'pool-11111111-1111-4111-8111-111111111111',
  name,
  cloud_ref: 'https://ctrl.example/api/cloud/cloud-22222222-2222-4222-8222-222222222222#Default-Cloud',
  _last_modified: '1700000000000001',
  ...extra,
});

describe('ObjectTracker', () => {
  it('keeps the last representation from any answer, without url and _last_modified, refs plain', () => {
    const t = new ObjectTracker();
    t.observe('POST', '/api/pool', 201, pool('p1'));
    t.observe('PUT', '/api/pool/pool-11111111-1111-4111-8111-111111111111', 200, pool('p1', { lb_algorithm: 'LB_ALGORITHM_ROUND_ROBIN' }));
    expect(t.list()).toEqual([
      {
        type: 'pool',
        body: {
          uuid: 'pool-11111111-1111-4111-8111-111111111111',
          name: 'p1',
          // the cloud itself never showed, only its name on the ref: it is named, for the base
          cloud_ref: '/api/cloud/?name=Default-Cloud',
          lb_algorithm: 'LB_ALGORITHM_ROUND_ROBIN',
        },
      },
    ]);
  });

  it("reads a list's results, types them by their url, and forgets an object once deleted", () => {
    const t = new ObjectTracker();
    const cloud = { url: '/api/cloud/cloud-22222222-2222-4222-8222-222222222222', uuid: 'cloud-22222222-2222-4222-8222-222222222222', name: 'Default-Cloud' };
    t.observe('GET', '/api/cloud?name=Default-Cloud', 200, { count: 1, results: [cloud] });
    t.observe('GET', '/api/pool/pool-11111111-1111-4111-8111-111111111111', 200, pool('p1'));
    expect(t.list().map((o) => o.type)).toEqual(['cloud', 'pool']);
    t.observe('DELETE', '/api/pool/pool-11111111-1111-4111-8111-111111111111', 204, undefined);
    expect(t.list().map((o) => o.type)).toEqual(['cloud']);
  });

  it('merges a projection (fields=) into what it knew instead of replacing it', () => {
    const t = new ObjectTracker();
    t.observe('POST', '/api/pool', 201, pool('p1', { enabled: true }));
    t.observe('GET', '/api/pool?fields=enabled', 200, { count: 1, results: [{ url: pool('p1').url, uuid: pool('p1').uuid, name: 'p1', enabled: false }] });
    expect(t.list()[0]!.body).toMatchObject({ enabled: false, cloud_ref: '/api/cloud/?name=Default-Cloud' });
  });

  it('makes refs loadable on the base: by uuid when recorded, by name when named, else left out and listed', () => {
    const t = new ObjectTracker();
    const cloud = { url: '/api/cloud/cloud-22222222-2222-4222-8222-222222222222', uuid: 'cloud-22222222-2222-4222-8222-222222222222', name: 'Default-Cloud' };
    t.observe('GET', '/api/cloud', 200, { count: 1, results: [cloud] });
    t.observe('GET', '/api/vrfcontext/x', 200, { url: '/api/vrfcontext/vrf-3', uuid: 'vrf-3', name: 'global' });
    t.observe('DELETE', '/api/vrfcontext/vrf-3', 204, undefined);
    t.observe('POST', '/api/pool', 201, {
      ...pool('p1'),
      cloud_ref: '/api/cloud/cloud-22222222-2222-4222-8222-222222222222',
      vrf_ref: '/api/vrfcontext/vrf-3',
      tenant_ref: '/api/tenant/tenant-9',
      markers: [{ ref: '/api/tenant/tenant-9' }],
    });
    const body = t.list().find((o) => o.type === 'pool')!.body;
    expect(body.cloud_ref).toBe('/api/cloud/cloud-22222222-2222-4222-8222-222222222222');
    expect(body.vrf_ref).toBe('/api/vrfcontext/?name=global');
    expect(body).not.toHaveProperty('tenant_ref');
    expect(body.markers).toEqual([{}]);
    expect(t.dropped).toEqual(['pool p1: tenant_ref -> /api/tenant/tenant-9', 'pool p1: markers[0].ref -> /api/tenant/tenant-9']);
  });

  it('ignores errors, answers without uuid and url, and the NSX API', () => {
    const t = new ObjectTracker();
    t.observe('POST', '/api/pool', 409, pool('p1'));
    t.observe('GET', '/api/initial-data', 200, { version: { Version: '30.2.1' } });
    t.observe('GET', '/policy/api/v1/infra/tier-1s', 200, { results: [{ id: 't1', path: '/infra/tier-1s/t1' }] });
    expect(t.list()).toEqual([]);
  });
});

describe('plainRefs', () => {
  it('turns full, host-less and named refs into /api/<type>/<uuid>, leaves other strings', () => {
    expect(
      plainRefs({
        a: 'https://10.0.0.5/api/vrfcontext/vrfcontext-1#global',
        b: ['/api/tenant/admin#admin'],
        c: 'just text',
        d: '/api/network/?name=vip-net',
      }),
    ).toEqual({ a: '/api/vrfcontext/vrfcontext-1', b: ['/api/tenant/admin'], c: 'just text', d: '/api/network/?name=vip-net' });
  });
});
