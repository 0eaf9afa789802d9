import type Redis from 'ioredis';
import { Keys } from '../store/keys';
import type { ScriptRunner } from '../store/scripts';
import type { BankDelivery, StoredRequest } from './types';

export type IntakeOutcome = { kind: 'stored' | 'replay'; logIndex: number } | { kind: 'conflict' };
export type SanctionOutcome =
  | { kind: 'decided' | 'replay'; logIndex: number }
  | { kind: 'already_decided'; state: string }
  | { kind: 'not_found' }
  | { kind: 'digest_mismatch' };

const STRING_FIELDS = ['requestId', 'digest', 'state', 'bodyBin', 'erdrNumber', 'article', 'region', 'createdAt', 'receivedAt', 'signerFingerprint', 'scope', 'sanctionDigest', 'decision', 'decisionReason', 'decidedAt', 'officeBin'] as const;

/** Request state in Redis. Every change goes through one Lua script together with its log entry. */
export class RequestStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly scripts: { intake: ScriptRunner; sanction: ScriptRunner },
  ) {}

  async intake(input: {
    view: StoredRequestInput;
    cms: Buffer;
    entryTemplate: string;
    receivedAtMs: number;
  }): Promise<IntakeOutcome> {
    const { view } = input;
    const pairs: string[] = [];
    for (const [k, v] of Object.entries(view)) pairs.push(k, typeof v === 'string' ? v : JSON.stringify(v));
    const [code, index] = (await this.scripts.intake(
      [this.keys.request(view.requestId), this.keys.pendingForBody(view.bodyBin), this.keys.logSize(), this.keys.logEntries()],
      [view.digest, String(input.receivedAtMs), input.entryTemplate, input.cms, ...pairs],
    )) as [number, number];
    if (code === 2) return { kind: 'conflict' };
    return { kind: code === 0 ? 'stored' : 'replay', logIndex: Number(index) };
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
    const pairs = Object.entries(input.fields).flat();
    const [code, extra] = (await this.scripts.sanction(
      [
        this.keys.request(input.requestId), this.keys.pendingForBody(input.bodyBin), this.keys.requestBanks(input.requestId),
        this.keys.outbox(), this.keys.logSize(), this.keys.logEntries(),
      ],
      [input.requestDigest, input.sanctionDigest, input.decision, input.entryTemplate, JSON.stringify(input.bics), JSON.stringify(input.queuedTemplates), input.cms, ...pairs],
    )) as [number, number | string];
    switch (code) {
      case 0: return { kind: 'decided', logIndex: Number(extra) };
      case 1: return { kind: 'replay', logIndex: Number(extra) };
      case 2: return { kind: 'already_decided', state: String(extra) };
      case 3: return { kind: 'not_found' };
      default: return { kind: 'digest_mismatch' };
    }
  }

  async get(requestId: string): Promise<StoredRequest | undefined> {
    const h = await this.redis.hgetall(this.keys.request(requestId));
    if (!h.digest) return undefined;
    return parseStored(h);
  }

  async getCms(requestId: string): Promise<{ request: Buffer | null; sanction: Buffer | null }> {
    const [request, sanction] = await this.redis.hmgetBuffer(this.keys.request(requestId), 'cms', 'sanctionCms');
    return { request: request ?? null, sanction: sanction ?? null };
  }

  async banks(requestId: string): Promise<Record<string, BankDelivery>> {
    const h = await this.redis.hgetall(this.keys.requestBanks(requestId));
    return Object.fromEntries(Object.entries(h).map(([bic, json]) => [bic, JSON.parse(json) as BankDelivery]));
  }

  /** Receipts are derived data, written after the state change; first writer wins. */
  async setReceipt(requestId: string, field: string, receipt: Buffer): Promise<Buffer> {
    const key = this.keys.request(requestId);
    const [[, set], [, stored]] = (await this.redis.multi().hsetnx(key, field, receipt).hgetBuffer(key, field).exec()) as [[null, number], [null, Buffer]];
    void set;
    return stored;
  }

  async getReceipt(requestId: string, field: string): Promise<Buffer | null> {
    return this.redis.hgetBuffer(this.keys.request(requestId), field);
  }

  async pending(bodyBins: string[], limit: number): Promise<string[]> {
    if (bodyBins.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const b of bodyBins) pipe.zrange(this.keys.pendingForBody(b), 0, limit - 1);
    const res = (await pipe.exec()) ?? [];
    return res.flatMap(([, ids]) => ids as string[]).slice(0, limit);
  }
}

export type StoredRequestInput = Omit<StoredRequest, 'state' | 'receivedIndex' | 'sanctionDigest' | 'sanctionIndex' | 'decision' | 'decisionReason' | 'decidedAt' | 'officeBin'>;

function parseStored(h: Record<string, string>): StoredRequest {
  const out: Record<string, unknown> = {};
  for (const f of STRING_FIELDS) if (h[f] !== undefined) out[f] = h[f];
  out.deadlineHours = Number(h.deadlineHours);
  out.receivedIndex = Number(h.receivedIndex);
  if (h.sanctionIndex !== undefined) out.sanctionIndex = Number(h.sanctionIndex);
  out.banks = h.banks === undefined ? [] : h.banks === 'all' ? 'all' : (JSON.parse(h.banks) as string[]);
  return out as unknown as StoredRequest;
}
