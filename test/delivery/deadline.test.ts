import Redis from 'ioredis';
import { startTestGateway, TestGateway } from '../support/gateway';
import { INV, sanctionedRequest, waitFor } from '../support/flow';

let t: TestGateway;
let redis: Redis;
beforeAll(async () => {
  // One "deadline hour" lasts 150 ms here; the schema still caps deadlineHours at 72.
  t = await startTestGateway({ ART50_DEADLINE_HOUR_MS: '150' });
  redis = new Redis(process.env.REDIS_URL!);
});
afterAll(async () => {
  await redis.quit();
  await t.stop();
});

describe('the deadline clock', () => {
  it('an unanswered delivery becomes overdue when its delayed job fires, and is counted per bank', async () => {
    const { doc } = await sanctionedRequest(t, { banks: ['BETAKZKA'], deadlineHours: 2 });
    const delivered = await waitFor(async () => {
      const s = await t.as(INV).get(`/v1/requests/${doc.requestId}`);
      return s.body.banks?.[0]?.state === 'delivered' ? s.body.banks[0] : undefined;
    }, 'delivery');
    expect(Date.parse(delivered.deadline) - Date.parse(delivered.deliveredAt)).toBe(300);
    const overdue = await waitFor(async () => {
      const s = await t.as(INV).get(`/v1/requests/${doc.requestId}`);
      return s.body.banks[0].state === 'overdue' ? s.body.banks[0] : undefined;
    }, 'overdue', 10_000);
    expect(overdue.overdue).toBe(true);
    expect(Number(await redis.hget(`{${t.config.namespace}}:overdue`, 'BETAKZKA'))).toBe(1);
    // Still answerable: the delivery stays in the bank's inbox.
    const inbox = await t.as('banks/BETAKZKA').get('/v1/inbox');
    expect(inbox.body.items.some((i: { requestId: string }) => i.requestId === doc.requestId)).toBe(true);
  });

  it('an acknowledged delivery also becomes overdue; the deadline lives in Redis (a delayed BullMQ job)', async () => {
    const { doc } = await sanctionedRequest(t, { banks: ['ALFAKZKA'], deadlineHours: 3 });
    const id = `${doc.requestId}.ALFAKZKA`;
    await waitFor(async () => (await t.as('banks/ALFAKZKA').post(`/v1/inbox/${id}/ack`)).status === 200, 'ack');
    const job = await t.gw.queues.deadline.getJob(`deadline.${id}`);
    expect(job).toBeDefined();
    await waitFor(async () => (await t.as(INV).get(`/v1/requests/${doc.requestId}`)).body.banks[0].state === 'overdue', 'overdue');
  });
});
