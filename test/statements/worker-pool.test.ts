import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatementWorkerPool } from '../../src/statements/worker-pool';
import { expectCodeAsync } from '../support/expect-code';

/** A statement worker that dies mid-call must give a retryable 503, and the pool must recover. */
describe('statement worker pool', () => {
  it('a crashed worker fails its call with http.busy and the next call gets a new worker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'art50-wp-'));
    const file = join(dir, 'crash.js');
    writeFileSync(file, "require('node:worker_threads').parentPort.on('message', () => process.exit(3));\n");
    const pool = new StatementWorkerPool(1, file);
    try {
      await expectCodeAsync(() => pool.open(Buffer.from([0x30, 0x00])), 'http.busy');
      await expectCodeAsync(() => pool.open(Buffer.from([0x30, 0x00])), 'http.busy');
    } finally {
      await pool.close();
    }
  });
});
