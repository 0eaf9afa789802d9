import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort } from '../../src/redis/embedded';
import { waitFor } from './flow';

/**
 * Real redis-server and redis-sentinel processes for the high-availability tests: random free
 * ports, temporary directories, persistence as in production (appendonly, fsync always).
 */

export interface RedisProcess {
  port: number;
  dir: string;
  child: ChildProcess;
  /** Ends the process (SIGKILL: no shutdown work, as when a machine dies). */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export interface NodeOptions {
  dir: string;
  port?: number;
  replicaOf?: number;
  /** Extra redis-server arguments (TLS, ACL users…). */
  args?: string[];
}

/** A redis-server: a primary, or a replica of the one on `replicaOf`. */
export async function startRedisNode(opts: NodeOptions): Promise<RedisProcess> {
  mkdirSync(opts.dir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', opts.dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '',
    // A replica syncs at once rather than after the default 5 s diskless delay.
    '--repl-diskless-sync-delay', '0', '--daemonize', 'no', '--logfile', 'redis.log',
    ...(opts.replicaOf ? ['--replicaof', '127.0.0.1', String(opts.replicaOf)] : []),
    ...(opts.args ?? []),
  ];
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  const proc = handle(child, port, opts.dir);
  const tlsOnly = (opts.args ?? []).includes('--tls-port');
  if (!tlsOnly) await waitFor(async () => pong(port), `redis-server on ${port}`, 10_000);
  return proc;
}

export interface SentinelGroup {
  ports: number[];
  processes: RedisProcess[];
  /** The primary's port as the Sentinels see it. */
  masterPort(): Promise<number | undefined>;
  stop(): Promise<void>;
}

/** `count` redis-sentinel processes monitoring the primary on `masterPort` as `name` (quorum 2). */
export async function startSentinels(opts: { dir: string; masterPort: number; name: string; count?: number; downAfterMs?: number }): Promise<SentinelGroup> {
  const processes: RedisProcess[] = [];
  for (let i = 0; i < (opts.count ?? 3); i++) {
    const port = await freePort();
    const dir = join(opts.dir, `sentinel-${i}`);
    mkdirSync(dir, { recursive: true });
    // Sentinel rewrites its configuration file (the state it learns), so each has its own.
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(conf, [
      `port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, 'logfile sentinel.log',
      `sentinel monitor ${opts.name} 127.0.0.1 ${opts.masterPort} 2`,
      `sentinel down-after-milliseconds ${opts.name} ${opts.downAfterMs ?? 1000}`,
      `sentinel failover-timeout ${opts.name} 10000`,
      `sentinel parallel-syncs ${opts.name} 1`, '',
    ].join('\n'));
    const child = spawn('redis-sentinel', [conf], { stdio: 'ignore' });
    processes.push(handle(child, port, dir));
    await waitFor(async () => pong(port), `redis-sentinel on ${port}`, 10_000);
  }
  const ports = processes.map((p) => p.port);
  return {
    ports,
    processes,
    async masterPort() {
      for (const port of ports) {
        const s = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        s.on('error', () => undefined);
        try {
          await s.connect();
          const addr = (await s.call('SENTINEL', 'get-master-addr-by-name', opts.name)) as [string, string] | null;
          if (addr) return Number(addr[1]);
        } catch {
          // that Sentinel is not answering: ask the next
        } finally {
          s.disconnect();
        }
      }
      return undefined;
    },
    stop: async () => {
      await Promise.all(processes.map((p) => p.stop()));
    },
  };
}

/** How many replicas the Sentinels know for `name` (a failover needs one). */
export async function sentinelReplicas(sentinelPort: number, name: string): Promise<number> {
  const s = new Redis({ port: sentinelPort, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  try {
    return ((await s.call('SENTINEL', 'replicas', name)) as unknown[]).length;
  } finally {
    s.disconnect();
  }
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** redis-server's version as [major, minor]. */
export function redisVersion(): [number, number] {
  const out = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout;
  const m = /v=(\d+)\.(\d+)/.exec(out);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

async function pong(port: number): Promise<boolean> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

function handle(child: ChildProcess, port: number, dir: string): RedisProcess {
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const reap = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', reap);
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
    process.off('exit', reap);
  };
  return { port, dir, child, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}
