/** Objects: every type with its count, a filterable page of one type, one object's JSON with its refs as links. */
import { useState } from 'preact/hooks';
import { enc, mock } from './api';
import { message, usePoll } from './hooks';
import { JsonView, type RefInfo } from './json';

const PAGE = 100;

interface TypeCount {
  type: string;
  count: number;
}

export const objectHref = (type: string, uuid: string) => `#objects/${enc(type)}/${enc(uuid)}`;

export function ObjectsView({ tenant, type, uuid }: { tenant: string; type?: string; uuid?: string }) {
  const [typeFilter, setTypeFilter] = useState('');
  const index = usePoll(() => mock<{ types: TypeCount[]; total: number }>('GET', `/objects${tenant ? `?tenant=${enc(tenant)}` : ''}`), 2000, [tenant]);
  const types = (index.data?.types ?? []).filter((t) => t.type.includes(typeFilter.toLowerCase()));
  return (
    <div class="cols">
      <div class="panel types" data-testid="types">
        <div class="bar">
          <input type="search" placeholder="filter types" value={typeFilter} onInput={(e) => setTypeFilter((e.target as HTMLInputElement).value)} />
          <span class="muted">{index.data?.total ?? ''} objects</span>
        </div>
        {index.error !== undefined && <div class="err">{message(index.error)}</div>}
        {types.map((t) => (
          <a href={`#objects/${enc(t.type)}`} class={t.type === type ? 'on' : ''} data-type={t.type}>
            <span>{t.type}</span>
            <span class="muted">{t.count}</span>
          </a>
        ))}
      </div>
      {type && <TypeList tenant={tenant} type={type} selected={uuid} />}
      {type && uuid && <ObjectPanel type={type} uuid={uuid} />}
    </div>
  );
}

function TypeList({ tenant, type, selected }: { tenant: string; type: string; selected?: string }) {
  const [q, setQ] = useState('');
  const [offset, setOffset] = useState(0);
  const query = new URLSearchParams({ q, offset: String(offset), limit: String(PAGE) });
  if (tenant) query.set('tenant', tenant);
  const page = usePoll(
    () => mock<{ count: number; results: Array<{ uuid: string; name: string }> }>('GET', `/objects/${enc(type)}?${query}`),
    2000,
    [type, tenant, q, offset],
  );
  const count = page.data?.count ?? 0;
  return (
    <div class="panel list" data-testid="object-list">
      <div class="bar">
        <b>{type}</b>
        <input
          type="search"
          placeholder="filter by name or uuid"
          value={q}
          onInput={(e) => {
            setQ((e.target as HTMLInputElement).value);
            setOffset(0);
          }}
          data-testid="object-filter"
        />
      </div>
      <div class="bar muted">
        <button disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
          ‹
        </button>
        {count ? `${offset + 1}–${Math.min(offset + PAGE, count)} of ${count}` : 'none'}
        <button disabled={offset + PAGE >= count} onClick={() => setOffset(offset + PAGE)}>
          ›
        </button>
      </div>
      {page.error !== undefined && <div class="err">{message(page.error)}</div>}
      <div class="rows">
        {(page.data?.results ?? []).map((o) => (
          <a href={objectHref(type, o.uuid)} class={o.uuid === selected ? 'on' : ''} title={o.uuid}>
            {o.name}
          </a>
        ))}
      </div>
    </div>
  );
}

interface ObjectAnswer {
  name: string;
  data: unknown;
  refs: RefInfo[];
  referred_by: RefInfo[];
  system_default?: boolean;
}

function ObjectPanel({ type, uuid }: { type: string; uuid: string }) {
  const obj = usePoll(() => mock<ObjectAnswer>('GET', `/objects/${enc(type)}/${enc(uuid)}`), 0, [type, uuid]);
  return (
    <div class="panel object" data-testid="object">
      {obj.error !== undefined && <div class="err">{message(obj.error)}</div>}
      {obj.data && (
        <>
          <div class="bar">
            <b>{obj.data.name}</b>
            <span class="muted">
              {type} {uuid}
              {obj.data.system_default ? ' (system default)' : ''}
            </span>
            <button onClick={obj.refresh}>reload</button>
          </div>
          <JsonView value={obj.data.data} refs={obj.data.refs} />
          <h4>Referred by ({obj.data.referred_by.length})</h4>
          <ul data-testid="referred-by">
            {obj.data.referred_by.map((r) => (
              <li>
                <a href={objectHref(r.type, r.uuid)}>{r.name ?? r.uuid}</a> <span class="muted">{r.type}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
