import { createPrivateKey, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { auditLog } from '../../src/log/audit';
import { CheckpointBody, VerifyCheckpoint, cmsCheckpointSigner, cmsCheckpointVerifier, parseCheckpointBody, rootHashOf } from '../../src/log/checkpoint';
import { LogEntryFields, createLogEntryValidator } from '../../src/log/entry';
import { LogIntegrator } from '../../src/log/integrator';
import { logKeys } from '../../src/log/keys';
import { CompactRange } from '../../src/log/merkle/compact-range';
import { assertConsistent, verifyInclusion } from '../../src/log/merkle/verify';
import { leafHash, nodeHash, rootFromLeaves } from '../../src/log/merkle/hash';
import { LogReader } from '../../src/log/reader';
import { appendStandalone, entryTemplate } from '../../src/log/sequencer';
import { scriptRunner } from '../../src/store/script-set';
import { verifyCms } from '../../src/cms/verify';

const KEYS = join(__dirname, '..', '..', 'keys.example');
const root = new X509Certificate(readFileSync(join(KEYS, 'ca', 'root.pem')));
const seal = {
  cert: new X509Certificate(readFileSync(join(KEYS, 'gateway', 'seal.pem'))),
  key: createPrivateKey(readFileSync(join(KEYS, 'gateway', 'seal.key'))),
};
const sign = cmsCheckpointSigner(seal);
const verifyCheckpoint: VerifyCheckpoint = cmsCheckpointVerifier({
  trustSigner: (signer) => {
    if (!signer.checkIssued(root) || !signer.verify(root.publicKey)) throw new Error('not issued by the root');
    if (signer.fingerprint256 !== seal.cert.fingerprint256) throw new Error('not the gateway seal');
  },
});
const validate = createLogEntryValidator();

let redis: Redis;
beforeAll(() => {
  redis = new Redis(process.env.REDIS_URL!, { lazyConnect: false });
});
afterAll(async () => {
  await redis.quit();
});

const newNs = (): string => `logtest-${randomBytes(6).toString('hex')}`;
let tick = Date.parse('2025-03-01T10:00:00.000Z');
const clock = (): Date => new Date((tick += 7));

function fields(i: number): LogEntryFields {
  const events = ['request.received', 'sanction.granted', 'delivery.queued', 'statement.received', 'statement.downloaded'] as const;
  return {
    time: new Date(Date.parse('2025-03-01T09:00:00.000Z') + i * 1000).toISOString(),
    event: events[i % events.length]!,
    requestId: randomUUID(),
    bank: 'ALFAKZKA',
    digests: { request: randomBytes(32).toString('hex') },
    region: 'almaty',
    article: '190-2-4',
  };
}

async function appendMany(ns: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await appendStandalone(redis, ns, fields(i), validate));
  return out;
}

async function storedEntries(ns: string, n: number): Promise<Buffer[]> {
  const vals = await redis.hmgetBuffer(logKeys(ns).entries, ...Array.from({ length: n }, (_, i) => String(i)));
  return vals.map((v) => v!);
}

describe('sequencing (Lua)', () => {
  it('assigns consecutive indexes and stores canonical entries with the index in place', async () => {
    const ns = newNs();
    expect(await appendMany(ns, 5)).toEqual([0, 1, 2, 3, 4]);
    const [e3] = await storedEntries(ns, 5).then((all) => all.slice(3));
    const parsed = JSON.parse(e3!.toString('utf8')) as { index: number };
    expect(parsed.index).toBe(3);
    expect(e3!.toString('utf8')).toMatch(/"event":"statement\.received","index":3,"region"/);
  });

  it('rejects a template without the placeholder before incrementing the size', async () => {
    const ns = newNs();
    const k = logKeys(ns);
    await expect(scriptRunner(redis, 'log/lua/append-2.lua')([k.size, k.entries], ['{"event":"request.received"}'])).rejects.toThrow(/ART50_LOG_TEMPLATE/);
    expect(await redis.get(k.size)).toBeNull();
    expect(() => entryTemplate({ ...fields(0), region: '@@INDEX@@' })).toThrow();
  });

  it('rejects entries that fail the schema (no names, no unknown fields)', () => {
    const bad = { ...fields(0), name: 'Ivan' } as unknown as LogEntryFields;
    expect(() => entryTemplate(bad, validate)).toThrow(/not allowed/);
  });
});

