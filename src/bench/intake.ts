import { createHash, randomUUID } from 'node:crypto';
import { fork } from 'node:child_process';
import { Agent, request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { redisAt } from '../redis/client';
import { signCms } from '../cms/sign';
import { DEMO_BIN, DEMO_IIN } from '../demo/pki/participants';
import { demoSigner } from '../demo/pki/identity';
import { percentiles } from '../stats/aggregate';
import { Keys } from '../store/keys';
import { processCpuMs, redisCpuMs } from './process-cpu';
import { RunningServer, startBareServer, startGatewayServe } from './servers';

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
  /** requestId and wall-clock time (ms) each sanction was sent. */
  sanctions?: Array<[string, number]>;
  /** Refused calls by "request <status>" / "sanction <status>". */
  failures?: Record<string, number>;
}

/**
 * Pairs accepted per second (refused ones not counted), latency of the accepted ones, and the CPU
 * each pair cost the server's processes and Redis (absent where /proc is not there to read).
 */
export interface ClosedLoop {
  perSec: number;
  p50Ms: number | null;
  p99Ms: number | null;
  failures: Record<string, number>;
  cpuMsPerPair?: { server: number; redis: number };
}

export interface IntakeBenchResult {
  requests: number;
  concurrency: number;
  processes: number;
  /** The bare server before and after the gateway run, and the gateway (`art50 serve`). */
  bareBefore: ClosedLoop;
  gateway: ClosedLoop;
  bareAfter: ClosedLoop;
  /** gateway pairs/s ÷ the mean of the two bare runs. */
  ratio: number;
  /** Open loop at a fixed offered rate against the gateway, deliveries to the bank inbox measured meanwhile. */
  open: { rate: number; pairs: number; warmupPairs: number; achievedPerSec: number; p50Ms: number | null; p99Ms: number | null; failures: Record<string, number>; inbox: { count: number; p50Ms: number | null; p99Ms: number | null } };
}

/**
 * The same load client (load-client.ts, its own process) against, in turn: the bare server, the
 * gateway (`art50 serve` with `processes` processes on the bench's Redis, delivery workers off),
 * an open loop at `openRate` pairs/s against a gateway with its delivery workers on, and the bare
 * server again (the machine is shared: a ceiling taken only once could be from a quieter or a
 * busier minute than the gateway run).
 */
export async function benchIntake(opts: { redisUrl: string; requests: number; concurrency: number; processes: number; openRate: number; openSeconds: number; openWarmupSeconds: number; cpuProfDir?: string; log?: (m: string) => void }): Promise<IntakeBenchResult> {
  const log = opts.log ?? (() => undefined);
  const closed = async (what: string, server: RunningServer): Promise<ClosedLoop> => {
    log(`${what}: ${opts.requests} request + sanction pairs, concurrency ${opts.concurrency}…`);
    const r = await runLoadClient([server.port, opts.requests, opts.concurrency], async () => ({ server: processCpuMs(server.pids), redis: await redisCpuMs(opts.redisUrl) }));
    const failures = r.failures ?? {};
    const refused = Object.values(failures).reduce((a, b) => a + b, 0);
    const accepted = opts.requests - refused;
    const { before, after } = r.cpu;
    const cpuMsPerPair = before.server !== undefined && after.server !== undefined && accepted > 0
      ? { server: (after.server - before.server) / accepted, redis: (after.redis - before.redis) / accepted }
      : undefined;
    return { perSec: accepted / r.seconds, p50Ms: r.p50Ms, p99Ms: r.p99Ms, failures, ...(cpuMsPerPair ? { cpuMsPerPair } : {}) };
  };
  const withServer = async <T>(start: Promise<RunningServer>, fn: (s: RunningServer) => Promise<T>): Promise<T> => {
    const s = await start;
    try {
      return await fn(s);
    } finally {
      await s.stop();
    }
  };

  const bareBefore = await withServer(startBareServer(opts.processes), (s) => closed(`bare server (${opts.processes} processes)`, s));
  // The closed loop measures intake (request + sanction → deliveries queued), as the bare server is
  // measured answering: this gateway's delivery workers are off, so the 2,000 deliveries it queues
  // do not compete with its intake. The open loop runs on a second gateway, in a namespace of its
  // own, with its workers on, so the inbox latency includes them.
  // Profiles of the two gateways go to DIR/closed and DIR/open, so each can be summarised per pair.
  const cpuProf = (run: string): { cpuProfDir?: string } => (opts.cpuProfDir ? { cpuProfDir: join(opts.cpuProfDir, run) } : {});
  const gateway = await withServer(
    startGatewayServe({ processes: opts.processes, redisUrl: opts.redisUrl, ns: `bench${Date.now()}`, workers: false, log, ...cpuProf('closed') }),
    (s) => closed(`gateway, art50 serve (${opts.processes} processes, delivery workers off)`, s),
  );
  const ns = `benchopen${Date.now()}`;
  const openPairs = Math.round(opts.openRate * opts.openSeconds);
  const open = openPairs === 0 ? notRun(opts.openRate) : await withServer(startGatewayServe({ processes: opts.processes, redisUrl: opts.redisUrl, ns, workers: true, log, ...cpuProf('open') }), async (s) => {
    const pairs = Math.round(opts.openRate * opts.openSeconds);
    const warmup = Math.round(opts.openRate * opts.openWarmupSeconds);
    log(`gateway with delivery workers, open loop: ${pairs} pairs offered at ${opts.openRate}/s, after ${warmup} not counted…`);
    const r = await runLoadClient([s.port, pairs, 256, opts.openRate, warmup]);
    const inbox = await inboxLatency(opts.redisUrl, ns, r.sanctions ?? []);
    const failures = r.failures ?? {};
    const accepted = pairs - Object.values(failures).reduce((a, b) => a + b, 0);
    return { rate: opts.openRate, pairs, warmupPairs: warmup, achievedPerSec: accepted / r.seconds, p50Ms: r.p50Ms, p99Ms: r.p99Ms, failures, inbox };
  });
  const bareAfter = await withServer(startBareServer(opts.processes), (s) => closed('bare server again', s));
  return {
    requests: opts.requests, concurrency: opts.concurrency, processes: opts.processes,
    bareBefore, gateway, bareAfter,
    ratio: gateway.perSec / ((bareBefore.perSec + bareAfter.perSec) / 2),
    open,
  };
}

