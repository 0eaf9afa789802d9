import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { redisAt } from '../redis/client';
import { PACKAGE_ROOT } from '../config';
import { startEmbeddedRedis } from '../redis/embedded';
import { benchAuditVerify } from './audit';
import { benchDurability, benchIsolation } from './faults';
import { benchFence, fenceRows } from './fence';
import { benchGostVerify } from './gost';
import { benchIntake } from './intake';
import { benchLog } from './log';
import { benchStatement } from './statement';
import { benchVerify } from './verify';

const USAGE = `usage: npm run bench -- [options]
  --only LIST          some of intake,faults,fence,verify,gost,statement,log (default: all)
  --requests N         request + sanction pairs of the closed loop (2000)
  --concurrency C      connections of the closed loop (32)
  --processes P        gateway and bare-server processes (available cores)
  --open-rate R        pairs/s offered in the open loop (200); --open-seconds S (10), after
                       --open-warmup S (5) at the same rate, not counted
  --inbox-rate R --inbox-count N   sanction → inbox latency under load (100/s, 500)
  --movements N        movements of the statement bench (100000)
  --log-size N         entries of the log and audit benches (1000000)
  --hung N             hung banks of the isolation bench (48)
  --fence-writes N     log appends per measurement of the replica fence bench (2000)
  --fence-pairs N      pairs of its end-to-end runs with and without the fence (150; 0 skips them)
  --cpu-prof DIR       V8 CPU profiles of the gateway processes: DIR/closed, DIR/open
  --out FILE           the JSON results (bench-results/bench.json)
`;

