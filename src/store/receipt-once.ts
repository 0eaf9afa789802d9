import type Redis from 'ioredis';
import { socketMark, type ReplicaFence } from '../redis/replica-fence';

/**
 * Stores a sealed receipt in field `field` of hash `key` unless one is there; returns the one
 * stored. Receipts are derived data written after the state change: once set one never changes,
 * so HSETNX needs no transaction, and the usual case (ours is the first) costs one round trip,
 * with an HGET only when another call stored one first.
 *
 * The replica fence runs before the receipt is handed out, whoever stored it: the stored copy is
 * what GET /v1/requests/{id} and the audit serve later, and a failover in between would otherwise
 * drop it while the client already holds it — also when another call stored it and is still
 * waiting, or got 503 store.replication_timeout (a WAIT already satisfied returns at once).
 */
export async function storeReceiptOnce(redis: Redis, fence: ReplicaFence, key: string, field: string, receipt: Buffer): Promise<Buffer> {
  // HSETNX and HGET on one server: a reconnection between them refuses the call (fence).
  const since = socketMark(redis);
  const stored = Number(await redis.hsetnx(key, field, receipt)) === 1 ? receipt : ((await redis.hgetBuffer(key, field)) ?? receipt);
  await fence(since);
  return stored;
}
