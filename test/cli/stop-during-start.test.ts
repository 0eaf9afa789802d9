import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Redis from 'ioredis';
import { alive, collectLines, LogLine } from '../support/process-lines';

const BIN = resolve(__dirname, '..', '..', 'bin', 'art50.js');

jest.setTimeout(120_000);


async function until<T>(what: string, fn: () => T | undefined, lines: LogLine[], ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * `art50 serve` on the embedded Redis, sent SIGTERM right after the embedded redis-server is up and
 * before the gateway listens (it is still loading keys, Lua scripts, checking durability): the
 * process must stop that redis-server and exit 0, as for a SIGTERM after start.
 */
describe('SIGTERM while art50 serve is starting', () => {
  const dirs: string[] = [];
  const orphans: number[] = [];
  afterAll(() => {
    for (const pid of orphans) if (alive(pid)) process.kill(pid, 'SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it.each([['1'], ['2']])('stops the embedded redis-server and exits 0 (ART50_PROCESSES=%s)', async (processes) => {
    const dir = mkdtempSync(join(tmpdir(), 'art50-stop-start-'));
    dirs.push(dir);
    const env: NodeJS.ProcessEnv = { ...process.env, ART50_PROCESSES: processes, ART50_PORT: '0', ART50_HOST: '127.0.0.1', ART50_DATA_DIR: dir, ART50_NAMESPACE: `stopstart${processes}`, ART50_LOG_LEVEL: 'info' };
    delete env.REDIS_URL;
    delete env.ART50_REDIS_SENTINELS;
    const child: ChildProcess = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: LogLine[] = [];
    collectLines(child, lines);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
    try {
      // The line serve logs as soon as the embedded Redis answers; it names the server's pid.
      const started = await until('the embedded redis-server', () => lines.find((l) => l.message.includes('started an embedded redis-server')), lines);
      child.kill('SIGTERM');
      const redisPid = Number(/\(pid (\d+),/.exec(started.message)?.[1]);
      expect(redisPid).toBeGreaterThan(0);
      orphans.push(redisPid);
      // Normally not yet listening when the signal was sent (keys, Lua scripts and the durability
      // check come between); a start faster than the poll still has to stop cleanly, so that case
      // is reported rather than failed.
      if (lines.some((l) => l.message === 'art50 gateway listening' || l.message === 'art50 serve: every process listening')) {
        process.stderr.write(`stop-during-start (${processes} process(es)): the gateway was already listening when SIGTERM was sent\n`);
      }
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(alive(redisPid)).toBe(false);
      expect(lines.some((l) => ['shutting down', 'stopped during start', 'shutting down every gateway process'].includes(l.message))).toBe(true);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});

/**
 * `art50 demo` is a script of steps with its embedded Redis: a SIGTERM in the middle ends it with
 * 143 (128 + SIGTERM) and the redis-server it started is stopped, not orphaned.
 */
describe('SIGTERM during art50 demo', () => {
  it('stops the embedded redis-server and exits 143', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'art50-stop-demo-'));
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.REDIS_URL;
    const child: ChildProcess = spawn(process.execPath, [BIN, 'demo', '--out', dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: LogLine[] = [];
    collectLines(child, lines);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
    let redisPid = 0;
    try {
      const started = await until('the embedded redis-server', () => lines.find((l) => /embedded redis-server \(appendonly\) at redis:\/\/127\.0\.0\.1:\d+/.test(l.message)), lines);
      const port = Number(/127\.0\.0\.1:(\d+)/.exec(started.message)![1]);
      const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
      await redis.connect();
      redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))![1]);
      redis.disconnect();
      child.kill('SIGTERM');
      expect(await exited).toEqual({ code: 143, signal: null });
      let gone = false;
      for (let i = 0; i < 50 && !gone; i++) {
        gone = !alive(redisPid);
        if (!gone) await new Promise((r) => setTimeout(r, 100));
      }
      expect(gone).toBe(true);
      expect(lines.some((l) => l.message.includes('interrupted by SIGTERM'))).toBe(true);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (redisPid > 0 && alive(redisPid)) process.kill(redisPid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
