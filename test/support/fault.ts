import { spawn, ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Redis from 'ioredis';
import { ApiClient } from '../../src/client/api-client';
import { RemoteLogSource } from '../../src/audit/remote-source';
import { gatewayTrust } from '../../src/audit/trust';
import { SavedCheckpoint, verifyLog, VerifyReport } from '../../src/audit/verify';
import type { TestGateway } from './gateway';
import { waitFor } from './flow';
import { identity, KEYS } from './identities';

/**
 * What the fault tests share: worker processes (the real CLI), the log as Redis holds it, the
 * delivery invariants and the offline audit.
 */

export const ART50_BIN = resolve(__dirname, '..', '..', 'bin', 'art50.js');

/** `art50 worker` as a child process on the gateway's Redis and namespace. */
export function spawnWorker(t: TestGateway, env: Record<string, string>, redisUrl = process.env.REDIS_URL!): ChildProcess {
  return spawn(process.execPath, [ART50_BIN, 'worker'], {
    env: { ...process.env, ...env, REDIS_URL: redisUrl, ART50_NAMESPACE: t.config.namespace, ART50_LOG_LEVEL: 'error', ART50_PORT: '0' },
    stdio: 'ignore',
  });
}

export async function sigkill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

export interface LoggedEvent {
  index: number;
  event: string;
  requestId?: string;
  bank?: string;
  statementId?: string;
}

/** Every log entry of the namespace, in index order. */
export async function logEvents(ns: string, redisUrl = process.env.REDIS_URL!): Promise<LoggedEvent[]> {
  const redis = new Redis(redisUrl);
  try {
    const raw = await redis.hgetall(`{${ns}}:log:entries`);
    return Object.values(raw).map((e) => JSON.parse(e) as LoggedEvent).sort((a, b) => a.index - b.index);
  } finally {
    redis.disconnect();
  }
}

/**
 * The delivery invariants after recovery, for each (request, bank): exactly one `delivery.queued`
 * and one `delivery.delivered` in the log (no duplicate delivery), and the delivery either
 * acknowledged (pushed) or waiting in the bank's inbox.
 */
export async function expectDeliveredOnce(t: TestGateway, pairs: ReadonlyArray<{ requestId: string; bic: string }>, redisUrl = process.env.REDIS_URL!): Promise<void> {
  const events = await logEvents(t.config.namespace, redisUrl);
  const redis = new Redis(redisUrl);
  try {
    for (const { requestId, bic } of pairs) {
      const mine = events.filter((e) => e.requestId === requestId && e.bank === bic).map((e) => e.event);
      expect({ requestId, bic, queued: mine.filter((e) => e === 'delivery.queued').length }).toEqual({ requestId, bic, queued: 1 });
      expect({ requestId, bic, delivered: mine.filter((e) => e === 'delivery.delivered').length }).toEqual({ requestId, bic, delivered: 1 });
      const bank = JSON.parse((await redis.hget(`{${t.config.namespace}}:req:${requestId}:banks`, bic)) ?? '{}') as { state?: string };
      const inInbox = (await redis.zscore(`{${t.config.namespace}}:inbox:${bic}`, `${requestId}.${bic}`)) !== null;
      expect({ requestId, bic, ok: bank.state === 'acknowledged' || (bank.state === 'delivered' && inInbox) }).toEqual({ requestId, bic, ok: true });
    }
  } finally {
    redis.disconnect();
  }
}

/** Waits for a signed checkpoint over the whole log, then verifies the log offline as an auditor. */
export async function auditVerified(t: TestGateway, opts: { saved?: SavedCheckpoint; redisUrl?: string; redis?: () => Redis } = {}): Promise<VerifyReport> {
  const redis = opts.redis ? opts.redis() : new Redis(opts.redisUrl ?? process.env.REDIS_URL!);
  try {
    await waitFor(async () => {
      const size = Number(await redis.get(`{${t.config.namespace}}:log:size`));
      const cp = await t.as('auditor/auditor-1').get('/v1/log/checkpoint');
      return cp.status === 200 && cp.body.treeSize === size;
    }, 'a checkpoint covering the whole log', 20_000);
  } finally {
    redis.disconnect();
  }
  const id = identity('auditor/auditor-1');
  const api = new ApiClient({ baseUrl: `https://127.0.0.1:${t.port}`, cert: id.certPem, key: id.keyPem, ca: readFileSync(join(KEYS, 'ca', 'root.pem')) });
  const trust = gatewayTrust();
  try {
    return await verifyLog({ source: new RemoteLogSource(api), trust, workers: 0, ...(opts.saved ? { saved: opts.saved } : {}) });
  } finally {
    api.close();
    trust.close();
  }
}
