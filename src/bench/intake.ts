import { createHash, randomUUID } from 'node:crypto';
import { fork } from 'node:child_process';
import { Agent, request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { signCms } from '../cms/sign';
import { loadConfig } from '../config';
import { createGateway } from '../gateway';
import { serverTarget } from '../redis/target';
import type { ClientIdentity } from '../participants/types';
import { createLogger } from '../logger';
import { DEMO_BIN, DEMO_IIN } from '../pki/demo-world';
import { ncaSubject } from '../pki/cert-info';
import { demoSigner } from '../pki/demo-identity';
import { percentiles } from '../stats/aggregate';



interface Pair {
  requestId: string;
  request: Buffer;
  sanction: Buffer;
}

/** Signed request + sanction pairs, made before timing starts (signing is the clients' cost). */
export function makePairs(n: number, banks: string[] | 'all'): Pair[] {
  const head = demoSigner('police/head-1');
  const pros = demoSigner('prosecutor/prosecutor-1');
  const out: Pair[] = [];
  for (let i = 0; i < n; i++) {
    const requestId = randomUUID();
    const now = Date.now();
    const req = Buffer.from(JSON.stringify({
      type: 'request', version: 1, requestId, createdAt: new Date(now - 60_000).toISOString(),
      case: { erdrNumber: '251750031000123', article: '190-2-4' },
      body: { bin: DEMO_BIN.bodyA, name: 'Police Department of Almaty (demo)' },
      signer: { iin: DEMO_IIN.head1, name: 'Saule Zhaksybekova', position: 'Head of department' },
      subject: { iin: '920614300911' },
      scope: { accountList: true, movements: { from: '2025-02-01', to: '2025-03-13' } },
      banks, deadlineHours: 72,
    }));
    const digest = createHash('sha256').update(req).digest('hex');
    const san = Buffer.from(JSON.stringify({
      type: 'sanction', version: 1, sanctionId: randomUUID(), requestId, requestDigest: digest, decision: 'granted',
      reason: 'benchmark', issuedAt: new Date(now - 60_000).toISOString(), validUntil: new Date(now + 86_400_000).toISOString(),
      prosecutor: { iin: DEMO_IIN.prosecutor1, bin: DEMO_BIN.officeA }, case: { erdrNumber: '251750031000123' },
    }));
    out.push({ requestId, request: signCms(req, head), sanction: signCms(san, pros) });
  }
  return out;
}

export function post(agent: Agent, port: number, path: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/pkcs7-mime', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function runPool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

/** What the load generator (load-client.ts, a child process) reports. */
export interface LoadResult {
  seconds: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface IntakeBenchResult {
  requests: number;
  concurrency: number;
  http: { perSec: number; p50Ms: number | null; p99Ms: number | null };
  ceiling: { perSec: number };
  ratio: number;
  sanctionToInbox: { rate: number; count: number; p50Ms: number | null; p99Ms: number | null };
}

/**
 * Intake over HTTPS with client certificates (request + sanction to `sanctioned` and queued),
 * against the same two verifies and Redis writes called directly (the ceiling), in one run.
 * Then sanction → bank inbox latency at a fixed rate, with workers on.
 */
export async function benchIntake(opts: { redisUrl: string; requests: number; concurrency: number; inboxRate: number; inboxCount: number; log?: (m: string) => void }): Promise<IntakeBenchResult> {
  const log = opts.log ?? (() => undefined);
  const env = { ...process.env, ART50_PORT: '0', ART50_HOST: '127.0.0.1', ART50_NAMESPACE: `bench${Date.now()}`, ART50_LOG_LEVEL: 'error' };
  const logger = createLogger({ level: 'error', silent: true });
  const gw = createGateway({ config: loadConfig(env), redis: serverTarget(opts.redisUrl), logger, workers: false });
  const port = await gw.start();
  try {
    log(`HTTPS load from a separate process: ${opts.requests} request + sanction pairs, concurrency ${opts.concurrency}…`);
    const load = await runLoadClient(port, opts.requests, opts.concurrency);
    const head = demoSigner('police/head-1');

    log('ceiling: the same verifies and Redis writes without HTTP…');
    const bare = makePairs(opts.requests, ['ALFAKZKA']);
    const reg = gw.services.registry();
    const client: ClientIdentity = {
      certificate: { cert: head.cert, fingerprint: '', subject: ncaSubject(head.cert), notBefore: new Date(), notAfter: new Date(), chain: [] },
      participant: reg.identify({ iin: DEMO_IIN.head1, bin: DEMO_BIN.bodyA })!,
    };
    const prosP = reg.identify({ iin: DEMO_IIN.prosecutor1, bin: DEMO_BIN.officeA })!;
    const t1 = process.hrtime.bigint();
    await runPool(bare, opts.concurrency, async (p) => {
      await gw.services.intake.submit(p.request, client);
      const out = await gw.services.sanctions.decide(p.requestId, p.sanction, prosP);
      await gw.services.dispatcher.dispatch(p.requestId, out.queued);
    });
    const bareSec = Number(process.hrtime.bigint() - t1) / 1e9;
    const httpRate = opts.requests / load.seconds;
    const bareRate = opts.requests / bareSec;
    await gw.stop();

    log(`sanction → inbox latency at ${opts.inboxRate}/s…`);
    const inbox = await benchSanctionToInbox({ ...opts, env });
    return {
      requests: opts.requests, concurrency: opts.concurrency,
      http: { perSec: httpRate, p50Ms: load.p50Ms, p99Ms: load.p99Ms },
      ceiling: { perSec: bareRate },
      ratio: httpRate / bareRate,
      sanctionToInbox: inbox,
    };
  } catch (e) {
    await gw.stop().catch(() => undefined);
    throw e;
  }
}

async function benchSanctionToInbox(opts: { redisUrl: string; inboxRate: number; inboxCount: number; env: Record<string, string | undefined> }): Promise<IntakeBenchResult['sanctionToInbox']> {
  const logger = createLogger({ level: 'error', silent: true });
  const gw = createGateway({ config: loadConfig({ ...opts.env, ART50_NAMESPACE: `benchinbox${Date.now()}` }), redis: serverTarget(opts.redisUrl), logger, workers: true });
  await gw.start();
  try {
    const pairs = makePairs(opts.inboxCount, ['ALFAKZKA']);
    const reg = gw.services.registry();
    const head = demoSigner('police/head-1');
    const client: ClientIdentity = {
      certificate: { cert: head.cert, fingerprint: '', subject: ncaSubject(head.cert), notBefore: new Date(), notAfter: new Date(), chain: [] },
      participant: reg.identify({ iin: DEMO_IIN.head1, bin: DEMO_BIN.bodyA })!,
    };
    const prosP = reg.identify({ iin: DEMO_IIN.prosecutor1, bin: DEMO_BIN.officeA })!;
    for (const p of pairs) await gw.services.intake.submit(p.request, client);
    const sanctionedAt = new Map<string, number>();
    const interval = 1000 / opts.inboxRate;
    const start = Date.now();
    await Promise.all(pairs.map(async (p, i) => {
      const wait = start + i * interval - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      sanctionedAt.set(p.requestId, Date.now());
      const out = await gw.services.sanctions.decide(p.requestId, p.sanction, prosP);
      await gw.services.dispatcher.dispatch(p.requestId, out.queued);
    }));
    // Visible in the inbox = the delivery record's deliveredAt (written in the same script as the ZADD).
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
    return { rate: opts.inboxRate, count: lat.length, p50Ms: pc.p50Ms, p99Ms: pc.p99Ms };
  } finally {
    await gw.stop();
  }
}

/** Forks the load generator (dist/bench/load-client.js) and waits for its result. */
function runLoadClient(port: number, requests: number, concurrency: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'load-client.js'), [String(port), String(requests), String(concurrency)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('message', (m: { ready?: true; done?: true } & Partial<LoadResult>) => {
      if (m.ready) child.send({ go: true });
      if (m.done) {
        resolve({ seconds: m.seconds!, p50Ms: m.p50Ms ?? null, p99Ms: m.p99Ms ?? null });
        child.disconnect();
      }
    });
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`the load client exited with ${code}`));
    });
  });
}
