import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeTarget, serverTarget } from '../../src/redis/target';
import { collectLines, LogLine } from '../support/process-lines';

const BIN = resolve(__dirname, '..', '..', 'bin', 'art50.js');
const INTEGRATES = 'this process now integrates the log and signs checkpoints';

jest.setTimeout(120_000);

type Line = LogLine;

/** A single-process `art50 serve` and an `art50 worker`, as real processes on the test Redis: one integrator between them. */
describe('the integrator lease outside a multi-process serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'art50-lease-'));
  const ns = `lease${Date.now()}`;
  const procs: { name: string; child: ChildProcess; lines: Line[] }[] = [];

  function start(name: string, command: 'serve' | 'worker'): { name: string; child: ChildProcess; lines: Line[] } {
    const child = spawn(process.execPath, [BIN, command], {
      env: {
        ...process.env, ART50_PROCESSES: '1', ART50_PORT: '0', ART50_HOST: '127.0.0.1', ART50_DATA_DIR: join(dir, name),
        ART50_NAMESPACE: ns, ART50_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Line[] = [];
    collectLines(child, lines);
    const p = { name, child, lines };
    procs.push(p);
    return p;
  }
  const said = (p: { lines: Line[] }, msg: string): number => p.lines.filter((l) => l.message === msg).length;
  async function until(what: string, fn: () => boolean, ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!fn()) {
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}; output:\n${procs.map((p) => p.lines.map((l) => `${p.name}: ${JSON.stringify(l)}`).join('\n')).join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  afterAll(() => {
    for (const { child } of procs) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets exactly one of them integrate, and the other take over when it stops', async () => {
    const serve = start('serve', 'serve');
    const worker = start('worker', 'worker');
    await until('both running', () => said(serve, 'art50 gateway listening') === 1 && said(worker, 'art50 workers running') === 1);
    // Each says which Redis it uses (without a password).
    for (const p of [serve, worker]) expect(p.lines.find((l) => l.message === 'connected to Redis')?.redis).toBe(describeTarget(serverTarget(process.env.REDIS_URL!)));
    await until('one integrator', () => said(serve, INTEGRATES) + said(worker, INTEGRATES) >= 1);
    // Long enough for the other to have tried the lease more than once (every 1.7 s).
    await new Promise((r) => setTimeout(r, 4000));
    expect(said(serve, INTEGRATES) + said(worker, INTEGRATES)).toBe(1);

    // The integrator stops cleanly and gives the lease back: the other takes it at its next try.
    const [leader, other] = said(serve, INTEGRATES) === 1 ? [serve, worker] : [worker, serve];
    const exited = new Promise<number | null>((r) => leader.child.once('exit', (code) => r(code)));
    leader.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(said(leader, 'this process no longer integrates the log')).toBe(1);
    await until('the other integrating', () => said(other, INTEGRATES) === 1, 15_000);

    const otherExited = new Promise<number | null>((r) => other.child.once('exit', (code) => r(code)));
    other.child.kill('SIGTERM');
    expect(await otherExited).toBe(0);
  });
});
