/**
 * How `avisim replay` decides a live answer matches the recorded one: uuids paired by place and
 * replaced by placeholders, base URLs, timestamps and secrets normalised, differences by path.
 */
import { describe, expect, it } from 'vitest';
import { compareResponses, diff, normalise, UuidLabels, VOLATILE } from '../server/record/compare.js';
import { LiveValues } from '../server/record/live-values.js';
import { SCRUBBED } from '../server/record/scrub.js';

const P1 = 'pool-11111111-1111-4111-8111-111111111111';
const P2 = 'pool-22222222-2222-4222-8222-222222222222';
const L1 = 'pool-aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const L2 = 'pool-bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const C1 = 'cloud-33333333-3333-4333-8333-333333333333';
const LC = 'cloud-cccccccc-cccc-4ccc-8ccc-cccccccccccc';

const poolBody = (uuid: string, cloud: string, host = '', extra: Record<string, unknown> = {}) => ({
  url: `${host}/api/pool/${uuid}#web`,
  uuid,
  name: 'web',
  cloud_ref: `${host}/api/cloud/${cloud}#Default-Cloud`,
  _last_modified: String(Math.floor(Math.random() * 1e16)),
  ...extra,
});

function fresh() {
  const values = new LiveValues();
  return { values, labels: new UuidLabels(values) };
}

describe('LiveValues', () => {
  it('pairs uuids found at the same place and rewrites later paths and bodies with the live ones', () => {
    const v = new LiveValues();
    v.pair({ uuid: P1, refs: [`/api/cloud/${C1}#Default-Cloud`], _last_modified: '1700000000000001' }, { uuid: L1, refs: [`https://h/api/cloud/${LC}#Default-Cloud`], _last_modified: '1800000000000009' });
    expect(v.liveFor(P1)).toBe(L1);
    expect(v.recordedFor(LC)).toBe(C1);
    expect(v.rewriteText(`/api/pool/${P1}?cloud_ref.uuid=${C1}`)).toBe(`/api/pool/${L1}?cloud_ref.uuid=${LC}`);
    expect(v.rewriteBody({ pool_ref: `/api/pool/${P1}#web`, _last_modified: '1700000000000001', list: [P1] })).toEqual({
      pool_ref: `/api/pool/${L1}#web`,
      _last_modified: '1800000000000009',
      list: [L1],
    });
  });

  it('keeps the first pairing, and pairs neither uuids of different kinds nor strings holding different counts', () => {
    const v = new LiveValues();
    v.pairText(P1, L1);
    v.pairText(P1, L2);
    expect(v.liveFor(P1)).toBe(L1);
    v.pairText(P2, LC);
    expect(v.liveFor(P2)).toBeUndefined();
    v.pairText(`${P2} ${C1}`, L2);
    expect(v.liveFor(P2)).toBeUndefined();
  });
});

describe('normalise', () => {
  it('takes off base URLs, labels uuids, marks volatile fields and secrets', () => {
    const labels = (u: string) => `<${u.slice(0, 4)}>`;
    expect(
      normalise(
        {
          url: `https://10.0.0.5/api/pool/${P1}#web`,
          next: 'http://127.0.0.1:8080/api/pool?page=2',
          _last_modified: '1700000000000001',
          current_time: '2024-01-01T00:00:00Z',
          cluster_state: { up_since: '2020-10-28 04:58:48' },
          token: 'abc',
          session_cookie_name: 'avi-sessionid',
          text: 'plain',
        },
        labels,
      ),
    ).toEqual({
      url: '/api/pool/<pool>#web',
      next: '/api/pool?page=2',
      _last_modified: VOLATILE,
      current_time: VOLATILE,
      cluster_state: { up_since: VOLATILE },
      token: SCRUBBED,
      session_cookie_name: 'avi-sessionid',
      text: 'plain',
    });
  });
});

describe('diff', () => {
  it('lists changed, missing and extra fields and array items by JSON path', () => {
    expect(diff({ a: 1, b: { c: 'x' }, l: [1, 2], 'odd-key': true }, { a: 2, b: { c: 'x', d: 1 }, l: [1], 'odd-key': true })).toEqual([
      { path: '$.a', expected: 1, actual: 2 },
      { path: '$.b.d', expected: undefined, actual: 1 },
      { path: '$.l[1]', expected: 2, actual: undefined },
    ]);
    expect(diff({ x: null }, {})).toEqual([{ path: '$.x', expected: null, actual: undefined }]);
  });

  it('lets a scrubbed recorded value match any live text in its place', () => {
    expect(diff({ token: SCRUBBED, next: `/api/x?token=${SCRUBBED}&page=2` }, { token: 'live', next: '/api/x?token=live&page=2' })).toEqual([]);
    expect(diff({ next: `/api/x?token=${SCRUBBED}&page=2` }, { next: '/api/x?token=live&page=3' })).toHaveLength(1);
  });
});

