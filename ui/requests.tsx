/**
 * Requests: the scope's journal, polled every second, filtered by method, path glob and status;
 * a request opens its body, its answer and the objects it changed (a diff before/after).
 */
import { useState } from 'preact/hooks';
import { mock } from './api';
import { message, usePoll } from './hooks';
import { JsonView } from './json';
import { objectHref } from './objects';

interface Entry {
  seq: number;
  time: string;
  method: string;
  path: string;
  query: string;
  tenant: string;
  status: number;
  duration_ms: number;
  sandbox?: string;
  fault?: string;
  body?: unknown;
  changed?: Array<{ op: string; type: string; uuid: string }>;
}

interface Detail extends Entry {
  answer?: { body: unknown; bytes: number; truncated?: boolean };
  changes: Array<{ op: string; type: string; uuid: string; before?: Record<string, unknown>; after?: Record<string, unknown> }>;
  more_changes?: number;
}

const SHOWN = 300;

export function RequestsView() {
  const [method, setMethod] = useState('');
  const [path, setPath] = useState('');
  const [status, setStatus] = useState('');
  const [live, setLive] = useState(true);
  const [open, setOpen] = useState<number>();
  const query = new URLSearchParams({ limit: String(SHOWN) });
  if (method) query.set('method', method);
  // a path from / is the journal's glob; other text matches anywhere in the path
  if (path.startsWith('/')) query.set('path', path);
  if (/^\d{3}$/.test(status)) query.set('status', status);
  const journal = usePoll(() => mock<{ count: number; dropped: number; results: Entry[] }>('GET', `/journal?${query}`), live ? 1000 : 0, [method, path, status, live]);
  const rows = [...(journal.data?.results ?? [])].filter((e) => path.startsWith('/') || e.path.includes(path)).reverse();
  return (
    <div>
      <div class="bar">
        <select value={method} onChange={(e) => setMethod((e.target as HTMLSelectElement).value)} data-testid="filter-method">
          <option value="">any method</option>
          {['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => (
            <option>{m}</option>
          ))}
        </select>
        <input type="search" placeholder="path (glob, e.g. /api/pool*)" value={path} onInput={(e) => setPath((e.target as HTMLInputElement).value)} data-testid="filter-path" />
        <input type="search" placeholder="status" size={6} value={status} onInput={(e) => setStatus((e.target as HTMLInputElement).value)} data-testid="filter-status" />
        <label>
          <input type="checkbox" checked={live} onChange={(e) => setLive((e.target as HTMLInputElement).checked)} /> live
        </label>
        <span class="muted">
          {journal.data ? `${journal.data.count} shown (newest ${SHOWN} at most)${journal.data.dropped ? `, ${journal.data.dropped} older dropped by the journal` : ''}` : ''}
        </span>
      </div>
      {journal.error !== undefined && <div class="err">{message(journal.error)}</div>}
      <div class="cols">
        <div class="panel journal">
          <table data-testid="journal">
            <thead>
              <tr>
                <th>#</th><th>time</th><th>method</th><th>path</th><th>status</th><th>ms</th><th>changed</th><th>fault</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((e) => (
                <tr
                  class={`row${e.status >= 400 || e.status === 0 ? ' failed' : ''}${open === e.seq ? ' on' : ''}`}
                  onClick={() => setOpen(e.seq)}
                  data-seq={e.seq}
                  data-status={e.status}
                >
                  <td>{e.seq}</td>
                  <td>{e.time.slice(11, 23)}</td>
                  <td>{e.method}</td>
                  <td>{e.path}{e.query ? `?${e.query}` : ''}</td>
                  <td class="st">{e.status || 'dropped'}</td>
                  <td>{e.duration_ms}</td>
                  <td>{e.changed?.length ?? ''}</td>
                  <td>{e.fault ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {open !== undefined && <RequestDetail seq={open} />}
      </div>
    </div>
  );
}

function RequestDetail({ seq }: { seq: number }) {
  const d = usePoll(() => mock<Detail>('GET', `/journal/${seq}`), 0, [seq]);
  if (d.error !== undefined) return <div class="panel detail err">{message(d.error)}</div>;
  const e = d.data;
  if (!e) return <div class="panel detail muted">loading…</div>;
  return (
    <div class="panel detail" data-testid="request-detail">
      <b>
        {e.method} {e.path}
      </b>{' '}
      → <span class={e.status >= 400 ? 'down' : 'up'}>{e.status || 'dropped'}</span>
      <div class="muted">
        {e.time} · tenant {e.tenant}
        {e.sandbox ? ` · sandbox ${e.sandbox}` : ''}
        {e.fault ? ` · answered by fault rule ${e.fault}` : ''}
      </div>
      <h4>Request body</h4>
      {e.body === undefined ? <div class="muted">none</div> : <JsonView value={e.body} />}
      <h4>Answer{e.answer?.truncated ? ` (first bytes of ${e.answer.bytes})` : ''}</h4>
      {e.answer ? <JsonView value={e.answer.body} /> : <div class="muted">not kept</div>}
      <h4>Objects changed ({e.changes.length}{e.more_changes ? ` + ${e.more_changes} not kept` : ''})</h4>
      {e.changes.map((c) => (
        <div class="diff">
          <div>
            <b>{c.op}</b> {c.after || c.before ? <a href={objectHref(c.type, c.uuid)}>{c.type} {String((c.after ?? c.before)?.name ?? c.uuid)}</a> : null}
          </div>
          <Diff before={c.before} after={c.after} />
        </div>
      ))}
    </div>
  );
}

/** Top-level fields that differ, each before and after. */
function Diff({ before = {}, after = {} }: { before?: Record<string, unknown>; after?: Record<string, unknown> }) {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]),
  );
  return (
    <table>
      <tbody>
        {keys.map((k) => (
          <tr>
            <td><b>{k}</b></td>
            <td class="del"><pre class="json">{k in before ? JSON.stringify(before[k], null, 1) : ''}</pre></td>
            <td class="add"><pre class="json">{k in after ? JSON.stringify(after[k], null, 1) : ''}</pre></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