/** The open loop's result when it offers no pairs (`--open-seconds 0`). */
function notRun(rate: number): IntakeBenchResult['open'] {
  return { rate, pairs: 0, warmupPairs: 0, achievedPerSec: 0, p50Ms: null, p99Ms: null, failures: {}, inbox: { count: 0, p50Ms: null, p99Ms: null } };
}

/** Sanction sent → visible in the bank's inbox (the delivery record's deliveredAt, written with the ZADD). */
async function inboxLatency(redisUrl: string, ns: string, sanctions: Array<[string, number]>): Promise<IntakeBenchResult['open']['inbox']> {
  const redis = redisAt(redisUrl);
  const keys = new Keys(ns);
  try {
    const lat: number[] = [];
    const deadline = Date.now() + 30_000;
    for (const [requestId, sentAt] of sanctions) {
      let at: string | null = null;
      while (!at && Date.now() < deadline) {
        at = await redis.hget(keys.delivery(`${requestId}.ALFAKZKA`), 'deliveredAt');
        if (!at) await new Promise((r) => setTimeout(r, 10));
      }
      if (at) lat.push(Date.parse(at) - sentAt);
    }
    const pc = percentiles(lat);
    return { count: lat.length, p50Ms: pc.p50Ms, p99Ms: pc.p99Ms };
  } finally {
    await redis.quit();
  }
}

/**
 * Forks the load generator (dist/bench/load-client.js) and waits for its result. `sample`, when
 * given, is taken once the client has signed its documents and just before it starts, and again as
 * soon as it is done, so only the load is counted.
 */
export function runLoadClient(args: number[]): Promise<LoadResult>;
export function runLoadClient<S>(args: number[], sample: () => Promise<S>): Promise<LoadResult & { cpu: { before: S; after: S } }>;
export function runLoadClient<S>(args: number[], sample?: () => Promise<S>): Promise<LoadResult & { cpu?: { before: S; after: S } }> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'load-client.js'), args.map(String), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let before: S | undefined;
    child.on('message', (m: { ready?: true; done?: true } & Partial<LoadResult>) => {
      if (m.ready) {
        void (sample ? sample() : Promise.resolve(undefined)).then((s) => {
          before = s;
          child.send({ go: true });
        }, reject);
      }
      if (m.done) {
        const result: LoadResult = { seconds: m.seconds!, p50Ms: m.p50Ms ?? null, p99Ms: m.p99Ms ?? null, ...(m.sanctions ? { sanctions: m.sanctions } : {}), failures: m.failures ?? {} };
        child.disconnect();
        if (!sample) return resolve(result);
        sample().then((after) => resolve({ ...result, cpu: { before: before as S, after } }), reject);
      }
    });
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`the load client exited with ${code}`));
    });
  });
}
