/** The pool the bench writes: a small, valid, realistic one (two servers, a named algorithm). */
export function poolName(i: number | string): string {
  return `bench-pool-${i}`;
}

export function poolBody(i: number | string): Record<string, unknown> {
  const n = typeof i === 'number' ? i : 0;
  return {
    name: poolName(i),
    lb_algorithm: 'LB_ALGORITHM_ROUND_ROBIN',
    default_server_port: 8080,
    servers: [
      { ip: { addr: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, type: 'V4' }, port: 8080 },
      { ip: { addr: `10.200.${(n >> 8) & 255}.${n & 255}`, type: 'V4' }, port: 8080 },
    ],
  };
}
