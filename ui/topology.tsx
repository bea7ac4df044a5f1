/**
 * The topology picture: GET /_mock/topology laid out by cytoscape with the dagre layered layout
 * (clouds on the left, servers and routes on the right). Clicking a node opens its object; the
 * side panel lists what the selected node is linked to, directly and downstream.
 */
import cytoscape, { type Core, type NodeSingular } from 'cytoscape';
import dagre from 'cytoscape-dagre';
import { useEffect, useRef, useState } from 'preact/hooks';
import { mock } from './api';
import { message, usePoll } from './hooks';
import { objectHref } from './objects';

cytoscape.use(dagre);

interface TopoNode {
  id: string;
  kind: string;
  label: string;
  type?: string;
  uuid?: string;
  state?: string;
  reason?: string;
}
interface TopoEdge {
  id: string;
  source: string;
  target: string;
  kind: string;
  broken?: boolean;
  label?: string;
}
interface Topology {
  nodes: TopoNode[];
  edges: TopoEdge[];
  truncated: boolean;
}

const COLORS: Record<string, string> = {
  cloud: '#1f3a5f',
  vrf: '#4a6fa5',
  'vrf-route': '#7d93b5',
  network: '#5c8d89',
  segroup: '#8a6d3b',
  se: '#b08d57',
  vs: '#2d6cdf',
  vsvip: '#6f42c1',
  poolgroup: '#3c8dbc',
  pool: '#17a2b8',
  server: '#20c997',
  tier1: '#e36209',
  'nsx-route': '#f0883e',
};

const STYLE: cytoscape.StylesheetJson = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      'text-wrap': 'wrap',
      'text-valign': 'bottom',
      'text-halign': 'center',
      'text-margin-y': 3,
      'text-max-width': '150px',
      'font-size': 9,
      width: 14,
      height: 14,
      'background-color': (n: NodeSingular) => COLORS[n.data('kind')] ?? '#888',
      'border-width': 2,
      'border-color': '#fff',
    },
  },
  { selector: 'node[state = "up"]', style: { 'border-color': '#1c7c3a' } },
  { selector: 'node[state = "down"], node[state = "broken"]', style: { 'border-color': '#d00020', 'border-width': 4 } },
  { selector: 'node[state = "disabled"]', style: { 'border-color': '#999', opacity: 0.6 } },
  { selector: 'node:selected', style: { 'overlay-color': '#ffbf00', 'overlay-opacity': 0.35, 'overlay-padding': 6 } },
  {
    selector: 'edge',
    style: { width: 1.2, 'line-color': '#b7c0cc', 'target-arrow-color': '#b7c0cc', 'target-arrow-shape': 'triangle', 'arrow-scale': 0.6, 'curve-style': 'bezier' },
  },
  { selector: 'edge[kind = "vip route"]', style: { 'line-color': '#f0883e', 'target-arrow-color': '#f0883e', width: 2 } },
  { selector: 'edge[kind = "hosts"]', style: { 'line-style': 'dotted' } },
  {
    selector: 'edge[?broken]',
    style: { 'line-color': '#d00020', 'target-arrow-color': '#d00020', 'line-style': 'dashed', width: 2.5, label: 'data(label)', 'font-size': 8, color: '#d00020' },
  },
];

