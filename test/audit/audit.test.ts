import Redis from 'ioredis';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ApiClient } from '../../src/client/api-client';
import { signCms } from '../../src/cms/sign';
import { canonicalJson } from '../../src/log/entry';
import { encodeCheckpointBody } from '../../src/log/checkpoint';
import { logKeys } from '../../src/log/keys';
import { Sealer } from '../../src/receipts/sealer';
import { verifyCms } from '../../src/cms/verify';
import { makeStatement } from '../statements/helpers';
import { RemoteLogSource } from '../../src/audit/remote-source';
import { DirLogSource, exportLog } from '../../src/audit/files';
import { gatewayTrust, GatewayTrust } from '../../src/audit/trust';
import { verifyLog, savedCheckpointOf, VerifyReport } from '../../src/audit/verify';
import { proveReceipt } from '../../src/audit/prove';
import { main } from '../../src/cli/main';
import { startTestGateway, TestGateway } from '../support/gateway';
import { INV, PROS, sanctionedRequest, waitFor } from '../support/flow';
import { makeRequest, makeSanction } from '../support/documents';
import type { DeliveryBundle } from '../../src/delivery/bundle';
import { identity, KEYS, plainRegistryFile, ROOT_PEM, sign } from '../support/identities';

const AUD = 'auditor/auditor-1';
let t: TestGateway;
let redis: Redis;
let api: ApiClient;
let trust: GatewayTrust;
let keys: ReturnType<typeof logKeys>;
let size = 0;
const receipts: Array<{ event: string; logIndex: number; receipt: string }> = [];
/** Bundles GAMMKZKA's push endpoint accepted: each carries the delivery.queued receipt a push bank keeps. */
const pushed: DeliveryBundle[] = [];
let pushServer: Server;

/** GAMMKZKA's push endpoint: accepts every bundle, as `bank serve` does, and keeps it. */
function startPushEndpoint(): Promise<number> {
  const id = identity('banks/GAMMKZKA');
  pushServer = createServer({ cert: id.certPem, key: id.keyPem, ca: ROOT_PEM(), requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      pushed.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as DeliveryBundle);
      res.writeHead(202).end();
    });
  });
  return new Promise((r) => pushServer.listen(0, '127.0.0.1', () => r((pushServer.address() as { port: number }).port)));
}

function client(who: string): ApiClient {
  const id = identity(who);
  return new ApiClient({ baseUrl: `https://127.0.0.1:${t.port}`, cert: id.certPem, key: id.keyPem, ca: readFileSync(join(KEYS, 'ca', 'root.pem')) });
}

const verify = (extra: Partial<Parameters<typeof verifyLog>[0]> = {}): Promise<VerifyReport> =>
  verifyLog({ source: new RemoteLogSource(api), trust, ...extra });

beforeAll(async () => {
  const registry = JSON.parse(readFileSync(plainRegistryFile(), 'utf8')) as { organisations: Array<{ bic?: string; delivery?: unknown }> };
  const pushPort = await startPushEndpoint();
  for (const o of registry.organisations) if (o.bic === 'GAMMKZKA') o.delivery = { mode: 'push', url: `https://127.0.0.1:${pushPort}/art50/deliveries` };
  const registryFile = join(mkdtempSync(join(tmpdir(), 'art50-audit-reg-')), 'participants.json');
  writeFileSync(registryFile, JSON.stringify(registry, null, 2));
  t = await startTestGateway({ ART50_CHECKPOINT_INTERVAL_MS: '50', ART50_REGISTRY: registryFile });
  redis = new Redis(process.env.REDIS_URL!);
  keys = logKeys(t.config.namespace);
  api = client(AUD);
  trust = gatewayTrust();
  for (let i = 0; i < 3; i++) {
    const { doc, digest } = await sanctionedRequest(t, { banks: ['ALFAKZKA'] });
    await waitFor(async () => (await t.as('banks/ALFAKZKA').post(`/v1/inbox/${doc.requestId}.ALFAKZKA/ack`)).status === 200, 'delivery and ack');
    if (i === 0) {
      // One answer, so that a statement receipt is among the kinds proven below.
      const posted = await t.as('banks/ALFAKZKA').post('/v1/statements', sign(makeStatement(doc, digest), 'banks/ALFAKZKA'));
      expect(posted.status).toBe(201);
      receipts.push({ event: 'statement.received', logIndex: posted.body.logIndex, receipt: posted.body.receipt });
    }
    const st = await t.as(INV).get(`/v1/requests/${doc.requestId}`);
    receipts.push(...(st.body.receipts as typeof receipts));
  }
  // A push delivery: the bundle the bank receives carries the sealed delivery.queued receipt.
  const { doc: toPush } = await sanctionedRequest(t, { banks: ['GAMMKZKA'] });
  const bundle = await waitFor(async () => pushed.find((b) => b.requestId === toPush.requestId), 'the push delivery to GAMMKZKA');
  const queued = JSON.parse(verifyCms(Buffer.from(bundle.receipt, 'base64')).content.toString('utf8')) as { event: string; logIndex: number };
  receipts.push({ event: queued.event, logIndex: queued.logIndex, receipt: bundle.receipt });
  // A refused sanction: its receipt is among the request's receipts.
  const refusedDoc = makeRequest({ banks: ['ALFAKZKA'] });
  const submitted = await t.as(INV).post('/v1/requests', sign(refusedDoc, INV));
  expect(submitted.status).toBe(202);
  const refusal = await t.as(PROS).post(`/v1/requests/${refusedDoc.requestId}/sanction`, sign(makeSanction(refusedDoc, submitted.body.digest, { decision: 'refused', reason: 'no grounds' }), PROS));
  expect(refusal.status).toBe(201);
  receipts.push(...((await t.as(INV).get(`/v1/requests/${refusedDoc.requestId}`)).body.receipts as typeof receipts));
  // Every sequenced entry integrated and covered by a checkpoint.
  size = await waitFor(async () => {
    const seq = Number(await redis.get(keys.size));
    const cp = await t.as(AUD).get('/v1/log/checkpoint');
    return cp.status === 200 && cp.body.treeSize === seq ? seq : undefined;
  }, 'a checkpoint covering the whole log');
}, 60_000);

