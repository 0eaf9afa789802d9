import { randomUUID } from 'node:crypto';
import type { LogEntry, LogEvent } from '../../src/log/entry';
import { StatsAggregator, withAges } from '../../src/stats/aggregate';
import { monthOf } from '../../src/stats/monthly';

let index = 0;
const e = (event: LogEvent, time: string, over: Partial<LogEntry> = {}): LogEntry => ({ index: index++, time, event, ...over });

describe('StatsAggregator', () => {
  it('counts requests per month in Almaty time by region, article and body (form 1-M)', () => {
    const a = new StatsAggregator();
    // 19:30 UTC on 31 January is 00:30 on 1 February in Almaty.
    a.add(e('request.received', '2025-01-31T19:30:00.000Z', { requestId: randomUUID(), region: 'Almaty', article: '190-2-4', body: '111' }));
    a.add(e('request.received', '2025-01-31T18:30:00.000Z', { requestId: randomUUID(), region: 'Almaty', article: '190-2-4', body: '111' }));
    a.add(e('request.received', '2025-02-10T10:00:00.000Z', { requestId: randomUUID(), region: 'Almaty', article: '190-2-4', body: '111' }));
    a.add(e('request.received', '2025-02-10T10:00:00.000Z', { requestId: randomUUID(), region: 'Karaganda', article: '190-3', body: '222' }));
    expect(a.snapshot().monthly).toEqual([
      { month: '2025-01', region: 'Almaty', article: '190-2-4', body: '111', requests: 1 },
      { month: '2025-02', region: 'Almaty', article: '190-2-4', body: '111', requests: 2 },
      { month: '2025-02', region: 'Karaganda', article: '190-3', body: '222', requests: 1 },
    ]);
    expect(monthOf(Date.parse('2025-12-31T19:00:00.000Z'))).toBe('2026-01');
  });

  it('lists overdue deliveries with their ages, counts answers in time and late, and refusals by reason', () => {
    const a = new StatsAggregator();
    const [r1, r2, r3, r4] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    for (const r of [r1, r2, r3, r4]) a.add(e('request.received', '2025-02-01T00:00:00.000Z', { requestId: r, body: '111', region: 'Almaty', article: '190' }));
    for (const r of [r1, r2, r3, r4]) a.add(e('delivery.delivered', '2025-02-01T01:00:00.000Z', { requestId: r, bank: 'BETAKZKA' }));
    a.add(e('statement.received', '2025-02-01T03:00:00.000Z', { requestId: r1, bank: 'BETAKZKA', result: 'found' })); // in time, 2 h
    a.add(e('delivery.overdue', '2025-02-04T01:00:00.000Z', { requestId: r2, bank: 'BETAKZKA' }));
    a.add(e('delivery.overdue', '2025-02-04T01:00:00.000Z', { requestId: r3, bank: 'BETAKZKA' }));
    a.add(e('statement.received', '2025-02-04T05:00:00.000Z', { requestId: r2, bank: 'BETAKZKA', result: 'refused' })); // late, 76 h
    a.add(e('statement.refused', '2025-02-04T06:00:00.000Z', { requestId: r4, bank: 'BETAKZKA', code: 'statement.scope' }));
    const s = withAges(a.snapshot(), Date.parse('2025-02-05T01:00:00.000Z'));
    const b = s.byBank.BETAKZKA!;
    expect(b).toMatchObject({ delivered: 4, answered: 2, answeredInTime: 1, overdueNow: 1, found: 1, refusedStatements: 1 });
    expect(b.answeredInTimeShare).toBeCloseTo(1 / 3);
    expect(b.refusalsByReason).toEqual({ refused_by_bank: 1, 'statement.scope': 1 });
    expect(b.responseTime).toMatchObject({ count: 2, p50Ms: 2 * 3_600_000, p90Ms: 76 * 3_600_000 });
    expect(s.overdue).toEqual([{ requestId: r3, bank: 'BETAKZKA', body: '111', deliveredAt: '2025-02-01T01:00:00.000Z', overdueSince: '2025-02-04T01:00:00.000Z', ageMs: 96 * 3_600_000 }]);
  });

  it('counts an answer after the deadline as late even when no overdue entry was logged yet (the deadline job ran late)', () => {
    const a = new StatsAggregator();
    const [r1, r2, r3, r4] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    for (const r of [r1, r2, r3, r4]) a.add(e('request.received', '2025-02-01T00:00:00.000Z', { requestId: r, body: '111', region: 'Almaty', article: '190' }));
    // r1, r2: a 24-hour deadline carried by the delivery entry; r3: an older entry without one (72 h).
    for (const r of [r1, r2]) a.add(e('delivery.delivered', '2025-02-01T01:00:00.000Z', { requestId: r, bank: 'BETAKZKA', deadline: '2025-02-02T01:00:00.000Z' }));
    for (const r of [r3, r4]) a.add(e('delivery.delivered', '2025-02-01T01:00:00.000Z', { requestId: r, bank: 'BETAKZKA' }));
    a.add(e('statement.received', '2025-02-02T01:00:00.000Z', { requestId: r1, bank: 'BETAKZKA', result: 'found' })); // exactly at the deadline: in time
    a.add(e('statement.received', '2025-02-02T01:00:00.001Z', { requestId: r2, bank: 'BETAKZKA', result: 'found' })); // 1 ms late, no overdue entry yet
    a.add(e('statement.received', '2025-02-04T01:00:00.001Z', { requestId: r3, bank: 'BETAKZKA', result: 'not_found' })); // past 72 h, no overdue entry yet
    a.add(e('statement.received', '2025-02-04T01:00:00.000Z', { requestId: r4, bank: 'BETAKZKA', result: 'not_found' })); // exactly 72 h: in time
    // A mark that comes only after the answer changes nothing.
    a.add(e('delivery.overdue', '2025-02-02T05:00:00.000Z', { requestId: r2, bank: 'BETAKZKA' }));
    const b = a.snapshot().byBank.BETAKZKA!;
    expect(b).toMatchObject({ answered: 4, answeredInTime: 2, overdueNow: 0 });
    expect(b.answeredInTimeShare).toBe(0.5);
  });

  it('measures the deadline of delivery entries without one in the configured deadline hour', () => {
    const a = new StatsAggregator({ deadlineHourMs: 1000 });
    const [r1, r2] = [randomUUID(), randomUUID()];
    for (const r of [r1, r2]) a.add(e('delivery.delivered', '2025-02-01T00:00:00.000Z', { requestId: r, bank: 'ALFAKZKA' }));
    a.add(e('statement.received', '2025-02-01T00:01:12.000Z', { requestId: r1, bank: 'ALFAKZKA', result: 'found' })); // 72 s = 72 "hours"
    a.add(e('statement.received', '2025-02-01T00:01:12.001Z', { requestId: r2, bank: 'ALFAKZKA', result: 'found' }));
    expect(a.snapshot().byBank.ALFAKZKA).toMatchObject({ answered: 2, answeredInTime: 1 });
  });

  it('sums the figures of a set of bodies from their own requests only, and keeps the national view whole', () => {
    const a = new StatsAggregator();
    const [ra, rb] = [randomUUID(), randomUUID()];
    a.add(e('request.received', '2025-02-01T00:00:00.000Z', { requestId: ra, body: '111', region: 'Almaty', article: '190' }));
    a.add(e('request.received', '2025-02-01T00:00:00.000Z', { requestId: rb, body: '222', region: 'Karaganda', article: '249-1' }));
    a.add(e('request.refused', '2025-02-01T00:00:00.000Z', { code: 'request.schema' })); // names no request: national only
    for (const r of [ra, rb]) a.add(e('sanction.granted', '2025-02-01T00:30:00.000Z', { requestId: r }));
    a.add(e('delivery.delivered', '2025-02-01T01:00:00.000Z', { requestId: ra, bank: 'ALFAKZKA' }));
    a.add(e('delivery.delivered', '2025-02-01T01:00:00.000Z', { requestId: rb, bank: 'ALFAKZKA' }));
    a.add(e('delivery.delivered', '2025-02-01T01:00:00.000Z', { requestId: rb, bank: 'GAMMKZKA' }));
    a.add(e('statement.received', '2025-02-01T02:00:00.000Z', { requestId: ra, bank: 'ALFAKZKA', result: 'found' }));
    a.add(e('statement.received', '2025-02-01T11:00:00.000Z', { requestId: rb, bank: 'ALFAKZKA', result: 'not_found' }));
    a.add(e('statement.refused', '2025-02-01T03:00:00.000Z', { requestId: rb, bank: 'GAMMKZKA', code: 'statement.binding' }));
    a.add(e('delivery.overdue', '2025-02-04T01:00:00.000Z', { requestId: rb, bank: 'GAMMKZKA' }));

    const n = a.snapshot();
    expect(n.entries).toBe(12);
    expect(n.requests).toEqual({ received: 2, refused: 1, granted: 2, sanctionRefused: 0 });
    expect(n.byBank.ALFAKZKA).toMatchObject({ delivered: 2, answered: 2, found: 1, notFound: 1, responseTime: { count: 2, p50Ms: 3_600_000, p90Ms: 10 * 3_600_000 } });
    expect(n.overdue.map((o) => o.requestId)).toEqual([rb]);

    const only111 = a.snapshot(new Set(['111']));
    expect(only111).toEqual({
      entries: 4,
      requests: { received: 1, refused: 0, granted: 1, sanctionRefused: 0 },
      byArticle: { 190: 1 }, byRegion: { Almaty: 1 }, byBody: { 111: 1 }, refusalsByCode: {},
      byBank: {
        ALFAKZKA: {
          delivered: 1, acknowledged: 0, answered: 1, answeredInTime: 1, answeredInTimeShare: 1, found: 1, notFound: 0, refusedStatements: 0,
          refusalsByReason: {}, overdueEvents: 0, overdueNow: 0, responseTime: { count: 1, p50Ms: 3_600_000, p90Ms: 3_600_000, p99Ms: 3_600_000 },
        },
      },
      monthly: [{ month: '2025-02', region: 'Almaty', article: '190', body: '111', requests: 1 }],
      overdue: [],
    });
    // Both bodies together: the national figures less what names no request.
    const both = a.snapshot(new Set(['111', '222']));
    expect(both.requests).toEqual({ received: 2, refused: 0, granted: 2, sanctionRefused: 0 });
    expect(both.byBank).toEqual(n.byBank);
    expect(both.refusalsByCode).toEqual({ 'statement.binding': 1 });
    expect(a.snapshot(new Set(['333'])).byBank).toEqual({});
  });

  it('caches the snapshot until the next entry', () => {
    const a = new StatsAggregator();
    a.add(e('request.received', '2025-02-01T00:00:00.000Z', { requestId: randomUUID(), body: '111', region: 'Almaty', article: '190' }));
    const first = a.snapshot();
    expect(a.snapshot()).toBe(first);
    a.add(e('request.received', '2025-02-01T00:00:00.000Z', { requestId: randomUUID(), body: '111', region: 'Almaty', article: '190' }));
    expect(a.snapshot()).not.toBe(first);
    expect(a.snapshot().requests.received).toBe(2);
  });
});
