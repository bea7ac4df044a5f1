/**
 * Analytics: metrics (per entity, listed, and the collection API), health scores and anomalies,
 * driven as the SDKs drive them. Values follow the configuration where it determines them
 * (service cores from placed SEs, server-side traffic from the pool's servers) and are a smooth
 * deterministic series otherwise: the same answer for the same request under a seed.
 * Default-Cloud is on vCenter here, so placing a virtual service deploys an SE.
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { client, startSim as startAnySim, type Sim, type SimOptions } from './helpers.js';

const ORCHESTRATED = path.join(import.meta.dirname, 'fixtures', 'scenarios', 'vcenter-cloud.yaml');
const startSim = (options: SimOptions = {}) => startAnySim({ scenario: ORCHESTRATED, seed: 7, ...options });

type Data = Record<string, any>;
const v4 = (addr: string) => ({ addr, type: 'V4' });

let sim: Sim;
let api: ReturnType<typeof client>;

async function post(type: string, body: Data, s: Sim = sim): Promise<Data> {
  const res = await client(s).post(`/api/${type}`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function get(url: string, s: Sim = sim): Promise<Data> {
  const res = await client(s).get(url);
  expect(res.status, `${url}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}

/** A placed virtual service: network, VsVip, pool with two servers, SE group; an SE gets deployed. */
async function placedVs(s: Sim = sim, group: Data = {}): Promise<{ vs: Data; pool: Data; seg: Data }> {
  const net = await post('network', {
    name: 'net-a',
    configured_subnets: [{
      prefix: { ip_addr: v4('10.10.0.0'), mask: 24 },
      static_ip_ranges: [
        { range: { begin: v4('10.10.0.10'), end: v4('10.10.0.20') }, type: 'STATIC_IPS_FOR_VIP' },
        { range: { begin: v4('10.10.0.200'), end: v4('10.10.0.202') }, type: 'STATIC_IPS_FOR_SE' },
      ],
    }],
  }, s);
  const vip = await post('vsvip', { name: 'vip-a', vip: [{ vip_id: '0', ip_address: v4('10.10.0.10'), ipam_network_subnet: { network_ref: `/api/network/${net.uuid}` } }] }, s);
  const seg = await post('serviceenginegroup', { name: 'seg-a', ...group }, s);
  const pool = await post('pool', { name: 'pool-a', servers: [{ ip: v4('192.168.1.1'), port: 80 }, { ip: v4('192.168.1.2'), port: 8080 }] }, s);
  const vs = await post('virtualservice', {
    name: 'vs-a',
    services: [{ port: 80 }],
    se_group_ref: `/api/serviceenginegroup/${seg.uuid}`,
    vsvip_ref: `/api/vsvip/${vip.uuid}`,
    pool_ref: `/api/pool/${pool.uuid}`,
  }, s);
  return { vs, pool, seg };
}

const controllerMean = async (query: string) =>
  (await get(`/api/analytics/metrics/controller?${query}&limit=1&step=300`)).results[0].series[0].header.statistics.mean;

beforeEach(async () => {
  sim = await startSim();
  api = client(sim);
});

describe('metrics the Python SDK reads', () => {
  it('controller_stats.avg_num_service_cores: results[0].series[0].header.statistics.mean, following placement', async () => {
    const before = await get('/api/analytics/metrics/controller?metric_id=controller_stats.avg_num_service_cores&limit=1&step=300');
    expect(before.count).toBe(1);
    const series = before.results[0].series[0];
    expect(series.header).toMatchObject({ name: 'controller_stats.avg_num_service_cores', units: 'METRIC_COUNT', statistics: { mean: 0, num_samples: 1 } });
    expect(series.data).toHaveLength(1);
    await placedVs(sim, { vcpus_per_se: 2 });
    expect(await controllerMean('metric_id=controller_stats.avg_num_service_cores')).toBe(2);
    expect(await controllerMean('metric_id=controller_stats.avg_num_ses')).toBe(1);
    expect(await controllerMean('metric_id=controller_stats.max_num_backend_servers')).toBe(2);
    expect(await controllerMean('metric_id=controller_stats.avg_num_active_vs')).toBe(1);
  });

  it('segroup_stats.avg_license_usage per SE group (obj_id): the cores of the group\'s SEs', async () => {
    const { seg } = await placedVs(sim, { vcpus_per_se: 4 });
    const groups = (await get('/api/serviceenginegroup?fields=markers,name,uuid,tenant_ref')).results as Data[];
    expect(groups.length).toBeGreaterThan(1);
    for (const g of groups) {
      const body = await get(`/api/analytics/metrics/controller?metric_id=segroup_stats.avg_license_usage&limit=1&step=300&obj_id=${g.uuid}`);
      const header = body.results[0].series[0].header;
      expect(header.obj_id).toBe(g.uuid);
      expect(header.statistics.mean).toBe(g.uuid === seg.uuid ? 4 : 0);
    }
    // without obj_id: one series per SE group
    const all = await get('/api/analytics/metrics/controller?metric_id=segroup_stats.avg_license_usage&limit=1');
    expect(all.results[0].series.map((s: Data) => s.header.obj_id).sort()).toEqual(groups.map((g) => g.uuid).sort());
  });
});

