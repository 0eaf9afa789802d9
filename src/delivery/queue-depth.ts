import type { DeliveryQueues } from './queues';
import type { DeliveryStore } from './store';

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;

/**
 * What the `queue_depth` gauge shows: the BullMQ job counts of every bank's delivery queue, summed
 * per state, and the deadline timers. Those are a sorted set, not a queue: `delayed` until they run
 * out, then `waiting` for the sweep (more than a few for long means no process sweeps: no worker
 * runs).
 */
export async function queueDepth(queues: DeliveryQueues, deliveries: DeliveryStore, nowMs: number): Promise<Record<string, Record<string, number>>> {
  const delivery: Record<string, number> = Object.fromEntries(STATES.map((st) => [st, 0]));
  for (const q of queues.deliveryQueues()) {
    for (const [st, n] of Object.entries(await q.getJobCounts(...STATES))) delivery[st] = (delivery[st] ?? 0) + n;
  }
  const timers = await deliveries.deadlineCounts(nowMs);
  return { delivery, deadline: { delayed: timers.running, waiting: timers.due } };
}
