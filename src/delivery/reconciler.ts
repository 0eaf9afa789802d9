import type { Logger } from '../logger';
import type { RequestStore } from '../requests/store';
import { parseDeliveryId } from '../store/keys';
import type { DeliveryProcessor } from './processor';
import type { DeliveryQueues } from './queues';
import { Periodic } from './periodic';
import type { DeliveryStore } from './store';

/** Job states in which BullMQ will still run the job by itself. */
const LIVE = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

export interface ReconcileResult {
  /** Queued deliveries whose job was gone: enqueued again. */
  requeued: number;
  /** Queued deliveries whose job failed or ended without delivering: put in the inbox. */
  fellBack: number;
  /** Index entries of deliveries that are no longer queued: dropped. */
  cleared: number;
}

/**
 * Guarantees that every sanctioned delivery ends delivered, whatever happened to the workers
 * and their jobs. It walks the queued index (written by the sanction script, cleared by the
 * deliver script) and, for each delivery still `queued` after `minAgeMs`, looks at its job:
 * gone → enqueued again (same job id); failed or finished without delivering → inbox fallback.
 * Every action is idempotent, so any number of processes may reconcile at once.
 */
export class DeliveryReconciler {
  private readonly periodic = new Periodic(() => this.reconcileOnce(), (e) => this.d.logger.warn('delivery reconciliation failed', { error: e.message }));

  constructor(private readonly d: {
    deliveries: DeliveryStore;
    requests: RequestStore;
    queues: DeliveryQueues;
    processor: DeliveryProcessor;
    logger: Logger;
    /** Leaves fresh deliveries to the sanction's own dispatch (and the outbox sweep). */
    minAgeMs: number;
    batch?: number;
  }) {}

  async reconcileOnce(): Promise<ReconcileResult> {
    const d = this.d;
    const out: ReconcileResult = { requeued: 0, fellBack: 0, cleared: 0 };
    for (const deliveryId of await d.deliveries.queuedSince(d.minAgeMs, d.batch ?? 500)) {
      const job = parseDeliveryId(deliveryId);
      const bank = job ? (await d.requests.banks(job.requestId))[job.bic] : undefined;
      if (!job || bank?.state !== 'queued') {
        await d.deliveries.unqueue(deliveryId);
        out.cleared++;
        continue;
      }
      const queue = d.queues.delivery(job.bic);
      const existing = await queue.getJob(deliveryId);
      const state = existing ? await existing.getState() : 'missing';
      if (LIVE.has(state)) continue;
      if (state === 'missing') {
        await queue.add('deliver', job, { jobId: deliveryId });
        d.logger.warn('queued delivery had no job; enqueued again', { deliveryId });
        out.requeued++;
      } else {
        const attempts = existing?.attemptsMade ?? 1;
        const r = await d.processor.fallback(job.requestId, job.bic, attempts, `job ${state}: ${existing?.failedReason ?? 'no delivery recorded'}`);
        if (r === 'fell-back') out.fellBack++;
      }
    }
    return out;
  }

  start(intervalMs: number): void {
    this.periodic.start(intervalMs);
  }

  async stop(): Promise<void> {
    await this.periodic.stop();
  }
}