export function TopologyView({ tenant }: { tenant: string }) {
  const [cloud, setCloud] = useState('');
  const [find, setFind] = useState('');
  const [selected, setSelected] = useState<string>();
  const box = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | undefined>(undefined);
  const clouds = usePoll(() => mock<{ results: Array<{ uuid: string; name: string }> }>('GET', '/objects/cloud?limit=1000'), 0, []);
  const query = new URLSearchParams();
  if (tenant) query.set('tenant', tenant);
  if (cloud) query.set('cloud', cloud);
  const topo = usePoll(() => mock<Topology>('GET', `/topology?${query}`), 0, [tenant, cloud]);

  useEffect(() => {
    if (!box.current || !topo.data) return;
    const { nodes, edges } = topo.data;
    const graph = cytoscape({
      container: box.current,
      elements: [...nodes.map((data) => ({ data })), ...edges.map((data) => ({ data }))],
      style: STYLE,
      layout: { name: 'dagre', rankDir: 'LR', nodeSep: 34, rankSep: 150, animate: false } as cytoscape.LayoutOptions,
      minZoom: 0.05,
    });
    graph.on('tap', 'node', (e) => setSelected(e.target.id()));
    graph.on('dbltap', 'node', (e) => {
      const d = e.target.data() as TopoNode;
      if (d.type && d.uuid) location.hash = objectHref(d.type, d.uuid);
    });
    cy.current = graph;
    box.current.dataset.nodes = String(nodes.length);
    box.current.dataset.edges = String(edges.length);
    return () => graph.destroy();
  }, [topo.data]);

  const findNode = () => {
    const graph = cy.current;
    if (!graph || !find) return;
    const text = find.toLowerCase();
    const hits = graph.nodes().filter((n) => String(n.data('label')).toLowerCase().includes(text));
    const best = hits.filter((n) => n.data('kind') === 'vs')[0] ?? hits[0];
    if (!best) return;
    graph.elements().unselect();
    best.select();
    graph.animate({ center: { eles: best } }, { duration: 200 });
    setSelected(best.id());
  };

  return (
    <div>
      <div class="bar">
        <select value={cloud} onChange={(e) => setCloud((e.target as HTMLSelectElement).value)} data-testid="topology-cloud">
          <option value="">all clouds</option>
          {(clouds.data?.results ?? []).map((c) => (
            <option value={c.uuid}>{c.name}</option>
          ))}
        </select>
        <input
          type="search"
          placeholder="find a node"
          value={find}
          onInput={(e) => setFind((e.target as HTMLInputElement).value)}
          onKeyDown={(e) => e.key === 'Enter' && findNode()}
          data-testid="topology-find"
        />
        <button onClick={findNode}>find</button>
        <button onClick={topo.refresh}>reload</button>
        <button onClick={() => cy.current?.fit()}>fit</button>
        <span class="muted">
          {topo.data ? `${topo.data.nodes.length} nodes, ${topo.data.edges.length} links${topo.data.truncated ? ' (truncated: pick a cloud)' : ''}` : 'loading…'}
          {' · '}click selects, double-click opens the object; red: down or missing in NSX
        </span>
      </div>
      {topo.error !== undefined && <div class="err">{message(topo.error)}</div>}
      <div class="cols">
        <div id="graph" ref={box} data-testid="graph" />
        <Side topo={topo.data} id={selected} />
      </div>
    </div>
  );
}

/** The selected node, its links in and out, and everything downstream of it. */
function Side({ topo, id }: { topo?: Topology; id?: string }) {
  if (!topo || !id) return <div class="panel side muted">Select a node.</div>;
  const byId = new Map(topo.nodes.map((n) => [n.id, n]));
  const node = byId.get(id);
  if (!node) return <div class="panel side muted">Select a node.</div>;
  const out = new Map<string, TopoEdge[]>();
  for (const e of topo.edges) out.set(e.source, [...(out.get(e.source) ?? []), e]);
  const incoming = topo.edges.filter((e) => e.target === id);
  const downstream: Array<{ edge: TopoEdge; depth: number }> = [];
  const seen = new Set([id]);
  const walk = (from: string, depth: number) => {
    for (const e of out.get(from) ?? []) {
      if (seen.has(e.target) || downstream.length > 500) continue;
      seen.add(e.target);
      downstream.push({ edge: e, depth });
      if (depth < 6) walk(e.target, depth + 1);
    }
  };
  walk(id, 0);
  const label = (n?: TopoNode) => (n ? n.label.replace(/\n/g, ' ') : '?');
  const item = (n: TopoNode | undefined, e: TopoEdge) => (
    <>
      <span class={e.broken ? 'broken' : 'muted'}>{e.kind}{e.label ? ` (${e.label})` : ''}</span>{' '}
      {n?.type && n.uuid ? <a href={objectHref(n.type, n.uuid)}>{label(n)}</a> : label(n)}{' '}
      {n?.state && <span class={n.state}>{n.state}{n.reason ? `: ${n.reason}` : ''}</span>}
    </>
  );
  return (
    <div class="panel side" data-testid="topology-side">
      <b>{label(node)}</b>{' '}
      {node.state && <span class={node.state}>{node.state}{node.reason ? `: ${node.reason}` : ''}</span>}
      {node.type && node.uuid && (
        <div>
          <a href={objectHref(node.type, node.uuid)}>open {node.type}</a>
        </div>
      )}
      <h4>Linked from</h4>
      <ul>{incoming.map((e) => <li>{item(byId.get(e.source), e)}</li>)}</ul>
      <h4>Leads to</h4>
      <ul>
        {downstream.map(({ edge, depth }) => (
          <li style={{ marginLeft: `${depth * 12}px` }}>{item(byId.get(edge.target), edge)}</li>
        ))}
      </ul>
    </div>
  );
}

