/**
 * VsVip behaviour: VIP allocation from a network's static VIP ranges, kept
 * across PUTs, freed on delete, static addresses honoured, the controller's refusals, the IPAM
 * profile fallback, determinism per seed, persistence, and the `vs_refs` back-reference.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { client, startSim, type Sim } from './helpers.js';

type Data = Record<string, any>;
type Client = ReturnType<typeof client>;

const v4 = (addr: string) => ({ addr, type: 'V4' });
const prefix = (addr: string, mask: number) => ({ ip_addr: v4(addr), mask });

/** A network with one configured subnet and the given static ranges (type default VIP_AND_SE). */
async function network(c: Client, name: string, subnet: [string, number], ranges: Array<[string, string, string?]>) {
  const res = await c.post('/api/network', {
    name,
    configured_subnets: [
      {
        prefix: prefix(...subnet),
        static_ip_ranges: ranges.map(([b, e, type]) => ({ range: { begin: v4(b), end: v4(e) }, ...(type ? { type } : {}) })),
      },
    ],
  });
  expect(res.status, res.text).toBe(201);
  return res.body as Data;
}

/** A /29 with the six host addresses 10.0.0.1–10.0.0.6 for VIPs. */
const net29 = (c: Client, name = 'vip-net') => network(c, name, ['10.0.0.0', 29], [['10.0.0.1', '10.0.0.6']]);

const autoVip = (networkName: string, extra: Data = {}) => ({
  auto_allocate_ip: true,
  ipam_network_subnet: { network_ref: `/api/network/?name=${networkName}` },
  ...extra,
});

async function postVsVip(c: Client, name: string, vip: Data[] | Data) {
  return c.post('/api/vsvip', { name, vip: Array.isArray(vip) ? vip : [vip] });
}

const addrOf = (body: Data, i = 0) => body.vip?.[i]?.ip_address?.addr as string | undefined;

async function sim(options = {}): Promise<{ s: Sim; c: Client }> {
  const s = await startSim(options);
  return { s, c: client(s) };
}

