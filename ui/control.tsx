/** Control: reset, load a built-in scenario, download a snapshot, fault rules, sandboxes — each an existing /_mock call. */
import { useState } from 'preact/hooks';
import { mock, session } from './api';
import { message, usePoll } from './hooks';
import { JsonView } from './json';

const EXAMPLE_FAULT = '{ "match": { "method": "POST", "path": "/api/pool" }, "status": 503, "error": "busy", "times": 1 }';

export function ControlView({ sandboxes, onSandbox }: { sandboxes: string[]; onSandbox: (id: string) => void }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const scenarios = usePoll(() => mock<{ results: string[]; current: string }>('GET', '/scenarios'), 0, []);
  const faults = usePoll(() => mock<{ results: Array<{ id: string; kind?: string; hits: number }> }>('GET', '/faults'), 2000, []);
  const [scenario, setScenario] = useState('');
  const [fault, setFault] = useState(EXAMPLE_FAULT);
  const [newSandbox, setNewSandbox] = useState('');
  const act = (what: string, call: () => Promise<unknown>) => async () => {
    setError('');
    setNote('');
    try {
      const out = await call();
      setNote(`${what}: done${out ? ` ${JSON.stringify(out).slice(0, 200)}` : ''}`);
      faults.refresh();
      scenarios.refresh();
    } catch (e) {
      setError(`${what}: ${message(e)}`);
    }
  };
  const download = async () => {
    const snap = await mock('GET', '/snapshot');
    const url = URL.createObjectURL(new Blob([JSON.stringify(snap, null, 1)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `avisim-${session.sandbox || 'main'}-snapshot.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <div class="control">
      {note && <div class="panel muted" data-testid="control-note">{note}</div>}
      {error && <div class="panel err">{error}</div>}
      <section class="panel">
        <h3>State of {session.sandbox ? `sandbox ${session.sandbox}` : 'the main scope'}</h3>
        <div class="bar">
          <button onClick={act('reset', () => mock('POST', '/reset'))} data-testid="reset">reset to the scenario</button>
          <button onClick={act('snapshot', download)}>download a snapshot</button>
        </div>
        <div class="bar">
          scenario <b>{scenarios.data?.current}</b>; load
          <select value={scenario} onChange={(e) => setScenario((e.target as HTMLSelectElement).value)} data-testid="scenario">
            <option value="">(choose)</option>
            {(scenarios.data?.results ?? []).map((s) => (
              <option>{s}</option>
            ))}
          </select>
          <button disabled={!scenario || !!session.sandbox} onClick={act(`load ${scenario}`, () => mock('POST', '/scenario', { name: scenario }, ''))}>
            load (whole simulator; drops sandboxes)
          </button>
        </div>
      </section>
      <section class="panel">
        <h3>Fault rules</h3>
        {(faults.data?.results ?? []).map((f) => (
          <div class="bar">
            <JsonView value={f} />
            <button onClick={act(`remove ${f.id}`, () => mock('DELETE', `/faults/${encodeURIComponent(f.id)}`))}>remove</button>
          </div>
        ))}
        <div class="bar">
          <textarea rows={3} cols={90} value={fault} onInput={(e) => setFault((e.target as HTMLTextAreaElement).value)} data-testid="fault-rule" />
          <button onClick={act('add fault', async () => mock('POST', '/faults', JSON.parse(fault)))} data-testid="add-fault">add</button>
          <button onClick={act('remove all faults', () => mock('DELETE', '/faults'))}>remove all</button>
        </div>
      </section>
      <section class="panel">
        <h3>Sandboxes</h3>
        <ul>
          {sandboxes.map((id) => (
            <li>
              {id} <button onClick={() => onSandbox(id)}>open</button>{' '}
              <button onClick={act(`drop ${id}`, () => mock('DELETE', `/sandboxes/${encodeURIComponent(id)}`, undefined, ''))}>drop</button>
            </li>
          ))}
        </ul>
        <div class="bar">
          <input type="text" placeholder="new sandbox id" value={newSandbox} onInput={(e) => setNewSandbox((e.target as HTMLInputElement).value)} />
          {/* the first call naming a sandbox makes it (a fork of the scenario's state) */}
          <button disabled={!newSandbox} onClick={act(`create ${newSandbox}`, () => mock('GET', '/scenario', undefined, newSandbox))}>create</button>
          <button onClick={act('drop all', () => mock('DELETE', '/sandboxes', undefined, ''))}>drop all</button>
        </div>
      </section>
    </div>
  );
}
