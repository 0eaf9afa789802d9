import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatementWorkerPool } from '../../src/statements/worker-pool';
import { expectCodeAsync } from '../support/expect-code';

const dir = mkdtempSync(join(tmpdir(), 'art50-wp-'));
function script(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `const { parentPort } = require('node:worker_threads');\n${body}\n`);
  return file;
}
/** Answers `open` like the real worker after busy CPU: 20 ms per unit of the first byte of the DER. */
const BUSY = script('busy.js', `parentPort.on('message', (m) => {
  if (m.op !== 'open') return;
  const ms = m.der[0] * 20; const start = Date.now(); const until = start + ms; while (Date.now() < until) {}
  parentPort.postMessage({ id: m.id, ok: false, error: { code: 'cms.malformed', detail: start + '-' + Date.now() } });
});
parentPort.postMessage({ ready: true });`);
const der = (units: number): Buffer => Buffer.from([units, 0]);

/** A statement worker that dies mid-call must give a retryable 503, and the pool must recover. */
describe('statement worker pool', () => {
  it('a crashed worker fails its call with http.busy and the next call gets a new worker', async () => {
    const pool = new StatementWorkerPool({ size: 1, file: script('crash.js', "parentPort.on('message', () => process.exit(3));") });
    try {
      await expectCodeAsync(() => pool.open(Buffer.from([0x30, 0x00])), 'http.busy');
      await expectCodeAsync(() => pool.open(Buffer.from([0x30, 0x00])), 'http.busy');
    } finally {
      await pool.close();
    }
  });

  /** Issue 12.2: a statement that keeps the worker busy forever held every large statement behind it. */
  it('a call past its time budget is refused (document.too_costly); the worker is replaced and the next call answered', async () => {
    const pool = new StatementWorkerPool({ size: 1, jobTimeoutMs: 300, file: BUSY });
    try {
      const t0 = Date.now();
      const e = await expectCodeAsync(() => pool.open(der(200)), 'document.too_costly'); // 4 s of CPU
      expect(e.status).toBe(422);
      expect(Date.now() - t0).toBeLessThan(3000); // the worker's start-up + the 300 ms budget
      await expectCodeAsync(() => pool.open(der(1)), 'cms.malformed'); // a fresh worker answers
    } finally {
      await pool.close();
    }
  });

  it('statements queued behind a runaway one are served by the replacement worker', async () => {
    const pool = new StatementWorkerPool({ size: 1, jobTimeoutMs: 300, maxQueued: 4, file: BUSY });
    try {
      const runaway = expectCodeAsync(() => pool.open(der(250)), 'document.too_costly');
      const queued = [1, 2, 3].map(() => expectCodeAsync(() => pool.open(der(1)), 'cms.malformed'));
      expect(pool.waiting).toBe(3);
      await Promise.all([runaway, ...queued]);
      expect(pool.waiting).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('past the queue bound a statement is refused at once with http.busy (503, retry)', async () => {
    const pool = new StatementWorkerPool({ size: 1, jobTimeoutMs: 5000, maxQueued: 2, file: BUSY });
    try {
      const first = pool.open(der(30)).catch((e: unknown) => e);
      const waiting = [pool.open(der(1)).catch((e: unknown) => e), pool.open(der(1)).catch((e: unknown) => e)];
      const t0 = Date.now();
      const e = await expectCodeAsync(() => pool.open(der(1)), 'http.busy');
      expect(e.status).toBe(503);
      expect(Date.now() - t0).toBeLessThan(100);
      await Promise.all([first, ...waiting]);
    } finally {
      await pool.close();
    }
  });

  it('a worker\'s start-up (compiling schemas) does not count against the first statement\'s budget', async () => {
    const slowStart = script('slow-start.js', `const until = Date.now() + 600; while (Date.now() < until) {}
parentPort.on('message', (m) => m.op === 'open' && parentPort.postMessage({ id: m.id, ok: false, error: { code: 'cms.malformed', detail: 'ok' } }));
parentPort.postMessage({ ready: true });`);
    const pool = new StatementWorkerPool({ size: 1, jobTimeoutMs: 200, file: slowStart });
    try {
      await expectCodeAsync(() => pool.open(der(1)), 'cms.malformed');
    } finally {
      await pool.close();
    }
  });

  it('a pool of two parses two statements at once', async () => {
    const pool = new StatementWorkerPool({ size: 2, jobTimeoutMs: 5000, maxQueued: 0, file: BUSY });
    try {
      // Each worker reports when it started and ended its statement: the two spans overlap.
      const [a, b] = (await Promise.all([expectCodeAsync(() => pool.open(der(40)), 'cms.malformed'), expectCodeAsync(() => pool.open(der(40)), 'cms.malformed')]))
        .map((e) => e.detail.split('-').map(Number) as [number, number]);
      expect(Math.max(a![0], b![0])).toBeLessThan(Math.min(a![1], b![1]));
    } finally {
      await pool.close();
    }
  });
});
