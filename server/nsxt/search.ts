/**
 * The Lucene-like `query` of `GET /policy/api/v1/search/query` (contract §5):
 *
 *   query   := or
 *   or      := and ( ('OR' | '||') and )*
 *   and     := unary ( ('AND' | '&&')? unary )*      adjacency is AND [inferred]
 *   unary   := ('NOT' | '!' | '-') unary | '(' or ')' | term
 *   term    := field ':' value | value               a bare value matches any field [inferred]
 *
 * Values may be quoted ("a b"), `\x` escapes any character (`\/` is `/`), `*` matches any run of
 * characters and `?` one (terraform's `display_name:<prefix>*`); a lone `*` means "has the field".
 * A field names a (dotted) path into the object; arrays on the way are searched element by
 * element, so `tags.scope:X AND tags.tag:Y` matches an object with some tag of scope X and some
 * tag of value Y (the terms are independent). Matching is case-insensitive [inferred].
 */
import { own } from '../core/json-safety.js';

export type Query =
  | { kind: 'and'; parts: Query[] }
  | { kind: 'or'; parts: Query[] }
  | { kind: 'not'; part: Query }
  | { kind: 'term'; field?: string; value: string; pattern?: RegExp };

export class QueryError extends Error {}

type Token = { t: 'word'; text: string; raw: string; quoted: boolean } | { t: '(' } | { t: ')' };

/** Splits the query into words and parentheses; a word keeps its escapes resolved in `text`. */
export function tokenize(q: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      out.push({ t: c });
      i++;
      continue;
    }
    let text = '';
    let raw = '';
    let quoted = false;
    while (i < q.length) {
      const ch = q[i]!;
      if (ch === '\\' && i + 1 < q.length) {
        // an escaped character stays literal: mark wildcards so they are not expanded
        const next = q[i + 1]!;
        text += next === '*' || next === '?' ? `\u0000${next}` : next;
        raw += ch + next;
        i += 2;
        continue;
      }
      if (ch === '"') {
        quoted = true;
        raw += ch;
        i++;
        while (i < q.length && q[i] !== '"') {
          if (q[i] === '\\' && i + 1 < q.length) {
            const next = q[i + 1]!;
            text += next === '*' || next === '?' ? `\u0000${next}` : next;
            raw += q[i]! + next;
            i += 2;
            continue;
          }
          const lit = q[i]!;
          text += lit === '*' || lit === '?' ? `\u0000${lit}` : lit;
          raw += lit;
          i++;
        }
        if (i >= q.length) throw new QueryError('unterminated quoted string');
        raw += '"';
        i++;
        continue;
      }
      if (/\s/.test(ch) || ch === '(' || ch === ')') break;
      text += ch;
      raw += ch;
      i++;
    }
    out.push({ t: 'word', text, raw, quoted });
  }
  return out;
}

const isOp = (tok: Token | undefined, ...names: string[]) => tok?.t === 'word' && !tok.quoted && names.includes(tok.raw);

const MAX_QUERY_NESTING = 64;

export function parseQuery(q: string): Query {
  const toks = tokenize(q);
  let pos = 0;
  const peek = () => toks[pos];

  const parseOr = (): Query => {
    const parts = [parseAnd()];
    while (isOp(peek(), 'OR', '||')) {
      pos++;
      parts.push(parseAnd());
    }
    return parts.length === 1 ? parts[0]! : { kind: 'or', parts };
  };
  const parseAnd = (): Query => {
    const parts = [parseUnary()];
    for (;;) {
      const tok = peek();
      if (!tok || tok.t === ')' || isOp(tok, 'OR', '||')) break;
      if (isOp(tok, 'AND', '&&')) pos++;
      parts.push(parseUnary());
    }
    return parts.length === 1 ? parts[0]! : { kind: 'and', parts };
  };
  // Parentheses and NOT nest the parser's (and the matcher's) recursion: bounded, so that a
  // long query of `(((...` is a 400, not a stack overflow.
  let depth = 0;
  const parseUnary = (): Query => {
    if (++depth > MAX_QUERY_NESTING) throw new QueryError(`nested deeper than ${MAX_QUERY_NESTING} levels`);
    try {
      return parseUnaryAt();
    } finally {
      depth--;
    }
  };
  const parseUnaryAt = (): Query => {
    const tok = peek();
    if (!tok) throw new QueryError('unexpected end of query');
    if (isOp(tok, 'NOT', '!')) {
      pos++;
      return { kind: 'not', part: parseUnary() };
    }
    if (tok.t === '(') {
      pos++;
      const inner = parseOr();
      if (peek()?.t !== ')') throw new QueryError('missing )');
      pos++;
      return inner;
    }
    if (tok.t === ')') throw new QueryError('unexpected )');
    if (isOp(tok, 'AND', 'OR', '&&', '||')) throw new QueryError(`unexpected ${tok.raw}`);
    pos++;
    if (!tok.quoted && tok.raw.startsWith('-') && tok.raw.length > 1) {
      return { kind: 'not', part: termOf(tok.text.slice(1), tok.raw.slice(1)) };
    }
    // `field:(a OR b)`: a field applied to a group
    if (!tok.quoted && /^[A-Za-z_][\w.]*:$/.test(tok.raw) && peek()?.t === '(') {
      const field = tok.raw.slice(0, -1);
      pos++;
      const inner = parseOr();
      if (peek()?.t !== ')') throw new QueryError('missing )');
      pos++;
      return withField(inner, field);
    }
    return termOf(tok.text, tok.raw);
  };

  if (toks.length === 0) throw new QueryError('empty query');
  const q0 = parseOr();
  if (pos < toks.length) throw new QueryError(`unexpected ${describe(toks[pos]!)}`);
  return q0;
}

