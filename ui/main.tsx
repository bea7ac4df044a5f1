/**
 * The avisim inspector: what the simulated controller holds (objects), how it is wired
 * (topology), what clients did (requests) and the control calls (control). Every read goes
 * through a /_mock call; the only writes are the control view's /_mock calls.
 */
import { render } from 'preact';
import { lazy, Suspense } from 'preact/compat';
import { useEffect, useState } from 'preact/hooks';
import { CallError, initToken, mock, session, setToken } from './api';
import { ObjectsView } from './objects';
// the graph library is most of the script: loaded when the topology is first opened
const TopologyView = lazy(() => import('./topology').then((m) => m.TopologyView));
import { RequestsView } from './requests';
import { ControlView } from './control';
import { useHash, usePoll } from './hooks';

const TABS = [
  ['objects', 'Objects'],
  ['topology', 'Topology'],
  ['requests', 'Requests'],
  ['control', 'Control'],
] as const;

function App() {
  const route = useHash();
  const [tab, ...rest] = route.split('/');
  const [sandbox, setSandbox] = useState(session.sandbox);
  const [tenant, setTenant] = useState('');
  const [needToken, setNeedToken] = useState(false);
  const sandboxes = usePoll(() => mock<{ results: Array<{ id: string }> }>('GET', '/sandboxes', undefined, ''), 3000, []);
  const tenants = usePoll(() => mock<{ results: Array<{ uuid: string; name: string }> }>('GET', '/objects/tenant?limit=1000'), 5000, [sandbox]);
  useEffect(() => {
    const err = sandboxes.error ?? tenants.error;
    setNeedToken(err instanceof CallError && err.status === 401);
  }, [sandboxes.error, tenants.error]);

  const chooseSandbox = (id: string) => {
    session.sandbox = id;
    setSandbox(id);
  };
  const current = TABS.some(([t]) => t === tab) ? tab : 'objects';
  return (
    <>
      <header>
        <h1>avisim inspector</h1>
        <nav>
          {TABS.map(([t, label]) => (
            <a href={`#${t}`} class={current === t ? 'on' : ''} data-testid={`tab-${t}`}>
              {label}
            </a>
          ))}
        </nav>
        <span class="grow" />
        <label>
          tenant{' '}
          <select value={tenant} onChange={(e) => setTenant((e.target as HTMLSelectElement).value)} data-testid="tenant">
            <option value="">all</option>
            {(tenants.data?.results ?? []).map((t) => (
              <option value={t.uuid}>{t.name}</option>
            ))}
          </select>
        </label>
        <label>
          scope{' '}
          <select value={sandbox} onChange={(e) => chooseSandbox((e.target as HTMLSelectElement).value)} data-testid="sandbox">
            <option value="">main</option>
            {(sandboxes.data?.results ?? []).map((s) => (
              <option value={s.id}>sandbox {s.id}</option>
            ))}
          </select>
        </label>
      </header>
      <main key={sandbox}>
        {needToken && <TokenPrompt />}
        {current === 'objects' && <ObjectsView tenant={tenant} type={rest[0]} uuid={rest.slice(1).join('/')} />}
        {current === 'topology' && (
          <Suspense fallback={<div class="muted">loading the graph library…</div>}>
            <TopologyView tenant={tenant} />
          </Suspense>
        )}
        {current === 'requests' && <RequestsView />}
        {current === 'control' && <ControlView sandboxes={(sandboxes.data?.results ?? []).map((s) => s.id)} onSandbox={chooseSandbox} />}
      </main>
    </>
  );
}

function TokenPrompt() {
  const [value, setValue] = useState('');
  return (
    <div class="panel bar">
      The test-control plane needs its token:
      <input type="text" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} data-testid="token" />
      <button
        onClick={() => {
          setToken(value);
          location.reload();
        }}
      >
        use
      </button>
    </div>
  );
}

initToken();
render(<App />, document.getElementById('app')!);