describe('VIP allocation from a network', () => {
  it('never hands out an address a Service Engine holds in a shared VIP-and-SE range', async () => {
    // Default-Cloud on vCenter: the controller deploys the SE and gives it its address
    const { c } = await sim({ scenario: path.join(import.meta.dirname, 'fixtures', 'scenarios', 'vcenter-cloud.yaml') });
    // Three addresses shared by VIPs and SEs (the default range type).
    await network(c, 'shared-net', ['10.9.0.0', 24], [['10.9.0.10', '10.9.0.12']]);
    const first = await postVsVip(c, 'vip-a', autoVip('shared-net'));
    expect(addrOf(first.body)).toBe('10.9.0.10');
    // Placing a VS on the default SE group gives an SE a data NIC on that network.
    const vs = await c.post('/api/virtualservice', { name: 'vs-a', vsvip_ref: first.body.url, services: [{ port: 80 }] });
    expect(vs.status, vs.text).toBe(201);
    const seAddrs = ((await c.get('/api/serviceengine')).body.results as Data[]).flatMap((se) =>
      (se.data_vnics ?? []).flatMap((n: Data) => (n.vnic_networks ?? []).map((vn: Data) => vn.ip?.ip_addr?.addr)),
    );
    expect(seAddrs).toContain('10.9.0.12');
    const second = await postVsVip(c, 'vip-b', autoVip('shared-net'));
    expect(addrOf(second.body)).toBe('10.9.0.11');
    const third = await postVsVip(c, 'vip-c', autoVip('shared-net'));
    expect(third.status).toBe(400);
    expect(third.body).toEqual({ error: 'No available free IPs' });
  });

  it('hands out a /29 range lowest first, refuses the seventh, reuses a freed address', async () => {
    const { c } = await sim();
    await net29(c);
    const got: string[] = [];
    const uuids: string[] = [];
    for (let i = 1; i <= 6; i++) {
      const res = await postVsVip(c, `vs-${i}`, autoVip('vip-net'));
      expect(res.status, res.text).toBe(201);
      got.push(addrOf(res.body)!);
      uuids.push(res.body.uuid);
    }
    expect(got).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6']);

    const seventh = await postVsVip(c, 'vs-7', autoVip('vip-net'));
    expect(seventh.status).toBe(400);
    expect(seventh.body).toEqual({ error: 'No available free IPs' });
    expect((await c.get('/api/vsvip?name=vs-7')).body.count).toBe(0);

    expect((await c.del(`/api/vsvip/${uuids[2]}`)).status).toBe(204);
    const again = await postVsVip(c, 'vs-7', autoVip('vip-net'));
    expect(again.status, again.text).toBe(201);
    expect(addrOf(again.body)).toBe('10.0.0.3');
    expect((await postVsVip(c, 'vs-8', autoVip('vip-net'))).body).toEqual({ error: 'No available free IPs' });
  });

  it('answers the allocated VIP in the POST response, stored in the controller form', async () => {
    const { c } = await sim();
    const net = await net29(c);
    const res = await c.post('/api/vsvip', {
      name: 'ako--default-svc',
      vip: [autoVip('vip-net', { vip_id: '0' })],
      vsvip_cloud_config_cksum: '3276593474',
    });
    expect(res.status, res.text).toBe(201);
    const netRef = `${net.url.split('#')[0]}#vip-net`;
    const subnet = prefix('10.0.0.0', 29);
    expect(res.body.vip).toEqual([
      {
        vip_id: '0',
        auto_allocate_ip: true,
        auto_allocate_ip_type: 'V4_ONLY',
        auto_allocate_floating_ip: false,
        avi_allocated_fip: false,
        avi_allocated_vip: true,
        enabled: true,
        prefix_length: 32,
        ip_address: v4('10.0.0.1'),
        ipam_network_subnet: { network_ref: netRef, subnet },
        discovered_networks: [{ network_ref: netRef, subnet: [subnet] }],
      },
    ]);
    // The cloud's global VRF is filled in; GET answers what POST did.
    expect(res.body.vrf_context_ref).toMatch(/\/api\/vrfcontext\/vrfcontext-.*#global$/);
    const get = await c.get(`/api/vsvip/${res.body.uuid}?include_name`);
    expect(get.body.vip).toEqual(res.body.vip);
  });

  it('numbers vips without vip_id "0", "1", ... and gives each its own address', async () => {
    const { c } = await sim();
    await net29(c);
    const res = await postVsVip(c, 'two', [autoVip('vip-net'), autoVip('vip-net')]);
    expect(res.status, res.text).toBe(201);
    expect(res.body.vip.map((v: Data) => [v.vip_id, v.ip_address.addr])).toEqual([
      ['0', '10.0.0.1'],
      ['1', '10.0.0.2'],
    ]);
  });

  it('skips SE-only ranges and takes the lowest address across VIP ranges', async () => {
    const { c } = await sim();
    await network(c, 'mixed', ['10.1.0.0', 24], [
      ['10.1.0.50', '10.1.0.51'],
      ['10.1.0.10', '10.1.0.20', 'STATIC_IPS_FOR_SE'],
      ['10.1.0.30', '10.1.0.30', 'STATIC_IPS_FOR_VIP'],
    ]);
    const got = [];
    for (const name of ['a', 'b', 'c']) got.push(addrOf((await postVsVip(c, name, autoVip('mixed'))).body));
    expect(got).toEqual(['10.1.0.30', '10.1.0.50', '10.1.0.51']);
    expect((await postVsVip(c, 'd', autoVip('mixed'))).body.error).toBe('No available free IPs');
  });

  it('keeps the allocation when a PUT or PATCH re-sends the vip without its address', async () => {
    const { c } = await sim();
    await net29(c);
    const first = (await postVsVip(c, 'keep', autoVip('vip-net'))).body;
    await postVsVip(c, 'other', autoVip('vip-net')); // 10.0.0.2

    // AKO builds the vip afresh on every sync: no address, same vip_id.
    const put = await c.put(`/api/vsvip/${first.uuid}`, { name: 'keep', vip: [autoVip('vip-net', { vip_id: '0' })] });
    expect(put.status, put.text).toBe(200);
    expect(addrOf(put.body)).toBe('10.0.0.1');
    expect(put.body.vip[0].avi_allocated_vip).toBe(true);
    expect(put.body.vip[0].discovered_networks).toEqual(first.vip[0].discovered_networks);

    // Without vip_id at all, the vip in the same place is meant.
    const put2 = await c.put(`/api/vsvip/${first.uuid}`, { name: 'keep', vip: [autoVip('vip-net')] });
    expect(put2.status, put2.text).toBe(200);
    expect(put2.body.vip[0].vip_id).toBe('0');
    expect(addrOf(put2.body)).toBe('10.0.0.1');

    // A client that PUTs back what it GETs keeps it too.
    const got = (await c.get(`/api/vsvip/${first.uuid}`)).body;
    const put3 = await c.put(`/api/vsvip/${first.uuid}`, got);
    expect(addrOf(put3.body)).toBe('10.0.0.1');

    const patch = await c.patch(`/api/vsvip/${first.uuid}`, { replace: { vip: [autoVip('vip-net', { vip_id: '0' })] } });
    expect(patch.status, patch.text).toBe(200);
    expect(addrOf(patch.body)).toBe('10.0.0.1');

    // PATCH add: a new vip gets the next id and the next free address.
    const add = await c.patch(`/api/vsvip/${first.uuid}`, { add: { vip: [autoVip('vip-net')] } });
    expect(add.status, add.text).toBe(200);
    expect(add.body.vip.map((v: Data) => [v.vip_id, v.ip_address.addr])).toEqual([
      ['0', '10.0.0.1'],
      ['1', '10.0.0.3'],
    ]);
    // PATCH delete by vip_id frees that address.
    const del = await c.patch(`/api/vsvip/${first.uuid}`, { delete: { vip: [{ vip_id: '0' }] } });
    expect(del.status, del.text).toBe(200);
    expect(del.body.vip.map((v: Data) => v.ip_address.addr)).toEqual(['10.0.0.3']);
    expect(addrOf((await postVsVip(c, 'next', autoVip('vip-net'))).body)).toBe('10.0.0.1');
  });

  it('honours a static address and refuses one another VsVip of the same VRF holds', async () => {
    const { c } = await sim();
    await net29(c);
    const st = await postVsVip(c, 'static', { vip_id: '0', ip_address: v4('10.0.0.1') });
    expect(st.status, st.text).toBe(201);
    expect(st.body.vip[0].ip_address).toEqual(v4('10.0.0.1'));
    expect(st.body.vip[0].avi_allocated_vip).toBe(false);

    // The allocator steps over it.
    expect(addrOf((await postVsVip(c, 'auto', autoVip('vip-net'))).body)).toBe('10.0.0.2');

    const dup = await postVsVip(c, 'dup', { vip_id: '0', ip_address: v4('10.0.0.1') });
    expect(dup.status).toBe(400);
    expect(dup.body.error).toBe('IP address 10.0.0.1 is already in use by VsVip static in the same VRF');
    const dupAuto = await postVsVip(c, 'dup2', { vip_id: '0', ip_address: v4('10.0.0.2') });
    expect(dupAuto.body.error).toBe('IP address 10.0.0.2 is already in use by VsVip auto in the same VRF');
    // Twice in one body is refused too.
    const twice = await postVsVip(c, 'twice', [
      { vip_id: '0', ip_address: v4('10.9.9.9') },
      { vip_id: '1', ip_address: v4('10.9.9.9') },
    ]);
    expect(twice.status).toBe(400);
    expect(twice.body.error).toContain('10.9.9.9 is already in use');

    // The same address in another VRF is another address.
    const vrf = await c.post('/api/vrfcontext', { name: 'blue' });
    expect(vrf.status).toBe(201);
    const other = await c.post('/api/vsvip', {
      name: 'in-blue',
      vrf_context_ref: '/api/vrfcontext/?name=blue',
      vip: [{ vip_id: '0', ip_address: v4('10.0.0.1') }],
    });
    expect(other.status, other.text).toBe(201);

    // A preferred address with auto_allocate_ip (a Service's loadBalancerIP) is honoured, with its subnet.
    const preferred = await postVsVip(c, 'preferred', autoVip('vip-net', { ip_address: v4('10.0.0.5') }));
    expect(preferred.status, preferred.text).toBe(201);
    expect(addrOf(preferred.body)).toBe('10.0.0.5');
    expect(preferred.body.vip[0].ipam_network_subnet.subnet).toEqual(prefix('10.0.0.0', 29));
    expect(addrOf((await postVsVip(c, 'auto2', autoVip('vip-net'))).body)).toBe('10.0.0.3');
  });

  it('refuses a new preferred address and a changed vip_id with the controller texts', async () => {
    const { c } = await sim();
    await net29(c);
    const auto = (await postVsVip(c, 'a', autoVip('vip-net'))).body;
    const st = (await postVsVip(c, 's', { vip_id: '0', ip_address: v4('10.0.0.6') })).body;

    const moveAuto = await c.put(`/api/vsvip/${auto.uuid}`, { name: 'a', vip: [autoVip('vip-net', { vip_id: '0', ip_address: v4('10.0.0.4') })] });
    expect(moveAuto.status).toBe(400);
    expect(moveAuto.body).toEqual({ error: 'If a new preferred IP is needed, please recreate the VIP' });
    const moveStatic = await c.patch(`/api/vsvip/${st.uuid}`, { replace: { vip: [{ vip_id: '0', ip_address: v4('10.0.0.5') }] } });
    expect(moveStatic.status).toBe(400);
    expect(moveStatic.body).toEqual({ error: 'If a new preferred IP is needed, please recreate the VIP' });

    const renumber = await c.put(`/api/vsvip/${auto.uuid}`, { name: 'a', vip: [{ ...auto.vip[0], vip_id: '7' }] });
    expect(renumber.status).toBe(400);
    expect(renumber.body).toEqual({ error: "Changing an existing VIP's vip_id is not supported" });
    const renumberAuto = await c.put(`/api/vsvip/${auto.uuid}`, { name: 'a', vip: [autoVip('vip-net', { vip_id: '1' })] });
    expect(renumberAuto.body).toEqual({ error: "Changing an existing VIP's vip_id is not supported" });

    // Nothing changed.
    expect((await c.get(`/api/vsvip/${auto.uuid}`)).body.vip[0]).toMatchObject({ vip_id: '0', ip_address: v4('10.0.0.1') });
    expect((await c.get(`/api/vsvip/${st.uuid}`)).body.vip[0]).toMatchObject({ vip_id: '0', ip_address: v4('10.0.0.6') });
  });

  it('a refused write (duplicate name, 409) leaves the address free', async () => {
    const { c } = await sim();
    await net29(c);
    expect(addrOf((await postVsVip(c, 'taken-name', autoVip('vip-net'))).body)).toBe('10.0.0.1');
    const clash = await postVsVip(c, 'taken-name', autoVip('vip-net'));
    expect(clash.status).toBe(409);
    expect(clash.body.error).toContain('already exists');
    expect(addrOf((await postVsVip(c, 'fresh', autoVip('vip-net'))).body)).toBe('10.0.0.2');
    // A refused PUT does not hold a new address either.
    const two = (await postVsVip(c, 'two', autoVip('vip-net'))).body; // 10.0.0.3
    const bad = await c.put(`/api/vsvip/${two.uuid}`, { name: 'fresh', vip: [two.vip[0], autoVip('vip-net')] });
    expect(bad.status).toBe(409);
    expect(addrOf((await postVsVip(c, 'three', autoVip('vip-net'))).body)).toBe('10.0.0.4');
  });

  it('without a network on the vip, allocates from the cloud IPAM profile usable networks', async () => {
    const { c } = await sim();
    await network(c, 'full', ['10.2.0.0', 30], [['10.2.0.1', '10.2.0.1']]);
    await network(c, 'spare', ['10.3.0.0', 24], [['10.3.0.100', '10.3.0.110', 'STATIC_IPS_FOR_VIP']]);

    const none = await postVsVip(c, 'no-ipam', { auto_allocate_ip: true });
    expect(none.status).toBe(400);
    expect(none.body.error).toContain('no usable network');

    const profile = await c.post('/api/ipamdnsproviderprofile', {
      name: 'ipam',
      type: 'IPAMDNS_TYPE_INTERNAL',
      internal_profile: { usable_networks: [{ nw_ref: '/api/network/?name=full' }, { nw_ref: '/api/network/?name=spare' }] },
    });
    expect(profile.status, profile.text).toBe(201);
    const cloud = (await c.get('/api/cloud?name=Default-Cloud')).body.results[0];
    const patched = await c.patch(`/api/cloud/${cloud.uuid}`, { replace: { ipam_provider_ref: profile.body.url } });
    expect(patched.status, patched.text).toBe(200);

    const a = await postVsVip(c, 'a', { auto_allocate_ip: true });
    expect(a.status, a.text).toBe(201);
    expect(addrOf(a.body)).toBe('10.2.0.1');
    expect(a.body.vip[0].ipam_network_subnet.network_ref).toMatch(/#full$/);
    const b = await postVsVip(c, 'b', { auto_allocate_ip: true });
    expect(addrOf(b.body)).toBe('10.3.0.100');
    expect(b.body.vip[0].discovered_networks[0].network_ref).toMatch(/#spare$/);
    expect(b.body.vip[0].discovered_networks[0].subnet).toEqual([prefix('10.3.0.0', 24)]);
  });

  it('allocates the same addresses in two simulators with the same seed', async () => {
    const run = async () => {
      const { c } = await sim({ seed: 42 });
      await network(c, 'n', ['172.16.0.0', 24], [['172.16.0.10', '172.16.0.20']]);
      const out: Data[] = [];
      for (const name of ['x', 'y', 'z']) out.push((await postVsVip(c, name, autoVip('n'))).body);
      const y = out[1]!;
      await c.del(`/api/vsvip/${y.uuid}`);
      out.push((await postVsVip(c, 'w', autoVip('n'))).body);
      return out;
    };
    const [one, two] = [await run(), await run()];
    expect(one.map((b) => addrOf(b))).toEqual(['172.16.0.10', '172.16.0.11', '172.16.0.12', '172.16.0.11']);
    expect(two).toEqual(one);
  });

  it('keeps allocations across a restart with a state file', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'avisim-vsvip-')), 'state.json');
    const first = await sim({ stateFile: file });
    await net29(first.c);
    const a = (await postVsVip(first.c, 'a', autoVip('vip-net'))).body;
    await postVsVip(first.c, 'b', autoVip('vip-net'));
    await first.c.del(`/api/vsvip/${a.uuid}`);
    await first.s.engine.persistence!.close();

    const second = await sim({ stateFile: file });
    // .1 was freed before the restart, .2 is still held after it.
    expect(addrOf((await postVsVip(second.c, 'c', autoVip('vip-net'))).body)).toBe('10.0.0.1');
    expect(addrOf((await postVsVip(second.c, 'd', autoVip('vip-net'))).body)).toBe('10.0.0.3');
    const dup = await postVsVip(second.c, 'e', { vip_id: '0', ip_address: v4('10.0.0.2') });
    expect(dup.body.error).toBe('IP address 10.0.0.2 is already in use by VsVip b in the same VRF');
  });
});

