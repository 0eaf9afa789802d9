import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Redis from 'ioredis';
import { ApiClient } from '../../src/client/api-client';
import { RemoteLogSource } from '../../src/audit/remote-source';
import { gatewayTrust } from '../../src/audit/trust';
import { verifyLog } from '../../src/audit/verify';
import { makePairs, post } from '../../src/bench/intake';
import { logKeys } from '../../src/log/keys';
import { identity, KEYS } from '../support/identities';
import { alive, collectLines, LogLine } from '../support/process-lines';

const BIN = resolve(__dirname, '..', '..', 'bin', 'art50.js');
const CA = readFileSync(join(KEYS, 'ca', 'root.pem'));

jest.setTimeout(240_000);

type Line = LogLine;

/** `art50 serve` with ART50_PROCESSES=2, as a real process tree on the test Redis. */
describe('art50 serve with two processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'art50-processes-'));
  const ns = `procs${Date.now()}`;
  const lines: Line[] = [];
  let child: ChildProcess;
  let port = 0;
  let workerPids: number[] = [];
  let redis: Redis;

  const seen = (msg: string): Line[] => lines.filter((l) => l.message === msg);
  async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 60_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  /** Request + sanction pairs over fresh connections, so the primary hands them to both processes. */
  async function submit(n: number): Promise<void> {
    const head = identity('police/head-1');
    const pros = identity('prosecutor/prosecutor-1');
    for (const p of makePairs(n, ['ALFAKZKA'])) {
      const a = new Agent({ keepAlive: false, cert: head.certPem, key: head.keyPem, ca: CA });
      const b = new Agent({ keepAlive: false, cert: pros.certPem, key: pros.keyPem, ca: CA });
      expect(await post(a, port, '/v1/requests', p.request)).toBe(202);
      expect(await post(b, port, `/v1/requests/${p.requestId}/sanction`, p.sanction)).toBe(201);
    }
  }
  const integratedAll = async (): Promise<number | undefined> => {
    const k = logKeys(ns);
    const [size, integrated, cp] = await redis.mget(k.size, k.integrated, k.checkpointSize);
    return size !== null && size === integrated && cp === size ? Number(size) : undefined;
  };

  beforeAll(async () => {
    redis = new Redis(process.env.REDIS_URL!);
    child = spawn(process.execPath, [BIN, 'serve'], {
      env: {
        ...process.env, ART50_PROCESSES: '2', ART50_PORT: '0', ART50_HOST: '127.0.0.1', ART50_DATA_DIR: dir,
        ART50_NAMESPACE: ns, ART50_LOG_LEVEL: 'info', ART50_CHECKPOINT_INTERVAL_MS: '100',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    collectLines(child, lines);
    const ready = await until('every process listening', () => seen('art50 serve: every process listening')[0], 120_000);
    port = ready.port as number;
    workerPids = ready.pids as number[];
  });

  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const pid of workerPids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves from both processes, integrates the log in one, and hands integration over when that one is killed', async () => {
    expect(workerPids).toHaveLength(2);
    expect(workerPids).not.toContain(child.pid);
    // Each process says it listens on the same port, with its own pid.
    await until('both listening lines', () => (seen('art50 gateway listening').length === 2 ? true : undefined));
    expect(new Set(seen('art50 gateway listening').map((l) => l.pid))).toEqual(new Set(workerPids));

    await submit(12);
    // Each pair ends as four entries (request.received, sanction.granted, delivery.queued,
    // delivery.delivered to the inbox).
    const size = await until('every entry of the 12 pairs integrated and checkpointed', async () => {
      const s = await integratedAll();
      return s === 12 * 4 ? s : undefined;
    });

    // Both processes served: the per-process request counter, gathered from both by one scrape.
    const aud = identity('auditor/auditor-1');
    const metrics = await new Promise<string>((ok, fail) => {
      const r = httpsRequest({ host: '127.0.0.1', port, path: '/metrics', cert: aud.certPem, key: aud.keyPem, ca: CA }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => (res.statusCode === 200 ? ok(body) : fail(new Error(`metrics answered ${res.statusCode}`))));
      });
      r.on('error', fail);
      r.end();
    });
    const servedBy = [...metrics.matchAll(/^process_http_requests_total\{pid="(\d+)"\} (\d+)/gm)].map((m) => [Number(m[1]), Number(m[2])] as const);
    expect(new Set(servedBy.map(([pid]) => pid))).toEqual(new Set(workerPids));
    for (const [, n] of servedBy) expect(n).toBeGreaterThan(0);
    // Gauges of Redis state are taken once, not summed over the processes.
    const logEntries = [...metrics.matchAll(/^log_entries (\d+)$/gm)].map((m) => Number(m[1]));
    expect(logEntries).toEqual([size]);

    // One integrator: exactly one process took the lease.
    const leaders = seen('this process now integrates the log and signs checkpoints');
    expect(leaders).toHaveLength(1);
    const leader = leaders[0]!.pid!;
    expect(workerPids).toContain(leader);

    // The leader dies without releasing its lease: the other takes over after the lease time,
    // and the primary starts a replacement process.
    process.kill(leader, 'SIGKILL');
    const successor = await until('another process integrating', () => seen('this process now integrates the log and signs checkpoints')[1], 30_000);
    expect(successor.pid).not.toBe(leader);
    await until('a replacement process listening', () => (seen('art50 gateway listening').length === 3 ? true : undefined));
    await submit(4);
    // Waiting for all four entries of each pair keeps a late delivery event from landing between
    // this wait and the verification below.
    const after = await until('every entry of the 16 pairs integrated', async () => {
      const s = await integratedAll();
      return s === 16 * 4 ? s : undefined;
    });

    // The log verifies end to end: indices 0..n-1 once each, every checkpoint signed and consistent.
    const api = new ApiClient({ baseUrl: `https://127.0.0.1:${port}`, cert: aud.certPem, key: aud.keyPem, ca: CA });
    const trust = gatewayTrust();
    try {
      const report = await verifyLog({ source: new RemoteLogSource(api), trust, workers: 0 });
      expect(report.divergence).toBeUndefined();
      expect(report.ok).toBe(true);
      expect(report.entries).toBe(after);
    } finally {
      trust.close();
    }
    const k = logKeys(ns);
    const indices = (await redis.hkeys(k.entries)).map(Number).sort((a, b) => a - b);
    expect(indices).toEqual(Array.from({ length: after }, (_, i) => i));

    // SIGTERM to the primary: every process drains and exits, the primary with 0.
    const pids = [...new Set(seen('art50 gateway listening').map((l) => l.pid!))].filter(alive);
    expect(pids).toHaveLength(2);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(seen('shutting down').filter((l) => l.pid !== undefined)).toHaveLength(2);
  });
});

