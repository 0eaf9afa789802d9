import { storeReceiptOnce } from '../store/receipt-once';
import { noFence, type ReplicaFence } from '../redis/replica-fence';
import type Redis from 'ioredis';
import { deliveryIdOf, Keys } from '../store/keys';
import type { ScriptRunner } from '../store/scripts';
import { ackReply, AckReply, deliverReply, DeliverReply, overdueReply } from './lua/replies';

export interface DeliveryRecord {
  deliveryId: string;
  requestId: string;
  bic: string;
  deliveredAt: string;
  deadline: string;
  via: 'inbox' | 'push';
  deliveredIndex: number;
  acknowledgedAt?: string;
}

/** Delivery state in Redis; each change is one Lua script with its log entries. */
export class DeliveryStore {
  constructor(
    private readonly redis: Redis,
    readonly keys: Keys,
    private readonly scripts: { deliver: ScriptRunner; ack: ScriptRunner; overdue: ScriptRunner },
    /** Waits until what was written is on the replicas (ART50_REDIS_MIN_REPLICAS); none by default. */
    private readonly fence: ReplicaFence = noFence,
  ) {}

  async deliver(a: {
    requestId: string; bic: string; deliveryId: string; now: Date; deadline: Date; via: 'inbox' | 'push';
    deliveredTemplate: string; ackTemplate: string; pushFailedTemplate: string;
    /** The request's digest the templates carry, and the deadlineHours `deadline` was counted with: the script refuses (unknown) values that are not the stored request's. */
    digest: string;
    deadlineHours: number;
  }): Promise<DeliverReply> {
    const k = this.keys;
    return deliverReply(await this.scripts.deliver(
      [k.request(a.requestId), k.requestBanks(a.requestId), k.delivery(a.deliveryId), k.inbox(a.bic), k.logSize(), k.logEntries(), k.queued(), k.deadlines()],
      [a.bic, a.deliveryId, a.now.toISOString(), String(a.now.getTime()), a.deadline.toISOString(), a.via, a.deliveredTemplate, a.ackTemplate, a.pushFailedTemplate, a.digest, String(a.deadline.getTime()), String(a.deadlineHours)],
    ));
  }

  async ack(a: { requestId: string; bic: string; deliveryId: string; now: Date; template: string }): Promise<AckReply> {
    const k = this.keys;
    return ackReply(await this.scripts.ack(
      [k.requestBanks(a.requestId), k.delivery(a.deliveryId), k.inbox(a.bic), k.logSize(), k.logEntries()],
      [a.bic, a.deliveryId, a.now.toISOString(), a.template],
    ));
  }

  /** Ends the deadline timer of one delivery: overdue now (true) unless already answered or overdue. */
  async markOverdue(a: { requestId: string; bic: string; now: Date; template: string }): Promise<boolean> {
    const k = this.keys;
    return overdueReply(await this.scripts.overdue(
      [k.requestBanks(a.requestId), k.overdue(), k.logSize(), k.logEntries(), k.deadlines()],
      [a.bic, a.now.toISOString(), a.template, deliveryIdOf(a.requestId, a.bic)],
    ));
  }

  /** Deadline timers that have run out by `nowMs`, earliest first. */
  async dueDeadlines(nowMs: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.deadlines(), '-inf', nowMs, 'LIMIT', 0, limit);
  }

  /** Starts a deadline timer unless it runs already (a timer moved from an earlier version's queue). */
  async startDeadline(deliveryId: string, atMs: number): Promise<void> {
    await this.redis.zadd(this.keys.deadlines(), 'NX', atMs, deliveryId);
  }

  /** Moves a running timer to `atMs` (XX: a timer that ended meanwhile stays ended). */
  async postponeDeadline(deliveryId: string, atMs: number): Promise<void> {
    await this.redis.zadd(this.keys.deadlines(), 'XX', atMs, deliveryId);
  }

  /** Timers that have run out by `nowMs` but are not handled yet, and timers still running. */
  async deadlineCounts(nowMs: number): Promise<{ due: number; running: number }> {
    const [due, all] = await Promise.all([this.redis.zcount(this.keys.deadlines(), '-inf', nowMs), this.redis.zcard(this.keys.deadlines())]);
    return { due, running: all - due };
  }

  /** A timer whose delivery is gone (nothing left to mark overdue). */
  async dropDeadline(deliveryId: string): Promise<void> {
    await this.redis.zrem(this.keys.deadlines(), deliveryId);
  }

  async get(deliveryId: string): Promise<DeliveryRecord | undefined> {
    const h = await this.redis.hgetall(this.keys.delivery(deliveryId));
    if (!h.requestId) return undefined;
    return {
      deliveryId, requestId: h.requestId, bic: h.bic!, deliveredAt: h.deliveredAt!, deadline: h.deadline!,
      via: h.via as 'inbox' | 'push', deliveredIndex: Number(h.deliveredIndex),
      ...(h.acknowledgedAt ? { acknowledgedAt: h.acknowledgedAt } : {}),
    };
  }

  /** The delivery receipt; first writer wins (store/receipt-once.ts). */
  async setReceipt(deliveryId: string, receipt: Buffer): Promise<Buffer> {
    return storeReceiptOnce(this.redis, this.fence, this.keys.delivery(deliveryId), 'receipt', receipt);
  }

  async receipts(deliveryIds: string[]): Promise<Array<{ receipt: Buffer | null; index: number | null }>> {
    if (deliveryIds.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const id of deliveryIds) pipe.hmgetBuffer(this.keys.delivery(id), 'receipt', 'deliveredIndex');
    const res = (await pipe.exec()) ?? [];
    return res.map(([err, v]) => {
      if (err) throw err;
      const [r, i] = v as [Buffer | null, Buffer | null];
      return { receipt: r, index: i ? Number(i.toString()) : null };
    });
  }

  async inboxIds(bic: string, limit: number): Promise<string[]> {
    return this.redis.zrange(this.keys.inbox(bic), 0, limit - 1);
  }

  async overdueCounts(): Promise<Record<string, number>> {
    const h = await this.redis.hgetall(this.keys.overdue());
    return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Number(v)]));
  }

  /** Deliveries queued at least `minAgeMs` ago (by Redis's clock) and not delivered since, oldest first. */
  async queuedSince(minAgeMs: number, limit: number): Promise<string[]> {
    const [sec, usec] = await this.redis.time();
    const cutoff = Number(sec) * 1000 + Math.floor(Number(usec) / 1000) - minAgeMs;
    return this.redis.zrangebyscore(this.keys.queued(), '-inf', cutoff, 'LIMIT', 0, limit);
  }

  /** Drops a delivery from the queued index once it is no longer queued (the deliver script does this too). */
  async unqueue(deliveryId: string): Promise<void> {
    await this.redis.zrem(this.keys.queued(), deliveryId);
  }

  /** Outbox items written by the sanction script, oldest first. */
  async outboxPeek(n: number): Promise<string[]> {
    return this.redis.lrange(this.keys.outbox(), 0, n - 1);
  }

  async outboxRemoveMany(items: readonly string[]): Promise<void> {
    if (items.length === 0) return;
    if (items.length === 1) {
      await this.redis.lrem(this.keys.outbox(), 1, items[0]!);
      return;
    }
    const pipe = this.redis.pipeline();
    for (const item of items) pipe.lrem(this.keys.outbox(), 1, item);
    await pipe.exec();
  }
}
