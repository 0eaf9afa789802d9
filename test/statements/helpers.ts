import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'superagent';
import { createCoreBanking } from '../../src/demo/core-banking/core';
import type { RequestScope, StatementAccount } from '../../src/documents/types';
import { DEMO_BANKS, DEMO_BIN } from '../../src/demo/pki/participants';
import type { TestGateway } from '../support/gateway';
import { waitFor } from '../support/flow';
import { KEYS } from '../support/identities';

type Json = Record<string, unknown>;

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

export function bankIdentity(bic: string): { bic: string; bin: string; ibanCode: string } {
  const b = DEMO_BANKS.find((x) => x.bic === bic);
  if (!b) throw new Error(`unknown demo bank ${bic}`);
  return { bic, bin: DEMO_BIN[b.key as keyof typeof DEMO_BIN], ibanCode: b.ibanCode };
}

/** Accounts the demo core banking system of `bic` holds for the request's subject, within its scope. */
export function lookupAccounts(request: Json, bic: string, movementsPerAccount?: number): StatementAccount[] {
  const bank = bankIdentity(bic);
  const peers = DEMO_BANKS.filter((b) => b.bic !== bic).map((b) => ({ bic: b.bic, ibanCode: b.ibanCode }));
  const core = createCoreBanking({ seed: 50, bank, peers, coverage: 1, ...(movementsPerAccount !== undefined ? { movementsPerAccount } : {}) });
  return core.lookup((request.subject as { iin: string }).iin, request.scope as RequestScope).accounts;
}

/** A realistic statement of `bic` answering `request` (found, from the demo core banking). */
export function makeStatement(request: Json, requestDigest: string, bic = 'ALFAKZKA', over: Json = {}, accounts?: StatementAccount[]): Json {
  const bank = bankIdentity(bic);
  const acc = accounts ?? lookupAccounts(request, bic);
  return {
    type: 'statement',
    version: 1,
    statementId: randomUUID(),
    requestId: request.requestId,
    requestDigest,
    bank: { bic, bin: bank.bin },
    subject: { iin: (request.subject as { iin: string }).iin },
    generatedAt: new Date().toISOString(),
    result: acc.length > 0 ? 'found' : 'not_found',
    ...(acc.length > 0 ? { accounts: acc } : {}),
    ...over,
  };
}

export function refusal(request: Json, requestDigest: string, bic: string, reason = 'The subject is a protected person; the bank asks the prosecutor to confirm the sanction'): Json {
  const { accounts, ...rest } = makeStatement(request, requestDigest, bic, {}, []);
  void accounts;
  return { ...rest, result: 'refused', reason };
}

type InboxItem = { deliveryId: string; requestId: string };

/** Waits until the request is in the bank's inbox (delivered). */
export async function delivered(t: TestGateway, bic: string, requestId: unknown): Promise<InboxItem> {
  return waitFor(async () => ((await t.as(`banks/${bic}`).get('/v1/inbox?limit=500')).body.items as InboxItem[]).find((i) => i.requestId === requestId), `${bic} inbox`);
}

/** supertest: collect a binary body as a Buffer. */
export function binary(res: Response, cb: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}

/** `openssl cms -verify` against the demo root; returns the signed content. */
export function opensslVerify(der: Buffer): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'art50-stmt-'));
  writeFileSync(join(dir, 's.p7s'), der);
  return execFileSync('openssl', ['cms', '-verify', '-inform', 'DER', '-in', join(dir, 's.p7s'), '-CAfile', join(KEYS, 'ca/root.pem'), '-binary', '-purpose', 'any'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
}

/** Log entries of the test gateway's namespace, parsed. */
export async function logEntries(t: TestGateway): Promise<Json[]> {
  const h = await t.gw.redis.hgetall(t.gw.keys.logEntries());
  return Object.entries(h).sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => JSON.parse(v) as Json);
}
