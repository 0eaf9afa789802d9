import type Redis from 'ioredis';
import { Art50Error } from '../errors';
import { serverIdentity, socketOf } from './server-identity';

/**
 * Resolves once everything Redis had executed when it was called (by any connection, any
 * process) is on at least `minReplicas` replicas; throws store.replication_timeout when they do
 * not confirm within the timeout. Called after a write and before it is acknowledged (202/201, a
 * sealed receipt, a signed checkpoint), so a failover to a replica cannot lose what was answered.
 */
export type ReplicaFence = (since?: SocketMark) => Promise<void>;

/**
 * Marks the socket a connection uses now (`socketMark(redis)`). A caller whose acknowledgement
 * rests on several commands — reads, then a write — takes the mark before the first and passes it
 * to the fence: a reconnection in between (to another primary, ioredis resending what was in
 * flight) then refuses the call instead of confirming a mix of two servers.
 */
export type SocketMark = object;
export const socketMark: (redis: Redis) => SocketMark | undefined = socketOf;

const RESEND = 'The document may have been recorded; resend the same document (a recorded one is answered as a replay with its original receipt)';

export const REPLICATION_TIMEOUT = `the store did not confirm in time that this write reached its replicas. ${RESEND}`;

const CONNECTION_LOST = `the store could not confirm this write on the primary it was made on (a failover may be under way). ${RESEND}`;

/** minReplicas 0: nothing to wait for (one server, durable by appendfsync always alone). */
export const noFence: ReplicaFence = () => Promise.resolve();

/**
 * The fence on its own connection, so that WAIT (which blocks its connection) never holds up the
 * gateway's other commands.
 *
 * WAIT counts replicas that acknowledged the last write *of the calling connection*; a connection
 * that wrote nothing (or reconnected to a new primary) would get "all replicas" at once. So each
 * round first PUBLISHes on a channel nobody listens to: Redis propagates PUBLISH to replicas (not
 * to the AOF, so no fsync), which makes it this connection's last write, at the current end of the
 * replication stream — after every write done so far by anyone, replays and other processes
 * included. Callers arriving while a round is in flight share the next round: one WAIT covers a
 * burst, and at most one WAIT blocks the connection at a time.
 *
 * That holds only if the round ran on the server the caller's write ran on. A primary demoted
 * by a failover has its clients killed; ioredis then resends the PUBLISH and WAIT to the new
 * primary, which confirms its own stream — not the write the demoted one never passed on (seen
 * under a second failover that left two primaries for seconds). And while Sentinels disagree, the
 * writer's connection and this one can follow different primaries. So a caller is confirmed only
 * if, when it arrived, this connection was ready and talking to the same server process as
 * `writer` (the connection the fenced writes go out on: its reply has just arrived, so it is
 * still the one the write took; src/redis/server-identity.ts), and stayed up until its round's
 * answer; otherwise it is refused (resend,
 * as after a timeout). The connection is best opened with `maxRetriesPerRequest: 0`, so that a
 * round cut by a drop fails at once instead of waiting for the reconnection.
 */
export function replicaFence(redis: Redis, opts: { minReplicas: number; timeoutMs: number; channel: string; writer: Redis }): ReplicaFence {
  if (opts.minReplicas <= 0) return noFence;
  let drops = 0;
  redis.on('close', () => {
    drops += 1;
  });
  const fenceServer = serverIdentity(redis);
  const writerServer = serverIdentity(opts.writer);
  let inFlight: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const round = async (): Promise<void> => {
    const [, acked] = await Promise.all([redis.publish(opts.channel, ''), redis.wait(opts.minReplicas, opts.timeoutMs)]);
    if (Number(acked) < opts.minReplicas) {
      throw new Art50Error('store.replication_timeout', REPLICATION_TIMEOUT, {
        extra: { replicas: Number(acked), required: opts.minReplicas, timeoutMs: opts.timeoutMs },
      });
    }
  };
  const connectionLost = (): Art50Error =>
    new Art50Error('store.replication_timeout', CONNECTION_LOST, { extra: { replicas: 0, required: opts.minReplicas, timeoutMs: opts.timeoutMs } });
  const shared = (): Promise<void> => {
    if (next) return next;
    const after = inFlight ?? Promise.resolve();
    const mine: Promise<void> = after
      .catch(() => undefined)
      .then(() => {
        // From here on a new caller cannot join: its write may come after this round's PUBLISH.
        next = undefined;
        inFlight = mine;
        return round();
      })
      .finally(() => {
        if (inFlight === mine) inFlight = undefined;
      });
    next = mine;
    return mine;
  };
  return async (since) => {
    const seen = drops;
    if (redis.status !== 'ready') throw connectionLost();
    if (since !== undefined && socketMark(opts.writer) !== since) throw connectionLost();
    const wrote = writerServer.current();
    // Just (re)connected, the fence may still be learning its server: worth a moment's wait.
    const waits = fenceServer.current() ?? (await fenceServer.settled());
    if (wrote === undefined || wrote !== waits) throw connectionLost();
    try {
      await shared();
    } catch (e) {
      if (drops !== seen && !(e instanceof Art50Error)) throw connectionLost();
      throw e;
    }
    if (drops !== seen) throw connectionLost();
  };
}

/**
 * The start-up check: with fewer connected replicas than ART50_REDIS_MIN_REPLICAS every
 * acknowledgement would answer store.replication_timeout — say so at once, not at the first call.
 */
export async function warnMissingReplicas(redis: Redis, minReplicas: number, warn: (message: string) => void): Promise<void> {
  if (minReplicas <= 0) return;
  const info = await redis.info('replication');
  const connected = Number(/connected_slaves:(\d+)/.exec(info)?.[1] ?? 0);
  if (connected < minReplicas) {
    warn(`Redis has ${connected} connected replica(s) but ART50_REDIS_MIN_REPLICAS=${minReplicas}: writes answer 503 store.replication_timeout until enough replicas are connected`);
  }
}
