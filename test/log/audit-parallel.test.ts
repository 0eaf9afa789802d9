/**
 * The parallel audit (worker threads, whole aligned batches folded as one subtree) must report
 * exactly what the one-thread audit reports, for checkpoints at batch edges, inside batches and at
 * size 0, and for every kind of tampering. Small batches so that a 40-entry log has many of them.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditLog, AuditReport } from '../../src/log/audit';
import { checkEntriesInParallel } from '../../src/log/audit-parallel';
import { cmsCheckpointSigner, cmsCheckpointVerifier, encodeCheckpointBody, VerifyCheckpoint } from '../../src/log/checkpoint';
import { canonicalJson, createLogEntryValidator } from '../../src/log/entry';
import { CompactRange } from '../../src/log/merkle/compact-range';
import { leafHash } from '../../src/log/merkle/hash';
import { syntheticEntry } from '../../src/bench/audit';

const KEYS = join(__dirname, '..', '..', 'keys.example');
const seal = {
  cert: new X509Certificate(readFileSync(join(KEYS, 'gateway', 'seal.pem'))),
  key: createPrivateKey(readFileSync(join(KEYS, 'gateway', 'seal.key'))),
};
const sign = cmsCheckpointSigner(seal);
const verifyCheckpoint: VerifyCheckpoint = cmsCheckpointVerifier({ trustSigner: () => undefined });
const validate = createLogEntryValidator();

const N = 40;
const SIZES = [0, 3, 8, 13, 16, 17, 32, 40];
const entries = Array.from({ length: N }, (_, i) => syntheticEntry(i));
let checkpoints: Buffer[] = [];

beforeAll(async () => {
  const range = new CompactRange();
  const roots = [range.root()];
  for (const e of entries) {
    range.append(leafHash(e));
    roots.push(range.root());
  }
  checkpoints = await Promise.all(
    SIZES.map((s) => sign(encodeCheckpointBody({ origin: 'art50/test', treeSize: s, rootHash: roots[s]!.toString('base64'), time: '2025-03-01T10:00:00.000Z' }))),
  );
});

async function both(log: Array<Buffer | null>, batch: number): Promise<[AuditReport, AuditReport]> {
  const base = { checkpoints, verifyCheckpoint, validate };
  const inline = await auditLog({ ...base, entries: log });
  async function* stream(): AsyncGenerator<Buffer | null> {
    yield* log;
  }
  const parallel = await auditLog({ ...base, entries: stream(), checked: (e) => checkEntriesInParallel(e, { workers: 2, batch }) });
  return [inline, parallel];
}

const retimed = (i: number): Buffer => {
  const e = JSON.parse(entries[i]!.toString('utf8')) as { time: string };
  e.time = '2030-01-01T00:00:00.000Z';
  return Buffer.from(canonicalJson(e), 'utf8');
};

describe('parallel audit = one-thread audit', () => {
  const cases: Array<[string, (log: Array<Buffer | null>) => void]> = [
    ['untouched', () => undefined],
    ['a changed entry inside a batch', (log) => (log[21] = retimed(21))],
    ['a changed entry at a batch edge', (log) => (log[24] = retimed(24))],
    ['a missing entry', (log) => (log[10] = null)],
    ['an entry that is not JSON', (log) => (log[33] = Buffer.from('{"index":33,'))],
    ['an entry not canonical', (log) => (log[5] = Buffer.from(` ${entries[5]!.toString('utf8')}`))],
    ['a wrong index', (log) => (log[12] = entries[11]!)],
    ['truncated', (log) => log.splice(36)],
  ];
  it.each(cases)('%s', async (_name, change) => {
    const log: Array<Buffer | null> = entries.slice();
    change(log);
    for (const batch of [1, 4, 8, 16]) {
      const [inline, parallel] = await both(log, batch);
      expect(parallel).toEqual(inline);
    }
    const [inline] = await both(log, 4);
    expect(inline.ok).toBe(_name === 'untouched');
    if (_name === 'untouched') expect(inline.checkpointsVerified).toBe(SIZES.length);
  });
});