/** Without REDIS_URL the primary starts the one embedded redis-server, for every process, and stops it last. */
describe('art50 serve with two processes and the embedded Redis', () => {
  it('starts one redis-server for both processes and stops it after them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'art50-processes-embedded-'));
    const env: NodeJS.ProcessEnv = { ...process.env, ART50_PROCESSES: '2', ART50_PORT: '0', ART50_HOST: '127.0.0.1', ART50_DATA_DIR: dir, ART50_NAMESPACE: 'procsembedded', ART50_LOG_LEVEL: 'info' };
    delete env.REDIS_URL;
    const child = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const deadline = Date.now() + 120_000;
      while (!out.includes('art50 serve: every process listening') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(out).toContain('art50 serve: every process listening');
      const started = out.split('\n').filter((l) => l.includes('started an embedded redis-server'));
      expect(started).toHaveLength(1);
      expect(started[0]).not.toContain('"pid"'); // the primary's line, not a gateway process's
      // The processes reach it by its socket (readable by this user only), not by a TCP port.
      const socket = /redis-server at unix:\/\/(\/[^ ]+) \(pid/.exec(started[0]!)![1]!;
      expect(socket).toBe(join(dir, 'redis', 'redis.sock'));
      const redis = new Redis({ path: socket, lazyConnect: true });
      await redis.connect();
      const clients = (await redis.client('LIST')) as string;
      // Both processes' connections (commands and BullMQ, at least two each), all on the socket.
      expect(clients.split('\n').filter((l) => l.includes(`laddr=${socket}`)).length).toBeGreaterThanOrEqual(4);
      expect(clients).not.toMatch(/laddr=127\.0\.0\.1/);
      const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))![1]);
      redis.disconnect();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      let gone = false;
      for (let i = 0; i < 50 && !gone; i++) {
        try {
          process.kill(redisPid, 0);
          await new Promise((r) => setTimeout(r, 100));
        } catch {
          gone = true;
        }
      }
      expect(gone).toBe(true);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