describe('integration, checkpoints and proofs', () => {
  it('integrates, signs a CMS checkpoint, and serves proofs equal to the reference', async () => {
    const ns = newNs();
    const integrator = new LogIntegrator({ redis, ns, signCheckpoint: sign, clock, readBatch: 7, checkpointIntervalMs: 0 });
    const reader = new LogReader({ redis, ns, maxPage: 10 });
    await appendMany(ns, 13);
    const r1 = await integrator.integrateOnce();
    expect(r1).toMatchObject({ treeSize: 13, added: 13, lostRace: false });
    const cp1 = parseCheckpointBody(verifyCms((await reader.checkpoint())!).content);
    await appendMany(ns, 24);
    await integrator.integrateOnce();
    const n = 37;
    const entries = await storedEntries(ns, n);
    const leaves = entries.map(leafHash);
    const cp = await verifyCheckpoint((await reader.checkpoint())!);
    expect(cp).toMatchObject({ origin: `art50/${ns}`, treeSize: n });
    expect(rootHashOf(cp).equals(rootFromLeaves(leaves))).toBe(true);
    expect(await reader.checkpointSizes()).toEqual([13, 37]);

    for (let size = 1; size <= n; size += 5) {
      expect((await reader.rootAt(size)).equals(rootFromLeaves(leaves.slice(0, size)))).toBe(true);
      for (let i = 0; i < size; i += 3) {
        const p = await reader.inclusionProof(i, size);
        expect(verifyInclusion(i, size, leaves[i]!, p.path, rootFromLeaves(leaves.slice(0, size)))).toBe(true);
      }
    }
    const c = await reader.consistencyProof(13, 37);
    assertConsistent(13, 37, rootHashOf(cp1), rootHashOf(cp), c.path);

    expect((await reader.entries(10, 100)).length).toBe(10);
    expect((await reader.entries(30, 100)).map((b) => b.toString())).toEqual(entries.slice(30).map((b) => b.toString()));
    await expect(reader.entries(37, 40)).rejects.toMatchObject({ code: 'log.bad_range' });
    await expect(reader.entries(5, 5)).rejects.toMatchObject({ code: 'log.bad_range' });
    await expect(reader.entries(-1, 5)).rejects.toMatchObject({ code: 'log.bad_range' });
    await expect(reader.inclusionProof(0, 38)).rejects.toMatchObject({ code: 'log.bad_range' });
    await expect(reader.consistencyProof(5, 38)).rejects.toMatchObject({ code: 'log.bad_range' });
  });

  it('stores exactly every complete perfect subtree', async () => {
    const ns = newNs();
    await appendMany(ns, 11);
    await new LogIntegrator({ redis, ns, signCheckpoint: sign, clock }).integrateOnce();
    const fieldsStored = (await redis.hkeys(logKeys(ns).tree)).sort();
    const expected: string[] = [];
    for (let level = 0; 2 ** level <= 11; level++) for (let i = 0; (i + 1) * 2 ** level <= 11; i++) expected.push(`${level}:${i}`);
    expect(fieldsStored).toEqual(expected.sort());
    expect(await redis.get(logKeys(ns).integrated)).toBe('11');
  });

  it('concurrent integrators do not corrupt the tree', async () => {
    const ns = newNs();
    const k = logKeys(ns);
    const many = Array.from({ length: 4 }, () => new LogIntegrator({ redis: redis.duplicate(), ns, signCheckpoint: sign, clock, readBatch: 3, maxPerRound: 5, checkpointIntervalMs: 0 }));
    let appended = 0;
    const appender = (async () => {
      for (; appended < 120; appended++) await appendStandalone(redis, ns, fields(appended));
    })();
    const loops = many.map(async (it) => {
      while (appended < 120 || Number((await redis.get(k.integrated)) ?? 0) < 120) await it.integrateOnce();
    });
    await Promise.all([appender, ...loops]);
    const leaves = (await storedEntries(ns, 120)).map(leafHash);
    const reader = new LogReader({ redis, ns });
    expect((await reader.rootAt(120)).equals(rootFromLeaves(leaves))).toBe(true);
    // Every stored node equals the reference subtree hash.
    const tree = await redis.hgetallBuffer(k.tree);
    for (const [field, hash] of Object.entries(tree)) {
      const [level, index] = field.split(':').map(Number) as [number, number];
      const w = 2 ** level;
      expect(hash.equals(rootFromLeaves(leaves.slice(index * w, index * w + w)))).toBe(true);
    }
    // Checkpoints all verify and are each the root at their size.
    for (const signed of await reader.allCheckpoints()) {
      const body = await verifyCheckpoint(signed);
      expect(rootHashOf(body).equals(rootFromLeaves(leaves.slice(0, body.treeSize)))).toBe(true);
    }
    const latest = await verifyCheckpoint((await reader.checkpoint())!);
    expect(latest.treeSize).toBe(120);
    await Promise.all(many.map((it) => (it as unknown as { redis: Redis }).redis.quit()));
  });

  it('start/stop runs the loop in the background', async () => {
    const ns = newNs();
    const it = new LogIntegrator({ redis, ns, signCheckpoint: sign, clock });
    it.start(10);
    await appendMany(ns, 3);
    const deadline = Date.now() + 5000;
    while (Number((await redis.get(logKeys(ns).integrated)) ?? 0) < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await it.stop();
    expect(await redis.get(logKeys(ns).integrated)).toBe('3');
  });
});

describe('audit', () => {
  /** 3 integration rounds → checkpoints at 10, 25, 40. */
  async function buildLog(): Promise<{ ns: string; reader: LogReader; checkpoints: Buffer[]; first: Buffer }> {
    const ns = newNs();
    const integrator = new LogIntegrator({ redis, ns, signCheckpoint: sign, clock, checkpointIntervalMs: 0 });
    await appendMany(ns, 10);
    await integrator.integrateOnce();
    const reader = new LogReader({ redis, ns, maxPage: 8 });
    const first = (await reader.checkpoint())!;
    await appendMany(ns, 15);
    await integrator.integrateOnce();
    await appendMany(ns, 15);
    await integrator.integrateOnce();
    return { ns, reader, checkpoints: await reader.allCheckpoints(), first };
  }

  const run = async (reader: LogReader, checkpoints: Buffer[], extra: { saved?: Buffer; prove?: boolean } = {}) =>
    auditLog({
      entries: reader.stream(0, 40),
      checkpoints,
      verifyCheckpoint,
      validate,
      ...(extra.saved ? { saved: extra.saved } : {}),
      ...(extra.prove ? { prove: async (i: number, n: number) => (await reader.inclusionProof(i, n)).path } : {}),
    });

  it('accepts an honest log, with progress and a saved checkpoint', async () => {
    const { reader, checkpoints, first } = await buildLog();
    const progress: number[] = [];
    const rep = await auditLog({ entries: reader.stream(), checkpoints, saved: first, verifyCheckpoint, validate, progressEvery: 16, onProgress: (p) => progress.push(p.entries) });
    expect(rep).toMatchObject({ ok: true, entries: 40, checkpointsVerified: 4 });
    expect(progress).toEqual([16, 32, 40]);
  });

  it('tampered entry (still schema-valid): exact index with proofs, bounded range without', async () => {
    const { ns, reader, checkpoints } = await buildLog();
    const k = logKeys(ns);
    const orig = (await redis.hget(k.entries, '17'))!;
    await redis.hset(k.entries, '17', orig.replace('"bank":"ALFAKZKA"', '"bank":"BETAKZKA"'));
    expect((await run(reader, checkpoints, { prove: true })).divergence).toMatchObject({ index: 17, reason: 'root_mismatch', treeSize: 25 });
    expect((await run(reader, checkpoints)).divergence).toMatchObject({ index: 10, lastIndex: 24, reason: 'root_mismatch' });
  });

  it('dropped entry: exact index', async () => {
    const { ns, reader, checkpoints } = await buildLog();
    await redis.hdel(logKeys(ns).entries, '31');
    expect((await run(reader, checkpoints)).divergence).toMatchObject({ index: 31, reason: 'missing_entry' });
    // A source that silently compacts the gap is caught at the same index.
    const compacted = (await storedEntries(ns, 40)).filter((b) => b !== null);
    const rep = await auditLog({ entries: compacted, checkpoints, verifyCheckpoint, validate });
    expect(rep.divergence).toMatchObject({ index: 31, reason: 'index_mismatch' });
  });

  it('two swapped entries: exact index of the first', async () => {
    const { ns, reader, checkpoints } = await buildLog();
    const k = logKeys(ns);
    const [a, b] = await redis.hmget(k.entries, '5', '22');
    await redis.hset(k.entries, '5', b!, '22', a!);
    expect((await run(reader, checkpoints)).divergence).toMatchObject({ index: 5, reason: 'index_mismatch' });
  });

  it('swapped entries with their index fields rewritten: exact index via proofs', async () => {
    const { ns, reader, checkpoints } = await buildLog();
    const k = logKeys(ns);
    const [a, b] = await redis.hmget(k.entries, '12', '14');
    await redis.hset(k.entries, '12', b!.replace('"index":14', '"index":12'), '14', a!.replace('"index":12', '"index":14'));
    expect((await run(reader, checkpoints, { prove: true })).divergence).toMatchObject({ index: 12, reason: 'root_mismatch' });
  });

  it('truncated log and a forged saved checkpoint are reported', async () => {
    const { reader, checkpoints } = await buildLog();
    const rep = await auditLog({ entries: reader.stream(0, 30), checkpoints, verifyCheckpoint, validate });
    expect(rep.divergence).toMatchObject({ index: 30, reason: 'truncated', treeSize: 40 });
    // A validly signed checkpoint of another history at size 10 (the gateway signed a fork).
    const body: CheckpointBody = { origin: 'x', treeSize: 10, rootHash: nodeHash(Buffer.alloc(32), Buffer.alloc(32)).toString('base64'), time: '2025-03-01T10:00:00.000Z' };
    const forged = await sign(Buffer.from(JSON.stringify({ origin: body.origin, rootHash: body.rootHash, time: body.time, treeSize: 10 })));
    const rep2 = await auditLog({ entries: reader.stream(), checkpoints: checkpoints.slice(1), saved: forged, verifyCheckpoint, validate });
    expect(rep2.divergence).toMatchObject({ reason: 'saved_checkpoint_mismatch', treeSize: 10 });
    const rep3 = await auditLog({ entries: reader.stream(), checkpoints, saved: forged, verifyCheckpoint, validate });
    expect(rep3.divergence).toMatchObject({ reason: 'fork', treeSize: 10 });
  });

  it('a checkpoint with a bad signature throws log.checkpoint_signature', async () => {
    const { reader, checkpoints } = await buildLog();
    const broken = Buffer.from(checkpoints[0]!);
    broken[broken.length - 5]! ^= 0xff;
    await expect(auditLog({ entries: reader.stream(), checkpoints: [broken], verifyCheckpoint, validate })).rejects.toMatchObject({ code: 'log.checkpoint_signature' });
  });

  it('CompactRange fringe survives restarts (integrate in odd-sized rounds)', async () => {
    const ns = newNs();
    await appendMany(ns, 29);
    for (const max of [1, 2, 3, 5, 7, 11]) await new LogIntegrator({ redis, ns, signCheckpoint: sign, clock, maxPerRound: max }).integrateOnce();
    const leaves = (await storedEntries(ns, 29)).map(leafHash);
    const cr = new CompactRange();
    leaves.forEach((l) => cr.append(l));
    expect((await new LogReader({ redis, ns }).rootAt(29)).equals(cr.root())).toBe(true);
  });
});
