/**
 * vcrpy cassettes, replayed and loaded as they are. The cassettes in test/fixtures/cassettes were
 * recorded with Debian's python3-vcr and python3-requests against avisim by
 * scripts/record-vcr-cassettes.py (a session as the Avi Python SDK drives it: login, CSRF,
 * create, read, PUT, PATCH, a refused duplicate, delete, logout), once as YAML and once as JSON,
 * with another password and other uuids than any target here has. broken-pool-session.yaml is
 * the YAML one altered by hand (a body and a status).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkScenario } from '../server/check/scenario.js';
import { runReplay } from '../server/record/commands.js';
import { loadExchanges } from '../server/record/replay.js';
import { loadScenario } from '../server/scenario/load.js';
import { startAvisim, type StartedAvisim } from '../server/testing.js';

const cassettes = path.resolve(import.meta.dirname, 'fixtures/cassettes');
const YAML = path.join(cassettes, 'pool-session.yaml');
const JSON_CASSETTE = path.join(cassettes, 'pool-session.json');
const BROKEN = path.join(cassettes, 'broken-pool-session.yaml');
const PASSWORD = 'Cassette-target-pw-1618';

const targets: StartedAvisim[] = [];
afterAll(async () => {
  await Promise.all(targets.map((t) => t.close()));
});

/** A fresh avisim (its own uuids, its own password) for each replay. */
async function fresh(): Promise<StartedAvisim> {
  const t = await startAvisim({ adminPassword: PASSWORD });
  targets.push(t);
  return t;
}

async function replayCli(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await runReplay([...args, '--password', PASSWORD], (t) => (out += t), (t) => (err += t));
  return { status, out, err };
}

describe('vcrpy cassettes', () => {
  let yamlTarget: StartedAvisim;
  beforeAll(async () => {
    yamlTarget = await fresh();
  });

  it('are read as exchanges: paths without the recorded host, the login in the one session with its password to be filled in', async () => {
    const exchanges = await loadExchanges(YAML);
    expect(exchanges).toHaveLength(12);
    expect(exchanges[0]).toMatchObject({ request: { method: 'GET', path: '/api/pool' }, response: { status: 401 } });
    expect(exchanges[0]!.session).toBeUndefined();
    expect(exchanges[1]).toMatchObject({ session: 1, request: { method: 'POST', path: '/login', body: { username: 'admin', password: '<scrubbed>' } } });
    const create = exchanges[3]!;
    expect(create.request.body).toMatchObject({ name: 'vcr-pool', cloud_ref: expect.stringMatching(/^\/api\/cloud\/cloud-/) });
    expect(JSON.stringify(exchanges.map((e) => e.request))).not.toContain('127.0.0.1:18099');
    // the JSON cassette is another run of the same session (its own uuids and stamps)
    const steps = (list: typeof exchanges) => list.map((e) => `${e.session ?? '-'} ${e.request.method} ${e.response.status}`);
    expect(steps(await loadExchanges(JSON_CASSETTE))).toEqual(steps(exchanges));
  });

  it('a YAML cassette replays 100% on a fresh avisim', async () => {
    const r = await replayCli(YAML, '--target', yamlTarget.url);
    expect(r.err).toBe('');
    expect(r.out).toContain('12/12 exchanges match (100%)');
    expect(r.status).toBe(0);
  });

  it('a JSON cassette replays 100% on a fresh avisim', async () => {
    const r = await replayCli(JSON_CASSETTE, '--target', (await fresh()).url);
    expect(r.err).toBe('');
    expect(r.out).toContain('12/12 exchanges match (100%)');
    expect(r.status).toBe(0);
  });

  it('a broken cassette is reported, with a fidelity report per cassette', async () => {
    const r = await replayCli(YAML, BROKEN, '--target', (await fresh()).url);
    expect(r.status).toBe(1);
    expect(r.out).toContain(`${YAML}: 12/12 exchanges match (100%)`);
    expect(r.out).toContain(`${BROKEN}: 10/12 exchanges match (83.3%)`);
    expect(r.out).toMatch(/✗ 6 PUT \/api\/pool\/pool-[0-9a-f-]+: \$\.lb_algorithm differs \(status 200 as recorded\)\n {4}\$\.lb_algorithm: expected "LB_ALGORITHM_FASTEST_RESPONSE" got "LB_ALGORITHM_ROUND_ROBIN"/);
    expect(r.out).toContain('✗ 8 POST /api/pool: status 409, recorded 201\n    the target answered: {"error":"Pool with this Name, Tenant ref and Cloud ref already exists."}');
  });

  it('the scenario loader takes a cassette as it is: a fresh controller and its exchanges', async () => {
    const scenario = await loadScenario(JSON_CASSETTE);
    expect(scenario.exchanges).toHaveLength(12);
    expect(scenario.exchanges[1]).toMatchObject({ request: { path: '/login' } });
    expect(scenario.objects.some((o) => o.type === 'cloud' && o.body.name === 'Default-Cloud')).toBe(true);
    expect((await checkScenario(YAML)).ok).toBe(true);
  });
});