afterAll(async () => {
  api.close();
  trust.close();
  redis.disconnect();
  await t.stop();
  await new Promise((r) => pushServer.close(r));
});

/** Runs fn with the log tampered; restores the entries hash afterwards. */
async function tampered(change: (entries: Map<string, string>) => void, fn: () => Promise<void>): Promise<void> {
  const orig = await redis.hgetall(keys.entries);
  const copy = new Map(Object.entries(orig));
  change(copy);
  await redis.del(keys.entries);
  if (copy.size) await redis.hset(keys.entries, Object.fromEntries(copy));
  try {
    await fn();
  } finally {
    await redis.del(keys.entries);
    await redis.hset(keys.entries, orig);
  }
}

describe('art50 audit verify', () => {
  it('verifies the untouched log', async () => {
    expect(size).toBeGreaterThanOrEqual(15);
    const r = await verify();
    expect(r.divergence).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.entries).toBe(size);
    expect(r.latest?.treeSize).toBe(size);
    expect(r.checkpointsVerified).toBe(r.checkpoints);
    expect(Buffer.from(r.latest!.rootHash, 'base64').toString('hex')).toBe(r.root);
  });

  it('names a changed entry (still schema-valid and canonical, another time)', async () => {
    const k = 7;
    await tampered((m) => {
      const e = JSON.parse(m.get(String(k))!);
      e.time = '2020-01-01T00:00:00.000Z';
      m.set(String(k), canonicalJson(e));
    }, async () => {
      const r = await verify();
      expect(r.ok).toBe(false);
      expect(r.divergence).toMatchObject({ index: k, reason: 'root_mismatch' });
      expect(r.divergence!.lastIndex).toBeUndefined();
    });
  });

  it('names a deleted entry', async () => {
    const k = 4;
    await tampered((m) => m.delete(String(k)), async () => {
      const r = await verify();
      expect(r.divergence).toMatchObject({ index: k, reason: 'missing_entry' });
    });
  });

  it('names the first of two swapped entries', async () => {
    const [i, j] = [3, 11];
    await tampered((m) => {
      const a = m.get(String(i))!;
      m.set(String(i), m.get(String(j))!);
      m.set(String(j), a);
    }, async () => {
      const r = await verify();
      expect(r.divergence).toMatchObject({ index: i, reason: 'index_mismatch' });
    });
  });

  it('refuses a checkpoint signed by another key', async () => {
    const body = encodeCheckpointBody({ origin: `art50/${t.config.namespace}`, treeSize: size, rootHash: randomBytes(32).toString('base64'), time: '2025-01-01T00:00:00.000Z' });
    const forged = signCms(body, identity('banks/ALFAKZKA'));
    const real = await redis.hgetBuffer(keys.checkpoints, String(size));
    await redis.hset(keys.checkpoints, String(size), forged);
    try {
      const r = await verify();
      expect(r.ok).toBe(false);
      expect(r.divergence).toMatchObject({ reason: 'checkpoint_signature', treeSize: size, index: size - 1 });
      expect(r.divergence!.detail).toMatch(/not the gateway/);
    } finally {
      await redis.hset(keys.checkpoints, String(size), real!);
    }
  });

  it('--since: accepts its own saved checkpoint, refuses one from another history', async () => {
    const ok = await verify();
    const saved = savedCheckpointOf(ok.latestSigned!, ok.latest!);
    expect((await verify({ saved })).ok).toBe(true);

    const seal = new Sealer(identity('gateway/seal'));
    // A size the log has no checkpoint of (at a checkpointed size the same conflict is reported as a fork).
    const have = new Set((await redis.hkeys(keys.checkpoints)).map(Number));
    const free = Array.from({ length: size - 1 }, (_, i) => i + 1).find((s) => !have.has(s)) ?? 5;
    const other = { origin: `art50/${t.config.namespace}`, treeSize: free, rootHash: randomBytes(32).toString('base64'), time: '2025-01-01T00:00:00.000Z' };
    const otherSigned = seal.sealBytes(encodeCheckpointBody(other));
    const r = await verify({ saved: savedCheckpointOf(otherSigned, other) });
    expect(r.ok).toBe(false);
    expect(r.divergence).toMatchObject({ reason: have.has(free) ? 'fork' : 'saved_checkpoint_mismatch', treeSize: free });

    const foreignOrigin = { ...other, origin: 'art50/another-log' };
    const r2 = await verify({ saved: savedCheckpointOf(seal.sealBytes(encodeCheckpointBody(foreignOrigin)), foreignOrigin) });
    expect(r2.ok).toBe(false);
    expect(r2.divergence!.reason).toBe('checkpoint_signature');
  });

  it('exports and verifies offline; a changed line is bounded offline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'art50-audit-'));
    const out = await exportLog(new RemoteLogSource(api), dir);
    expect(out.entries).toBe(size);
    const r = await verifyLog({ source: new DirLogSource(dir), trust });
    expect(r.ok).toBe(true);
    expect(r.entries).toBe(size);

    const lines = readFileSync(join(dir, 'entries.jsonl'), 'utf8').split('\n');
    const e = JSON.parse(lines[9]!);
    e.time = '2020-01-01T00:00:00.000Z';
    lines[9] = canonicalJson(e);
    writeFileSync(join(dir, 'entries.jsonl'), lines.join('\n'));
    const bad = await verifyLog({ source: new DirLogSource(dir), trust });
    expect(bad.ok).toBe(false);
    expect(bad.divergence!.reason).toBe('root_mismatch');
    expect(bad.divergence!.index).toBeLessThanOrEqual(9);
    expect(bad.divergence!.lastIndex ?? bad.divergence!.index).toBeGreaterThanOrEqual(9);
  });
});

