import { Worker } from 'bullmq';
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
    // Its delay says a little later than the delivery's deadline: the recorded deadline is the one taken.
    await t.gw.queues.legacyDeadline.add('deadline', { requestId, bic: 'GAMMKZKA', deliveryId: id }, { jobId: `deadline.${id}`, delay: due + 5000 - Date.now() });
    // (The gateway's own once-a-minute run may have moved it first: the effects are what counts.)
    await t.gw.deadlines.migrateLegacyJobs();
    expect(await t.gw.queues.legacyDeadline.getJob(`deadline.${id}`)).toBeUndefined();
    expect(Number(await redis.zscore(t.gw.keys.deadlines(), id))).toBe(due);
    await waitFor(async () => (await t.as(INV).get(`/v1/requests/${requestId}`)).body.banks[0].state === 'overdue', 'overdue', 10_000);
    expect(Date.now()).toBeGreaterThanOrEqual(due);
    expect(await t.gw.deadlines.migrateLegacyJobs()).toBe(0);
  });

  it('a legacy job held by a worker of the earlier version gets its timer too, and the migration goes on past it', async () => {
    const { doc } = await sanctionedRequest(t, { banks: ['GAMMKZKA'], deadlineHours: 20 });
    const requestId = String(doc.requestId);
    const id = `${requestId}.GAMMKZKA`;
    await waitFor(async () => (await t.as(INV).get(`/v1/requests/${requestId}`)).body.banks?.[0]?.state === 'delivered', 'delivery');
    const due = Number(await redis.zscore(t.gw.keys.deadlines(), id));
    await redis.zrem(t.gw.keys.deadlines(), id);
    const legacy = t.gw.queues.legacyDeadline;
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const oldWorker = new Worker(legacy.name, () => held, { connection: legacy.opts.connection, prefix: legacy.opts.prefix });
    try {
      const job = await legacy.add('deadline', { requestId, bic: 'GAMMKZKA', deliveryId: id }, { jobId: `deadline.${id}` });
      await waitFor(async () => (await job.getState()) === 'active', 'the old worker to take the job');
      await t.gw.deadlines.migrateLegacyJobs();
      expect(Number(await redis.zscore(t.gw.keys.deadlines(), id))).toBe(due);
      expect(await job.getState()).toBe('active'); // locked: left to its worker
    } finally {
      release();
      await oldWorker.close();
    }
  });

  it('a timer that cannot be handled is tried again a minute later; the others of its batch are not held up', async () => {
    const a = await sanctionedRequest(t, { banks: ['GAMMKZKA'], deadlineHours: 20 });
    const b = await sanctionedRequest(t, { banks: ['GAMMKZKA'], deadlineHours: 20 });
    const idA = `${String(a.doc.requestId)}.GAMMKZKA`;
    const idB = `${String(b.doc.requestId)}.GAMMKZKA`;
    for (const d of [a, b]) {
      await waitFor(async () => (await t.as(INV).get(`/v1/requests/${String(d.doc.requestId)}`)).body.banks?.[0]?.state === 'delivered', 'delivery');
    }
    // A's stored request no longer reads (a reason sealed under a key this gateway does not hold).
    await redis.hset(t.gw.keys.request(String(a.doc.requestId)), 'decisionReason', Buffer.concat([Buffer.from([0xa5, 1, 4]), Buffer.from('gone'), Buffer.alloc(40)]));
    const now = Date.now();
    await redis.zadd(t.gw.keys.deadlines(), now - 1, idA, now - 1, idB, 0, 'not-a-delivery');
    await t.gw.deadlines.sweepOnce();
    expect(Number(await redis.zscore(t.gw.keys.deadlines(), idA))).toBeGreaterThanOrEqual(now + 59_000);
    expect(await redis.zscore(t.gw.keys.deadlines(), 'not-a-delivery')).toBeNull();
    await waitFor(async () => (await t.as(INV).get(`/v1/requests/${String(b.doc.requestId)}`)).body.banks[0].state === 'overdue', 'B overdue');
    await redis.zrem(t.gw.keys.deadlines(), idA);
  });

  it('queue_depth shows the timers running and those run out but not yet handled', async () => {
    const text = (await t.as('auditor/auditor-1').get('/metrics')).text as string;
    expect(text).toMatch(/queue_depth\{queue="deadline",state="delayed"\} \d+/);
    expect(text).toMatch(/queue_depth\{queue="deadline",state="waiting"\} \d+/);
  });
});
