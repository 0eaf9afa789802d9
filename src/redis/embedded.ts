import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

/**
 * A local `redis-server` child for `npm start`, the demo and the test suite when REDIS_URL is not
 * set. Persistence is on (appendonly, fsync before every reply) so an acknowledged write survives
 * a SIGKILL of Redis and a power loss.
 */

export interface EmbeddedRedis {
  /** redis://127.0.0.1:<port>; the socket URL when started `socketOnly` */
  url: string;
  /**
   * unix:///<dataDir>/redis.sock, readable by this user only: what the gateway connects to when it
   * started this server (cheaper per command than TCP, and closed to other local users). Undefined
   * when the path is too long for a socket (over 100 bytes).
   */
  socketUrl?: string;
  /** 0 when started `socketOnly` (no TCP listener). */
  port: number;
  dataDir: string;
  pid: number;
  stop(): Promise<void>;
}

export class RedisMissingError extends Error {
  constructor(readonly instruction: string) {
    super(instruction);
    this.name = 'RedisMissingError';
  }
}

function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * Finds redis-server; installs the Debian package when missing and we are root, otherwise
 * throws with the exact command a person should run.
 */
export function ensureRedisServer(log: (msg: string) => void = () => undefined): string {
  const found = which('redis-server');
  if (found) return found;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = which('apt-get') !== undefined;
  if (isRoot && hasApt) {
    log('redis-server is missing: installing the Debian package redis-server (apt-get)');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const up = spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    const inst = up.status === 0 ? spawnSync('apt-get', ['install', '-y', 'redis-server'], { stdio: 'inherit', env }) : up;
    const again = inst.status === 0 ? which('redis-server') : undefined;
    if (again) return again;
  }
  throw new RedisMissingError(
    'redis-server is not installed. Install it with:\n  sudo apt-get update && sudo apt-get install -y redis-server\n' +
      'or point art50 at a running Redis with REDIS_URL=redis://host:6379',
  );
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => ok(port));
    });
  });
}

type Endpoint = { port: number } | { path: string };
const where = (e: Endpoint): string => ('port' in e ? `port ${e.port}` : `socket ${e.path}`);

async function waitReady(child: ChildProcess, endpoint: Endpoint, timeoutMs: number): Promise<void> {
  const { createConnection } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once('exit', () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error('redis-server exited during start-up (see its log in the data directory)');
    // Ask for the server's pid: a PONG from whatever already holds the port (another redis-server)
    // must not pass for ours, and a listener that never answers must not hang the start.
    const pid = await new Promise<number | undefined>((res) => {
      const s = createConnection('port' in endpoint ? { port: endpoint.port, host: '127.0.0.1' } : { path: endpoint.path }, () => {
        s.write('INFO server\r\n');
      });
      let text = '';
      s.setTimeout(500, () => {
        s.destroy();
        res(undefined);
      });
      s.on('data', (d) => {
        text += d.toString('latin1');
        const m = /process_id:(\d+)/.exec(text);
        if (m) {
          s.destroy();
          res(Number(m[1]));
        }
      });
      s.once('error', () => res(undefined));
      s.once('close', () => res(undefined));
    });
    if (pid !== undefined && pid === child.pid) return;
    if (pid !== undefined && exited) throw new Error(`${where(endpoint)} is taken by another redis-server (pid ${pid}); ours could not bind it`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not answer on ${where(endpoint)} within ${timeoutMs} ms`);
}

/**
 * `appendfsync` is `always` (every acknowledged write is on disk, see src/redis/durability.ts);
 * `everysec` exists only for the bench's comparison and the test of the start-up refusal.
 * `replicaOf` (the bench of the replica fence) makes it a replica of the redis-server on that
 * local port; it resolves once the server answers, not once the replication link is up.
 */
export async function startEmbeddedRedis(opts: { dataDir: string; port?: number; log?: (m: string) => void; appendfsync?: 'always' | 'everysec'; replicaOf?: number; socketOnly?: boolean }): Promise<EmbeddedRedis> {
  const bin = ensureRedisServer(opts.log);
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const socket = join(dataDir, 'redis.sock');
  const withSocket = Buffer.byteLength(socket) <= 100; // sun_path holds 108 bytes
  // Without a TCP listener no other local user reaches this Redis (it has no password).
  const tcp = !(opts.socketOnly && withSocket);
  const port = tcp ? (opts.port ?? (await freePort())) : 0;
  if (opts.socketOnly && tcp) opts.log?.(`the path ${socket} is too long for a Unix socket (over 100 bytes): the embedded redis-server listens on 127.0.0.1:${port} instead, which other local users can reach; choose a shorter ART50_DATA_DIR`);
  const child = spawn(
    bin,
    [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir,
      '--appendonly', 'yes', '--appendfsync', opts.appendfsync ?? 'always', '--save', '',
      '--daemonize', 'no', '--logfile', 'redis.log', '--protected-mode', 'yes',
      ...(withSocket ? ['--unixsocket', socket, '--unixsocketperm', '700'] : []),
      ...(opts.replicaOf ? ['--replicaof', '127.0.0.1', String(opts.replicaOf)] : []),
    ],
    { stdio: 'ignore', detached: false },
  );
  // Never leave an orphaned redis-server behind, whatever way this process ends.
  const reap = (): void => {
    if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.once('exit', reap);
  // A signal during start-up would end this process without its 'exit' handlers: reap first, then
  // let the signal take its usual course — unless the caller listens for it too (`art50 serve`
  // does from its start): then the caller stops, and the start fails with 'exited during start-up'.
  const onSignal = (sig: NodeJS.Signals): void => {
    reap();
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    await waitReady(child, tcp ? { port } : { path: socket }, 10_000);
  } catch (e) {
    reap();
    throw e;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
  return {
    url: tcp ? `redis://127.0.0.1:${port}` : `unix://${encodeURI(socket)}`,
    ...(withSocket ? { socketUrl: `unix://${encodeURI(socket)}` } : {}),
    port,
    dataDir,
    pid: child.pid ?? -1,
    stop: () =>
      new Promise<void>((res) => {
        // A child killed by a signal has signalCode set and exitCode still null; its 'exit' has fired.
        if (child.exitCode !== null || child.signalCode !== null) return res();
        child.once('exit', () => {
          process.off('exit', reap);
          res();
        });
        child.kill('SIGTERM');
      }),
  };
}
