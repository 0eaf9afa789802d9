import { storeReceiptOnce } from '../store/receipt-once';
import { noFence, type ReplicaFence } from '../redis/replica-fence';
import type { DocumentVerifier } from '../documents/signed-document';
import type { EventLog } from '../log/event-log';
import type { Registry } from '../participants/registry';
import type { Sealer } from '../receipts/sealer';
import type Redis from 'ioredis';
import { Keys } from '../store/keys';
import type { ScriptRunner } from '../store/scripts';
import type { DataKeyring } from '../store/data-keys';
import { intakeReply, IntakeReply, rekeyReply, sanctionReply, SanctionReply } from './lua/replies';
import type { BankDelivery, RequestState, StoredRequest } from './types';

/** What became of a request or a sanction: its script's reply, decoded (lua/replies.ts). */
export type IntakeOutcome = IntakeReply;
export type SanctionOutcome = SanctionReply;

/** What the sanction checks need of a stored request (no CMS bytes). */
export type RequestHeader = Pick<StoredRequest, 'requestId' | 'digest' | 'state' | 'bodyBin' | 'erdrNumber' | 'banks' | 'sanctionDigest' | 'deadlineHours'>;


const STRING_FIELDS = ['requestId', 'digest', 'state', 'bodyBin', 'erdrNumber', 'article', 'region', 'createdAt', 'receivedAt', 'signerFingerprint', 'scope', 'sanctionDigest', 'decision', 'decisionReason', 'decidedAt', 'officeBin'] as const;
/** Fields sealed with the data keys (AES-256-GCM, bound to their place); rotation re-seals them. */
const SEALED_FIELDS = ['cms', 'sanctionCms', 'decisionReason'] as const;
type SealedField = (typeof SEALED_FIELDS)[number];

/** Every field parseStored reads. */
const HEADER_FIELDS: readonly string[] = [...STRING_FIELDS, 'deadlineHours', 'receivedIndex', 'sanctionIndex', 'banks'];

/** What the request and sanction services are built from (composition root). */
export interface RequestServiceDeps {
  verifier: DocumentVerifier;
  registry: Registry;
  store: RequestStore;
  log: EventLog;
  sealer: Sealer;
  clock: () => Date;
}

/**
 * Request state in Redis. Every change goes through one Lua script together with its log entry.
 * The signed request and sanction (subject, names, known IBANs) are stored sealed under the
 * gateway's data key (`dataKeys`); banks still receive them exactly as signed.
 */
