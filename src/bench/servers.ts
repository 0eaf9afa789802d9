/**
 * The two servers the intake benchmark loads, each started as its own process tree so the bench
 * process measures nothing of its own: the bare ceiling (bare-server.ts) and the gateway as an
 * operator runs it (`art50 serve`, ART50_PROCESSES processes, workers in process).
 */
import { ChildProcess, fork, spawn } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../config';

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
 * `art50 serve` (bin/art50.js, the built dist/) on `redisUrl` in namespace `ns`. With
 * `cpuProfDir`, every process writes a V8 CPU profile there when it exits (node --cpu-prof; the
 * cluster's processes inherit the flag).
 */
export function startGatewayServe(opts: { processes: number; redisUrl: string; ns: string; workers: boolean; cpuProfDir?: string; log?: (m: string) => void }): Promise<RunningServer> {
  const args = [...(opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : []), join(PACKAGE_ROOT, 'bin', 'art50.js'), 'serve'];
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env, REDIS_URL: opts.redisUrl, ART50_NAMESPACE: opts.ns, ART50_PROCESSES: String(opts.processes),
      ART50_PORT: '0', ART50_HOST: '127.0.0.1', ART50_LOG_LEVEL: 'info', ART50_WORKERS_IN_PROCESS: String(opts.workers),
      // No OCSP responder runs here: revocation from the CRL, as a gateway with a warm OCSP cache
      // (one answer per certificate and day) spends it, without a failed fetch per new signer.
      ART50_REVOCATION_ORDER: 'crl-only',
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
