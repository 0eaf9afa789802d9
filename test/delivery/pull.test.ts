import { startTestGateway, TestGateway } from '../support/gateway';
import { INV, sanctionedRequest, waitFor } from '../support/flow';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t.stop();
});

type Item = { deliveryId: string; requestId: string; request: string; sanction: string; deadline: string; receipt: string };
const inbox = async (bank: string): Promise<Item[]> => (await t.as(`banks/${bank}`).get('/v1/inbox?limit=500')).body.items as Item[];

describe('pull delivery', () => {
  it('a request sanctioned for two banks creates exactly two deliveries', async () => {
    const { doc } = await sanctionedRequest(t, { banks: ['ALFAKZKA', 'BETAKZKA'] });
    // The answer to the sanction came once both jobs were in their queues.
    for (const bic of ['ALFAKZKA', 'BETAKZKA']) expect(await t.gw.queues.delivery(bic).getJob(`${String(doc.requestId)}.${bic}`)).toBeDefined();
    const a = await waitFor(async () => (await inbox('ALFAKZKA')).find((i) => i.requestId === doc.requestId), 'ALFA inbox');
    const b = await waitFor(async () => (await inbox('BETAKZKA')).find((i) => i.requestId === doc.requestId), 'BETA inbox');
    expect(a.deliveryId).toBe(`${doc.requestId}.ALFAKZKA`);
    // The sanction's own dispatch cleared its outbox items (the sweep is only for crashes).
    expect(await t.gw.redis.llen(t.gw.keys.outbox())).toBe(0);
    expect(b.deliveryId).toBe(`${doc.requestId}.BETAKZKA`);
    expect((await inbox('GAMMKZKA')).some((i) => i.requestId === doc.requestId)).toBe(false);
    const status = await t.as(INV).get(`/v1/requests/${doc.requestId}`);
    expect(status.body.state).toBe('in_progress');
    expect(status.body.banks.map((x: { state: string }) => x.state)).toEqual(['delivered', 'delivered']);
    expect(Date.parse(status.body.banks[0].deadline) - Date.parse(status.body.banks[0].deliveredAt)).toBe(72 * 3600_000);
  });

  it('replaying the sanction changes nothing: still one delivery per bank', async () => {
    const { doc, digest } = await sanctionedRequest(t, { banks: ['ALFAKZKA'] });
    await waitFor(async () => (await inbox('ALFAKZKA')).some((i) => i.requestId === doc.requestId), 'ALFA inbox');
    const { makeSanction } = await import('../support/documents');
    const { sign } = await import('../support/identities');
    const again = await t.as('prosecutor/prosecutor-1').post(`/v1/requests/${doc.requestId}/sanction`, sign(makeSanction(doc, digest), 'prosecutor/prosecutor-1'));
    expect(again.status).toBe(409);
    await t.gw.services.dispatcher.drain();
    await new Promise((r) => setTimeout(r, 200));
    expect((await inbox('ALFAKZKA')).filter((i) => i.requestId === doc.requestId)).toHaveLength(1);
    const job = await t.gw.queues.delivery('ALFAKZKA').getJob(`${doc.requestId}.ALFAKZKA`);
    expect(job?.attemptsMade).toBeLessThanOrEqual(1);
  });

  it('"all" reaches every bank in the registry', async () => {
    const { doc } = await sanctionedRequest(t, { banks: 'all' });
    for (const bank of ['ALFAKZKA', 'BETAKZKA', 'GAMMKZKA']) {
      await waitFor(async () => (await inbox(bank)).some((i) => i.requestId === doc.requestId), `${bank} inbox`);
    }
  });

  it('bank B cannot ack bank A\'s delivery (404); ack is idempotent and empties the inbox', async () => {
    const { doc } = await sanctionedRequest(t, { banks: ['ALFAKZKA'] });
    const item = await waitFor(async () => (await inbox('ALFAKZKA')).find((i) => i.requestId === doc.requestId), 'ALFA inbox');
    const foreign = await t.as('banks/BETAKZKA').post(`/v1/inbox/${item.deliveryId}/ack`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('delivery.not_found');
    const ack = await t.as('banks/ALFAKZKA').post(`/v1/inbox/${item.deliveryId}/ack`);
    expect(ack.status).toBe(200);
    expect(ack.body.first).toBe(true);
    const again = await t.as('banks/ALFAKZKA').post(`/v1/inbox/${item.deliveryId}/ack`);
    expect(again.status).toBe(200);
    expect(again.body.first).toBe(false);
    expect(again.body.logIndex).toBe(ack.body.logIndex);
    expect((await inbox('ALFAKZKA')).some((i) => i.requestId === doc.requestId)).toBe(false);
    const status = await t.as(INV).get(`/v1/requests/${doc.requestId}`);
    expect(status.body.banks[0].state).toBe('acknowledged');
  });

  it('non-banks cannot read an inbox', async () => {
    const res = await t.as(INV).get('/v1/inbox');
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('auth.forbidden');
  });

  it('a delivery job carries the request\'s digest and deadline, so the worker places it without reading the request; a job whose digest or deadline is not the stored one delivers nothing', async () => {
    const { doc, digest } = await sanctionedRequest(t, { banks: ['ALFAKZKA'] });
    const id = `${String(doc.requestId)}.ALFAKZKA`;
    await waitFor(async () => (await inbox('ALFAKZKA')).some((i) => i.deliveryId === id), 'ALFA inbox');
    const queue = t.gw.queues.delivery('ALFAKZKA');
    const job = await queue.getJob(id);
    expect(job?.data).toEqual({ requestId: doc.requestId, bic: 'ALFAKZKA', digest, deadlineHours: 72 });
    const sizeBefore = Number(await t.gw.redis.get(t.gw.keys.logSize()));
    // Jobs naming the same delivery with another digest, or another deadline (corrupted or forged queue entries).
    for (const [tag, data] of [['digest', { digest: 'f'.repeat(64), deadlineHours: 72 }], ['hours', { digest, deadlineHours: 1 }]] as const) {
      const forged = await queue.add('deliver', { requestId: String(doc.requestId), bic: 'ALFAKZKA', ...data }, { jobId: `forged-${tag}.${id}`, attempts: 1 });
      const failed = await waitFor(async () => ((await forged.getState()) === 'failed' ? queue.getJob(`forged-${tag}.${id}`) : undefined), `the forged ${tag} job to fail`);
      expect(failed?.failedReason).toBe(`no queued delivery ${id}`);
    }
    expect(Number(await t.gw.redis.get(t.gw.keys.logSize()))).toBe(sizeBefore);
    expect((await inbox('ALFAKZKA')).filter((i) => i.requestId === doc.requestId)).toHaveLength(1);
  });
});
