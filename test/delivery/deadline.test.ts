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
  it('an unanswered delivery becomes overdue when its deadline timer runs out, and is counted per bank', async () => {
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

  it('an acknowledged delivery also becomes overdue; the timer lives in Redis, set with the delivery, and ends with it', async () => {
    const { doc } = await sanctionedRequest(t, { banks: ['ALFAKZKA'], deadlineHours: 3 });
    const id = `${doc.requestId}.ALFAKZKA`;
    await waitFor(async () => (await t.as('banks/ALFAKZKA').post(`/v1/inbox/${id}/ack`)).status === 200, 'ack');
    const deadline = Date.parse(String(await redis.hget(t.gw.keys.delivery(id), 'deadline')));
    expect(Number(await redis.zscore(t.gw.keys.deadlines(), id))).toBe(deadline);
    await waitFor(async () => (await t.as(INV).get(`/v1/requests/${doc.requestId}`)).body.banks[0].state === 'overdue', 'overdue');
    expect(await redis.zscore(t.gw.keys.deadlines(), id)).toBeNull();
  });

  it('a timer an earlier version queued as a delayed BullMQ job is moved into the sorted set, at its deadline, and still runs out', async () => {
    const { doc } = await sanctionedRequest(t, { banks: ['GAMMKZKA'], deadlineHours: 20 });
    const requestId = String(doc.requestId);
    const id = `${requestId}.GAMMKZKA`;
    const delivered = await waitFor(async () => {
      const s = await t.as(INV).get(`/v1/requests/${requestId}`);
      return s.body.banks?.[0]?.state === 'delivered' ? s.body.banks[0] : undefined;
    }, 'delivery');
    const due = Date.parse(delivered.deadline);
    // As an earlier version left it: no timer in the set, a delayed job in the `deadline` queue.
    await redis.zrem(t.gw.keys.deadlines(), id);
    await t.gw.queues.legacyDeadline.add('deadline', { requestId, bic: 'GAMMKZKA', deliveryId: id }, { jobId: `deadline.${id}`, delay: due - Date.now() });
    expect(await t.gw.deadlines.migrateLegacyJobs()).toBe(1);
    expect(await t.gw.queues.legacyDeadline.getJob(`deadline.${id}`)).toBeUndefined();
    expect(Math.abs(Number(await redis.zscore(t.gw.keys.deadlines(), id)) - due)).toBeLessThan(1000);
    await waitFor(async () => (await t.as(INV).get(`/v1/requests/${requestId}`)).body.banks[0].state === 'overdue', 'overdue', 10_000);
    expect(Date.now()).toBeGreaterThanOrEqual(due);
    expect(await t.gw.deadlines.migrateLegacyJobs()).toBe(0);
  });
});
