import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Redis from 'ioredis';
import { PACKAGE_ROOT } from '../config';
import { startEmbeddedRedis } from '../redis/embedded';
import { benchAuditVerify } from './audit';
import { benchDurability, benchIsolation } from './faults';
import { benchGostVerify } from './gost';
import { benchIntake } from './intake';
import { benchLog } from './log';
import { benchStatement } from './statement';
import { benchVerify } from './verify';

/**
 * `npm run bench`: every performance target of the project in one run, printed as a table and
 * written as JSON. Options: --requests N --concurrency C --inbox-rate R --inbox-count N
 * --movements N --log-size N --hung N --out FILE --only intake,faults,verify,gost,statement,log
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '2000' },
      concurrency: { type: 'string', default: '32' },
      'inbox-rate': { type: 'string', default: '100' },
      'inbox-count': { type: 'string', default: '500' },
      movements: { type: 'string', default: '100000' },
      'log-size': { type: 'string', default: '1000000' },
      hung: { type: 'string', default: '48' },
      out: { type: 'string', default: join(PACKAGE_ROOT, 'bench-results', 'bench.json') },
      only: { type: 'string' },
    },
  });
  const only = values.only ? new Set(values.only.split(',')) : undefined;
  const want = (k: string): boolean => !only || only.has(k);
  const say = (m: string): void => {
    process.stderr.write(`[bench] ${m}\n`);
  };
  // A fresh redis-server per run: leftovers of earlier runs would skew memory and AOF rewrites.
  const redisDir = mkdtempSync(join(tmpdir(), 'art50-bench-redis-'));
  const embedded = process.env.REDIS_URL ? undefined : await startEmbeddedRedis({ dataDir: redisDir, log: say });
  const redisUrl = process.env.REDIS_URL ?? embedded!.url;
  const results: Record<string, unknown> = {
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGiB: Math.round(totalmem() / 1024 ** 3), node: process.version },
    at: new Date().toISOString(),
  };
  const rows: Array<[string, string, string]> = [];
  try {
    if (want('verify')) {
      say('verify of a known signer…');
      const v = await benchVerify(20_000);
      results.verify = v;
      rows.push(['CMS verify + path (known signer)', `${v.cpuMsPerVerify.toFixed(3)} ms CPU`, '≤ 0.3 ms']);
    }
    if (want('gost')) {
      say('GOST R 34.10-2012 verify (pure TypeScript)…');
      const g = [benchGostVerify(256, 1000), benchGostVerify(512, 300)];
      results.gost = g;
      for (const c of g) {
        rows.push([`GOST 2012-${c.bits} verify + Streebog of 300 B (known key; new key)`, `${c.cpuMsPerVerify.toFixed(3)} ms CPU; ${c.cpuMsPerVerifyNewKey.toFixed(3)} ms`, c.bits === 256 ? '≤ 2 ms' : '']);
      }
    }
    if (want('intake')) {
      const r = await benchIntake({
        redisUrl, requests: Number(values.requests), concurrency: Number(values.concurrency),
        inboxRate: Number(values['inbox-rate']), inboxCount: Number(values['inbox-count']), log: say,
      });
      results.intake = r;
      rows.push(['intake over HTTPS (request + sanction → queued)', `${r.http.perSec.toFixed(0)} /s, p50 ${r.http.p50Ms?.toFixed(1)} ms, p99 ${r.http.p99Ms?.toFixed(1)} ms`, '≥ 1000 /s']);
      rows.push(['intake ceiling (same work, no HTTP)', `${r.ceiling.perSec.toFixed(0)} /s`, '']);
      rows.push(['ratio HTTP / ceiling', r.ratio.toFixed(2), '≥ 0.5']);
      rows.push([`sanction → inbox at ${r.sanctionToInbox.rate}/s`, `p50 ${r.sanctionToInbox.p50Ms} ms, p99 ${r.sanctionToInbox.p99Ms} ms (n=${r.sanctionToInbox.count})`, 'p99 ≤ 100 ms']);
    }
    if (want('faults')) {
      const iso = await benchIsolation({ redisUrl, hung: Number(values.hung), rate: Number(values['inbox-rate']), count: Number(values['inbox-count']), log: say });
      const dur = await benchDurability({ pairs: Number(values.requests), concurrency: Number(values.concurrency), log: say });
      results.faults = { isolation: iso, durability: dur };
      rows.push([`sanction → inbox at ${iso.rate}/s, ${iso.hungPushes} pushes to another bank hung`, `p50 ${iso.p50Ms} ms, p99 ${iso.p99Ms} ms (n=${iso.count})`, 'p99 ≤ 100 ms']);
      rows.push(['intake ceiling, appendfsync everysec', `${dur.everysec.perSec.toFixed(0)} /s`, '']);
      rows.push(['intake ceiling, appendfsync always', `${dur.always.perSec.toFixed(0)} /s (${(dur.ratio * 100).toFixed(0)} % of everysec)`, '']);
    }
    if (want('statement')) {
      say(`statement with ${values.movements} movements…`);
      const s = await benchStatement({ redisUrl, movements: Number(values.movements) });
      results.statement = s;
      rows.push([`statement, ${values.movements} movements: accept`, `${s.acceptMs.toFixed(0)} ms wall, ${s.cpuMs.toFixed(0)} ms CPU, peak RSS ${s.peakRssMb.toFixed(0)} MB, longest loop block ${s.maxEventLoopBlockMs.toFixed(0)} ms`, '≤ 2 s CPU']);
    }
    if (want('log')) {
      say(`log: appends, proofs and audit at ${values['log-size']} entries…`);
      const redis = new Redis(redisUrl);
      try {
        // The audit row comes from benchAuditVerify below (the full verifier with signed checkpoints).
        const l = await benchLog({ redis, proofSize: Number(values['log-size']), auditEntries: 1000, log: say });
        const a = await benchAuditVerify({ entries: Number(values['log-size']), log: say });
        results.log = { appendsPerSec: l.appendsPerSec, proofMsAt1M: l.proofMsAt1M, consistencyProofMsAt1M: l.consistencyProofMsAt1M, audit: a };
        rows.push(['log appends', `${l.appendsPerSec.toFixed(0)} /s`, '']);
        rows.push([`inclusion proof at ${values['log-size']}`, `${l.proofMsAt1M.toFixed(2)} ms`, 'O(log n) reads']);
        rows.push([`consistency proof at ${values['log-size']}`, `${l.consistencyProofMsAt1M.toFixed(2)} ms`, '']);
        rows.push([`audit verify of ${values['log-size']} entries (offline, checkpoints checked)`, `${a.seconds.toFixed(1)} s, ${a.entriesPerSec.toFixed(0)} entries/s`, '1M in ≤ 10 s']);
      } finally {
        await redis.quit();
      }
    }
  } finally {
    await embedded?.stop();
    rmSync(redisDir, { recursive: true, force: true });
  }
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  process.stdout.write(`\n${'measure'.padEnd(w0)} | ${'result'.padEnd(w1)} | target\n${'-'.repeat(w0)}-|-${'-'.repeat(w1)}-|-------\n`);
  for (const [a, b, c] of rows) process.stdout.write(`${a.padEnd(w0)} | ${b.padEnd(w1)} | ${c}\n`);
  mkdirSync(join(values.out, '..'), { recursive: true });
  writeFileSync(values.out, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(`\nresults written to ${values.out}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});