describe('vs_refs on VsVip', () => {
  it('lists the virtual services that use the VsVip, and not after their delete', async () => {
    const { c } = await sim();
    await net29(c);
    const vip = (await postVsVip(c, 'shared-vip', autoVip('vip-net'))).body;
    expect(vip.vs_refs).toBeUndefined();

    const vs1 = await c.post('/api/virtualservice', { name: 'vs1', vsvip_ref: vip.url, services: [{ port: 80 }] });
    expect(vs1.status, vs1.text).toBe(201);
    const vs2 = await c.post('/api/virtualservice', { name: 'vs2', vsvip_ref: '/api/vsvip/?name=shared-vip', services: [{ port: 443 }] });
    expect(vs2.status, vs2.text).toBe(201);

    const withName = await c.get(`/api/vsvip/${vip.uuid}?include_name`);
    expect(withName.body.vs_refs).toEqual([vs1.body.url, vs2.body.url]);
    expect(withName.body.vs_refs[0]).toMatch(/\/api\/virtualservice\/virtualservice-.*#vs1$/);
    const plain = await c.get(`/api/vsvip/${vip.uuid}`);
    expect(plain.body.vs_refs).toEqual([vs1.body.url.split('#')[0], vs2.body.url.split('#')[0]]);
    const listed = await c.get('/api/vsvip?name=shared-vip');
    expect(listed.body.results[0].vs_refs).toHaveLength(2);

    // A PUT response carries it (with #name), and a client PUTting it back is not refused.
    const put = await c.put(`/api/vsvip/${vip.uuid}`, withName.body);
    expect(put.status, put.text).toBe(200);
    expect(put.body.vs_refs).toEqual([vs1.body.url, vs2.body.url]);

    // The VsVip cannot go while used.
    expect((await c.del(`/api/vsvip/${vip.uuid}`)).status).toBe(403);

    expect((await c.del(`/api/virtualservice/${vs1.body.uuid}`)).status).toBe(204);
    expect((await c.get(`/api/vsvip/${vip.uuid}?include_name`)).body.vs_refs).toEqual([vs2.body.url]);
    expect((await c.del(`/api/virtualservice/${vs2.body.uuid}`)).status).toBe(204);
    expect((await c.get(`/api/vsvip/${vip.uuid}`)).body.vs_refs).toBeUndefined();
    expect((await c.del(`/api/vsvip/${vip.uuid}`)).status).toBe(204);
  });
});