describe('series shape and determinism', () => {
  it('points lie on the step grid, limit of them, the latest last', async () => {
    const { vs } = await placedVs();
    const body = await get(`/api/analytics/metrics/virtualservice/${vs.uuid}?metric_id=l4_client.avg_bandwidth,l7_client.avg_complete_responses&step=300&limit=12`);
    expect(body).toMatchObject({ entity_uuid: vs.uuid, metric_entity: 'VSERVER_METRICS_ENTITY', step: 300, limit: 12 });
    expect(body.series.map((s: Data) => s.header.name)).toEqual(['l4_client.avg_bandwidth', 'l7_client.avg_complete_responses']);
    for (const s of body.series) {
      expect(s.data).toHaveLength(12);
      const times = s.data.map((p: Data) => Date.parse(p.timestamp) / 1000);
      for (const t of times) expect(t % 300).toBe(0);
      for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBe(300);
      expect(s.data[0].timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00\+00:00$/);
      expect(body.stop).toBe(s.data[11].timestamp);
      const values = s.data.map((p: Data) => p.value);
      expect(Math.min(...values)).toBeGreaterThan(0);
      const mean = values.reduce((a: number, b: number) => a + b, 0) / values.length;
      expect(s.header.statistics.mean).toBeCloseTo(mean, 3);
      expect(s.header.statistics).toMatchObject({ min: Math.min(...values), max: Math.max(...values), num_samples: 12 });
    }
    expect(body.series[0].header.units).toBe('BITS_PER_SECOND');
  });

  it('the same requests under the same seed answer the same; another seed answers otherwise', async () => {
    const run = async (s: Sim) => {
      const { vs } = await placedVs(s);
      const q = `metric_id=l4_client.avg_bandwidth,se_stats.avg_cpu_usage&step=5&limit=6`;
      return {
        vs: await get(`/api/analytics/metrics/virtualservice/${vs.uuid}?${q}`, s),
        collection: (await client(s).post('/api/analytics/metrics/collection', {
          metric_requests: [{ id: 'all-vs', entity_uuid: '*', metric_entity: 'VSERVER_METRICS_ENTITY', metric_id: 'l4_client.avg_bandwidth', step: 300, limit: 3 }],
        })).body,
      };
    };
    const a = await run(sim);
    const b = await run(await startSim());
    expect(b).toEqual(a);
    const c = await run(await startSim({ seed: 8 }));
    expect(c.vs.series[0].data.map((p: Data) => p.value)).not.toEqual(a.vs.series[0].data.map((p: Data) => p.value));
  });

  it('start/stop bound the window; malformed values are refused', async () => {
    const { vs } = await placedVs();
    const body = await get(`/api/analytics/metrics/virtualservice/${vs.uuid}?metric_id=l4_client.avg_bandwidth&step=3600&start=2024-03-26T00:00:00&stop=2024-03-26T05:30:00Z`);
    expect(body.series[0].data.map((p: Data) => p.timestamp)).toEqual(
      [0, 1, 2, 3, 4, 5].map((h) => `2024-03-26T0${h}:00:00+00:00`),
    );
    // a value at a time does not depend on the window it was asked in
    const again = await get(`/api/analytics/metrics/virtualservice/${vs.uuid}?metric_id=l4_client.avg_bandwidth&step=3600&limit=2&stop=2024-03-26T05:00:00`);
    expect(again.series[0].data).toEqual(body.series[0].data.slice(4));
    expect((await api.get(`/api/analytics/metrics/virtualservice/${vs.uuid}?metric_id=x.y&start=yesterday`)).status).toBe(400);
    expect((await api.get(`/api/analytics/metrics/virtualservice/${vs.uuid}?metric_id=x.y&limit=-1`)).status).toBe(400);
    expect((await api.get(`/api/analytics/metrics/virtualservice/${vs.uuid}`)).status).toBe(400);
    expect((await api.get('/api/analytics/metrics/virtualservice/virtualservice-nope?metric_id=x.y')).status).toBe(404);
    const huge = await get(`/api/analytics/metrics/virtualservice/${vs.uuid}?metric_id=l4_client.avg_bandwidth&limit=999999999`);
    expect(huge.series[0].data.length).toBe(4320);
    const longStep = await get(`/api/analytics/metrics/virtualservice/${vs.uuid}?metric_id=l4_client.avg_bandwidth&step=999999999999&limit=4320`);
    expect(longStep.step).toBe(365 * 86400);
  });
});

