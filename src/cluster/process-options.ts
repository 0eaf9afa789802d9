/**
 * What a gateway process of `art50 serve` with several processes adds to createGateway: the log
 * integrator and checkpointer run in the one process that holds a Redis lease (the others stand
 * by and take over within the lease time when it dies), and /metrics shows every process.
 * The delivery workers need nothing: BullMQ already spreads jobs over every process's workers.
 */
import type { GatewayOptions } from '../gateway';
import { Keys } from '../store/keys';
import { clusterMetricsRenderer } from './cluster-metrics';
import { LeaderRunner, RedisLease } from './leader-lock';

/** A dead integrator's lease is free after this; the survivor resumes within it plus one renewal. */
export const INTEGRATOR_LEASE_MS = 5000;

export function clusterProcessOptions(opts: { namespace: string; leaseMs?: number; onLeader?: (leader: boolean) => void; onError?: (e: unknown) => void }): Pick<GatewayOptions, 'singleWriter' | 'renderMetrics'> {
  const key = `${new Keys(opts.namespace).tag}:lease:integrator`;
  return {
    singleWriter: (redis, task) => new LeaderRunner(new RedisLease(redis, { key, ttlMs: opts.leaseMs ?? INTEGRATOR_LEASE_MS }), task, {
      ...(opts.onLeader ? { onChange: opts.onLeader } : {}),
      ...(opts.onError ? { onError: opts.onError } : {}),
    }),
    renderMetrics: (metrics) => clusterMetricsRenderer(metrics.registry),
  };
}
