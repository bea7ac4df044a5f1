/**
 * The NSX list answers: the list envelope every collection and the search share, and the search
 * itself over every policy object (the language is ./search.ts).
 */
import type { Engine } from '../engine.js';
import type { Data } from '../core/store.js';
import { own } from '../core/json-safety.js';
import { NsxError } from './errors.js';
import { allPolicyObjects } from './routes.js';
import { matches, parseQuery, QueryError, queryParam } from './search.js';

/** `GET /policy/api/v1/search/query?query=...`: every NSX object matching, one page. */
export function search(engine: Engine, rawQuery: string): Data {
  const text = queryParam(rawQuery, 'query');
  if (text === undefined || text.trim() === '') throw searchError('query parameter is required');
  let parsed;
  try {
    parsed = parseQuery(text);
  } catch (e) {
    if (e instanceof QueryError) throw searchError(`${e.message} in "${text}"`);
    throw e;
  }
  // hits always carry `tags` (the cloud provider dereferences it on every hit) [empty list inferred]
  const hits = allPolicyObjects(engine)
    .filter((o) => matches(parsed, o))
    .map((o) => (o.tags === undefined ? { ...o, tags: [] } : o));
  const fields = queryParam(rawQuery, 'included_fields');
  const env = envelope(hits, rawQuery);
  if (fields) {
    const keep = new Set(fields.split(',').map((f) => f.trim().split('.')[0]!).filter(Boolean));
    env.results = (env.results as Data[]).map((o) => Object.fromEntries(Object.entries(o).filter(([k]) => keep.has(k))));
  }
  return env;
}

/** A malformed search query [code, module and text inferred]. */
function searchError(why: string): NsxError {
  return new NsxError(400, 60506, `Invalid search query: ${why}.`, 'search-service');
}

/**
 * The list envelope: one page holding everything, `result_count` = its length (never more
 * than the pages deliver: terraform loops until it has read result_count objects). Sorted by
 * `sort_by` (default display_name [inferred]), ascending unless `sort_ascending=false`.
 */
export function envelope(results: Data[], rawQuery: string): Data {
  const sortBy = queryParam(rawQuery, 'sort_by') || 'display_name';
  const ascending = queryParam(rawQuery, 'sort_ascending') !== 'false';
  const field = (o: Data) => own(o, sortBy);
  const key = (o: Data) => {
    const v = field(o);
    return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  };
  const sorted = [...results].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    const av = field(a);
    const bv = field(b);
    const c = typeof av === 'number' && typeof bv === 'number' ? av - bv : x < y ? -1 : x > y ? 1 : 0;
    return ascending ? c : -c;
  });
  return { results: sorted, result_count: sorted.length, sort_by: sortBy, sort_ascending: ascending };
}