describe('metrics follow the state', () => {
  it('a virtual service that is not up has no data: null points padded, or none without padding', async () => {
    const { vs } = await placedVs();
    expect((await api.patch(`/api/virtualservice/${vs.uuid}`, { replace: { enabled: false } })).status).toBe(200);
    const padded = await get(`/api/analytics/metrics/virtualservice/${vs.uuid}?metric_id=l4_client.avg_bandwidth&limit=3`);
    expect(padded.series[0].data).toEqual(padded.series[0].data.map((p: Data) => ({ timestamp: p.timestamp, value: 0, is_null: true })));
    expect(padded.series[0].header.statistics.num_samples).toBe(0);
    const bare = await get(`/api/analytics/metrics/virtualservice/${vs.uuid}?metric_id=l4_client.avg_bandwidth&limit=3&pad_missing_data=false`);
    expect(bare.series[0].data).toEqual([]);
  });

  it('server-side traffic is the sum of the pool servers\'; a disabled server carries none', async () => {
    const { vs, pool } = await placedVs();
    const q = (extra: string) => get(`/api/analytics/metrics/virtualservice/${vs.uuid}?metric_id=l4_server.avg_open_conns&limit=4${extra}`);
    const total = (await q('')).series[0].data.map((p: Data) => p.value);
    const one = (await q('&obj_id=192.168.1.1:80')).series[0].data.map((p: Data) => p.value);
    const two = (await q('&obj_id=192.168.1.2:8080')).series[0].data.map((p: Data) => p.value);
    total.forEach((v: number, i: number) => expect(v).toBeCloseTo(one[i] + two[i], 2));
    const poolTotal = (await get(`/api/analytics/metrics/pool/${pool.uuid}?metric_id=l4_server.avg_open_conns&limit=4`)).series[0].data.map((p: Data) => p.value);
    expect(poolTotal).toEqual(total);

    const servers = [{ ip: v4('192.168.1.1'), port: 80 }, { ip: v4('192.168.1.2'), port: 8080, enabled: false }];
    expect((await api.patch(`/api/pool/${pool.uuid}`, { replace: { servers } })).status).toBe(200);
    expect((await q('')).series[0].data.map((p: Data) => p.value)).toEqual(one);
    expect((await q('&obj_id=192.168.1.2:8080&pad_missing_data=false')).series[0].data).toEqual([]);
  });
});