function parseBenchArgs() {
  return parseArgs({
    options: {
      requests: { type: 'string', default: '2000' },
      concurrency: { type: 'string', default: '32' },
      processes: { type: 'string', default: String(availableParallelism()) },
      'open-rate': { type: 'string', default: '200' },
      'open-seconds': { type: 'string', default: '10' },
      'open-warmup': { type: 'string', default: '5' },
      'cpu-prof': { type: 'string' },
      'inbox-rate': { type: 'string', default: '100' },
      'inbox-count': { type: 'string', default: '500' },
      movements: { type: 'string', default: '100000' },
      'log-size': { type: 'string', default: '1000000' },
      hung: { type: 'string', default: '48' },
      'fence-writes': { type: 'string', default: '2000' },
      'fence-pairs': { type: 'string', default: '150' },
      out: { type: 'string', default: join(PACKAGE_ROOT, 'bench-results', 'bench.json') },
      only: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** A mistyped option is a usage error (exit 64, as the CLI), not a failed bench with a stack trace. */
function parseOptions(): ReturnType<typeof parseBenchArgs> | undefined {
  try {
    const parsed = parseBenchArgs();
    if (parsed.values.help) {
      process.stdout.write(USAGE);
      return undefined;
    }
    return parsed;
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    process.exitCode = 64;
    return undefined;
  }
}

/**
 * `npm run bench`: every performance target of the project in one run, printed as a table and
 * written as JSON, with a verdict for each target (options: USAGE above).
 */
async function main(): Promise<void> {
  const parsed = parseOptions();
  if (!parsed) return;
  const { values } = parsed;
  const only = values.only ? new Set(values.only.split(',')) : undefined;
  const want = (k: string): boolean => !only || only.has(k);
  const say = (m: string): void => {
    process.stderr.write(`[bench] ${m}\n`);
  };
  // A fresh redis-server per run: leftovers of earlier runs would skew memory and AOF rewrites.
  const redisDir = mkdtempSync(join(tmpdir(), 'art50-bench-redis-'));
  const embedded = process.env.REDIS_URL ? undefined : await startEmbeddedRedis({ dataDir: redisDir, log: say });
  const redisUrl = process.env.REDIS_URL ?? embedded!.socketUrl ?? embedded!.url;
  const results: Record<string, unknown> = {
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGiB: Math.round(totalmem() / 1024 ** 3), node: process.version },
    at: new Date().toISOString(),
    // The machine may be shared: the load average says how busy it was while this ran.
    loadAverageAtStart: loadavg(),
  };
  /** measure, result, target, whether the target holds ('' when there is no target). */
  const rows: Array<[string, string, string, string]> = [];
  const verdict = (ok: boolean): string => (ok ? 'holds' : 'MISSED');
  try {
    if (want('verify')) {
      say('verify of a known signer…');
      const v = await benchVerify(20_000);
      results.verify = v;
      rows.push(['CMS verify + path (known signer)', `${v.cpuMsPerVerify.toFixed(3)} ms CPU`, '≤ 0.3 ms', verdict(v.cpuMsPerVerify <= 0.3)]);
    }
    if (want('gost')) {
      say('GOST R 34.10-2012 verify (pure TypeScript)…');
      const g = [benchGostVerify(256, 1000), benchGostVerify(512, 300)];
      results.gost = g;
      for (const c of g) {
        rows.push([`GOST 2012-${c.bits} verify + Streebog of 300 B (known key; new key)`, `${c.cpuMsPerVerify.toFixed(3)} ms CPU; ${c.cpuMsPerVerifyNewKey.toFixed(3)} ms`, c.bits === 256 ? '≤ 2 ms' : '', c.bits === 256 ? verdict(c.cpuMsPerVerify <= 2) : '']);
      }
    }
    if (want('intake')) {
      const r = await benchIntake({
        redisUrl, requests: Number(values.requests), concurrency: Number(values.concurrency), processes: Number(values.processes),
        openRate: Number(values['open-rate']), openSeconds: Number(values['open-seconds']), openWarmupSeconds: Number(values['open-warmup']), log: say,
        ...(values['cpu-prof'] ? { cpuProfDir: values['cpu-prof'] } : {}),
      });
      results.intake = r;
      const refused = (f: Record<string, number>): string => (Object.keys(f).length ? `; refused: ${Object.entries(f).map(([k, n]) => `${n} × ${k}`).join(', ')}` : '');
      const c = (x: { perSec: number; p50Ms: number | null; p99Ms: number | null; failures: Record<string, number> }): string => `${x.perSec.toFixed(0)} pairs/s, p50 ${x.p50Ms?.toFixed(1)} ms, p99 ${x.p99Ms?.toFixed(1)} ms${refused(x.failures)}`;
      rows.push([`bare mTLS Express server, ${r.processes} processes, concurrency ${r.concurrency} (before)`, c(r.bareBefore), '', '']);
      rows.push([`gateway (art50 serve, ${r.processes} processes), request + sanction → queued (workers off)`, c(r.gateway), '', '']);
      rows.push(['bare mTLS Express server (after)', c(r.bareAfter), '', '']);
      const bareMean = (r.bareBefore.perSec + r.bareAfter.perSec) / 2;
      const cpu = (x: { cpuMsPerPair?: { server: number; redis: number } }): string => (x.cpuMsPerPair ? `${x.cpuMsPerPair.server.toFixed(2)} ms` : 'n/a');
      rows.push([
        'CPU per pair, closed loop: bare server (before, after); gateway processes + Redis',
        `bare ${cpu(r.bareBefore)}, ${cpu(r.bareAfter)}; gateway ${cpu(r.gateway)} + Redis ${r.gateway.cpuMsPerPair ? `${r.gateway.cpuMsPerPair.redis.toFixed(2)} ms` : 'n/a'}`,
        '', '',
      ]);
      rows.push(['ratio = gateway pairs/s ÷ bare pairs/s', `${r.gateway.perSec.toFixed(0)} ÷ ${bareMean.toFixed(0)} = ${r.ratio.toFixed(2)}`, '≥ 0.5', verdict(r.ratio >= 0.5)]);
      if (r.open.pairs === 0) {
        rows.push(['open loop (workers on) and sanction → bank inbox', 'not run (--open-seconds 0)', 'p99 ≤ 50 ms; ≤ 100 ms', '']);
      } else {
        rows.push([`open loop (workers on), ${r.open.rate} pairs/s offered (${r.open.pairs} pairs after ${r.open.warmupPairs} of warm-up, ${r.open.achievedPerSec.toFixed(0)}/s done)`, `p50 ${r.open.p50Ms?.toFixed(1)} ms, p99 ${r.open.p99Ms?.toFixed(1)} ms${refused(r.open.failures)}`, 'p99 ≤ 50 ms', verdict((r.open.p99Ms ?? Infinity) <= 50 && Object.keys(r.open.failures).length === 0)]);
        rows.push([`sanction → bank inbox during that load (n=${r.open.inbox.count})`, `p50 ${r.open.inbox.p50Ms} ms, p99 ${r.open.inbox.p99Ms} ms`, 'p99 ≤ 100 ms', verdict(r.open.inbox.count === r.open.pairs && (r.open.inbox.p99Ms ?? Infinity) <= 100)]);
      }
    }
    if (want('faults')) {
      const iso = await benchIsolation({ redisUrl, hung: Number(values.hung), rate: Number(values['inbox-rate']), count: Number(values['inbox-count']), log: say });
      const dur = await benchDurability({ pairs: Number(values.requests), concurrency: Number(values.concurrency), log: say });
      results.faults = { isolation: iso, durability: dur };
      rows.push([`sanction → inbox at ${iso.rate}/s, ${iso.hungPushes} pushes to another bank hung`, `p50 ${iso.p50Ms} ms, p99 ${iso.p99Ms} ms (n=${iso.count})`, 'p99 ≤ 100 ms', verdict((iso.p99Ms ?? Infinity) <= 100)]);
      rows.push(['intake ceiling, appendfsync everysec', `${dur.everysec.perSec.toFixed(0)} /s`, '', '']);
      rows.push(['intake ceiling, appendfsync always', `${dur.always.perSec.toFixed(0)} /s (${(dur.ratio * 100).toFixed(0)} % of everysec)`, '', '']);
    }
    if (want('fence')) {
      // Its own primary and replica (REDIS_URL is not used: the bench needs a replica it controls).
      const f = await benchFence({ writes: Number(values['fence-writes']), pairs: Number(values['fence-pairs']), processes: Number(values.processes), log: say });
      results.fence = f;
      rows.push(...fenceRows(f));
    }
    if (want('statement')) {
      say(`statement with ${values.movements} movements…`);
      const s = await benchStatement({ redisUrl, movements: Number(values.movements) });
      results.statement = s;
      rows.push([`statement, ${values.movements} movements: accept`, `${s.acceptMs.toFixed(0)} ms wall, ${s.cpuMs.toFixed(0)} ms CPU, peak RSS ${s.peakRssMb.toFixed(0)} MB, longest loop block ${s.maxEventLoopBlockMs.toFixed(0)} ms`, '≤ 2 s CPU', verdict(s.cpuMs <= 2000)]);
    }
    if (want('log')) {
      say(`log: appends, proofs and audit at ${values['log-size']} entries…`);
      const redis = redisAt(redisUrl);
      try {
        // The audit row comes from benchAuditVerify below (the full verifier with signed checkpoints).
        const l = await benchLog({ redis, proofSize: Number(values['log-size']), auditEntries: 1000, log: say });
        const a = await benchAuditVerify({ entries: Number(values['log-size']), log: say });
        results.log = { appendsPerSec: l.appendsPerSec, proofMsAt1M: l.proofMsAt1M, consistencyProofMsAt1M: l.consistencyProofMsAt1M, audit: a };
        rows.push(['log appends', `${l.appendsPerSec.toFixed(0)} /s`, '', '']);
        rows.push([`inclusion proof at ${values['log-size']}`, `${l.proofMsAt1M.toFixed(2)} ms`, 'O(log n) reads', '']);
        rows.push([`consistency proof at ${values['log-size']}`, `${l.consistencyProofMsAt1M.toFixed(2)} ms`, '', '']);
        rows.push([`audit verify of ${values['log-size']} entries (offline, checkpoints checked)`, `${a.seconds.toFixed(1)} s, ${a.entriesPerSec.toFixed(0)} entries/s`, '≥ 150,000 entries/s', verdict(a.entriesPerSec >= 150_000)]);
      } finally {
        await redis.quit();
      }
    }
  } finally {
    await embedded?.stop();
    rmSync(redisDir, { recursive: true, force: true });
  }
  results.loadAverageAtEnd = loadavg();
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length), ['measure', 'result', 'target'][i]!.length));
  const line = (r: string[]): string => `${r.slice(0, 3).map((c, i) => c.padEnd(w[i]!)).join(' | ')} | ${r[3]}\n`;
  process.stdout.write(`\n${line(['measure', 'result', 'target', 'target holds?'])}${w.map((n) => '-'.repeat(n)).join('-|-')}-|--------------\n`);
  for (const r of rows) process.stdout.write(line(r));
  const missed = rows.filter((r) => r[3] === 'MISSED').length;
  const held = rows.filter((r) => r[3] === 'holds').length;
  const la = (x: number[]): string => x.map((n) => n.toFixed(2)).join(' ');
  process.stdout.write(`\ntargets: ${held} hold, ${missed} missed. Load average at start ${la(results.loadAverageAtStart as number[])}, at end ${la(loadavg())} on ${cpus().length} CPUs (other work on the machine lowers every figure).\n`);
  mkdirSync(join(values.out, '..'), { recursive: true });
  writeFileSync(values.out, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(`\nresults written to ${values.out}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});
