import type { Logger } from '../logger';
import { deliveryJobId, DeliveryJob, DeliveryQueues } from './queues';
import type { DeliveryStore } from './store';

/**
 * Moves outbox items (written by the sanction script in the same transaction as the state
 * change) into BullMQ. The job id is deterministic, so adding twice is harmless; an item leaves
 * the outbox only after its job exists. Runs right after each sanction and periodically, so
 * deliveries survive a crash between the sanction and the enqueue.
 */
export class OutboxDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly store: DeliveryStore, private readonly queues: DeliveryQueues, private readonly logger: Logger) {}

  async drain(max = 1000): Promise<number> {
    let moved = 0;
    while (moved < max) {
      const items = await this.store.outboxPeek(100);
      if (items.length === 0) break;
      await this.queues.delivery.addBulk(items.map((raw) => {
        const data = JSON.parse(raw) as DeliveryJob;
        return { name: 'deliver', data, opts: { jobId: deliveryJobId(data.requestId, data.bic) } };
      }));
      for (const raw of items) await this.store.outboxRemove(raw);
      moved += items.length;
    }
    return moved;
  }

  start(intervalMs = 1000): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.drain().then(
        () => undefined,
        (e: Error) => {
          this.logger.warn('outbox drain failed', { error: e.message });
        },
      ).finally(() => {
        this.running = undefined;
      });
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
