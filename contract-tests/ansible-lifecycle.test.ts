/**
 * Contract: the life of an application under the Avi Ansible collection (vmware.alb), in a
 * playbook's order and with the modules' requests (module_utils/utils/ansible_utils.py and the
 * Python SDK session they use):
 *
 * - each task with `state: present` reads its object by name,
 *   `GET /api/<type>?include_refs=&include_name=&cloud_ref.name=<cloud>&name=<name>` (the cloud
 *   only when the task names one), then POSTs `/api/<type>` when there is none, or PUTs
 *   `/api/<type>/<uuid>` when the task's parameters are not contained in what it read
 *   (support/ansible.ts), and sends nothing otherwise;
 * - the playbook creates a network, a health monitor, a persistence profile, a certificate (a
 *   PEM key and certificate, as the collection's example), a vsvip, a pool and a virtual
 *   service, with refs written `/api/<type>?name=<name>` as in the modules' examples;
 * - run twice, the second run must change nothing: no write, except the certificate, whose
 *   `key` is a sensitive field the modules always send again, and whose PUT then changes
 *   nothing read back;
 * - each object read with `skip_default=true` shows no drift (support/lifecycle.ts);
 * - the tasks with `state: absent`, in reverse order, read by name and delete
 *   `/api/<type>/<uuid>`; every delete must be accepted, the network's included, and nothing
 *   the run made or caused may be left; run again, they find nothing and send nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ansibleDiff, ansibleSameString } from './support/ansible.js';
import { drift, emptySubObjects, leftovers, nicsOn, type Leftovers, withoutWriteStamps } from './support/lifecycle.js';
import { useTarget } from './support/target.js';
import type { ApiClient } from '../test/support/wire.js';

type Data = Record<string, any>;
const t = useTarget();
/** the modules' session (the Python SDK): `api_version` the controller's, tenant admin */
let ans: ApiClient;
let before: Leftovers;
let pem: { cert: string; key: string };

interface Task {
  type: string;
  params: () => Data;
  /** fields the module never compares (always sends again) */
  sensitive?: string[];
  uuid?: string;
}

const CLOUD = '/api/cloud?name=Default-Cloud';
const name = (what: string) => `${t.prefix}ans-${what}`;
const v4 = (addr: string) => ({ addr, type: 'V4' });

const tasks: Task[] = [
  {
    type: 'network',
    params: () => ({
      name: name('net'),
      cloud_ref: CLOUD,
      vrf_context_ref: '/api/vrfcontext?name=global',
      dhcp_enabled: false,
      configured_subnets: [{ prefix: { ip_addr: v4('10.112.1.0'), mask: 24 }, static_ip_ranges: [{ type: 'STATIC_IPS_FOR_VIP', range: { begin: v4('10.112.1.100'), end: v4('10.112.1.109') } }] }],
    }),
  },
  {
    type: 'healthmonitor',
    params: () => ({
      name: name('hm'),
      type: 'HEALTH_MONITOR_HTTP',
      http_monitor: { http_request: 'HEAD / HTTP/1.0', http_response_code: ['HTTP_2XX', 'HTTP_3XX'] },
      receive_timeout: 4,
      failed_checks: 3,
      send_interval: 10,
      successful_checks: 3,
    }),
  },
  {
    type: 'applicationpersistenceprofile',
    params: () => ({
      name: name('persistence'),
      persistence_type: 'PERSISTENCE_TYPE_CLIENT_IP_ADDRESS',
      ip_persistence_profile: { ip_persistent_timeout: 10 },
    }),
  },
  {
    type: 'sslkeyandcertificate',
    sensitive: ['key_passphrase', 'key'],
    params: () => ({
      name: name('cert'),
      type: 'SSL_CERTIFICATE_TYPE_VIRTUALSERVICE',
      key: pem.key,
      certificate: { certificate: pem.cert },
    }),
  },
  {
    type: 'vsvip',
    params: () => ({
      name: name('vip'),
      cloud_ref: CLOUD,
      vip: [{ vip_id: '0', ip_address: v4('10.112.1.51') }],
    }),
  },
  {
    type: 'pool',
    params: () => ({
      name: name('pool'),
      cloud_ref: CLOUD,
      description: 'pool of the ansible lifecycle',
      health_monitor_refs: [`/api/healthmonitor?name=${name('hm')}`],
      application_persistence_profile_ref: `/api/applicationpersistenceprofile?name=${name('persistence')}`,
      default_server_port: 8080,
      servers: [{ ip: v4('10.114.1.20') }, { ip: v4('10.114.1.21') }],
    }),
  },
  {
    type: 'virtualservice',
    params: () => ({
      name: name('vs'),
      cloud_ref: CLOUD,
      performance_limits: { max_concurrent_connections: 1000 },
      services: [{ port: 443, enable_ssl: true }, { port: 80 }],
      ssl_profile_ref: '/api/sslprofile?name=System-Standard',
      application_profile_ref: '/api/applicationprofile?name=System-Secure-HTTP',
      ssl_key_and_certificate_refs: [`/api/sslkeyandcertificate?name=${name('cert')}`],
      vsvip_ref: `/api/vsvip?name=${name('vip')}`,
      pool_ref: `/api/pool?name=${name('pool')}`,
    }),
  },
];

/** `get_object_by_name` with the parameters `avi_ansible_api` adds. */
function lookup(type: string, params: Data): string {
  const q = new URLSearchParams({ include_refs: '', include_name: '' });
  if (typeof params.cloud_ref === 'string') q.set('cloud_ref.name', params.cloud_ref.split('name=')[1]!);
  q.set('name', params.name);
  return `/api/${type}?${q}`;
}

