/**
 * What the lifecycle suites (terraform-lifecycle, ansible-lifecycle) check of each object an
 * automation tool created: that reading it back shows no drift, and that deleting everything
 * leaves nothing behind.
 *
 * Drift is judged against the Avi object schema the project publishes (`openapi/avi.json`,
 * derived from the controller's own):
 *
 * - every field sent comes back equal (refs compared as the tool compares them); in a
 *   `skip_default=true` read a field may instead be absent when the value sent is the schema's
 *   default (the controller drops defaults from such a read; Terraform puts the default back
 *   before comparing), and a sent sub-object may be absent when everything in it is default;
 * - no `{}` and no `[]` anywhere in the read: a sub-object left empty by dropping its defaults is
 *   dropped itself;
 * - no field comes back that was not sent, except the ones the controller fills in itself, which
 *   this module takes to be exactly: `uuid`; every property the schema marks `readOnly` at that
 *   depth (`url`, `_last_modified`, and a few per type); and properties the schema does not
 *   describe at all (state the controller keeps on the object, such as a virtual service's
 *   `vip_runtime`, which no client built on the schema reads into its model); and the settable
 *   fields a controller fills in from other facts when they are not sent (`EVERY`, `DERIVED`).
 */
import { readFileSync } from 'node:fs';
import type { Target } from './target.js';
import type { ApiClient } from '../../test/support/wire.js';
import { isObject } from '../../server/core/json.js';

type Data = Record<string, any>;
interface Prop {
  type?: string;
  $ref?: string;
  items?: Prop;
  default?: unknown;
  readOnly?: boolean;
  'x-avi-ref'?: string;
}
interface Schema {
  properties?: Record<string, Prop>;
}

const SCHEMAS: Record<string, Schema> = JSON.parse(readFileSync(new URL('../../openapi/avi.json', import.meta.url), 'utf8')).components.schemas;
const BY_LOWER = new Map(Object.keys(SCHEMAS).map((n) => [n.toLowerCase(), n]));

/** The schema name of an API object type (`virtualservice` → `VirtualService`). */
export function schemaNameOf(type: string): string {
  const name = BY_LOWER.get(type.toLowerCase());
  if (!name) throw new Error(`no schema for object type ${type}`);
  return name;
}

const propsOf = (schema: string | undefined): Record<string, Prop> => (schema && Object.hasOwn(SCHEMAS, schema) ? (SCHEMAS[schema]!.properties ?? {}) : {});
const propOf = (schema: string | undefined, key: string): Prop | undefined => {
  const props = propsOf(schema);
  return Object.hasOwn(props, key) ? props[key] : undefined;
};
const childOf = (prop: Prop | undefined): string | undefined => (prop?.$ref ?? prop?.items?.$ref)?.split('/').pop();

/**
 * Settable fields a controller fills in from other facts when they are not sent (the contract's
 * server-side fill-ins): the request's tenant and `Default-Cloud` on every object; the cloud's
 * `global` VRF on pools and VsVips; on virtual services the VRF, `Default-Group`, the `System-*`
 * application, network, analytics and (with SSL) SSL profiles and the cloud's type; a service's
 * `port_range_end` and `enable_http2`; a server's `hostname` (its address), `ratio` and
 * `enabled`; a vip's `vip_id`; and what it reads out of a PEM certificate (the `certificate`
 * fields and the key's `key_params`).
 */
const EVERY = ['tenant_ref', 'cloud_ref'];
const DERIVED: Record<string, readonly string[]> = {
  Pool: ['vrf_ref'],
  VsVip: ['vrf_context_ref'],
  VirtualService: ['vrf_context_ref', 'se_group_ref', 'application_profile_ref', 'network_profile_ref', 'analytics_profile_ref', 'ssl_profile_ref', 'cloud_type'],
  Service: ['port_range_end', 'enable_http2'],
  Server: ['hostname', 'ratio', 'enabled'],
  Vip: ['vip_id'],
  SSLKeyAndCertificate: ['key_params'],
  SSLCertificate: [
    'subject',
    'issuer',
    'not_before',
    'not_after',
    'serial_number',
    'fingerprint',
    'signature',
    'signature_algorithm',
    'public_key',
    'self_signed',
    'version',
    'text',
    'expiry_status',
    'days_until_expire',
    'chain_verified',
    'subject_alt_names',
  ],
};

/** Whether the controller fills `key` in itself on an object of `schema` (see above). */
export function filledByController(schema: string | undefined, key: string): boolean {
  if (key === 'uuid') return true;
  if (!schema) return false;
  if (EVERY.includes(key) || (Object.hasOwn(DERIVED, schema) && DERIVED[schema]!.includes(key))) return true;
  const prop = propOf(schema, key);
  return prop === undefined || prop.readOnly === true;
}

/** Whether `value`, sent for `prop`, is what the schema gives when nothing is sent. */
function isDefault(value: unknown, prop: Prop | undefined): boolean {
  if (!prop) return false;
  if (isObject(value)) {
    const child = childOf(prop);
    return child !== undefined && Object.entries(value).every(([k, v]) => isDefault(v, propOf(child, k)));
  }
  if (Array.isArray(value)) return false;
  return prop.default !== undefined && prop.default === value;
}