describe('compareResponses', () => {
  it('matches a live answer that differs only in uuids, base URL and timestamps', () => {
    const { values, labels } = fresh();
    const recorded = { status: 201, headers: { Location: `/api/pool/${P1}#web` }, body: poolBody(P1, C1) };
    const live = { status: 201, headers: { Location: `https://10.1.1.1/api/pool/${L1}#web` }, body: poolBody(L1, LC, 'https://10.1.1.1') };
    expect(compareResponses(recorded, live, values, labels)).toEqual([]);
    expect(values.liveFor(P1)).toBe(L1);
  });

  it('reports a ref that points at another object than the one it pointed at when recorded', () => {
    const { values, labels } = fresh();
    compareResponses({ status: 201, body: poolBody(P1, C1) }, { status: 201, body: poolBody(L1, LC) }, values, labels);
    compareResponses({ status: 201, body: poolBody(P2, C1) }, { status: 201, body: poolBody(L2, LC) }, values, labels);
    // recorded: the VS uses the first pool; live: it uses the second one
    const vs = (pool: string) => ({ status: 200, body: { name: 'vs', pool_ref: `/api/pool/${pool}#web` } });
    const differences = compareResponses(vs(P1), vs(L2), values, labels);
    expect(differences).toEqual([{ path: '$.pool_ref', expected: '/api/pool/pool-<1>#web', actual: '/api/pool/pool-<3>#web' }]);
  });

  it('reports the status and the changed fields of an answer that differs', () => {
    const { values, labels } = fresh();
    const differences = compareResponses(
      { status: 200, body: poolBody(P1, C1, '', { lb_algorithm: 'LB_ALGORITHM_ROUND_ROBIN' }) },
      { status: 409, body: { error: 'Pool with this Name, Tenant ref and Cloud ref already exists.' } },
      values,
      labels,
    );
    expect(differences[0]).toEqual({ path: 'status', expected: 200, actual: 409 });
    expect(differences.map((d) => d.path)).toEqual(expect.arrayContaining(['$.lb_algorithm', '$.error', '$.uuid']));
  });

  it('treats an empty body and no body alike, and compares text bodies as text', () => {
    const { values, labels } = fresh();
    expect(compareResponses({ status: 204 }, { status: 204, body: '' }, values, labels)).toEqual([]);
    expect(compareResponses({ status: 401, body: 'CSRF token missing or incorrect.' }, { status: 401, body: 'CSRF token missing.' }, values, labels)).toEqual([
      { path: '$', expected: 'CSRF token missing or incorrect.', actual: 'CSRF token missing.' },
    ]);
  });
});

describe('identifiers that are no uuids', () => {
  it('pairs them from `uuid` fields, rewrites them where they stand alone, and compares them as placeholders', () => {
    const { values, labels } = fresh();
    const recorded = { status: 201, body: { token: SCRUBBED, uuid: 'D9a-IyHjE_qyN6Hp', expires_at: '2026-01-01T00:00:00Z' } };
    const live = { status: 201, body: { token: 'live-token', uuid: 'Xy0-abcdEFGH1234', expires_at: '2027-01-01T00:00:00Z' } };
    expect(compareResponses(recorded, live, values, labels)).toEqual([]);
    expect(values.rewriteText('/api/user-token/D9a-IyHjE_qyN6Hp')).toBe('/api/user-token/Xy0-abcdEFGH1234');
    expect(values.rewriteText('/api/x/D9a-IyHjE_qyN6Hp-suffix')).toBe('/api/x/D9a-IyHjE_qyN6Hp-suffix');
    // the same identifier on both sides (user-1, admin) matches as before
    expect(compareResponses({ status: 200, body: { uuid: 'user-1' } }, { status: 200, body: { uuid: 'user-1' } }, values, labels)).toEqual([]);
    expect(compareResponses({ status: 200, body: { uuid: 'user-1' } }, { status: 200, body: { uuid: 'user-2' } }, values, labels)).toHaveLength(1);
  });
});

describe('what controllers choose themselves', () => {
  it('Service Engine names, MAC addresses and state-change stamps do not count; other names do', () => {
    const id = (u: string) => u;
    const a = normalise({ name: 'Avi-se-tekpf', mac_address: '00:50:56:50:32:34', last_changed_time: { secs: 1, usecs: 2 }, pool: 'web-se-abcde1' }, id);
    const b = normalise({ name: 'Avi-se-qsbzw', mac_address: '00:50:56:1d:b1:b4', last_changed_time: { secs: 3, usecs: 4 }, pool: 'web-se-abcde1' }, id);
    expect(a).toEqual(b);
    expect(normalise({ name: 'web-pool' }, id)).not.toEqual(normalise({ name: 'web-poo1' }, id));
  });
});
