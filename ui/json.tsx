/** JSON shown as text, with every string that is a ref of the object made a link to what it names. */
import type { ComponentChild } from 'preact';

export interface RefInfo {
  type: string;
  uuid: string;
  name?: string;
}

const MAX_DEPTH = 64;

export function JsonView({ value, refs = [] }: { value: unknown; refs?: RefInfo[] }) {
  const byUuid = new Map(refs.map((r) => [r.uuid, r]));
  return <pre class="json">{show(value, byUuid, '', 0)}</pre>;
}

function show(v: unknown, refs: Map<string, RefInfo>, indent: string, depth: number): ComponentChild {
  if (typeof v === 'string') {
    const ref = refs.get(v);
    if (ref) {
      return (
        <a href={`#objects/${encodeURIComponent(ref.type)}/${encodeURIComponent(ref.uuid)}`} title={`${ref.type} ${ref.uuid}`}>
          {JSON.stringify(v)}
          {ref.name ? ` (${ref.name})` : ''}
        </a>
      );
    }
    return <span class="s">{JSON.stringify(v)}</span>;
  }
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return <span class="n">{String(v)}</span>;
  if (depth >= MAX_DEPTH) return '…';
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (!v.length) return '[]';
    return ['[\n', ...v.flatMap((x, i) => [inner, show(x, refs, inner, depth + 1), i < v.length - 1 ? ',\n' : '\n']), `${indent}]`];
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (!entries.length) return '{}';
    return [
      '{\n',
      ...entries.flatMap(([k, x], i) => [inner, <span class="k">{JSON.stringify(k)}</span>, ': ', show(x, refs, inner, depth + 1), i < entries.length - 1 ? ',\n' : '\n']),
      `${indent}}`,
    ];
  }
  return String(v);
}