interface Outcome {
  type: string;
  changed: boolean;
  /** the write the module sent, with its answer's status */
  write?: [string, number];
  diff: string[];
}

/** One task with `state: present`, as `avi_ansible_api` runs it. */
async function present(task: Task): Promise<Outcome> {
  const params = task.params();
  const read = await ans.get(lookup(task.type, params));
  expect([task.type, read.status]).toEqual([task.type, 200]);
  const existing: Data | undefined = read.body.results?.[0];
  if (!existing) {
    const res = await ans.post(`/api/${task.type}`, params);
    if (res.status === 201) task.uuid = res.body.uuid;
    else console.log(`[ansible-lifecycle] POST ${task.type}: ${res.status} ${res.text}`);
    return { type: task.type, changed: true, write: ['POST', res.status], diff: [] };
  }
  task.uuid = existing.uuid;
  const diff = ansibleDiff(params, existing, task.sensitive);
  if (diff.length === 0) return { type: task.type, changed: false, diff };
  const res = await ans.put(`/api/${task.type}/${existing.uuid}`, params);
  if (res.status !== 200) console.log(`[ansible-lifecycle] PUT ${task.type}: ${res.status} ${res.text}`);
  return { type: task.type, changed: true, write: ['PUT', res.status], diff };
}

/** One task with `state: absent`: read by name as for present, then `delete_by_name`. */
async function absent(task: Task): Promise<Outcome> {
  const params = task.params();
  const read = await ans.get(lookup(task.type, params));
  if (!read.body.results?.[0]) return { type: task.type, changed: false, diff: [] };
  const again = await ans.get(`/api/${task.type}?name=${encodeURIComponent(params.name)}`);
  const res = await ans.del(`/api/${task.type}/${again.body.results[0].uuid}`);
  if (res.status !== 204) console.log(`[ansible-lifecycle] DELETE ${task.type}: ${res.status} ${res.text}`);
  return { type: task.type, changed: res.status === 204, write: ['DELETE', res.status], diff: [] };
}

/** The skip_default read, without the sensitive fields the controller never gives back. */
async function readBack(task: Task): Promise<Data> {
  const res = await ans.get(`/api/${task.type}/${task.uuid}?skip_default=true&include_name=true`);
  expect([task.type, res.status]).toEqual([task.type, 200]);
  return res.body;
}
const withoutSensitive = (task: Task, params: Data) => Object.fromEntries(Object.entries(params).filter(([k]) => !(task.sensitive ?? []).includes(k)));

beforeAll(async () => {
  const version = (await t.admin.get('/api/initial-data')).body.version.Version;
  ans = t.admin.with({ 'X-Avi-Version': String(version), 'X-Avi-Tenant': 'admin' });
  before = await leftovers(t, t.admin);
  const { generate } = await import('selfsigned');
  const made = await generate([{ name: 'commonName', value: `${t.prefix}ans.example.com` }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' });
  pem = { cert: made.cert, key: made.private };
});

describe('an Ansible playbook run twice, then its objects removed', () => {
  const afterFirst: Record<string, Data> = {};

  it('first run: each task finds no object by name and creates it', async () => {
    const outcomes: Outcome[] = [];
    for (const task of tasks) outcomes.push(await present(task));
    expect(outcomes.map((o) => [o.type, o.changed, o.write])).toEqual(tasks.map((x) => [x.type, true, ['POST', 201]]));
  });

  for (const task of tasks) {
    it(`reads the ${task.type} back with skip_default as sent: no drift, no empty sub-object, nothing extra`, async () => {
      const read = await readBack(task);
      afterFirst[task.type] = read;
      const sameRef = (s: string, r: string) => ansibleSameString(s, r);
      expect(drift(task.type, withoutSensitive(task, task.params()), read, { skipDefault: true, extras: true, sameRef })).toEqual([]);
      expect(emptySubObjects(read)).toEqual([]);
    });
  }

  it('second run: every task finds its object as the task describes it; only the certificate (a sensitive key) is sent again', async () => {
    const outcomes: Outcome[] = [];
    for (const task of tasks) outcomes.push(await present(task));
    const changed = outcomes.filter((o) => o.changed);
    expect(changed.map((o) => [o.type, o.write, o.diff])).toEqual([['sslkeyandcertificate', ['PUT', 200], ['key: sensitive, always sent again']]]);
    // Without its sensitive field the certificate task, too, matches what the controller holds.
    const cert = tasks.find((x) => x.type === 'sslkeyandcertificate')!;
    const held = (await ans.get(lookup(cert.type, cert.params()))).body.results[0];
    expect(ansibleDiff(withoutSensitive(cert, cert.params()), held)).toEqual([]);
  });

  it('the second run changed nothing read back', async () => {
    for (const task of tasks) {
      expect(withoutWriteStamps(await readBack(task)), task.type).toEqual(withoutWriteStamps(afterFirst[task.type] ?? {}));
    }
  });

  it('state absent in reverse order: every delete accepted, the network included; nothing of the run left', async () => {
    const outcomes: Outcome[] = [];
    for (const task of [...tasks].reverse()) outcomes.push(await absent(task));
    expect.soft(outcomes.map((o) => [o.type, o.write])).toEqual([...tasks].reverse().map((x) => [x.type, ['DELETE', 204]]));
    expect.soft(await nicsOn(t.admin, [tasks[0]!.uuid!])).toEqual([]);
    expect.soft(await leftovers(t, t.admin)).toEqual(before);
    // Run again, the tasks find nothing and send nothing.
    const again: Outcome[] = [];
    for (const task of [...tasks].reverse()) again.push(await absent(task));
    expect.soft(again.filter((o) => o.changed || o.write).map((o) => [o.type, o.write])).toEqual([]);
  });
});
