/**
 * The cost of the replica fence (ART50_REDIS_MIN_REPLICAS=1; docs/operations.md, "Several Redis
 * machines", **Cost**). A primary and a replica of its own (both `appendfsync always`, as in
 * production), then:
 *
 * 1. the gateway's log append (log/lua/append-2.lua: INCR + HSET of one log entry, through
 *    scriptRunner as the gateway calls its scripts) alone, against the same append through the
 *    real fence (replicaFence on its own connection), one at a time and 16 at a time;
 * 2. end to end, `art50 serve` on that primary with and without ART50_REDIS_MIN_REPLICAS=1, the
 *    intake load client sending request + sanction pairs.
 *
 * Each comparison alternates (without, with, without, with) and pools the rounds: the machine may
 * be shared, and one side measured only in a quieter minute would say more about the minute.
 */
import type Redis from 'ioredis';
import { redisAt } from '../redis/client';
import { entryTemplate } from '../log/sequencer';
import { replicaFence } from '../redis/replica-fence';
import { percentiles } from '../stats/aggregate';
import { scriptRunner } from '../store/script-set';
import { runLoadClient, runPool } from './intake';
import { startGatewayServe, withPrimaryAndReplica } from './servers';

/** The write alone or through the fence, at one concurrency, pooled over the rounds. */
export interface FenceWrites {
  fence: boolean;
  concurrency: number;
  writes: number;
  perSec: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Fenced writes per WAIT the primary executed (concurrent callers share one round). */
  writesPerWait?: number;
}

/** One `art50 serve` run of the end-to-end comparison. */
export interface FencePairsRun {
  fence: boolean;
  seconds: number;
  /** Accepted pairs per second. */
  perSec: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Refused pairs by "request <status>" / "sanction <status>". */
  failures: Record<string, number>;
}

export interface FenceBenchResult {
  rounds: number;
  writes: FenceWrites[];
  endToEnd: { pairs: number; concurrency: number; processes: number; runs: FencePairsRun[] } | null;
}

const ROUNDS = 2;
const WAIT_TIMEOUT_MS = 2000;

const waitCalls = async (redis: Redis): Promise<number> => Number(/cmdstat_wait:calls=(\d+)/.exec(await redis.info('commandstats'))?.[1] ?? 0);

/** `writes` log appends, `concurrency` in flight, alone and fenced in turn, ROUNDS times. */
async function benchWrites(primaryUrl: string, writes: number, concurrency: number): Promise<FenceWrites[]> {
  const redis = redisAt(primaryUrl);
  const fenceRedis = redisAt(primaryUrl);
  const ns = `benchfence${Date.now()}`;
  // A request.received entry shaped as intake writes it (475 bytes).
  const template = entryTemplate({
    event: 'request.received', time: new Date().toISOString(), requestId: '3f1c2a9e-7b64-4d7e-9a3c-1e2f3a4b5c6d',
    digests: { request: 'ab'.repeat(32) }, actor: { fingerprint: 'cd'.repeat(32), role: 'investigator' },
    article: '190-2-4', body: '040340004019', region: 'almaty', subjectKey: 'ef'.repeat(32),
  });
  const keys = [`{${ns}}:log:size`, `{${ns}}:log:entries`];
  const fence = replicaFence(fenceRedis, { minReplicas: 1, timeoutMs: WAIT_TIMEOUT_MS, channel: `{${ns}}:replica-fence`, writer: redis });
  const sides = [false, true].map((f) => ({
    fence: f,
    append: scriptRunner(redis, 'log/lua/append-2.lua', f ? fence : undefined),
    lat: [] as number[],
    seconds: 0,
    waits: 0,
  }));
  const pool = (n: number, fn: () => Promise<unknown>): Promise<void> => runPool(Array.from({ length: n }), concurrency, async () => void (await fn()));
  try {
    // Warm-up: scripts loaded, connections open, the replication stream going.
    for (const side of sides) await pool(100, () => side.append(keys, [template]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of sides) {
        const waitsBefore = await waitCalls(redis);
        const t0 = process.hrtime.bigint();
        await pool(writes, async () => {
          const s = process.hrtime.bigint();
          await side.append(keys, [template]);
          side.lat.push(Number(process.hrtime.bigint() - s) / 1e6);
        });
        side.seconds += Number(process.hrtime.bigint() - t0) / 1e9;
        side.waits += (await waitCalls(redis)) - waitsBefore;
      }
    }
    return sides.map((side) => {
      const pc = percentiles(side.lat);
      const perWait = side.fence ? { writesPerWait: side.lat.length / Math.max(1, side.waits) } : {};
      return { fence: side.fence, concurrency, writes: side.lat.length, perSec: side.lat.length / side.seconds, p50Ms: pc.p50Ms, p99Ms: pc.p99Ms, ...perWait };
    });
  } finally {
    await redis.unlink(...keys);
    redis.disconnect();
    fenceRedis.disconnect();
  }
}

