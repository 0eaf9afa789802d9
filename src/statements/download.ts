import { Art50Error } from '../errors';
import type { ClientIdentity } from '../participants/types';
import type { EventLog } from '../log/event-log';
import type { LogActorRole } from '../log/entry';
import type { Sealer } from '../receipts/sealer';
import { canDownloadStatements } from '../requests/access';
import type { RequestStore } from '../requests/store';
import type { StatementResult, StatementStore, StoredStatement } from './store';

export interface StatementListItem {
  statementId: string;
  bank: string;
  digest: string;
  result: StatementResult;
  receivedAt: string;
  logIndex: number;
  corrects?: string;
  /** base64 DER of the gateway's sealed statement.received receipt. */
  receipt: string;
  /** The delivery's answer now (a corrected statement is no longer current). */
  current: boolean;
  /** The payload was deleted after retention; the digest and receipt stay. */
  expired: boolean;
  /** Encrypted to the requesting body: the payload is CMS AuthEnvelopedData, only the body's key opens it. */
  encrypted: boolean;
  /** Encrypted statements: base64 DER of the bank-signed statement header (binding, result, counts, digests). */
  header?: string;
}

export interface StatementDownload {
  statementId: string;
  digest: string;
  /** The bank-signed CMS, or for an encrypted statement the AuthEnvelopedData as the bank posted it. */
  cms: Buffer;
  /** Encrypted statements: DER of the bank-signed header. */
  header?: Buffer;
}

const DAY_MS = 86_400_000;

/**
 * The requesting body's side: list a request's statements, download one as the bank signed it.
 * Anyone else is told it does not exist. Every download is logged (statement.downloaded); the first
 * one starts the retention clock, after which the payload is deleted (410 statement.expired).
 */
export class StatementReader {
  private lastSweep = 0;

  constructor(
    private readonly d: {
      statements: StatementStore;
      requests: RequestStore;
      log: EventLog;
      sealer: Sealer;
      clock: () => Date;
      retentionDays: number;
      /** Minimum time between opportunistic sweeps of expired payloads (default 60 s). */
      sweepEveryMs?: number;
      onSweepError?: (e: unknown) => void;
    },
  ) {}

  get retentionMs(): number {
    return this.d.retentionDays * DAY_MS;
  }

  async list(requestId: string, client: ClientIdentity): Promise<StatementListItem[]> {
    const request = await this.d.requests.get(requestId);
    if (!request || !canDownloadStatements(client.participant, request)) {
      throw new Art50Error('request.not_found', `no request ${requestId} visible to this client`);
    }
    this.sweepSoon();
    const [items, banks] = await Promise.all([this.d.statements.list(requestId), this.d.requests.banks(requestId)]);
    const now = this.d.clock().getTime();
    const out: StatementListItem[] = [];
    for (const s of items) {
      out.push({
        statementId: s.statementId,
        bank: s.bic,
        digest: s.digest,
        result: s.result,
        receivedAt: s.receivedAt,
        logIndex: s.receivedIndex,
        ...(s.corrects ? { corrects: s.corrects } : {}),
        receipt: (await this.receipt(s)).toString('base64'),
        current: banks[s.bic]?.statementId === s.statementId,
        expired: s.cmsDeletedAt !== undefined || (s.expiresAt !== undefined && s.expiresAt <= now),
        encrypted: s.header !== undefined,
        ...(s.header ? { header: s.header } : {}),
      });
    }
    return out;
  }

  async download(statementId: string, client: ClientIdentity): Promise<StatementDownload> {
    const s = await this.d.statements.get(statementId);
    const request = s ? await this.d.requests.get(s.requestId) : undefined;
    if (!s || !request || !canDownloadStatements(client.participant, request)) {
      throw new Art50Error('statement.not_found', `no statement ${statementId} visible to this client`);
    }
    this.sweepSoon();
    const now = this.d.clock();
    const since = this.d.log.mark();
    const state = await this.d.statements.download(statementId, now, this.retentionMs);
    const cms = state.kind === 'available' ? await this.d.statements.getCms(statementId) : null;
    if (!cms) {
      throw new Art50Error('statement.expired', s.firstDownloadAt !== undefined
        ? `the payload of statement ${statementId} was deleted ${this.d.retentionDays} days after its first download; its digest ${s.digest} stays in the log`
        : `the payload of statement ${statementId} was deleted after its retention ended without a download; its digest ${s.digest} stays in the log`);
    }
    const role = client.participant.roles.find((r): r is LogActorRole => r === 'investigator' || r === 'first_head' || r === 'head') ?? client.participant.roles[0];
    // Resolves only once this entry and the retention state written above are on the replicas
    // (store.replication_timeout otherwise): no content leaves without a record a failover keeps.
    await this.d.log.appendStandalone({
      event: 'statement.downloaded',
      time: now.toISOString(),
      requestId: s.requestId,
      statementId,
      bank: s.bic,
      digests: { statement: s.digest },
      ...(role ? { actor: { fingerprint: client.certificate.fingerprint, role } } : {}),
    }, since);
    return { statementId, digest: s.digest, cms, ...(s.header ? { header: Buffer.from(s.header, 'base64') } : {}) };
  }

  /** Deletes payloads past retention now; also run opportunistically (throttled) on reads. */
  sweep(limit?: number): Promise<number> {
    this.lastSweep = this.d.clock().getTime();
    return this.d.statements.sweep(this.d.clock(), limit);
  }

  private sweepSoon(): void {
    if (this.d.clock().getTime() - this.lastSweep < (this.d.sweepEveryMs ?? 60_000)) return;
    this.sweep().catch((e: unknown) => this.d.onSweepError?.(e));
  }

  /** The receipt is sealed right after the state change; seal it here if that process died in between. */
  private async receipt(s: StoredStatement): Promise<Buffer> {
    const r = await this.d.statements.getReceipt(s.statementId);
    if (r) return r;
    return this.d.statements.setReceipt(
      s.statementId,
      this.d.sealer.seal({ event: 'statement.received', logIndex: s.receivedIndex, time: s.receivedAt, requestId: s.requestId, statementId: s.statementId, digest: s.digest, bank: s.bic }),
    );
  }
}

/** A periodic sweep for a process that owns a lifecycle (worker, serve); returns the stop function. */
export function startStatementSweeper(reader: StatementReader, intervalMs: number, onError: (e: unknown) => void = () => undefined): () => void {
  const timer = setInterval(() => {
    reader.sweep().catch(onError);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