describe('art50 audit prove', () => {
  it('proves a request receipt against the gateway (as the investigator) and offline', async () => {
    const inv = client(INV);
    try {
      const r = await proveReceipt({ receipt: receiptOf('request.received'), trust, remote: new RemoteLogSource(inv) });
      expect(r.detail).toMatch(/included/);
      expect(r.verdict).toBe('proven');
    } finally {
      inv.close();
    }
    const dir = mkdtempSync(join(tmpdir(), 'art50-prove-'));
    await exportLog(new RemoteLogSource(api), dir);
    for (const ev of ['request.received', 'sanction.granted']) {
      expect((await proveReceipt({ receipt: receiptOf(ev), trust, dir })).verdict).toBe('proven');
    }
  });

  it('proves every kind of receipt (request, sanction granted and refused, push delivery offer, delivery, statement), online and offline', async () => {
    const kinds = [...new Set(receipts.map((r) => r.event))];
    expect(kinds).toEqual(expect.arrayContaining(['request.received', 'sanction.granted', 'sanction.refused', 'delivery.queued', 'delivery.delivered', 'statement.received']));
    const dir = mkdtempSync(join(tmpdir(), 'art50-prove-kinds-'));
    await exportLog(new RemoteLogSource(api), dir);
    for (const ev of kinds) {
      const online = await proveReceipt({ receipt: receiptOf(ev), trust, remote: new RemoteLogSource(api) });
      expect({ ev, verdict: online.verdict, detail: online.detail }).toMatchObject({ ev, verdict: 'proven' });
      expect((await proveReceipt({ receipt: receiptOf(ev), trust, dir })).verdict).toBe('proven');
    }
  });

  it("a delivery receipt naming another delivery than its entry is not proven", async () => {
    const good = receipts.find((r) => r.event === 'delivery.delivered')!;
    const body = JSON.parse(verifyCms(Buffer.from(good.receipt, 'base64')).content.toString()) as Record<string, string | number>;
    const seal = new Sealer(identity('gateway/seal'));
    const forged = seal.seal({ ...body, event: String(body.event), logIndex: Number(body.logIndex), time: String(body.time), deliveryId: `${String(body.requestId)}.BETAKZKA` });
    const r = await proveReceipt({ receipt: forged, trust, remote: new RemoteLogSource(api) });
    expect(r.verdict).toBe('invalid');
    expect(r.detail).toMatch(/delivery/);
  });

  it('refuses a tampered receipt, a receipt not sealed by the gateway, a receipt for another entry; says "not yet integrated"', async () => {
    const der = Buffer.from(receiptOf('request.received'));
    const pos = der.indexOf(Buffer.from('"logIndex":'));
    der[pos + 11] = der[pos + 11] === 0x31 ? 0x32 : 0x31; // another digit: CMS digest no longer matches
    const r1 = await proveReceipt({ receipt: der, trust, remote: new RemoteLogSource(api) });
    expect(r1.verdict).toBe('invalid');
    expect(r1.detail).toMatch(/cms\.digest_mismatch/);

    const good = JSON.parse(canonicalJson({ type: 'receipt', version: 1, event: 'request.received', logIndex: 0, time: '2025-01-01T00:00:00.000Z', requestId: '00000000-0000-4000-8000-000000000000', digest: 'ab'.repeat(32) }));
    const byBank = signCms(Buffer.from(canonicalJson(good)), identity('banks/ALFAKZKA'));
    expect((await proveReceipt({ receipt: byBank, trust, remote: new RemoteLogSource(api) })).verdict).toBe('invalid');

    const seal = new Sealer(identity('gateway/seal'));
    const wrong = await proveReceipt({ receipt: seal.seal({ event: 'request.received', logIndex: 0, time: good.time, requestId: good.requestId, digest: good.digest }), trust, remote: new RemoteLogSource(api) });
    expect(wrong.verdict).toBe('invalid');
    expect(wrong.detail).toMatch(/does not match/);

    const future = seal.seal({ event: 'request.received', logIndex: size + 1000, time: good.time, requestId: good.requestId, digest: good.digest });
    const file = join(mkdtempSync(join(tmpdir(), 'art50-r-')), 'r.p7s');
    writeFileSync(file, future);
    const id = identity(AUD);
    const code = await main(['node', 'art50', 'audit', 'prove', '--receipt', file, '--gateway', `https://127.0.0.1:${t.port}`, '--cert', id.certPath, '--key', id.keyPath]);
    expect(code).toBe(3);
  });
});