export interface DriftOptions {
  /** the read was made with `skip_default=true` */
  skipDefault: boolean;
  /** report fields read back that were never sent and the controller does not fill in */
  extras: boolean;
  /** whether the ref sent and the ref read name the same object */
  sameRef(sent: string, read: string): boolean;
}

/** Every difference between what was sent for an object of `type` and what was read back. */
export function drift(type: string, sent: Data, read: Data, options: DriftOptions): string[] {
  const out: string[] = [];
  const show = (v: unknown) => JSON.stringify(v);
  const walk = (s: Data, r: Data, schema: string | undefined, at: string) => {
    for (const [k, v] of Object.entries(s)) {
      const prop = propOf(schema, k);
      const path = `${at}${k}`;
      if (!Object.hasOwn(r, k)) {
        if (!(options.skipDefault && isDefault(v, prop))) out.push(`${path}: sent ${show(v)}, not read back`);
        continue;
      }
      same(v, r[k], prop, path);
    }
    if (options.extras) {
      for (const k of Object.keys(r)) {
        if (!Object.hasOwn(s, k) && !filledByController(schema, k)) out.push(`${at}${k}: read back ${show(r[k])}, never sent`);
      }
    }
  };
  const same = (s: unknown, r: unknown, prop: Prop | undefined, path: string) => {
    if (Array.isArray(s)) {
      if (!Array.isArray(r) || r.length !== s.length) {
        out.push(`${path}: sent ${show(s)}, read ${show(r)}`);
        return;
      }
      s.forEach((el, i) => same(el, r[i], prop?.items ? { ...prop.items, 'x-avi-ref': prop['x-avi-ref'] } : undefined, `${path}[${i}]`));
      return;
    }
    if (isObject(s)) {
      if (!isObject(r)) out.push(`${path}: sent ${show(s)}, read ${show(r)}`);
      else walk(s, r, childOf(prop), `${path}.`);
      return;
    }
    const equal = prop?.['x-avi-ref'] && typeof s === 'string' && typeof r === 'string' ? options.sameRef(s, r) : s === r;
    if (!equal) out.push(`${path}: sent ${show(s)}, read ${show(r)}`);
  };
  walk(sent, read, schemaNameOf(type), '');
  return out;
}

/** Paths of every `{}` and `[]` in an answer. */
export function emptySubObjects(value: unknown, at = ''): string[] {
  if (Array.isArray(value)) return value.length === 0 ? [at || '(top)'] : value.flatMap((v, i) => emptySubObjects(v, `${at}[${i}]`));
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return [at || '(top)'];
    return keys.flatMap((k) => emptySubObjects(value[k], at ? `${at}.${k}` : k));
  }
  return [];
}

/** A ref without the `#name` that `include_name` adds. */
export const bareRef = (ref: string) => ref.split('#')[0]!;

/**
 * What a run may leave behind without having created it: Service Engines (and their NICs on the
 * run's networks) and routes in the `global` VRF. Taken before the run and compared after it.
 */
export interface Leftovers {
  seUuids: string[];
  globalRoutes: unknown[];
  /** object keys of the whole state (with the control plane only) */
  keys?: string[];
}

export async function leftovers(t: Target, api: ApiClient): Promise<Leftovers> {
  const ses = await api.get('/api/serviceengine?page_size=1000', { 'X-Avi-Tenant': '*' });
  if (ses.status !== 200) throw new Error(`GET /api/serviceengine: ${ses.status} ${ses.text}`);
  const vrf = await api.get('/api/vrfcontext?name=global&cloud_ref.name=Default-Cloud', { 'X-Avi-Tenant': 'admin' });
  if (vrf.status !== 200 || vrf.body.count !== 1) throw new Error(`GET the global VRF: ${vrf.status} ${vrf.text}`);
  const out: Leftovers = {
    seUuids: (ses.body.results as Data[]).map((se) => se.uuid as string).sort(),
    globalRoutes: vrf.body.results[0].static_routes ?? [],
  };
  if (t.hasControlPlane) {
    const snapshot = await t.snapshot();
    out.keys = snapshot.objects.map((o) => `${o.type}/${o.data.uuid}`).sort();
  }
  return out;
}

/** The Service Engines with a data NIC on one of `networks` (uuids). */
export async function nicsOn(api: ApiClient, networks: string[]): Promise<string[]> {
  const ses = await api.get('/api/serviceengine?page_size=1000', { 'X-Avi-Tenant': '*' });
  const out: string[] = [];
  for (const se of (ses.body?.results ?? []) as Data[]) {
    for (const nic of (se.data_vnics ?? []) as Data[]) {
      const ref = bareRef(String(nic.network_ref ?? ''));
      if (networks.some((n) => ref.endsWith(`/${n}`))) out.push(`${se.name} ${nic.if_name ?? ''} on ${nic.network_name ?? ref}`);
    }
  }
  return out;
}

/**
 * An answer without what every accepted write advances by itself, whatever it changed:
 * `_last_modified`, and the `version` counter a controller keeps on some types (a virtual
 * service's goes up by one per write).
 */
export function withoutWriteStamps(obj: Data): Data {
  const { _last_modified: _l, version: _v, ...rest } = obj;
  return rest;
}
