import { UnrecoverableError } from 'bullmq';
import type { Job } from 'bullmq';
import type { EventLog } from '../log/event-log';
import type { Logger } from '../logger';
import type { Registry } from '../participants/registry';
import type { Sealer } from '../receipts/sealer';
import type { RequestStore } from '../requests/store';
import type { BankDelivery } from '../requests/types';
import { deliveryIdOf } from '../store/keys';
import { encryptionCertificateField, type DeliveryBundle } from './bundle';
import type { PushClient } from './push-client';
import type { DeliveryJob } from './queues';
import type { DeliveryStore } from './store';

export interface ProcessorDeps {
  deliveries: DeliveryStore;
  requests: RequestStore;
  registry: Registry;
  log: EventLog;
  sealer: Sealer;
  push: PushClient;
  clock: () => Date;
  deadlineHourMs: number;
  logger: Logger;
}

/** What a deliver script stored when it delivered now (the delivery record's fields). */
interface Recorded {
  deliveredAt: string;
  deadline: string;
  deliveredIndex: number;
}

/** What one deliver script call did: delivered now (and what it stored), or not (delivered before; no such delivery). */
type Recording = Recorded | 'already' | 'unknown';

/**
 * The work behind the queues. Every step is idempotent (the Lua scripts act only from the
 * expected state and deterministic job ids dedupe), so a job retried after a crash mid-way
 * completes the delivery exactly once in effect.
 */
export class DeliveryProcessor {
  constructor(private readonly d: ProcessorDeps) {}

  async deliver(job: Job<DeliveryJob>): Promise<string> {
    const { requestId, bic, digest, deadlineHours } = job.data;
    const d = this.d;
    const deliveryId = deliveryIdOf(requestId, bic);
    const bankDelivery = d.registry.bankByBic(bic)?.delivery;
    const pushUrl = bankDelivery?.mode === 'push' ? bankDelivery.url : undefined;
    // An inbox delivery whose job carries the request's digest and deadline goes straight to the
    // deliver script, which acts only on a queued delivery: two reads fewer on every delivery.
    if (digest !== undefined && deadlineHours !== undefined && !pushUrl) {
      const recorded = await this.record(requestId, bic, deliveryId, digest, deadlineHours, 'inbox', '');
      if (recorded === 'unknown') throw new UnrecoverableError(`no queued delivery ${deliveryId}`);
      await this.afterDelivery(requestId, bic, deliveryId, digest, recorded);
      return 'delivered';
    }
    // Two independent reads, sent together (one wait instead of two).
    const [request, banks] = await Promise.all([d.requests.get(requestId), d.requests.banks(requestId)]);
    const bank = banks[bic];
    if (!request || !bank) throw new UnrecoverableError(`no queued delivery ${deliveryId}`);
    let recorded: Recording | undefined;
    if (bank.state === 'queued') {
      if (pushUrl) {
        const pushed = await this.tryPush(job, pushUrl, deliveryId, request.digest, request.deadlineHours, bank);
        if (!pushed) return 'fallback-inbox';
        return 'delivered';
      }
      recorded = await this.record(requestId, bic, deliveryId, request.digest, request.deadlineHours, 'inbox', '');
    }
    await this.afterDelivery(requestId, bic, deliveryId, request.digest, recorded);
    return 'delivered';
  }

  /** Push with retries; on the last failed attempt fall back to the inbox so nothing is dropped. */
  private async tryPush(job: Job<DeliveryJob>, url: string, deliveryId: string, digest: string, hours: number, bank: BankDelivery): Promise<boolean> {
    const d = this.d;
    const { requestId, bic } = job.data;
    // The offer receipt names the delivery.queued entry; without its index any index sealed here
    // would name another entry and the bank's receipt would never prove. The job then fails for
    // good and the delivery falls back to the inbox, whose receipt names its own entry.
    if (bank.queuedIndex === undefined) throw new UnrecoverableError(`delivery ${deliveryId} has no delivery.queued log index: not pushed with a receipt that cannot be proven`);
    const cms = await d.requests.getCms(requestId);
    const deadline = new Date(d.clock().getTime() + hours * d.deadlineHourMs);
    const offer = d.sealer.seal({ event: 'delivery.queued', logIndex: bank.queuedIndex, time: d.clock().toISOString(), requestId, bank: bic, deliveryId, requestDigest: digest });
    const bundle: DeliveryBundle = {
      deliveryId, requestId, request: cms.request!.toString('base64'), sanction: cms.sanction!.toString('base64'),
      deadline: deadline.toISOString(), receipt: offer.toString('base64'),
      ...encryptionCertificateField(d.registry, (await d.requests.get(requestId))?.bodyBin),
    };
    const outcome = await d.push.push(url, bundle);
    if (outcome.ok) {
      const recorded = await this.record(requestId, bic, deliveryId, digest, hours, 'push', '', deadline);
      await this.afterDelivery(requestId, bic, deliveryId, digest, recorded);
      return true;
    }
    const attempts = job.opts.attempts ?? 1;
    d.logger.warn('push delivery failed', { deliveryId, bank: bic, attempt: job.attemptsMade + 1, of: attempts, reason: outcome.reason });
    if (job.attemptsMade + 1 < attempts) throw new Error(`push to ${bic} failed: ${outcome.reason}`);
    const failed = d.log.template({ event: 'delivery.push_failed', time: d.clock().toISOString(), requestId, bank: bic, digests: { request: digest }, attempts });
    const recorded = await this.record(requestId, bic, deliveryId, digest, hours, 'inbox', failed);
    d.logger.warn('push delivery fell back to the inbox', { deliveryId, bank: bic, attempts });
    await this.afterDelivery(requestId, bic, deliveryId, digest, recorded);
    return false;
  }

