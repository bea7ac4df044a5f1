/**
 * Body validation from the OpenAPI document, on the compiled shapes of server/core/catalog.ts:
 * required fields, types, string lengths, enums, numeric ranges (with the controller's special
 * values) and list sizes. Shapes are built lazily and cost nothing to "compile", so start-up stays fast with
 * ~1500 schemas, and the message names the offending field the way a client can act on.
 */
import type { FieldShape, Shape, ValueRule } from '../core/catalog.js';
import { SCHEMA_CHECKS } from './addresses.js';
import { errors } from './errors.js';
import { isObject } from './shape-ops.js';

/** Throws the controller-style 400 naming the first offending field. */
export function validate(value: Record<string, unknown>, shape: Shape): void {
  const problem = checkObject(value, shape, '');
  if (problem) throw errors.invalid(`Invalid data: ${problem}`);
}

const join = (base: string, key: string) => (base ? `${base}.${key}` : key);

function checkObject(obj: Record<string, unknown>, shape: Shape, path: string): string | undefined {
  for (const name of shape.required) {
    if (obj[name] === undefined) return `field '${join(path, name)}' is required`;
  }
  for (const key of Object.keys(obj)) {
    const f = shape.fields.get(key);
    if (!f) continue;
    const problem = checkField(obj[key], f, join(path, key));
    if (problem) return problem;
  }
  // what objects of this schema must satisfy beyond their fields (addresses, masks, ranges)
  return SCHEMA_CHECKS.get(shape.schema)?.(obj, path);
}

function checkField(v: unknown, f: FieldShape, path: string): string | undefined {
  if (f.kind === 'array') {
    if (!Array.isArray(v)) return `field '${path}' must be a list`;
    if (f.maxItems !== undefined && v.length > f.maxItems) return `field '${path}' allows at most ${f.maxItems} items`;
    if (f.minItems !== undefined && v.length < f.minItems) return `field '${path}' needs at least ${f.minItems} items`;
    for (let i = 0; i < v.length; i++) {
      const problem = checkItem(v[i], f, `${path}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  }
  return checkItem(v, f, path);
}

function checkItem(v: unknown, f: FieldShape, path: string): string | undefined {
  if (f.child) {
    if (!isObject(v)) return `field '${path}' must be an object`;
    return checkObject(v, f.child, path);
  }
  return f.rule ? checkValue(v, f.rule, path) : undefined;
}

function checkValue(v: unknown, rule: ValueRule, path: string): string | undefined {
  switch (rule.type) {
    case 'string':
      if (typeof v !== 'string') return `field '${path}' must be a string`;
      break;
    case 'boolean':
      if (typeof v !== 'boolean') return `field '${path}' must be a boolean`;
      break;
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v)) return `field '${path}' must be an integer`;
      break;
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) return `field '${path}' must be a number`;
      break;
    case 'object':
      if (!isObject(v)) return `field '${path}' must be an object`;
      break;
  }
  if (typeof v === 'string' && (rule.maxLength !== undefined || rule.minLength !== undefined)) {
    const problem = checkLength(v, rule, path);
    if (problem) return problem;
  }
  if (rule.enum && !rule.enum.has(v)) {
    return `field '${path}' value ${JSON.stringify(v)} is not one of ${[...rule.enum].join(', ')}`;
  }
  if (typeof v === 'number' && (rule.min !== undefined || rule.max !== undefined)) {
    const inRange = (rule.min === undefined || v >= rule.min) && (rule.max === undefined || v <= rule.max);
    if (!inRange && !rule.special?.includes(v)) {
      const special = rule.special?.length ? ` (or ${rule.special.join(', ')})` : '';
      return `field '${path}' value ${v} is outside the allowed range ${rule.min ?? ''}-${rule.max ?? ''}${special}`;
    }
  }
  return undefined;
}

/** Length in characters (code points, as the controller counts them), counted only when it matters. */
function checkLength(v: string, rule: ValueRule, path: string): string | undefined {
  // UTF-16 units ≥ code points ≥ units / 2: most strings are decided without counting.
  const max = rule.maxLength ?? Infinity;
  const min = rule.minLength ?? 0;
  if (v.length <= max && v.length / 2 >= min) return undefined;
  let n = 0;
  for (const _ of v) if (++n > max) break;
  if (n > max) return `field '${path}' allows at most ${max} characters`;
  if (n < min) return `field '${path}' needs at least ${min} characters`;
  return undefined;
}
