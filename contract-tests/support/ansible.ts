/**
 * How the Avi Ansible modules (vmware.alb) decide whether a task changes anything: the task's
 * parameters must be contained in the object read from the controller, compared the way the
 * collection's `avi_obj_cmp` does it (module_utils/utils/ansible_utils.py):
 *
 * - a field set to null, an empty sub-object, and an empty list or string for a field the object
 *   does not have, count as "not set"; every other field must be present and equal;
 * - lists must have the same length and match item by item;
 * - a ref given as `/api/<type>?name=<name>` matches the object's ref by its `#name` (the read
 *   asks for `include_name`), or by its uuid; an https ref matches the object's without `#name`;
 * - a task with a sensitive field (a certificate's `key`) always counts as changed.
 *
 * The result lists the differences; none means the module answers `changed: false` and sends
 * no write.
 */
import { isObject } from '../../server/core/json.js';

type Data = Record<string, any>;

const NAME_REF = /^\/api\/[\w/]+\?name=[\w*]+[^#<>]*$/;
const HTTPS_REF = /^https:\/\/[\w.:-]+\/api\/.+/;
const HTTPS_REF_WITH_NAME = /^https:\/\/[\w.:-]+\/api\/.*#.+/;


/** Whether the string `x` from a task and `y` from the controller are the same (refs included). */
export function ansibleSameString(x: string, y: unknown): boolean {
  if (typeof y === 'number' || typeof y === 'boolean') return String(x) === String(y);
  if (typeof y !== 'string') return false;
  let want = x;
  let have = y;
  if (NAME_REF.test(want)) want = want.split('name=')[1]!;
  else if (HTTPS_REF.test(want)) {
    want = want.replace(/#[^#]*$/, '');
    have = have.replace(/#[^#]*$/, '');
  } else if (NAME_REF.test(have)) have = have.split('name=')[1]!;
  let uuid = have;
  let name = have;
  if (HTTPS_REF_WITH_NAME.test(have)) {
    const last = have.split('api/').slice(1).join('api/').split('/').pop()!;
    const cut = last.lastIndexOf('#');
    uuid = cut < 0 ? last : last.slice(0, cut);
    name = cut < 0 ? '' : last.slice(cut + 1);
  }
  return want === have || want === name || want === uuid;
}

/** The differences that make a task with parameters `x` change an object read as `y`. */
export function ansibleDiff(x: unknown, y: unknown, sensitive: readonly string[] = [], at = ''): string[] {
  const here = at || '(top)';
  if (typeof x === 'string') return ansibleSameString(x, y) ? [] : [`${here}: task ${JSON.stringify(x)}, controller ${JSON.stringify(y)}`];
  if (Array.isArray(x)) {
    if (!Array.isArray(y) || y.length !== x.length) return [`${here}: task has ${x.length} items, controller ${JSON.stringify(y)}`];
    return x.flatMap((item, i) => ansibleDiff(item, y[i], sensitive, `${at}[${i}]`));
  }
  if (!isObject(x)) return x === y ? [] : [`${here}: task ${JSON.stringify(x)}, controller ${JSON.stringify(y)}`];
  if (!isObject(y)) return [`${here}: task ${JSON.stringify(x)}, controller ${JSON.stringify(y)}`];
  const hit = Object.keys(x).filter((k) => sensitive.includes(k));
  if (hit.length) return hit.map((k) => `${at ? `${at}.` : ''}${k}: sensitive, always sent again`);
  const out: string[] = [];
  for (const [k, v] of Object.entries(x)) {
    if (k === '_last_modified') continue;
    const has = Object.hasOwn(y, k);
    const unset = v === null || v === undefined || (isObject(v) && Object.keys(v).length === 0) || ((v === '' || (Array.isArray(v) && v.length === 0)) && !has);
    if (unset) continue;
    const path = at ? `${at}.${k}` : k;
    if (!has) out.push(`${path}: task ${JSON.stringify(v)}, controller has none`);
    else out.push(...ansibleDiff(v, y[k], sensitive, path));
  }
  return out;
}