  /**
   * The last resort for a delivery whose job failed for good (attempts spent, a job that stalled
   * too often, a worker that died on every try): the bank finds it in its inbox. A push bank's
   * fallback is logged as `delivery.push_failed`. Does nothing unless the delivery is still queued.
   */
  async fallback(requestId: string, bic: string, attempts: number, reason: string): Promise<'fell-back' | 'not-queued'> {
    const d = this.d;
    const deliveryId = deliveryIdOf(requestId, bic);
    const request = await d.requests.get(requestId);
    const bank = request ? (await d.requests.banks(requestId))[bic] : undefined;
    if (!request || bank?.state !== 'queued') return 'not-queued';
    const push = d.registry.bankByBic(bic)?.delivery?.mode === 'push';
    const failed = push
      ? d.log.template({ event: 'delivery.push_failed', time: d.clock().toISOString(), requestId, bank: bic, digests: { request: request.digest }, attempts: Math.min(1000, Math.max(1, attempts)) })
      : '';
    const recorded = await this.record(requestId, bic, deliveryId, request.digest, request.deadlineHours, 'inbox', failed);
    await this.afterDelivery(requestId, bic, deliveryId, request.digest, recorded);
    d.logger.warn('delivery job failed for good; the delivery is in the inbox', { deliveryId, bank: bic, attempts, reason });
    return 'fell-back';
  }

  /** `promised`: the deadline a push bundle already told the bank; otherwise counted from now. */
  private async record(requestId: string, bic: string, deliveryId: string, digest: string, hours: number, via: 'inbox' | 'push', pushFailedTemplate: string, promised?: Date): Promise<Recording> {
    const d = this.d;
    const now = d.clock();
    const time = now.toISOString();
    const deadline = promised ?? new Date(now.getTime() + hours * d.deadlineHourMs);
    const reply = await d.deliveries.deliver({
      requestId, bic, deliveryId, now, deadline, via, digest, deadlineHours: hours,
      deliveredTemplate: d.log.template({ event: 'delivery.delivered', time, requestId, bank: bic, digests: { request: digest }, via, deadline: deadline.toISOString() }),
      ackTemplate: via === 'push' ? d.log.template({ event: 'delivery.acknowledged', time, requestId, bank: bic, digests: { request: digest }, via }) : '',
      pushFailedTemplate,
    });
    // Delivered by this call: the record holds exactly these values, so it need not be read back.
    return reply.kind === 'delivered' ? { deliveredAt: time, deadline: deadline.toISOString(), deliveredIndex: reply.logIndex } : reply.kind;
  }

  /**
   * The delivery receipt: derived from the stored delivery, safe to repeat. `recorded` is what this
   * call's deliver script stored; on a retry the record is read back instead. (The deadline timer
   * started in the deliver script itself.)
   */
  private async afterDelivery(requestId: string, bic: string, deliveryId: string, digest: string, recorded?: Recording): Promise<void> {
    const d = this.d;
    const rec = typeof recorded === 'object' ? recorded : await d.deliveries.get(deliveryId);
    if (!rec) return;
    // Read back (a retry): a delivery recorded by an earlier version, which started the clock in a
    // step of its own after the script, may have been interrupted before that step. NX leaves a
    // running timer as it is; one set again after it fired changes nothing (overdue-5 acts once).
    if (typeof recorded !== 'object') await d.deliveries.startDeadline(deliveryId, Date.parse(rec.deadline));
    // Sealed without first asking whether a receipt exists: the seal is derived from the stored
    // record, so a repeat makes the same claims, and HSETNX keeps whichever was stored first. One
    // round trip instead of three on the usual path.
    const sealed = d.sealer.seal({ event: 'delivery.delivered', logIndex: rec.deliveredIndex, time: rec.deliveredAt, requestId, bank: bic, deliveryId, requestDigest: digest, deadline: rec.deadline });
    await d.deliveries.setReceipt(deliveryId, sealed);
  }

  /** A deadline timer ran out: the delivery becomes overdue unless the bank has answered. */
  async deadline(requestId: string, bic: string): Promise<'overdue' | 'answered-in-time' | 'gone'> {
    const d = this.d;
    const request = await d.requests.get(requestId);
    if (!request) {
      await d.deliveries.dropDeadline(deliveryIdOf(requestId, bic));
      return 'gone';
    }
    const now = d.clock();
    const changed = await d.deliveries.markOverdue({
      requestId, bic, now,
      template: d.log.template({ event: 'delivery.overdue', time: now.toISOString(), requestId, bank: bic, digests: { request: request.digest } }),
    });
    if (changed) d.logger.warn('delivery overdue', { requestId, bank: bic });
    return changed ? 'overdue' : 'answered-in-time';
  }
}
