/**
 * Log benchmark: sequencing throughput through the Lua snippet, proof latency from Redis at a
 * large tree size, and offline audit throughput. Uses its own namespace and deletes it after.
 */
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import { auditLog } from '../log/audit';
import { CheckpointBody, encodeCheckpointBody, parseCheckpointBody } from '../log/checkpoint';
import { LogEntryFields, createLogEntryValidator } from '../log/entry';
import { logKeys } from '../log/keys';
import { CompactRange } from '../log/merkle/compact-range';
import { leafHash } from '../log/merkle/hash';
import { nodeKey } from '../log/merkle/proof-plan';
import { verifyConsistency, verifyInclusion } from '../log/merkle/verify';
import { LogReader } from '../log/reader';
import { INDEX_PLACEHOLDER, appendStandalone, entryTemplate } from '../log/sequencer';

export interface BenchLogOptions {
  redis: Redis;
  /** Namespace for the run (deleted afterwards); default a random one. */
  ns?: string;
  /** Entries appended for appendsPerSec (default 20,000). */
  appends?: number;
  /** Appends in flight at once (default 64; ioredis pipelines them). */
  concurrency?: number;
  /** Tree size of the proof benchmark (default 1,000,000). */
  proofSize?: number;
  /** Inclusion proofs timed (default 500). */
  proofs?: number;
  /** Entries audited (default 1,000,000). */
  auditEntries?: number;
  log?: (msg: string) => void;
}

export interface BenchLogResult {
  appendsPerSec: number;
  /** Mean latency of one inclusion proof from Redis at proofSize (2 round trips: size + one HMGET). */
  proofMsAt1M: number;
  /** Mean latency of one consistency proof at proofSize. */
  consistencyProofMsAt1M: number;
  auditEntriesPerSec: number;
}

const sample = (i: number): LogEntryFields => ({
  time: '2025-03-01T10:00:00.000Z',
  event: 'statement.received',
  requestId: '3f1c2a9e-7b64-4d7e-9a3c-1e2f3a4b5c6d',
  bank: 'ALFAKZKA',
  digests: { request: (i % 16).toString(16).repeat(64), statement: 'ab'.repeat(32) },
  region: 'almaty',
  article: '190-2-4',
});

export async function benchLog(opts: BenchLogOptions): Promise<BenchLogResult> {
  const { redis } = opts;
  const ns = opts.ns ?? `bench-log-${randomBytes(4).toString('hex')}`;
  const log = opts.log ?? (() => undefined);
  const keys = logKeys(ns);
  try {
    // 1. Sequencing.
    const appends = opts.appends ?? 20_000;
    const concurrency = opts.concurrency ?? 64;
    let next = 0;
    const t0 = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < appends) {
          const i = next++;
          await appendStandalone(redis, ns, sample(i));
        }
      }),
    );
    const appendsPerSec = appends / seconds(t0);
    log(`log: ${appends} appends, ${Math.round(appendsPerSec)}/s`);
    await redis.unlink(keys.size, keys.entries);

    // 2. Proofs at a large size: the tree is hashed in Node and written straight into the tree key.
    const n = opts.proofSize ?? 1_000_000;
    const cr = new CompactRange();
    let pipe = redis.pipeline();
    let pending: Array<string | Buffer> = [];
    const flush = async (): Promise<void> => {
      if (pending.length > 0) pipe.hset(keys.tree, ...pending);
      pending = [];
      await pipe.exec();
      pipe = redis.pipeline();
    };
    const seed = Buffer.alloc(8);
    for (let i = 0; i < n; i++) {
      seed.writeUInt32BE(i, 4);
      cr.append(leafHash(seed), (level, index, hash) => pending.push(nodeKey({ level, index }), hash));
      if (pending.length >= 2000) {
        pipe.hset(keys.tree, ...pending);
        pending = [];
        if (i % 50_000 === 0) await flush();
      }
    }
    await flush();
    await redis.set(keys.integrated, String(n));
    const rootN = cr.root();
    const reader = new LogReader({ redis, ns });
    const proofs = opts.proofs ?? 500;
    let t = process.hrtime.bigint();
    for (let j = 0; j < proofs; j++) {
      const i = Math.floor((j * 7919 * 104729) % n);
      const p = await reader.inclusionProof(i, n);
      seed.writeUInt32BE(i, 4);
      if (!verifyInclusion(i, n, leafHash(seed), p.path, rootN)) throw new Error(`bench: inclusion proof ${i} does not verify`);
    }
    const proofMsAt1M = (seconds(t) * 1000) / proofs;
    t = process.hrtime.bigint();
    const half = Math.floor(n / 3);
    const c = await reader.consistencyProof(half, n);
    const consistencyProofMsAt1M = seconds(t) * 1000;
    const rootHalf = await reader.rootAt(half);
    if (!verifyConsistency(half, n, rootHalf, rootN, c.path)) throw new Error('bench: consistency proof does not verify');
    log(`log: inclusion proof at ${n}: ${proofMsAt1M.toFixed(3)} ms, consistency ${consistencyProofMsAt1M.toFixed(3)} ms`);
    await redis.unlink(keys.tree, keys.integrated);

    // 3. Offline audit over generated entries (generation is included in the time: conservative).
    const m = opts.auditEntries ?? 1_000_000;
    const template = entryTemplate(sample(0));
    const entryAt = (i: number): Buffer => Buffer.from(template.replace(`"${INDEX_PLACEHOLDER}"`, String(i)), 'utf8');
    const ref = new CompactRange();
    for (let i = 0; i < m; i++) ref.append(leafHash(entryAt(i)));
    const body: CheckpointBody = { origin: `art50/${ns}`, treeSize: m, rootHash: ref.root().toString('base64'), time: '2025-03-01T10:00:00.000Z' };
    function* gen(): Generator<Buffer> {
      for (let i = 0; i < m; i++) yield entryAt(i);
    }
    const validate = createLogEntryValidator();
    t = process.hrtime.bigint();
    const report = await auditLog({ entries: gen(), checkpoints: [encodeCheckpointBody(body)], verifyCheckpoint: parseCheckpointBody, validate });
    const auditSeconds = seconds(t);
    if (!report.ok) throw new Error(`bench: audit failed: ${report.divergence?.detail ?? ''}`);
    const auditEntriesPerSec = m / auditSeconds;
    log(`log: audit of ${m} entries in ${auditSeconds.toFixed(2)} s (${Math.round(auditEntriesPerSec)}/s)`);
    return { appendsPerSec, proofMsAt1M, consistencyProofMsAt1M, auditEntriesPerSec };
  } finally {
    await redis.unlink(...Object.values(keys));
  }
}

function seconds(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}
