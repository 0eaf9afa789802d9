import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname } from 'node:path';
import Redis from 'ioredis';
import { benchFence, fenceRows } from '../../src/bench/fence';
import { withPrimaryAndReplica } from '../../src/bench/servers';

/** Whether anything still accepts connections on the port. */
const listening = (port: number): Promise<boolean> =>
  new Promise((ok) => {
    const s = createConnection({ port, host: '127.0.0.1' }, () => {
      s.destroy();
      ok(true);
    });
    s.once('error', () => ok(false));
  });

/**
 * `npm run bench -- --only fence` (docs/operations.md, **Cost** of the replica fence): it measures
 * the real fence on a primary + replica of its own, and leaves neither server nor directory behind.
 */
it('measures the append alone and through the fence at 1 and 16 in flight, then stops both servers', async () => {
  const lines: string[] = [];
  const r = await benchFence({ writes: 40, pairs: 0, processes: 1, log: (m) => lines.push(m) });

  expect(r.writes.map((w) => [w.concurrency, w.fence, w.writes])).toEqual([[1, false, 80], [1, true, 80], [16, false, 80], [16, true, 80]]);
  for (const w of r.writes) {
    expect(w.perSec).toBeGreaterThan(0);
    expect(w.p99Ms!).toBeGreaterThanOrEqual(w.p50Ms!);
  }
  // One at a time, every fenced write waited for the replica with a WAIT of its own; sixteen at a
  // time they shared rounds (never more WAITs than writes).
  expect(r.writes[1]!.writesPerWait).toBe(1);
  expect(r.writes[3]!.writesPerWait).toBeGreaterThanOrEqual(1);
  expect(r.writes[0]!.writesPerWait).toBeUndefined();
  expect(r.endToEnd).toBeNull();

  const rows = fenceRows(r);
  expect(rows).toHaveLength(5);
  expect(rows[1]![0]).toMatch(/\+ replica fence, 1 at a time/);
  expect(rows[1]![1]).toMatch(/^\d+ writes\/s, p50 [\d.]+ ms, p99 [\d.]+ ms; 1\.0 writes per WAIT$/);
  expect(rows[4]![1]).toMatch(/not run/);

  const ports = /primary on (\d+), replica on (\d+), link up/.exec(lines.join('\n'));
  expect(ports).not.toBeNull();
  expect(await listening(Number(ports![1]))).toBe(false);
  expect(await listening(Number(ports![2]))).toBe(false);
}, 60_000);

it('stops both servers and removes their directory when the measurement fails', async () => {
  let primaryPort = 0;
  let replicaPort = 0;
  let dataDir = '';
  const failing = withPrimaryAndReplica(() => undefined, async (url) => {
    const r = new Redis(url);
    try {
      primaryPort = Number(new URL(url).port);
      replicaPort = Number(/slave0:ip=[^,]+,port=(\d+)/.exec(await r.info('replication'))?.[1]);
      dataDir = ((await r.config('GET', 'dir')) as string[])[1]!;
    } finally {
      r.disconnect();
    }
    throw new Error('measurement failed');
  });
  await expect(failing).rejects.toThrow('measurement failed');
  expect(replicaPort).toBeGreaterThan(0);
  expect(await listening(primaryPort)).toBe(false);
  expect(await listening(replicaPort)).toBe(false);
  expect(existsSync(dirname(dataDir))).toBe(false);
}, 60_000);