describe('POST /api/analytics/metrics/collection', () => {
  it('answers series by request id, then entity uuid, as the Go exporters read them', async () => {
    const { vs } = await placedVs();
    const se = (await get('/api/serviceengine')).results[0];
    const res = await api.post('/api/analytics/metrics/collection?pad_missing_data=false', {
      metric_requests: [
        { id: 'vs', entity_uuid: '*', metric_entity: 'VSERVER_METRICS_ENTITY', metric_id: 'l4_client.avg_bandwidth,l4_server.avg_open_conns', step: 5, limit: 1 },
        { entity_uuid: '*', metric_entity: 'SE_METRICS_ENTITY', metric_id: 'se_stats.avg_cpu_usage', step: 5, limit: 1 },
        { id: '__proto__', entity_uuid: '*', metric_entity: 'CONTROLLER_METRICS_ENTITY', metric_id: 'controller_stats.avg_num_ses', limit: 1 },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const series = res.body.series;
    expect(Object.keys(series).sort()).toEqual(['__proto__', 'se_stats.avg_cpu_usage', 'vs']);
    expect(Object.keys(series.vs)).toEqual([vs.uuid]);
    expect(series.vs[vs.uuid].map((s: Data) => s.header.name)).toEqual(['l4_client.avg_bandwidth', 'l4_server.avg_open_conns']);
    for (const s of series.vs[vs.uuid]) expect(s.data).toHaveLength(1);
    expect(series['se_stats.avg_cpu_usage'][se.uuid][0].header).toMatchObject({ entity_uuid: se.uuid, units: 'PERCENT' });
    const [node] = Object.values(series['__proto__']) as Data[][];
    expect(node![0].data[0].value).toBe(1);
    expect(({} as Data).polluted).toBeUndefined();
  });

  it('refuses a body without metric_requests and a query over the point budget', async () => {
    expect((await api.post('/api/analytics/metrics/collection', {})).status).toBe(400);
    const many = Array.from({ length: 64 }, (_, i) => `m.metric_${i}`).join(',');
    const res = await api.post('/api/analytics/metrics/collection', {
      metric_requests: Array.from({ length: 2 }, () => ({ entity_uuid: '*', metric_entity: 'CONTROLLER_METRICS_ENTITY', metric_id: many, limit: 4320 })),
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/more than 500000 data points/);
  });
});

describe('health scores and anomalies', () => {
  it('an up virtual service scores in the 90s; a disabled one has no score and says why', async () => {
    const { vs } = await placedVs();
    const up = await get(`/api/analytics/healthscore/virtualservice/${vs.uuid}?step=300&limit=3`);
    expect(up.series[0].header).toMatchObject({ entity_uuid: vs.uuid, hs_type: 'HEALTH_SCORE' });
    for (const p of up.series[0].data) expect(p.value).toBeGreaterThanOrEqual(90);
    expect((await api.patch(`/api/virtualservice/${vs.uuid}`, { replace: { enabled: false } })).status).toBe(200);
    const down = await get('/api/analytics/healthscore/virtualservice?limit=2');
    const entry = down.results.find((r: Data) => r.entity_uuid === vs.uuid);
    expect(entry.series[0].data).toEqual([expect.objectContaining({ value: 0, is_null: true, reason: 'Disabled' }), expect.anything()]);
  });

  it('anomaly queries answer without anomalies', async () => {
    const { pool } = await placedVs();
    const one = await get(`/api/analytics/anomaly/pool/${pool.uuid}?metric_id=l4_server.avg_open_conns`);
    expect(one.series).toEqual([expect.objectContaining({ header: expect.objectContaining({ name: 'l4_server.avg_open_conns' }), data: [] })]);
    const listed = await get('/api/analytics/anomaly/serviceengine/');
    expect(listed.count).toBe(1);
  });
});

describe('the document', () => {
  const doc = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'openapi', 'avi.json'), 'utf8'));

  it('every analytics operation of the document is modelled', async () => {
    const ops = (await get('/_mock/coverage')).operations as Data[];
    const analytics = ops.filter((o) => o.path.startsWith('/api/analytics/'));
    expect(analytics.length).toBe(21);
    expect(analytics.filter((o) => o.status !== 'modelled')).toEqual([]);
  });

  it('answers validate against the reference response schemas', async () => {
    const { vs, pool } = await placedVs();
    const se = (await get('/api/serviceengine')).results[0];
    const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
    ajv.addSchema(doc, 'avi');
    const check = (schema: string, body: unknown) => {
      const validate = ajv.getSchema(`avi#/components/schemas/${schema}`)!;
      expect(validate(body), `${schema}: ${JSON.stringify(validate.errors)}`).toBe(true);
    };
    const m = 'metric_id=l4_client.avg_bandwidth,l4_server.avg_open_conns&limit=3';
    for (const [type, uuid] of [['virtualservice', vs.uuid], ['pool', pool.uuid], ['serviceengine', se.uuid]]) {
      check('MetricsQueryResponse', await get(`/api/analytics/metrics/${type}/${uuid}?${m}`));
      check('MetricsQueryResponseApiResponse', await get(`/api/analytics/metrics/${type}/?${m}`));
      check('HealthScoreQueryResponse', await get(`/api/analytics/healthscore/${type}/${uuid}`));
      check('HealthScoreQueryResponseApiResponse', await get(`/api/analytics/healthscore/${type}/`));
      check('AnomalyzerQueryResponse', await get(`/api/analytics/anomaly/${type}/${uuid}?metric_id=l4_client.avg_bandwidth`));
      check('AnomalyzerQueryResponseApiResponse', await get(`/api/analytics/anomaly/${type}/`));
    }
    check('MetricsQueryResponseApiResponse', await get('/api/analytics/metrics/controller/?metric_id=controller_stats.avg_num_service_cores'));
    const collection = await api.post('/api/analytics/metrics/collection', { metric_requests: [{ entity_uuid: vs.uuid, metric_id: 'l4_client.avg_bandwidth' }] });
    // The document types `series` as a map of MetricsDataSeries; clients (the SDK's metrics
    // tests, the Go exporters) read series[<id>][<entity uuid>] as a list of them, as answered.
    const lists = Object.values(collection.body.series['l4_client.avg_bandwidth']) as Data[][];
    expect(lists).toHaveLength(1);
    for (const s of lists[0]!) check('MetricsDataSeries', s);
  });
});