function describe(tok: Token): string {
  return tok.t === 'word' ? tok.raw : tok.t;
}

/** `field:value` when the raw word has an unescaped `:` after a field name; else a bare value. */
function termOf(text: string, raw: string): Query {
  const m = /^([A-Za-z_][\w.]*):/.exec(raw);
  if (m) {
    const field = m[1]!;
    // the same prefix in `text` (field names hold no escapes)
    return term(field, text.slice(field.length + 1));
  }
  return term(undefined, text);
}

function term(field: string | undefined, value: string): Query {
  if (value === '') throw new QueryError(`empty value for ${field ?? 'term'}`);
  const hasWildcard = /(^|[^\u0000])[*?]/.test(value);
  const literal = value.replace(/\u0000/g, '');
  if (!hasWildcard) return { kind: 'term', field, value: literal.toLowerCase() };
  let re = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\u0000') {
      re += escapeRe(value[++i]!);
    } else if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else re += escapeRe(c);
  }
  return { kind: 'term', field, value: literal.toLowerCase(), pattern: new RegExp(`^${re}$`, 'is') };
}

function withField(q: Query, field: string): Query {
  switch (q.kind) {
    case 'term':
      return q.field ? q : { ...q, field };
    case 'not':
      return { kind: 'not', part: withField(q.part, field) };
    default:
      return { kind: q.kind, parts: q.parts.map((p) => withField(p, field)) };
  }
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Does `obj` match the query? */
export function matches(q: Query, obj: Record<string, unknown>): boolean {
  switch (q.kind) {
    case 'and':
      return q.parts.every((p) => matches(p, obj));
    case 'or':
      return q.parts.some((p) => matches(p, obj));
    case 'not':
      return !matches(q.part, obj);
    case 'term': {
      const values = q.field ? valuesAt(obj, q.field.split('.')) : allValues(obj);
      if (q.pattern && q.pattern.source === '^.*$') return values.length > 0;
      return values.some((v) => {
        const s = String(v).toLowerCase();
        return q.pattern ? q.pattern.test(s) : s === q.value;
      });
    }
  }
}

/** Scalar values at a dotted path, through arrays. */
function valuesAt(v: unknown, keys: string[]): unknown[] {
  if (Array.isArray(v)) return v.flatMap((x) => valuesAt(x, keys));
  if (keys.length === 0) return v === undefined || v === null || typeof v === 'object' ? [] : [v];
  if (typeof v !== 'object' || v === null) return [];
  // own fields only: a field name from the query never reaches the prototype
  return valuesAt(own(v, keys[0]!), keys.slice(1));
}

function allValues(v: unknown): unknown[] {
  if (Array.isArray(v)) return v.flatMap(allValues);
  if (typeof v === 'object' && v !== null) return Object.values(v).flatMap(allValues);
  return v === undefined || v === null ? [] : [v];
}

/**
 * A parameter from a raw query string, decoded as the NSX manager (a Java server) decodes a
 * query string: `+` is a space, then percent-escapes (so a literal `+` comes as %2B). Newer Go
 * runtimes send spaces as %20, Python's and older Go clients as `+`; `\/` comes as %5C%2F or raw.
 * Path segments are not query text: they keep `+` (see safeDecode).
 */
export function queryParam(rawQuery: string, name: string): string | undefined {
  for (const part of rawQuery.split('&')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    if (queryDecode(key) !== name) continue;
    return eq < 0 ? '' : queryDecode(part.slice(eq + 1));
  }
  return undefined;
}

/** One key or value of a query string: `+` as a space, then percent-decoded. */
function queryDecode(s: string): string {
  return safeDecode(s.replace(/\+/g, ' '));
}

/** Percent-decoding only (a path segment: `+` stays a `+`). */
export function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    // a lone `%` (or a bad sequence): decode what can be, keep the rest literally
    return s.replace(/(%[0-9A-Fa-f]{2})+/g, (m) => {
      try {
        return decodeURIComponent(m);
      } catch {
        return m;
      }
    });
  }
}
