/**
 * The servers the benches load, each started as its own process tree so the bench process
 * measures nothing of its own: the bare ceiling (bare-server.ts), the gateway as an operator runs
 * it (`art50 serve`, ART50_PROCESSES processes, workers in process), and for the fence bench a
 * Redis primary with a replica.
 */
import { ChildProcess, fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisAt } from '../redis/client';
import { PACKAGE_ROOT } from '../config';
import { startEmbeddedRedis } from '../redis/embedded';

export interface RunningServer {
  port: number;
  /** Every process of the server (the cluster's primary and its children), for CPU accounting. */
  pids: number[];
  stop(): Promise<void>;
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((ok) => {
    if (child.exitCode !== null || child.signalCode !== null) return ok();
    child.once('exit', () => ok());
    child.kill('SIGTERM');
  });
}

/** bare-server.ts with `processes` processes; resolves once every one listens. */
export function startBareServer(processes: number): Promise<RunningServer> {
  return new Promise((ok, fail) => {
    const child = fork(join(__dirname, 'bare-server.js'), [String(processes)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m: { port: number; pids?: number[] }) => ok({ port: m.port, pids: [child.pid!, ...(m.pids ?? [])], stop: () => stopChild(child) }));
    child.once('exit', (code) => fail(new Error(`the bare server exited with ${code}`)));
  });
}

/**
 * `art50 serve` (bin/art50.js, the built dist/) on `redisUrl` in namespace `ns`, `env` added to
 * its environment (e.g. ART50_REDIS_MIN_REPLICAS for the fence bench). With
 * `cpuProfDir`, every process writes a V8 CPU profile there when it exits (node --cpu-prof; the
 * cluster's processes inherit the flag).
 */
export function startGatewayServe(opts: { processes: number; redisUrl: string; ns: string; workers: boolean; cpuProfDir?: string; env?: Record<string, string>; log?: (m: string) => void }): Promise<RunningServer> {
  const args = [...(opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : []), join(PACKAGE_ROOT, 'bin', 'art50.js'), 'serve'];
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env, REDIS_URL: opts.redisUrl, ART50_NAMESPACE: opts.ns, ART50_PROCESSES: String(opts.processes),
      ART50_PORT: '0', ART50_HOST: '127.0.0.1', ART50_LOG_LEVEL: 'info', ART50_WORKERS_IN_PROCESS: String(opts.workers),
      // No OCSP responder runs here: revocation from the CRL, as a gateway with a warm OCSP cache
      // (one answer per certificate and day) spends it, without a failed fetch per new signer.
      ART50_REVOCATION_ORDER: 'crl-only',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = opts.processes > 1 ? 'art50 serve: every process listening' : 'art50 gateway listening';
  return new Promise((ok, fail) => {
    let buf = '';
    let started = false;
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let rec: { message?: string; level?: string; port?: number; pids?: number[] } = {};
        try {
          rec = JSON.parse(line) as typeof rec;
        } catch {
          continue;
        }
        if (rec.level === 'warn' || rec.level === 'error') opts.log?.(`gateway: ${rec.message}`);
        if (!started && rec.message === ready && rec.port) {
          started = true;
          ok({ port: rec.port, pids: [child.pid!, ...(rec.pids ?? []).filter((p) => p !== child.pid)], stop: () => stopChild(child) });
        }
      }
    });
    child.once('exit', (code) => {
      if (!started) fail(new Error(`art50 serve exited with ${code} before listening`));
    });
  });
}

/**
 * A primary and a replica of it in a temporary directory, the replication link up, for `fn`;
 * both stopped and the directory removed afterwards, whatever `fn` does. A SIGINT or SIGTERM
 * meanwhile exits the process, whose exit handlers (startEmbeddedRedis) stop both servers.
 */
export async function withPrimaryAndReplica<T>(log: (m: string) => void, fn: (primaryUrl: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'art50-bench-fence-'));
  const onSignal = (sig: NodeJS.Signals): void => {
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const primary = await startEmbeddedRedis({ dataDir: join(dir, 'primary'), log });
    try {
      const admin = redisAt(primary.url);
      try {
        // The replica's first sync starts at once rather than after the default 5 s diskless delay.
        await admin.config('SET', 'repl-diskless-sync-delay', '0');
      } finally {
        admin.disconnect();
      }
      const replica = await startEmbeddedRedis({ dataDir: join(dir, 'replica'), replicaOf: primary.port, log });
      try {
        await linkUp(replica.url);
        log(`fence: primary on ${primary.port}, replica on ${replica.port}, link up`);
        return await fn(primary.url);
      } finally {
        await replica.stop();
      }
    } finally {
      await primary.stop();
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Until the replica is linked and has written its first AOF since the full sync: until then it
 * answers SIGTERM with "Writing initial AOF, can't exit" and stays up, so a bench that failed at
 * once could not stop it.
 */
async function linkUp(replicaUrl: string): Promise<void> {
  const r = redisAt(replicaUrl);
  const ready = async (): Promise<boolean> => {
    // Link up first: the sync that brings it up is what starts (or schedules) the AOF rewrite.
    if (!/master_link_status:up/.test(await r.info('replication'))) return false;
    const aof = await r.info('persistence');
    return /aof_rewrite_in_progress:0/.test(aof) && /aof_rewrite_scheduled:0/.test(aof);
  };
  try {
    const deadline = Date.now() + 30_000;
    while (!(await ready())) {
      if (Date.now() > deadline) throw new Error('the replica did not link up with the primary and write its AOF within 30 s');
      await new Promise((ok) => setTimeout(ok, 50));
    }
  } finally {
    r.disconnect();
  }
}
