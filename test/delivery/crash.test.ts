import { spawn, ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import Redis from 'ioredis';
import { startTestGateway, TestGateway } from '../support/gateway';
import { INV, sanctionedRequest, waitFor } from '../support/flow';
import { registryWithPush, startFakeBank } from '../support/push-bank';

const BIN = resolve(__dirname, '..', '..', 'bin', 'art50.js');

/**
 * A worker process killed with SIGKILL in the middle of a push delivery, then restarted: the
 * stalled job is taken over and the bank ends up with exactly one recorded delivery.
 */
describe('worker crash mid-job', () => {
  let t: TestGateway;
  let bank: Awaited<ReturnType<typeof startFakeBank>>;
  let hang = true;
  let received = 0;
  const workers: ChildProcess[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    bank = await startFakeBank('GAMMKZKA', (_body, _req, res) => {
      received++;
      if (hang) return; // never answers: the job stays in flight
      res.writeHead(200).end('{}');
    });
    env = { ART50_REGISTRY: registryWithPush('GAMMKZKA', bank.url), ART50_STALLED_INTERVAL_MS: '500', ART50_PUSH_TIMEOUT_MS: '60000' };
    t = await startTestGateway(env, { workers: false });
  });
  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await t.stop();
    await bank.close();
  });

  const startWorker = (): ChildProcess => {
    const w = spawn(process.execPath, [BIN, 'worker'], {
      env: { ...process.env, ...env, ART50_NAMESPACE: t.config.namespace, ART50_LOG_LEVEL: 'error', ART50_PORT: '0' },
      stdio: 'ignore',
    });
    workers.push(w);
    return w;
  };

  it('delivers exactly once after the worker is killed and restarted', async () => {
    const first = startWorker();
    const { doc } = await sanctionedRequest(t, { banks: ['GAMMKZKA'] });
    await waitFor(async () => received >= 1, 'the push to reach the bank', 15_000);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    hang = false;
    startWorker();
    const status = await waitFor(async () => {
      const s = await t.as(INV).get(`/v1/requests/${doc.requestId}`);
      return s.body.banks?.[0]?.state === 'acknowledged' ? s.body : undefined;
    }, 'the delivery to be acknowledged after restart', 20_000);
    expect(status.state).toBe('in_progress');

    const redis = new Redis(process.env.REDIS_URL!);
    const entries = Object.values(await redis.hgetall(`{${t.config.namespace}}:log:entries`)).map((e) => JSON.parse(e) as { event: string; requestId?: string });
    await redis.quit();
    const mine = entries.filter((e) => e.requestId === doc.requestId).map((e) => e.event);
    expect(mine.filter((e) => e === 'delivery.delivered')).toHaveLength(1);
    expect(mine.filter((e) => e === 'delivery.acknowledged')).toHaveLength(1);
    expect(mine.filter((e) => e === 'delivery.queued')).toHaveLength(1);
  }, 60_000);
});
