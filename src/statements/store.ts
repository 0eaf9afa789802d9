import { storeReceiptOnce } from '../store/receipt-once';
import { noFence, type ReplicaFence } from '../redis/replica-fence';
import type Redis from 'ioredis';
import type { Keys } from '../store/keys';
import type { ScriptRunner } from '../store/scripts';
import { downloadReply, statementReply, type StatementReply } from './lua/replies';

export type StatementResult = 'found' | 'not_found' | 'refused';

/** What became of an answer: the statement script's reply, decoded (lua/replies.ts). */
export type AnswerOutcome = StatementReply;

/** A stored statement, without its CMS bytes. */
export interface StoredStatement {
  statementId: string;
  requestId: string;
  bic: string;
  digest: string;
  receivedAt: string;
  receivedIndex: number;
  result: StatementResult;
  size: number;
  corrects?: string;
  firstDownloadAt?: number;
  expiresAt?: number;
  /** Set once the payload was deleted after retention. */
  cmsDeletedAt?: number;
  /** Encrypted statements: base64 DER of the bank-signed statement header; the payload is then the ciphertext. */
  header?: string;
}

export type DownloadOutcome = { kind: 'available'; firstDownloadAt: number } | { kind: 'expired'; expiresAt: number } | { kind: 'not_found' };

/**
 * Statements in Redis: `{ns}:stmt:<statementId>` hashes (the bytes as the bank sent them — its signed
 * CMS, or for an encrypted statement the ciphertext plus the signed header — and the fields the gateway needs), the per-request arrival list `{ns}:req:<id>:stmts`, and the retention
 * index `{ns}:stmt:expiry` (ZSET statementId → payload deletion time, ms).
 */
export class StatementStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly scripts: { answer: ScriptRunner; download: ScriptRunner },
    /** Waits until what was written is on the replicas (ART50_REDIS_MIN_REPLICAS); none by default. */
    private readonly fence: ReplicaFence = noFence,
  ) {}

  /** ZSET statementId by expiresAt (ms): payloads to delete once their retention is over. */
  expiryKey(): string {
    return `${this.keys.tag}:stmt:expiry`;
  }

  async answer(a: {
    requestId: string;
    bic: string;
    statementId: string;
    digest: string;
    result: StatementResult;
    corrects?: string;
    now: Date;
    template: string;
    cms: Buffer;
    /** The bank-signed header of an encrypted statement (then `cms` is the ciphertext). */
    header?: Buffer;
    /** When the payload goes if nobody downloads it (ms); absent: kept until the first download. */
    unreadExpiresAt?: number;
  }): Promise<AnswerOutcome> {
    const k = this.keys;
    const reply = await this.scripts.answer(
      [k.request(a.requestId), k.requestBanks(a.requestId), k.statement(a.statementId), k.requestStatements(a.requestId), k.overdue(), k.inbox(a.bic), k.logSize(), k.logEntries(), this.expiryKey()],
      [a.bic, a.statementId, a.digest, a.result, a.corrects ?? '', a.now.toISOString(), a.template, a.cms, a.requestId, a.header?.toString('base64') ?? '', a.unreadExpiresAt !== undefined ? String(a.unreadExpiresAt) : ''],
    );
    return statementReply(reply);
  }

  async get(statementId: string): Promise<StoredStatement | undefined> {
    const h = await this.redis.hmget(
      this.keys.statement(statementId),
      'statementId', 'requestId', 'bic', 'digest', 'receivedAt', 'receivedIndex', 'result', 'size', 'corrects', 'firstDownloadAt', 'expiresAt', 'cmsDeletedAt', 'header',
    );
    return parseStatement(h);
  }

  async list(requestId: string): Promise<StoredStatement[]> {
    const ids = await this.redis.lrange(this.keys.requestStatements(requestId), 0, -1);
    const out: StoredStatement[] = [];
    for (const id of ids) {
      const s = await this.get(id);
      if (s) out.push(s);
    }
    return out;
  }

  async getCms(statementId: string): Promise<Buffer | null> {
    return this.redis.hgetBuffer(this.keys.statement(statementId), 'cms');
  }

  /** Receipts are derived data, sealed after the state change; first writer wins (store/receipt-once.ts). */
  async setReceipt(statementId: string, receipt: Buffer): Promise<Buffer> {
    return storeReceiptOnce(this.redis, this.fence, this.keys.statement(statementId), 'receipt', receipt);
  }

  async getReceipt(statementId: string): Promise<Buffer | null> {
    return this.redis.hgetBuffer(this.keys.statement(statementId), 'receipt');
  }

  /** Starts the retention clock on the first download; deletes the payload when past retention. */
  async download(statementId: string, now: Date, retentionMs: number): Promise<DownloadOutcome> {
    return this.retention(statementId, now, retentionMs, 'download');
  }

  /** Deletes the payloads whose retention ended by `now` (at most `limit`); returns how many. */
  async sweep(now: Date, limit = 500): Promise<number> {
    const due = await this.redis.zrangebyscore(this.expiryKey(), '-inf', String(now.getTime()), 'LIMIT', 0, limit);
    let deleted = 0;
    for (const id of due) {
      if ((await this.retention(id, now, 0, 'sweep')).kind === 'expired') deleted++;
    }
    return deleted;
  }

  private async retention(statementId: string, now: Date, retentionMs: number, mode: 'download' | 'sweep'): Promise<DownloadOutcome> {
    const reply = downloadReply(await this.scripts.download([this.keys.statement(statementId), this.expiryKey()], [statementId, String(now.getTime()), String(retentionMs), mode]));
    switch (reply.code) {
      case 'not_found': return { kind: 'not_found' };
      case 'expired': return { kind: 'expired', expiresAt: reply.expiresAt };
      case 'available': return { kind: 'available', firstDownloadAt: reply.firstDownloadAt };
      // A sweep of a payload not yet due: still there, never downloaded.
      case 'not_due': return { kind: 'available', firstDownloadAt: 0 };
    }
  }
}

function parseStatement(h: Array<string | null>): StoredStatement | undefined {
  const [statementId, requestId, bic, digest, receivedAt, receivedIndex, result, size, corrects, firstDownloadAt, expiresAt, cmsDeletedAt, header] = h;
  if (!statementId || !requestId || !bic || !digest || !receivedAt) return undefined;
  return {
    statementId, requestId, bic, digest, receivedAt,
    receivedIndex: Number(receivedIndex),
    result: result as StatementResult,
    size: Number(size ?? 0),
    ...(corrects ? { corrects } : {}),
    ...(firstDownloadAt ? { firstDownloadAt: Number(firstDownloadAt) } : {}),
    ...(expiresAt ? { expiresAt: Number(expiresAt) } : {}),
    ...(cmsDeletedAt ? { cmsDeletedAt: Number(cmsDeletedAt) } : {}),
    ...(header ? { header } : {}),
  };
}
