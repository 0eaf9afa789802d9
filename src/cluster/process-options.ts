/**
 * What `art50 serve` and `art50 worker` add to createGateway. The log integrator and checkpointer
 * run in the one process, of all the processes and machines on a namespace, that holds a Redis
 * lease (the others stand by and take over within the lease time when it dies): a single
 * `art50 serve`, every process of a multi-process one and every `art50 worker` take part.
 * A process of a multi-process serve also shows every process in /metrics.
 * The delivery workers need nothing: BullMQ already spreads jobs over every process's workers.
 */
import type { GatewayOptions } from '../gateway';
import { Keys } from '../store/keys';
import { clusterMetricsRenderer } from './cluster-metrics';
import { LeaderRunner, RedisLease } from './leader-lock';

/** A dead integrator's lease is free after this; the survivor resumes within it plus one renewal. */
export const INTEGRATOR_LEASE_MS = 5000;

export interface IntegratorLeaseOptions {
  namespace: string;
  leaseMs?: number;
  onLeader?: (leader: boolean) => void;
  onError?: (e: unknown) => void;
}

/** The integrator and checkpointer run only while this process holds `{ns}:lease:integrator`. */
export function integratorLeaseOption(opts: IntegratorLeaseOptions): Pick<GatewayOptions, 'singleWriter'> {
  const key = `${new Keys(opts.namespace).tag}:lease:integrator`;
  return {
    singleWriter: (redis, task) => new LeaderRunner(new RedisLease(redis, { key, ttlMs: opts.leaseMs ?? INTEGRATOR_LEASE_MS }), task, {
      ...(opts.onLeader ? { onChange: opts.onLeader } : {}),
      ...(opts.onError ? { onError: opts.onError } : {}),
    }),
  };
}

/** A process of a multi-process `art50 serve`: the lease, and /metrics gathered from every process. */
export function clusterProcessOptions(opts: IntegratorLeaseOptions): Pick<GatewayOptions, 'singleWriter' | 'renderMetrics'> {
  return {
    ...integratorLeaseOption(opts),
    renderMetrics: (metrics) => clusterMetricsRenderer(metrics.registry),
  };
}
