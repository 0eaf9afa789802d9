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
