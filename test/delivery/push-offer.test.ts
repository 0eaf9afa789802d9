import { UnrecoverableError } from 'bullmq';
import type { Job } from 'bullmq';
import { DeliveryProcessor, type ProcessorDeps } from '../../src/delivery/processor';
import type { DeliveryJob } from '../../src/delivery/queues';
import type { BankDelivery } from '../../src/requests/types';

/**
 * The push bundle's delivery.queued receipt names the entry the sanction logged (queuedIndex). A
 * queued delivery without that index is not pushed with a receipt for some other entry (once
 * entry 0, which never proves): the job fails for good, and the inbox fallback takes over.
 */

const requestId = '11111111-1111-4111-8111-111111111111';

function processor(bank: BankDelivery): { p: DeliveryProcessor; pushed: unknown[]; sealed: Array<Record<string, unknown>> } {
  const pushed: unknown[] = [];
  const sealed: Array<Record<string, unknown>> = [];
  const deps = {
    requests: {
      get: async () => ({ requestId, digest: 'ab'.repeat(32), deadlineHours: 72, bodyBin: '000000000000' }),
      banks: async () => ({ GAMMKZKA: bank }),
      getCms: async () => ({ request: Buffer.from('r'), sanction: Buffer.from('s') }),
    },
    registry: { bankByBic: () => ({ bic: 'GAMMKZKA', delivery: { mode: 'push', url: 'https://127.0.0.1:1/art50/deliveries' } }), encryptionCertificate: () => undefined },
    sealer: { seal: (body: Record<string, unknown>) => (sealed.push(body), Buffer.from('receipt')) },
    // Refusing the push stops the test before any store is written.
    push: { push: async (_url: string, bundle: unknown) => (pushed.push(bundle), { ok: false, reason: 'test' }) },
    clock: () => new Date('2026-01-01T00:00:00.000Z'),
    deadlineHourMs: 3600_000,
    logger: { warn: () => undefined, info: () => undefined, error: () => undefined },
    log: { template: () => 'template' },
  } as unknown as ProcessorDeps;
  return { p: new DeliveryProcessor(deps), pushed, sealed };
}

const job = { data: { requestId, bic: 'GAMMKZKA' }, opts: { attempts: 3 }, attemptsMade: 0 } as unknown as Job<DeliveryJob>;

describe('push delivery offer receipt', () => {
  it('seals the delivery.queued receipt with the index of the delivery.queued entry', async () => {
    const { p, pushed, sealed } = processor({ state: 'queued', deliveryId: `${requestId}.GAMMKZKA`, queuedIndex: 41 });
    await expect(p.deliver(job)).rejects.toThrow(/push to GAMMKZKA failed/);
    expect(pushed).toHaveLength(1);
    expect(sealed[0]).toMatchObject({ event: 'delivery.queued', logIndex: 41, deliveryId: `${requestId}.GAMMKZKA`, bank: 'GAMMKZKA' });
  });

  it('without the entry index: nothing sealed or pushed, the job fails for good (the inbox fallback follows)', async () => {
    const { p, pushed, sealed } = processor({ state: 'queued', deliveryId: `${requestId}.GAMMKZKA` });
    const err = await p.deliver(job).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnrecoverableError);
    expect(String((err as Error).message)).toMatch(/no delivery.queued log index/);
    expect(pushed).toHaveLength(0);
    expect(sealed).toHaveLength(0);
  });
});
