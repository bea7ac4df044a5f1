/**
 * What a metric id says about itself: its units, a description, and the magnitude a plausible
 * synthetic series has. A controller knows its metrics from a table; the simulator reads them
 * from the id's words (`l4_client.avg_bandwidth` → bits per second), so any id a client asks for
 * answers [inferred: units and descriptions are built from the words, not the controller's table].
 */

export interface MetricInfo {
  name: string;
  units: string;
  metric_description: string;
  /** typical level of a synthetic series */
  base: number;
  /** values that add up over servers (counts, rates) rather than average (latencies, ratios) */
  additive: boolean;
  /** whole numbers (counts of objects) */
  integer: boolean;
}

/** Units by the words of the id's measure, first match wins. */
const UNIT_RULES: Array<[RegExp, string, number]> = [
  [/(^|_)(pct|percent|percentage|ratio)(_|$)|_usage$|lic_usage|utilization|_util$/, 'PERCENT', 25],
  [/health|score/, 'HEALTH', 90],
  [/bandwidth|throughput|_bw$/, 'BITS_PER_SECOND', 4e6],
  [/bytes/, 'BYTES', 5e7],
  [/rtt|latency|_time$|duration/, 'MILLISECONDS', 12],
  [/rate|per_sec|_pps$|_rps$|_cps$|new_|requests|responses|_conns$|connections|packets|_pkts/, 'PER_SECOND', 120],
];

const WORDS: Record<string, string> = {
  avg: 'Average',
  max: 'Maximum',
  min: 'Minimum',
  sum: 'Total',
  pct: 'Percentage of',
  num: 'number of',
  conns: 'connections',
  se: 'Service Engine',
  ses: 'Service Engines',
  vs: 'virtual services',
  lic: 'license',
  rtt: 'round trip time',
  bw: 'bandwidth',
};

function describe(id: string): string {
  const dot = id.indexOf('.');
  const table = dot < 0 ? '' : id.slice(0, dot);
  const measure = dot < 0 ? id : id.slice(dot + 1);
  const words = measure.split('_').filter(Boolean).map((w) => WORDS[w] ?? w);
  const text = words.join(' ');
  const scope = table ? ` (${table.replace(/_/g, ' ')})` : '';
  return (text.charAt(0).toUpperCase() + text.slice(1) + scope).slice(0, 200);
}

export function metricInfo(id: string): MetricInfo {
  const measure = id.slice(id.indexOf('.') + 1);
  let units = 'METRIC_COUNT';
  let base = 40;
  for (const [re, u, b] of UNIT_RULES) {
    if (re.test(measure)) {
      units = u;
      base = b;
      break;
    }
  }
  const integer = units === 'METRIC_COUNT' && /(^|_)num_/.test(measure);
  const additive = !['PERCENT', 'HEALTH', 'MILLISECONDS'].includes(units);
  return { name: id, units, metric_description: describe(id), base, additive, integer };
}

/** The table a metric id belongs to (`l4_client`, `controller_stats`, ...). */
export function tableOf(id: string): string {
  const dot = id.indexOf('.');
  return dot < 0 ? '' : id.slice(0, dot);
}

/** Server-side tables: their values come from the pool servers behind the entity. */
export function serverSide(id: string): boolean {
  return /^(l4_server|l7_server|dns_server)$/.test(tableOf(id));
}
