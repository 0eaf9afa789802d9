import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, PACKAGE_ROOT } from '../config';
import { createGateway, Gateway } from '../gateway';
import { serverTarget } from '../redis/target';
import type { ClientIdentity } from '../participants/types';
import { createLogger } from '../logger';
import { DEMO_BIN, DEMO_IIN } from '../demo/pki/participants';
import { ncaSubject } from '../pki/cert-info';
import { demoIdentity } from '../demo/pki/identity';
import { startEmbeddedRedis } from '../redis/embedded';
import { percentiles } from '../stats/aggregate';
import { makePairs, runPool } from './intake';

/** The two signers of the bench's pairs, as the domain services see them (no HTTP). */
function parties(gw: Gateway): { client: ClientIdentity; prosecutor: ClientIdentity['participant'] } {
  const reg = gw.services.registry;
  const head = demoIdentity('police/head-1');
  return {
    client: {
      certificate: { cert: head.cert, fingerprint: '', subject: ncaSubject(head.cert), notBefore: new Date(), notAfter: new Date(), chain: [] },
      participant: reg.identify({ iin: DEMO_IIN.head1, bin: DEMO_BIN.bodyA })!,
    },
    prosecutor: reg.identify({ iin: DEMO_IIN.prosecutor1, bin: DEMO_BIN.officeA })!,
  };
}

export interface IsolationBenchResult {
  hungPushes: number;
  rate: number;
  count: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

/**
 * Issue 15.3: ALFAKZKA's sanction → inbox latency while BETAKZKA (push) hangs on `hung`
 * deliveries — every BETAKZKA worker slot held and more waiting behind them.
 */
export async function benchIsolation(opts: { redisUrl: string; hung: number; rate: number; count: number; log?: (m: string) => void }): Promise<IsolationBenchResult> {
  const log = opts.log ?? (() => undefined);
  const beta = demoIdentity('banks/BETAKZKA');
  const ca = readFileSync(join(PACKAGE_ROOT, 'keys.example', 'ca', 'root.pem'));
  let received = 0;
  // A bank core system that takes every push and never answers.
  const bank = createServer({ cert: beta.certPem, key: beta.keyPem, ca, requestCert: true, rejectUnauthorized: true }, (req) => {
    req.resume();
    received++;
  });
  await new Promise<void>((r) => bank.listen(0, '127.0.0.1', r));
  const addr = bank.address();
  const url = `https://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/art50/deliveries`;
  const regDir = mkdtempSync(join(tmpdir(), 'art50-bench-reg-'));
  const reg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'keys.example', 'participants.json'), 'utf8')) as { organisations: Array<Record<string, unknown>> };
  for (const o of reg.organisations) if (o.bic === 'BETAKZKA') o.delivery = { mode: 'push', url };
  writeFileSync(join(regDir, 'participants.json'), JSON.stringify(reg));

  const env = {
    ...process.env, ART50_PORT: '0', ART50_HOST: '127.0.0.1', ART50_NAMESPACE: `benchiso${Date.now()}`, ART50_LOG_LEVEL: 'error',
    ART50_REGISTRY: join(regDir, 'participants.json'), ART50_PUSH_TIMEOUT_MS: '600000',
  };
  const gw = createGateway({ config: loadConfig(env), redis: serverTarget(opts.redisUrl), logger: createLogger({ level: 'error', silent: true }), workers: true });
  await gw.start();
  try {
    const { client, prosecutor } = parties(gw);
    const hung = makePairs(opts.hung, ['BETAKZKA']);
    const pairs = makePairs(opts.count, ['ALFAKZKA']);
    for (const p of [...hung, ...pairs]) await gw.services.intake.submit(p.request, client);
    for (const p of hung) {
      await gw.services.sanctions.decide(p.requestId, p.sanction, prosecutor);
    }
    const slots = Math.min(opts.hung, loadConfig(env).workers.concurrency);
    const until = Date.now() + 30_000;
    while (received < slots && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    log(`${received} pushes to BETAKZKA hang (all its slots); sanction → ALFAKZKA inbox at ${opts.rate}/s…`);
    const sanctionedAt = new Map<string, number>();
    const interval = 1000 / opts.rate;
    const start = Date.now();
    await Promise.all(pairs.map(async (p, i) => {
      const wait = start + i * interval - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      sanctionedAt.set(p.requestId, Date.now());
      await gw.services.sanctions.decide(p.requestId, p.sanction, prosecutor);
    }));
    const lat: number[] = [];
    const deadline = Date.now() + 30_000;
    for (const p of pairs) {
      let at: string | null = null;
      while (!at && Date.now() < deadline) {
        at = await gw.redis.hget(gw.keys.delivery(`${p.requestId}.ALFAKZKA`), 'deliveredAt');
        if (!at) await new Promise((r) => setTimeout(r, 10));
      }
      if (at) lat.push(Date.parse(at) - sanctionedAt.get(p.requestId)!);
    }
    const pc = percentiles(lat);
    return { hungPushes: received, rate: opts.rate, count: lat.length, p50Ms: pc.p50Ms, p99Ms: pc.p99Ms };
  } finally {
    bank.closeAllConnections();
    bank.close();
    await gw.stop();
    rmSync(regDir, { recursive: true, force: true });
  }
}

export interface DurabilityBenchResult {
  pairs: number;
  always: { perSec: number };
  everysec: { perSec: number };
  /** always / everysec. */
  ratio: number;
}

/**
 * Issue 15.6: what `appendfsync always` costs. The intake ceiling (request + sanction through the
 * domain services, no HTTP) against a fresh redis-server with each setting.
 */
export async function benchDurability(opts: { pairs: number; concurrency: number; log?: (m: string) => void }): Promise<DurabilityBenchResult> {
  const log = opts.log ?? (() => undefined);
  const run = async (appendfsync: 'always' | 'everysec'): Promise<number> => {
    const dir = mkdtempSync(join(tmpdir(), `art50-bench-${appendfsync}-`));
    const redis = await startEmbeddedRedis({ dataDir: dir, appendfsync });
    const env = { ...process.env, ART50_PORT: '0', ART50_HOST: '127.0.0.1', ART50_NAMESPACE: `benchfsync${Date.now()}`, ART50_LOG_LEVEL: 'error', ART50_REDIS_DURABILITY: 'warn' };
    const gw = createGateway({ config: loadConfig(env), redis: serverTarget(redis.url), logger: createLogger({ level: 'error', silent: true }), workers: false });
    await gw.start();
    try {
      const { client, prosecutor } = parties(gw);
      const pairs = makePairs(opts.pairs, ['ALFAKZKA']);
      log(`intake ceiling with appendfsync ${appendfsync}: ${opts.pairs} pairs…`);
      const t0 = process.hrtime.bigint();
      await runPool(pairs, opts.concurrency, async (p) => {
        await gw.services.intake.submit(p.request, client);
        await gw.services.sanctions.decide(p.requestId, p.sanction, prosecutor);
      });
      return opts.pairs / (Number(process.hrtime.bigint() - t0) / 1e9);
    } finally {
      await gw.stop();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const everysec = await run('everysec');
  const always = await run('always');
  return { pairs: opts.pairs, always: { perSec: always }, everysec: { perSec: everysec }, ratio: always / everysec };
}