/** `art50 serve` on the primary without and with the fence in turn, ROUNDS times; the intake load client sends `pairs` pairs. */
async function benchEndToEnd(primaryUrl: string, pairs: number, concurrency: number, processes: number, log: (m: string) => void): Promise<FencePairsRun[]> {
  const runs: FencePairsRun[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const fence of [false, true]) {
      log(`fence: art50 serve ${fence ? 'with' : 'without'} ART50_REDIS_MIN_REPLICAS=1, ${pairs} pairs at concurrency ${concurrency} (round ${round + 1} of ${ROUNDS})…`);
      const env: Record<string, string> = fence ? { ART50_REDIS_MIN_REPLICAS: '1', ART50_REDIS_WAIT_TIMEOUT_MS: String(WAIT_TIMEOUT_MS) } : {};
      const server = await startGatewayServe({ processes, redisUrl: primaryUrl, ns: `benchfence${fence ? 'on' : 'off'}${Date.now()}`, workers: false, env, log });
      try {
        const r = await runLoadClient([server.port, pairs, concurrency]);
        const failures = r.failures ?? {};
        const accepted = pairs - Object.values(failures).reduce((x, y) => x + y, 0);
        runs.push({ fence, seconds: r.seconds, perSec: accepted / r.seconds, p50Ms: r.p50Ms, p99Ms: r.p99Ms, failures });
      } finally {
        await server.stop();
      }
    }
  }
  return runs;
}

export async function benchFence(opts: { writes: number; pairs: number; processes: number; log?: (m: string) => void }): Promise<FenceBenchResult> {
  const log = opts.log ?? (() => undefined);
  return withPrimaryAndReplica(log, async (primaryUrl) => {
    const writes: FenceWrites[] = [];
    for (const c of [1, 16]) {
      log(`fence: ${opts.writes} log appends at concurrency ${c}, alone and fenced in turn (${ROUNDS} rounds)…`);
      writes.push(...(await benchWrites(primaryUrl, opts.writes, c)));
    }
    const concurrency = 16;
    const endToEnd = opts.pairs > 0 ? { pairs: opts.pairs, concurrency, processes: opts.processes, runs: await benchEndToEnd(primaryUrl, opts.pairs, concurrency, opts.processes, log) } : null;
    return { rounds: ROUNDS, writes, endToEnd };
  });
}

const ms = (v: number | null): string => (v === null ? 'n/a' : `${v.toFixed(1)} ms`);

/** The bench table's rows (no target: a cost measurement). */
export function fenceRows(r: FenceBenchResult): Array<[string, string, string, string]> {
  const rows: Array<[string, string, string, string]> = r.writes.map((w) => [
    `log append (Lua INCR + HSET) ${w.fence ? '+ replica fence' : 'alone'}, ${w.concurrency} at a time (primary + replica, fsync always)`,
    `${w.perSec.toFixed(0)} writes/s, p50 ${ms(w.p50Ms)}, p99 ${ms(w.p99Ms)}${w.writesPerWait ? `; ${w.writesPerWait.toFixed(1)} writes per WAIT` : ''}`,
    '', '',
  ]);
  if (!r.endToEnd) return [...rows, ['art50 serve with and without the fence', 'not run (--fence-pairs 0)', '', '']];
  const e = r.endToEnd;
  for (const fence of [false, true]) {
    const runs = e.runs.filter((x) => x.fence === fence);
    const refused = runs.flatMap((x) => Object.entries(x.failures)).map(([k, n]) => `${n} × ${k}`);
    rows.push([
      `art50 serve (${e.processes} processes) ${fence ? 'with' : 'without'} ART50_REDIS_MIN_REPLICAS=1: ${e.pairs} pairs, concurrency ${e.concurrency}`,
      `${runs.map((x) => `${x.seconds.toFixed(1)} s (${x.perSec.toFixed(0)} pairs/s, p50 ${ms(x.p50Ms)}, p99 ${ms(x.p99Ms)})`).join('; ')}${refused.length ? `; refused: ${refused.join(', ')}` : ''}`,
      '', '',
    ]);
  }
  return rows;
}
