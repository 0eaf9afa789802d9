import type { ChildProcess } from 'node:child_process';
import { startTestGateway, TestGateway } from '../support/gateway';
import { INV, sanctionedRequest, waitFor } from '../support/flow';
import { auditVerified, expectDeliveredOnce, logEvents, sigkill, spawnWorker } from '../support/fault';
import { registryWithPush, startFakeBank } from '../support/push-bank';

/**
 * Issue 15.1: two worker crashes during one push used to strand the delivery for good (BullMQ
 * fails a job that stalled twice). Now a job that failed falls back to the inbox, and the
 * reconciler re-enqueues a queued delivery whose job is gone.
 */
describe('stranded deliveries', () => {
  let t: TestGateway;
  let bank: Awaited<ReturnType<typeof startFakeBank>>;
  const received = new Map<string, number>();
  const workers: ChildProcess[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    // GAMMKZKA's core system takes every push and never answers.
    bank = await startFakeBank('GAMMKZKA', (body) => {
      const id = String(body.deliveryId);
      received.set(id, (received.get(id) ?? 0) + 1);
    });
    env = { ART50_REGISTRY: registryWithPush('GAMMKZKA', bank.url), ART50_STALLED_INTERVAL_MS: '500', ART50_PUSH_TIMEOUT_MS: '60000' };
    t = await startTestGateway(env, { workers: false });
  });
  afterAll(async () => {
    for (const w of workers) await sigkill(w);
    await t.stop();
    await bank.close();
  });

  const worker = (): ChildProcess => {
    const w = spawnWorker(t, env);
    workers.push(w);
    return w;
  };
  const pushesOf = (ids: string[]): number => ids.reduce((n, id) => n + (received.get(id) ?? 0), 0);

  it('a job whose worker was SIGKILLed twice mid-push ends in the inbox, once, with its deadline timer', async () => {
    const docs = [];
    for (let i = 0; i < 6; i++) docs.push((await sanctionedRequest(t, { banks: ['GAMMKZKA', 'ALFAKZKA'] })).doc);
    const gamm = docs.map((d) => `${d.requestId}.GAMMKZKA`);

    const first = worker();
    await waitFor(async () => gamm.every((id) => (received.get(id) ?? 0) >= 1), 'every push to reach the bank', 20_000);
    await sigkill(first);
    const second = worker();
    await waitFor(async () => gamm.every((id) => (received.get(id) ?? 0) >= 2), 'the stalled jobs to be taken over and pushed again', 20_000);
    await sigkill(second);
    worker();

    for (const d of docs) {
      await waitFor(async () => {
        const s = await t.as(INV).get(`/v1/requests/${d.requestId}`);
        return s.body.banks?.every((b: { state: string }) => b.state === 'delivered');
      }, `request ${String(d.requestId)} delivered to both banks`, 30_000);
    }
    expect(pushesOf(gamm)).toBeGreaterThanOrEqual(12);
    await expectDeliveredOnce(t, docs.flatMap((d) => ['GAMMKZKA', 'ALFAKZKA'].map((bic) => ({ requestId: String(d.requestId), bic }))));
    const events = await logEvents(t.config.namespace);
    for (const id of gamm) {
      const [requestId] = id.split('.');
      expect(events.filter((e) => e.requestId === requestId && e.bank === 'GAMMKZKA' && e.event === 'delivery.push_failed')).toHaveLength(1);
      // The 72-hour clock runs: the delivery's deadline timer is set, at its deadline.
      const record = await t.gw.redis.hget(t.gw.keys.delivery(id), 'deadline');
      expect(Number(await t.gw.redis.zscore(t.gw.keys.deadlines(), id))).toBe(Date.parse(String(record)));
    }
    const inbox = await t.as('banks/GAMMKZKA').get('/v1/inbox?limit=100');
    expect(inbox.body.items.map((i: { deliveryId: string }) => i.deliveryId).sort()).toEqual([...gamm].sort());
    const audit = await auditVerified(t);
    expect(audit.ok).toBe(true);
  }, 90_000);

  it('a queued delivery whose job is gone is enqueued again by the reconciler', async () => {
    for (const w of workers) await sigkill(w);
    const { doc } = await sanctionedRequest(t, { banks: ['ALFAKZKA'] });
    const id = `${String(doc.requestId)}.ALFAKZKA`;
    // The job is lost (as after a restore of an older queue snapshot) while no worker runs; the state still says queued.
    const job = await waitFor(async () => t.gw.queues.delivery('ALFAKZKA').getJob(id), 'the job to exist');
    expect(await job.getState()).toBe('waiting');
    await job.remove();
    expect(await t.gw.queues.delivery('ALFAKZKA').getJob(id)).toBeUndefined();
    expect(await t.gw.redis.llen(t.gw.keys.outbox())).toBe(0);
    worker();
    await waitFor(async () => {
      const s = await t.as(INV).get(`/v1/requests/${String(doc.requestId)}`);
      return s.body.banks?.[0]?.state === 'delivered';
    }, 'the reconciler to deliver it', 30_000);
    await expectDeliveredOnce(t, [{ requestId: String(doc.requestId), bic: 'ALFAKZKA' }]);
  }, 60_000);
});
