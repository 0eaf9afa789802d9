import type { Logger } from '../logger';
import { deliveryIdOf, parseDeliveryId } from '../store/keys';
import type { DeliveryHint, DeliveryJob, DeliveryQueues } from './queues';
import { Periodic } from './periodic';
import type { DeliveryStore } from './store';

/**
 * Moves outbox items (written by the sanction script in the same transaction as the state
 * change) into BullMQ. The job id is deterministic, so adding twice is harmless; an item leaves
 * the outbox only after its job exists.
 *
 * A grant's items are dispatched at once by the sanction service's enqueue hook (`dispatch`,
 * wired in the composition root). The periodic sweep is the
 * crash recovery: it takes only items it already saw on its previous pass, so it never races
 * the live handlers for fresh items.
 */
export class OutboxDispatcher {
  private readonly sweeper = new Periodic(() => this.sweep(), (e) => this.logger.warn('outbox sweep failed', { error: e.message }));
  private seen = new Set<string>();

  constructor(private readonly store: DeliveryStore, private readonly queues: DeliveryQueues, private readonly logger: Logger) {}

  /**
   * Enqueues the deliveries of one sanctioned request, then clears their outbox items without
   * waiting: the jobs exist, and an item left behind (a failed LREM, a crash) only makes the sweep
   * add the same job ids again, which BullMQ ignores.
   */
  async dispatch(requestId: string, bics: readonly string[], hint?: DeliveryHint): Promise<void> {
    if (bics.length === 0) return;
    await this.add(bics.map((bic) => ({ requestId, bic, ...hint })));
    this.store.outboxRemoveMany(bics.map((bic) => deliveryIdOf(requestId, bic))).catch((e: Error) => this.logger.warn('outbox items not cleared; the sweep will', { requestId, error: e.message }));
  }

  /** Dispatches every outbox item now, old or new (used at start-up and by tests). */
  async drain(max = 10_000): Promise<number> {
    const raw = await this.store.outboxPeek(max);
    if (raw.length === 0) return 0;
    const items = this.parse(raw);
    await this.add(items.map((i) => i.job));
    await this.store.outboxRemoveMany(items.map((i) => i.raw));
    return items.length;
  }

  private async sweep(): Promise<void> {
    const raw = await this.store.outboxPeek(10_000);
    const stale = raw.filter((r) => this.seen.has(r));
    this.seen = new Set(raw.filter((r) => !this.seen.has(r)));
    if (stale.length === 0) return;
    this.logger.warn('dispatching outbox items left by an interrupted sanction', { count: stale.length });
    const items = this.parse(stale);
    await this.add(items.map((i) => i.job));
    await this.store.outboxRemoveMany(items.map((i) => i.raw));
  }

  /** An item that is not a delivery id stays in the outbox (and is reported), never becomes a broken job. */
  private parse(raw: readonly string[]): Array<{ raw: string; job: DeliveryJob }> {
    const out: Array<{ raw: string; job: DeliveryJob }> = [];
    for (const r of raw) {
      const job = parseDeliveryId(r);
      if (job) out.push({ raw: r, job });
      else this.logger.error('outbox item is not a delivery id; left in the outbox', { item: r.slice(0, 100) });
    }
    return out;
  }

  private async add(items: readonly DeliveryJob[]): Promise<void> {
    const byBank = new Map<string, DeliveryJob[]>();
    for (const item of items) byBank.set(item.bic, [...(byBank.get(item.bic) ?? []), item]);
    const job = (data: DeliveryJob): { name: string; data: DeliveryJob; opts: { jobId: string } } => ({ name: 'deliver', data, opts: { jobId: deliveryIdOf(data.requestId, data.bic) } });
    // A single job goes in with add: addBulk wraps even one job in a MULTI transaction, which
    // costs a pipeline object and two more commands on every sanction for one bank (the usual case).
    await Promise.all([...byBank].map(([bic, jobs]) => {
      const queue = this.queues.delivery(bic);
      if (jobs.length === 1) {
        const one = job(jobs[0]!);
        return queue.add(one.name, one.data, one.opts);
      }
      return queue.addBulk(jobs.map(job));
    }));
  }

  start(intervalMs = 1000): void {
    void this.drain().catch((e: Error) => this.logger.warn('outbox drain failed', { error: e.message }));
    this.sweeper.start(intervalMs);
  }

  async stop(): Promise<void> {
    await this.sweeper.stop();
  }
}
