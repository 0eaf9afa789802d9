import { startTestGateway, TestGateway } from '../support/gateway';
import { INV, sanctionedRequest } from '../support/flow';
import { sign } from '../support/identities';
import { delivered, makeStatement } from '../statements/helpers';
import { Metrics } from '../../src/metrics/metrics';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t.stop();
});

const AUD = 'auditor/auditor-1';
const UUID_ANY = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** The samples of one metric as [labels, value]. */
function samples(text: string, name: string): Array<[Record<string, string>, number]> {
  const out: Array<[Record<string, string>, number]> = [];
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${name}(?:\\{(.*)\\})? (\\S+)$`).exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push([labels, Number(m[2])]);
  }
  return out;
}

describe('GET /metrics', () => {
  it('counts requests by route pattern and problem code, reads queues and the log, and never shows an IIN or an id', async () => {
    const { doc, digest } = await sanctionedRequest(t, { banks: ['ALFAKZKA'] });
    const requestId = String(doc.requestId);
    const iin = String((doc.subject as { iin: string }).iin);
    expect((await t.as(INV).get(`/v1/requests/${requestId}`)).status).toBe(200);
    // refused inside a route: the prosecutor queue is not for an investigator
    expect((await t.as(INV).get('/v1/sanctions/pending')).body.code).toBe('auth.forbidden');
    // refused before any route: no client certificate
    expect((await t.as().get(`/v1/requests/${requestId}`)).status).toBe(401);
    await delivered(t, 'ALFAKZKA', requestId);
    const st = await t.as('banks/ALFAKZKA').post('/v1/statements', sign(makeStatement(doc, digest, 'ALFAKZKA'), 'banks/ALFAKZKA'));
    expect(st.status).toBe(201);

    const res = await t.as(AUD).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.text;

    const http = samples(text, 'http_requests_total');
    const find = (l: Record<string, string>) => http.find(([s]) => Object.entries(l).every(([k, v]) => s[k] === v));
    expect(find({ route: '/v1/sanctions/pending', method: 'GET', status: '403', code: 'auth.forbidden' })?.[1]).toBe(1);
    expect(find({ route: '/v1/requests/:requestId', method: 'GET', status: '200', code: 'ok' })?.[1]).toBeGreaterThanOrEqual(1);
    expect(find({ route: '/v1/requests', method: 'POST', status: '202', code: 'ok' })?.[1]).toBe(1);
    expect(find({ route: '/v1/requests/:requestId/sanction', method: 'POST', status: '201', code: 'ok' })?.[1]).toBe(1);
    expect(find({ route: 'unmatched', method: 'GET', status: '401', code: 'auth.client_cert_missing' })?.[1]).toBe(1);
    for (const [labels] of http) expect(labels.route).toMatch(/^(unmatched|\/[\w/:.-]*)$/);

    const queues = samples(text, 'queue_depth');
    expect(queues.map(([l]) => `${l.queue}/${l.state}`)).toEqual(expect.arrayContaining(['delivery/waiting', 'delivery/failed', 'deadline/delayed']));
    const [[, logSize]] = samples(text, 'log_entries') as [[Record<string, string>, number]];
    expect(logSize).toBeGreaterThanOrEqual(5);
    expect(samples(text, 'log_integrated_entries')).toHaveLength(1);
    expect(samples(text, 'document_verification_seconds_count').map(([l]) => l.kind)).toEqual(expect.arrayContaining(['request', 'sanction', 'statement']));
    expect(samples(text, 'statement_answer_seconds_count')).toEqual([[{ bank: 'ALFAKZKA' }, 1]]);
    expect(text).toContain('# TYPE deliveries_overdue gauge');
    expect(text).toContain('process_cpu_user_seconds_total');

    expect(text).not.toContain(iin);
    expect(text).not.toMatch(UUID_ANY);
    expect(text).not.toMatch(/\b\d{12}\b/); // no IIN or BIN shaped value at all
  });

  it('is for auditors and the gateway operator: other participants get 403, anonymous clients 401', async () => {
    const police = await t.as(INV).get('/metrics');
    expect(police.status).toBe(403);
    expect(police.body.code).toBe('auth.forbidden');
    const bank = await t.as('banks/ALFAKZKA').get('/metrics');
    expect(bank.status).toBe(403);
    expect((await t.as().get('/metrics')).status).toBe(401);
  });

  it('answers within the scrape budget with what it knows when Redis is away or a source hangs', async () => {
    const never = (): Promise<never> => new Promise<never>(() => undefined);
    const budget = { probeMs: 100, sourceMs: 200 };
    const down = new Metrics({ queueCounts: never, overdueCounts: never, logSizes: never, redisUp: () => Promise.reject(new Error('ECONNREFUSED')) }, budget);
    down.recordRequest('/v1/inbox', 'GET', 503, 'http.not_ready');
    let started = Date.now();
    const text = await down.render();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(samples(text, 'redis_up')).toEqual([[{}, 0]]);
    expect(samples(text, 'queue_depth')).toEqual([]);
    expect(samples(text, 'log_entries')).toEqual([]);
    expect(samples(text, 'http_requests_total')).toEqual([[{ route: '/v1/inbox', method: 'GET', status: '503', code: 'http.not_ready' }, 1]]);

    // Redis answers PING but a source hangs: that gauge stays empty and counts as a collect error.
    const slow = new Metrics({ queueCounts: never, overdueCounts: async () => ({ ALFAKZKA: 2 }), redisUp: async () => undefined }, budget);
    started = Date.now();
    const text2 = await slow.render();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(samples(text2, 'redis_up')).toEqual([[{}, 1]]);
    expect(samples(text2, 'deliveries_overdue')).toEqual([[{ bank: 'ALFAKZKA' }, 2]]);
    expect(samples(text2, 'queue_depth')).toEqual([]);
    // The error counter is rendered while the sources run, so a failure shows from the next scrape.
    expect(samples(await slow.render(), 'metrics_collect_errors_total')).toEqual([[{ source: 'queue_depth' }, 1]]);
  });
});
