import { useEffect, useLayoutEffect, useState } from 'preact/hooks';
import { getJson } from '../api';
import { almaty, duration, Locale } from '../i18n';
import { Chart } from './chart';
import { DataTable } from './table';
import type { Stats, T } from './types';

const time = (ms: number | null): string => (ms === null ? '—' : duration(ms));
/** The chart's unit follows the figures: a demo answers in seconds, a bank in hours. */
function timeUnit(maxMs: number): { div: number; unit: string } {
  if (maxMs >= 7_200_000) return { div: 3_600_000, unit: ' h' };
  if (maxMs >= 120_000) return { div: 60_000, unit: ' min' };
  return { div: 1000, unit: ' s' };
}
const percent = (share: number | null): string => (share === null ? '—' : `${(share * 100).toFixed(1)}%`);
const PALETTE = ['#0b5394', '#b45f06', '#38761d', '#741b47', '#134f5c', '#7f6000', '#990000', '#351c75'];

/**
 * Per bank: answers within the deadline, p50/p90 response time, overdue now (with ages), refusals
 * by reason, found / not found; per month: requests by region, article and body (form 1-M). Every
 * figure is exactly what /v1/stats answers; every table exports as CSV.
 */
let early: Promise<Stats> | undefined;

/** Starts loading the statistics as soon as the session says they are wanted, before the view is drawn. */
export function prefetchStats(): void {
  early = getJson<Stats>('/v1/stats');
  early.catch(() => undefined);
}

export function StatsView({ t, locale, onReady }: { t: T; locale: Locale; onReady: () => void }) {
  const [stats, setStats] = useState<Stats | undefined>();
  const [error, setError] = useState('');
  useEffect(() => {
    const loading = early ?? getJson<Stats>('/v1/stats');
    early = undefined;
    loading.then((s) => setStats(s), (e: unknown) => setError(String(e instanceof Error ? e.message : e)));
  }, []);
  // Ready when the figures are in the document (before the frame that paints them).
  useLayoutEffect(() => {
    if (stats) onReady();
  }, [stats]);
  if (error) return <p class="error" role="alert" id="stats-error">{error}</p>;
  if (!stats) return <p>{t('ov.loading')}</p>;
  const banks = Object.entries(stats.byBank).sort(([a], [b]) => a.localeCompare(b));
  const months = [...new Set(stats.monthly.map((r) => r.month))].sort();
  const regions = [...new Set(stats.monthly.map((r) => r.region))].sort();
  const perMonthRegion = (m: string, region: string): number => stats.monthly.filter((r) => r.month === m && r.region === region).reduce((a, r) => a + r.requests, 0);
  const { div, unit } = timeUnit(Math.max(0, ...banks.map(([, b]) => b.responseTime.p90Ms ?? 0)));
  const inUnit = (ms: number | null): number | null => (ms === null ? null : +(ms / div).toFixed(2));
  const scope = stats.scope === 'national' ? t('ov.scope.national') : t('ov.scope.bodies', { bodies: stats.scope.bodies.join(', ') });
  return (
    <div id="stats">
      <p id="stats-scope">{scope} · {t('ov.entries', { n: stats.entries })}</p>
      <div class="charts">
        <Chart id="chart-in-time" kind="bars" title={t('ov.chart.inTime')} unit="%"
          categories={banks.map(([bic]) => bic)}
          series={[{ label: t('ov.col.inTimeShare'), colour: PALETTE[2]!, values: banks.map(([, b]) => (b.answeredInTimeShare === null ? null : +(b.answeredInTimeShare * 100).toFixed(1))) }]}
          summary={banks.map(([bic, b]) => `${bic}: ${percent(b.answeredInTimeShare)}`).join('; ')} />
        <Chart id="chart-response" kind="bars" title={t('ov.chart.response')} unit={unit}
          categories={banks.map(([bic]) => bic)}
          series={[
            { label: 'p50', colour: PALETTE[0]!, values: banks.map(([, b]) => inUnit(b.responseTime.p50Ms)) },
            { label: 'p90', colour: PALETTE[1]!, values: banks.map(([, b]) => inUnit(b.responseTime.p90Ms)) },
          ]}
          summary={banks.map(([bic, b]) => `${bic}: p50 ${time(b.responseTime.p50Ms)}, p90 ${time(b.responseTime.p90Ms)}`).join('; ')} />
        <Chart id="chart-monthly" kind="lines" title={t('ov.chart.monthly')}
          categories={months}
          series={regions.map((r, i) => ({ label: r, colour: PALETTE[i % PALETTE.length]!, values: months.map((m) => perMonthRegion(m, r)) }))}
          summary={months.map((m) => `${m}: ${regions.map((r) => `${r} ${perMonthRegion(m, r)}`).join(', ')}`).join('; ')} />
      </div>
      <DataTable t={t} id="banks" caption={t('ov.banks')}
        cols={['bank', 'delivered', 'answered', 'answeredInTime', 'answeredInTimeShare', 'p50', 'p90', 'overdueNow', 'found', 'notFound', 'refusedStatements']}
        header={[t('ov.col.bank'), t('ov.col.delivered'), t('ov.col.answered'), t('ov.col.inTime'), t('ov.col.inTimeShare'), t('ov.col.p50'), t('ov.col.p90'), t('ov.col.overdueNow'), t('ov.col.found'), t('ov.col.notFound'), t('ov.col.refused')]}
        rows={banks.map(([bic, b]) => [bic, b.delivered, b.answered, b.answeredInTime, percent(b.answeredInTimeShare), time(b.responseTime.p50Ms), time(b.responseTime.p90Ms), b.overdueNow, b.found, b.notFound, b.refusedStatements])} />
      <DataTable t={t} id="overdue" caption={t('ov.overdue')}
        cols={['bank', 'requestId', 'body', 'deliveredAt', 'age']}
        header={[t('ov.col.bank'), t('ov.col.request'), t('ov.col.body'), t('ov.col.deliveredAt'), t('ov.col.age')]}
        rows={stats.overdue.map((o) => [o.bank, o.requestId, o.body, o.deliveredAt ? almaty(o.deliveredAt, locale) : '—', duration(o.ageMs)])} />
      <DataTable t={t} id="refusals" caption={t('ov.refusals')}
        cols={['bank', 'reason', 'count']}
        header={[t('ov.col.bank'), t('ov.col.reason'), t('ov.col.count')]}
        rows={banks.flatMap(([bic, b]) => Object.entries(b.refusalsByReason).sort(([x], [y]) => x.localeCompare(y)).map(([reason, n]) => [bic, reason === 'refused_by_bank' ? t('ov.reason.bank') : reason, n]))} />
      <DataTable t={t} id="monthly" caption={t('ov.monthly')}
        cols={['month', 'region', 'article', 'body', 'requests']}
        header={[t('ov.col.month'), t('ov.col.region'), t('ov.col.article'), t('ov.col.body'), t('ov.col.requests')]}
        rows={stats.monthly.map((r) => [r.month, r.region, r.article, r.body, r.requests])} />
    </div>
  );
}