describe('CLI smoke', () => {
  it('audit verify --save, --since, export, verify --from, prove --from', async () => {
    const id = identity(AUD);
    const conn = ['--gateway', `https://127.0.0.1:${t.port}`, '--cert', id.certPath, '--key', id.keyPath];
    const dir = mkdtempSync(join(tmpdir(), 'art50-cli-'));
    const writes: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (writes.push(String(s)), true));
    try {
      expect(await main(['node', 'art50', 'audit', 'verify', ...conn, '--save', join(dir, 'cp.json')])).toBe(0);
      expect(writes.join('')).toMatch(new RegExp(`log verified: ${size} entries, root [0-9a-f]{64}, \\d+ checkpoints`));
      expect(await main(['node', 'art50', 'audit', 'verify', ...conn, '--since', join(dir, 'cp.json')])).toBe(0);
      expect(await main(['node', 'art50', 'audit', 'export', ...conn, '--out', join(dir, 'log')])).toBe(0);
      expect(await main(['node', 'art50', 'audit', 'verify', '--from', join(dir, 'log'), '--json'])).toBe(0);
      writeFileSync(join(dir, 'r.p7s'), receiptOf('request.received'));
      expect(await main(['node', 'art50', 'audit', 'prove', '--receipt', join(dir, 'r.p7s'), '--from', join(dir, 'log')])).toBe(0);
      await tampered((m) => m.delete('2'), async () => {
        writes.length = 0;
        expect(await main(['node', 'art50', 'audit', 'verify', ...conn])).toBe(2);
        expect(writes.join('')).toMatch(/first divergence at entry 2: missing_entry/);
      });
    } finally {
      spy.mockRestore();
    }
  });
});

function receiptOf(event: string): Buffer {
  return Buffer.from(receipts.find((r) => r.event === event)!.receipt, 'base64');
}
