import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import type { Response } from 'supertest';
import { ApiClient } from '../../src/client/api-client';
import { RemoteLogSource } from '../../src/audit/remote-source';
import { gatewayTrust } from '../../src/audit/trust';
import { proveReceipt } from '../../src/audit/prove';
import { savedCheckpointOf } from '../../src/audit/verify';
import type { CheckpointBody } from '../../src/log/checkpoint';
import { EmbeddedRedis, startEmbeddedRedis } from '../../src/redis/embedded';
import { makeRequest, makeSanction } from '../support/documents';
import { startTestGateway, TestGateway } from '../support/gateway';
import { INV, PROS, waitFor } from '../support/flow';
import { identity, KEYS, sign } from '../support/identities';
import { ART50_BIN, auditVerified } from '../support/fault';

/**
 * Issue 15.6: a receipt names a log index and a checkpoint signs a tree; both must survive the
 * loss of Redis. The gateway acknowledges only what Redis has fsynced (`appendfsync always`,
 * checked at start), so after Redis is SIGKILLed under load and restarted, every receipt handed
 * out is proven by the recovered log and every checkpoint signed before the kill is a prefix of it.
 * (A SIGKILL keeps the kernel's page cache; a real power loss is not simulated here — the
 * configuration check is what guards against it.)
 */

function runServe(redisUrl: string, env: Record<string, string>): Promise<{ code: number | null; out: string; child: ReturnType<typeof spawn> }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ART50_BIN, 'serve'], {
      env: { ...process.env, REDIS_URL: redisUrl, ART50_PORT: '0', ART50_HOST: '127.0.0.1', ART50_NAMESPACE: `dur${Date.now()}`, ART50_LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (out.includes('art50 gateway listening')) resolve({ code: null, out, child });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => resolve({ code, out, child }));
  });
}

describe('durability of acknowledged writes', () => {
  it('the embedded Redis (tests, npm start, demo) fsyncs before every reply', async () => {
    const redis = new Redis(process.env.REDIS_URL!);
    try {
      expect(await redis.config('GET', 'appendfsync')).toEqual(['appendfsync', 'always']);
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    } finally {
      redis.disconnect();
    }
  });

  it('art50 serve refuses a Redis with appendfsync everysec, or only warns when told to', async () => {
    const loose = await startEmbeddedRedis({ dataDir: mkdtempSync(join(tmpdir(), 'art50-everysec-')), appendfsync: 'everysec' });
    try {
      const refused = await runServe(loose.url, {});
      expect(refused.code).toBe(1);
      expect(refused.out).toMatch(/appendfsync=everysec/);
      expect(refused.out).toMatch(/--appendonly yes --appendfsync always/);
      const warned = await runServe(loose.url, { ART50_REDIS_DURABILITY: 'warn' });
      expect(warned.code).toBeNull();
      expect(warned.out).toMatch(/NOT DURABLE: Redis runs with appendonly=yes appendfsync=everysec/);
      const exited = new Promise((r) => warned.child.once('exit', r));
      warned.child.kill('SIGTERM');
      await exited;
    } finally {
      await loose.stop();
    }
  }, 60_000);

  describe('Redis SIGKILLed under load', () => {
    let redis: EmbeddedRedis;
    let t: TestGateway;
    const dir = mkdtempSync(join(tmpdir(), 'art50-durable-'));
    const saved = process.env.REDIS_URL;

    beforeAll(async () => {
      redis = await startEmbeddedRedis({ dataDir: dir });
      process.env.REDIS_URL = redis.url;
      t = await startTestGateway({ ART50_CHECKPOINT_INTERVAL_MS: '50' });
    });
    afterAll(async () => {
      await t.stop();
      await redis.stop();
      process.env.REDIS_URL = saved;
    });

    it('every receipt handed out is proven and every earlier checkpoint is a prefix of the recovered log', async () => {
      const receipts: Buffer[] = [];
      const checkpoints: Array<{ signed: Buffer; body: CheckpointBody }> = [];
      const accepted: string[] = [];
      let running = true;
      const keep = (res: Response): void => {
        if (res.status === 201 || res.status === 202) receipts.push(Buffer.from(res.body.receipt as string, 'base64'));
      };
      const load = Promise.all(Array.from({ length: 4 }, async () => {
        while (running) {
          const doc = makeRequest({ banks: ['ALFAKZKA'] });
          const r = await t.as(INV).post('/v1/requests', sign(doc, INV));
          keep(r);
          if (r.status !== 202) continue;
          accepted.push(String(doc.requestId));
          keep(await t.as(PROS).post(`/v1/requests/${String(doc.requestId)}/sanction`, sign(makeSanction(doc, r.body.digest), PROS)));
        }
      }));
      const auditor = (async () => {
        while (running) {
          const cp = await t.as('auditor/auditor-1').get('/v1/log/checkpoint');
          if (cp.status === 200) {
            const { checkpoint, ...body } = cp.body as CheckpointBody & { checkpoint: string };
            checkpoints.push({ signed: Buffer.from(checkpoint, 'base64'), body });
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      await waitFor(async () => receipts.length >= 100 && checkpoints.length >= 5, 'receipts and checkpoints under load', 30_000);
      process.kill(redis.pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 500));
      running = false;
      await Promise.all([load, auditor]);
      redis = await startEmbeddedRedis({ dataDir: dir, port: redis.port });
      await waitFor(async () => (await t.as(INV).get('/readyz')).status === 200, 'the gateway to reconnect', 15_000);

      // Every request answered 202 is there.
      for (const id of accepted) expect((await t.as(INV).get(`/v1/requests/${id}`)).status).toBe(200);
      // The latest checkpoint seen before the kill: the recovered log must extend it (consistency proof).
      const last = checkpoints.reduce((a, b) => (b.body.treeSize > a.body.treeSize ? b : a));
      const report = await auditVerified(t, { saved: savedCheckpointOf(last.signed, last.body), redisUrl: redis.url });
      expect(report.ok).toBe(true);
      expect(report.entries).toBeGreaterThanOrEqual(last.body.treeSize);
      // Every receipt names an entry of the recovered log that records its document.
      const id = identity('auditor/auditor-1');
      const api = new ApiClient({ baseUrl: `https://127.0.0.1:${t.port}`, cert: id.certPem, key: id.keyPem, ca: readFileSync(join(KEYS, 'ca', 'root.pem')) });
      const trust = gatewayTrust();
      try {
        for (const receipt of receipts) {
          const r = await proveReceipt({ receipt, trust, remote: new RemoteLogSource(api) });
          expect({ verdict: r.verdict, detail: r.detail }).toEqual({ verdict: 'proven', detail: r.detail });
        }
      } finally {
        api.close();
        trust.close();
      }
    }, 120_000);
  });
});
