/**
 * Contract: recorded sessions replayed. Each file in contract-tests/recordings/ is a session
 * written by `avisim record` (scripts/record-l4-session.ts makes the one here); its exchanges are
 * sent again to the target and every answer must match the recorded one, volatile fields aside
 * (server/record/compare.ts). A changed answer — a status, a field, an error text — fails here
 * with the exchange and the JSON paths that differ.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatResult, loadExchanges, replay } from '../server/record/replay.js';
import { useTarget } from './support/target.js';

const t = useTarget();
const dir = path.join(import.meta.dirname, 'recordings');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

describe('recorded sessions replay with every answer matching', () => {
  it('has recordings to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s', async (file) => {
    const exchanges = await loadExchanges(path.join(dir, file));
    const result = await replay(exchanges, {
      target: t.url,
      username: t.username,
      password: t.password,
      insecure: true,
      headers: t.headers,
    });
    expect(result.results.filter((r) => !r.match).map(formatResult)).toEqual([]);
    expect(result.total).toBe(exchanges.length);
    expect(result.ok).toBe(true);
  });
});