export class RequestStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly scripts: { intake: ScriptRunner; sanction: ScriptRunner; rekey?: ScriptRunner },
    private readonly dataKeys: DataKeyring,
    /** Waits until what was written is on the replicas (ART50_REDIS_MIN_REPLICAS); none by default. */
    private readonly fence: ReplicaFence = noFence,
  ) {}

  /** Where a document sits, bound into its encryption: a value copied to another request does not open. */
  private static place(requestId: string, field: SealedField): string {
    return `req:${requestId}:${field}`;
  }

  async intake(input: {
    view: StoredRequestInput;
    cms: Buffer;
    entryTemplate: string;
    receivedAtMs: number;
  }): Promise<IntakeOutcome> {
    const { view } = input;
    const pairs: string[] = [];
    for (const [k, v] of Object.entries(view)) pairs.push(k, typeof v === 'string' ? v : JSON.stringify(v));
    return intakeReply(await this.scripts.intake.buffer(
      [this.keys.request(view.requestId), this.keys.pendingForBody(view.bodyBin), this.keys.logSize(), this.keys.logEntries(), this.keys.requestsOfBody(view.bodyBin), this.keys.caseRequests(view.erdrNumber)],
      [view.digest, String(input.receivedAtMs), input.entryTemplate, this.dataKeys.seal(input.cms, RequestStore.place(view.requestId, 'cms')), ...pairs],
    ));
  }

  async decide(input: {
    requestId: string;
    bodyBin: string;
    requestDigest: string;
    sanctionDigest: string;
    decision: 'granted' | 'refused';
    entryTemplate: string;
    bics: string[];
    queuedTemplates: string[];
    cms: Buffer;
    fields: Record<string, string>;
  }): Promise<SanctionOutcome> {
    // The prosecutor's free-text reason may name people: sealed at rest like the documents.
    const pairs: Array<string | Buffer> = [];
    for (const [k, v] of Object.entries(input.fields)) {
      pairs.push(k, k === 'decisionReason' && v !== '' ? this.dataKeys.seal(Buffer.from(v, 'utf8'), RequestStore.place(input.requestId, 'decisionReason')) : v);
    }
    return sanctionReply(await this.scripts.sanction.buffer(
      [
        this.keys.request(input.requestId), this.keys.pendingForBody(input.bodyBin), this.keys.requestBanks(input.requestId),
        this.keys.outbox(), this.keys.logSize(), this.keys.logEntries(), this.keys.queued(), this.keys.decidedByOffice(input.fields.officeBin ?? ''),
      ],
      [input.requestDigest, input.sanctionDigest, input.decision, input.entryTemplate, JSON.stringify(input.bics), JSON.stringify(input.queuedTemplates), this.dataKeys.seal(input.cms, RequestStore.place(input.requestId, 'sanctionCms')), ...pairs],
    ));
  }

  async get(requestId: string): Promise<StoredRequest | undefined> {
    // HMGET of the header fields, not HGETALL: the hash also holds the sealed documents and the
    // receipts (several KB), which would be read and decoded as strings for nothing.
    return this.parseHeader(requestId, await this.redis.hmgetBuffer(this.keys.request(requestId), ...HEADER_FIELDS));
  }

  /**
   * The request and its per-bank states as of one moment (MULTI/EXEC): a delivery script changes
   * both together, and two separate reads could show a bank acknowledged under a request still
   * "sanctioned".
   */
  async withBanks(requestId: string): Promise<{ request: StoredRequest | undefined; banks: Record<string, BankDelivery> }> {
    const res = await this.redis.multi().hmgetBuffer(this.keys.request(requestId), ...HEADER_FIELDS).hgetall(this.keys.requestBanks(requestId)).exec();
    if (!res) throw new Error(`the read of request ${requestId} was aborted`);
    const [[e1, header], [e2, banks]] = res as [[Error | null, Array<Buffer | null>], [Error | null, Record<string, string>]];
    if (e1 || e2) throw (e1 ?? e2)!;
    return { request: this.parseHeader(requestId, header), banks: parseBanks(banks) };
  }

  private parseHeader(requestId: string, values: Array<Buffer | null>): StoredRequest | undefined {
    const h: Record<string, string> = {};
    HEADER_FIELDS.forEach((f, i) => {
      const v = values[i];
      if (v === null || v === undefined) return;
      // decisionReason is sealed (open() passes a value stored in clear before sealing through).
      h[f] = (f === 'decisionReason' ? this.dataKeys.open(v, RequestStore.place(requestId, 'decisionReason')) : v).toString('utf8');
    });
    if (!h.digest) return undefined;
    return parseStored(h);
  }

  async header(requestId: string): Promise<RequestHeader | undefined> {
    const [digest, state, bodyBin, erdrNumber, banks, sanctionDigest, deadlineHours] = await this.redis.hmget(this.keys.request(requestId), 'digest', 'state', 'bodyBin', 'erdrNumber', 'banks', 'sanctionDigest', 'deadlineHours');
    if (!digest) return undefined;
    return {
      requestId, digest, state: state as RequestState, bodyBin: bodyBin ?? '', erdrNumber: erdrNumber ?? '', deadlineHours: Number(deadlineHours),
      banks: banks === 'all' ? 'all' : banks ? (JSON.parse(banks) as string[]) : [],
      ...(sanctionDigest ? { sanctionDigest } : {}),
    };
  }

  async getCms(requestId: string): Promise<{ request: Buffer | null; sanction: Buffer | null }> {
    const [request, sanction] = await this.redis.hmgetBuffer(this.keys.request(requestId), 'cms', 'sanctionCms');
    return {
      request: request ? this.dataKeys.open(request, RequestStore.place(requestId, 'cms')) : null,
      sanction: sanction ? this.dataKeys.open(sanction, RequestStore.place(requestId, 'sanctionCms')) : null,
    };
  }

  /**
   * Rotation: re-seals, under the current data key, up to `limit` stored documents sealed with an
   * older key (or stored in clear), scanning from `cursor`. Each rewrite is a compare-and-set
   * (rekey-1.lua), so a concurrent write is never overwritten. Returns the next cursor ('0' = done).
   */
  async rekey(cursor = '0', limit = 200): Promise<{ cursor: string; resealed: number }> {
    const script = this.scripts.rekey;
    if (!script) throw new Error('RequestStore was built without the rekey script');
    const prefix = this.keys.request('');
    const [next, found] = await this.redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', limit);
    let resealed = 0;
    for (const key of found) {
      const requestId = key.slice(prefix.length);
      if (requestId.includes(':')) continue; // :banks, :stmts
      const values = await this.redis.hmgetBuffer(key, ...SEALED_FIELDS);
      for (const [i, field] of SEALED_FIELDS.entries()) {
        const stored = values[i];
        if (!stored || stored.length === 0 || this.dataKeys.keyIdOf(stored) === this.dataKeys.currentId) continue;
        const place = RequestStore.place(requestId, field);
        const sealed = this.dataKeys.seal(this.dataKeys.open(stored, place), place);
        if (rekeyReply(await script([key], [field, stored, sealed]))) resealed++;
      }
    }
    return { cursor: next, resealed };
  }

  async banks(requestId: string): Promise<Record<string, BankDelivery>> {
    return parseBanks(await this.redis.hgetall(this.keys.requestBanks(requestId)));
  }

  /** Receipts are derived data, written after the state change; first writer wins (store/receipt-once.ts). */
  async setReceipt(requestId: string, field: string, receipt: Buffer): Promise<Buffer> {
    return storeReceiptOnce(this.redis, this.fence, this.keys.request(requestId), field, receipt);
  }

  async getReceipt(requestId: string, field: string): Promise<Buffer | null> {
    return this.redis.hgetBuffer(this.keys.request(requestId), field);
  }

  /**
   * A body's requests, newest first, `limit` of them after `after` (the last one of the previous
   * page). Requests received in the same millisecond are ordered by id, so the cursor is exact.
   */
  async ofBody(bodyBin: string, limit: number, after?: BodyCursor): Promise<BodyCursor[]> {
    const key = this.keys.requestsOfBody(bodyBin);
    const out: BodyCursor[] = [];
    let offset = 0;
    while (out.length < limit) {
      const flat = await this.redis.zrevrangebyscore(key, after ? after.receivedMs : '+inf', '-inf', 'WITHSCORES', 'LIMIT', offset, limit + 1);
      if (flat.length === 0) break;
      for (let i = 0; i < flat.length && out.length < limit; i += 2) {
        const item = { requestId: flat[i]!, receivedMs: Number(flat[i + 1]) };
        // Same score: ZREVRANGEBYSCORE gives descending ids, those up to the cursor were on the last page.
        if (after && item.receivedMs === after.receivedMs && item.requestId >= after.requestId) continue;
        out.push(item);
      }
      offset += flat.length / 2;
    }
    return out;
  }

  /** Requests an office decided, newest first. */
  async decided(officeBin: string, limit: number): Promise<string[]> {
    return this.redis.zrevrange(this.keys.decidedByOffice(officeBin), 0, limit - 1);
  }

  /** Oldest first across all the given bodies, so no body's requests are crowded out by another's. */
  async pending(bodyBins: string[], limit: number): Promise<string[]> {
    if (bodyBins.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const b of bodyBins) pipe.zrange(this.keys.pendingForBody(b), 0, limit - 1, 'WITHSCORES');
    const res = (await pipe.exec()) ?? [];
    const all: Array<[string, number]> = [];
    for (const [err, flat] of res) {
      if (err) throw err;
      const list = flat as string[];
      for (let i = 0; i < list.length; i += 2) all.push([list[i]!, Number(list[i + 1])]);
    }
    return all.sort((a, b) => a[1] - b[1]).slice(0, limit).map(([id]) => id);
  }
}

/** A position in a body's list of requests (GET /v1/requests paging). */
export interface BodyCursor {
  requestId: string;
  receivedMs: number;
}

export type StoredRequestInput = Omit<StoredRequest, 'state' | 'receivedIndex' | 'sanctionDigest' | 'sanctionIndex' | 'decision' | 'decisionReason' | 'decidedAt' | 'officeBin'>;

function parseBanks(h: Record<string, string>): Record<string, BankDelivery> {
  return Object.fromEntries(Object.entries(h).map(([bic, json]) => [bic, JSON.parse(json) as BankDelivery]));
}

function parseStored(h: Record<string, string>): StoredRequest {
  const out: Record<string, unknown> = {};
  for (const f of STRING_FIELDS) if (h[f] !== undefined) out[f] = h[f];
  out.deadlineHours = Number(h.deadlineHours);
  out.receivedIndex = Number(h.receivedIndex);
  if (h.sanctionIndex !== undefined) out.sanctionIndex = Number(h.sanctionIndex);
  out.banks = h.banks === undefined ? [] : h.banks === 'all' ? 'all' : (JSON.parse(h.banks) as string[]);
  return out as unknown as StoredRequest;
}
