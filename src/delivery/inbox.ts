import { Art50Error } from '../errors';
import type { EventLog } from '../log/event-log';
import type { Sealer } from '../receipts/sealer';
import type { RequestStore } from '../requests/store';
import { encryptionCertificateField, type DeliveryBundle } from './bundle';
import type { Registry } from '../participants/registry';
import type { DeliveryStore } from './store';

/** The answer to POST /v1/inbox/{deliveryId}/ack (the API client shares this type). */
export interface AckView {
  deliveryId: string;
  state: 'acknowledged';
  logIndex: number;
  /** False when the delivery had been acknowledged before (the same answer again). */
  first: boolean;
}

/** A bank's view of its deliveries: list unacknowledged items, acknowledge them. */
export class Inbox {
  constructor(private readonly d: { deliveries: DeliveryStore; requests: RequestStore; log: EventLog; sealer: Sealer; clock: () => Date; registry: Registry }) {}

  async list(bic: string, limit: number): Promise<DeliveryBundle[]> {
    const ids = await this.d.deliveries.inboxIds(bic, limit);
    const items: DeliveryBundle[] = [];
    for (const deliveryId of ids) {
      const rec = await this.d.deliveries.get(deliveryId);
      if (!rec || rec.bic !== bic) continue;
      const cms = await this.d.requests.getCms(rec.requestId);
      if (!cms.request || !cms.sanction) continue;
      let [r] = await this.d.deliveries.receipts([deliveryId]);
      let receipt = r?.receipt ?? null;
      const req = await this.d.requests.get(rec.requestId);
      if (!receipt) {
        receipt = await this.d.deliveries.setReceipt(
          deliveryId,
          this.d.sealer.seal({ event: 'delivery.delivered', logIndex: rec.deliveredIndex, time: rec.deliveredAt, requestId: rec.requestId, bank: bic, deliveryId, requestDigest: req?.digest ?? '', deadline: rec.deadline }),
        );
      }
      items.push({ deliveryId, requestId: rec.requestId, request: cms.request.toString('base64'), sanction: cms.sanction.toString('base64'), deadline: rec.deadline, receipt: receipt.toString('base64'), ...encryptionCertificateField(this.d.registry, req?.bodyBin) });
    }
    return items;
  }

  /** Another bank's delivery id is reported as not found: banks never learn of each other's work. */
  async ack(bic: string, deliveryId: string): Promise<AckView> {
    const rec = await this.d.deliveries.get(deliveryId);
    if (!rec || rec.bic !== bic) throw new Art50Error('delivery.not_found', `no delivery ${deliveryId} for this bank`);
    const req = await this.d.requests.get(rec.requestId);
    const now = this.d.clock();
    const out = await this.d.deliveries.ack({
      requestId: rec.requestId, bic, deliveryId, now,
      template: this.d.log.template({ event: 'delivery.acknowledged', time: now.toISOString(), requestId: rec.requestId, bank: bic, digests: { request: req?.digest ?? '' }, via: 'inbox' }),
    });
    if (out.kind === 'not_delivered') throw new Art50Error('delivery.not_found', `no delivery ${deliveryId} for this bank`);
    return { deliveryId, state: 'acknowledged', logIndex: out.logIndex, first: out.kind === 'acknowledged' };
  }
}
