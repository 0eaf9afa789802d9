import { useEffect, useRef, useState } from 'preact/hooks';
import { getBytes, getJson } from '../api';
import { openCms } from '../cms';
import { almaty, duration } from '../i18n';
import { download, Json, messageOf, ViewProps } from '../shared';
import { statementCsv } from '../statement-csv';

/**
 * The body's requests from the gateway (GET /v1/requests, newest first, paged by cursor), so any
 * browser of the body sees them: the state per bank with a live 72-hour clock, and the statements.
 */

export interface RequestSummary {
  requestId: string;
  digest: string;
  state: string;
  receivedAt: string;
  erdrNumber: string;
  article: string;
  deadlineHours: number;
  scope: Json;
  addressed: 'all' | string[];
  decision?: { decision: string; reason?: string };
  banks: Array<{ bic: string; state: string; deadline?: string; overdue: boolean; statementId?: string; result?: string }>;
}
export interface StatementItem { statementId: string; bank: string; current?: boolean; encrypted?: boolean }
export interface StatementRef { statementId: string; bank: string; encrypted: boolean; request: RequestSummary }

const PAGE = 20;

export function MyRequests(p: ViewProps & { now: number; onOpen: (s: StatementRef) => void }) {
  const { t, locale } = p;
  const [items, setItems] = useState<RequestSummary[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [loaded, setLoaded] = useState(false);
  const [statements, setStatements] = useState<Record<string, StatementItem[]>>({});
  const [error, setError] = useState('');
  const started = useRef(false);

  const statementsOf = async (list: RequestSummary[]): Promise<void> => {
    const answered = list.filter((r) => r.banks.some((b) => b.statementId));
    const got = await Promise.all(answered.map(async (r) => [r.requestId, (await getJson<{ items: StatementItem[] }>(`/v1/requests/${r.requestId}/statements`)).items] as const));
    setStatements((s) => ({ ...s, ...Object.fromEntries(got) }));
  };
  // The newest page again every few seconds: new requests on top, states updated in place.
  const refresh = async (): Promise<void> => {
    try {
      const page = await getJson<{ items: RequestSummary[]; nextCursor?: string }>(`/v1/requests?limit=${PAGE}`);
      const fresh = new Set(page.items.map((r) => r.requestId));
      setItems((old) => [...page.items, ...old.filter((r) => !fresh.has(r.requestId))]);
      // The cursor of older pages is set once: later refreshes only renew the top.
      if (!started.current) setCursor(page.nextCursor);
      started.current = true;
      setLoaded(true);
      await statementsOf(page.items);
      setError('');
    } catch (e) {
      setError(messageOf(e, t));
    }
  };
  const older = async (): Promise<void> => {
    try {
      const page = await getJson<{ items: RequestSummary[]; nextCursor?: string }>(`/v1/requests?limit=${PAGE}&cursor=${encodeURIComponent(cursor ?? '')}`);
      setItems((old) => [...old, ...page.items.filter((r) => !old.some((o) => o.requestId === r.requestId))]);
      setCursor(page.nextCursor);
      await statementsOf(page.items);
    } catch (e) {
      setError(messageOf(e, t));
    }
  };
  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), 5000);
    return () => clearInterval(timer);
  }, []);

  const csv = async (sid: string): Promise<void> => {
    try {
      const cms = await getBytes(`/v1/statements/${sid}`);
      download(`statement-${sid}.csv`, statementCsv(JSON.parse(new TextDecoder().decode(openCms(cms).content)) as Json), 'text/csv');
    } catch (e) {
      setError(messageOf(e, t));
    }
  };
  const raw = async (sid: string, encrypted: boolean): Promise<void> => {
    try {
      download(`statement-${sid}.${encrypted ? 'p7e' : 'p7s'}`, await getBytes(`/v1/statements/${sid}`), 'application/pkcs7-mime');
    } catch (e) {
      setError(messageOf(e, t));
    }
  };

  if (loaded && items.length === 0) return <section class="card" id="my-requests"><h2>{t('nav.mine')}</h2><p>{t('mine.empty')}</p></section>;
  return (
    <section class="card" id="my-requests">
      <h2>{t('nav.mine')}</h2>
      {error && <p class="error" role="alert">{error}</p>}
      {items.map((r) => {
        const rows = r.banks.length > 0 ? r.banks : (r.addressed === 'all' ? [] : r.addressed.map((bic) => ({ bic, state: r.state, overdue: false } as RequestSummary['banks'][number])));
        return (
          <article key={r.requestId} class="request" data-request-id={r.requestId}>
            <h3>{r.erdrNumber} · {r.article} <small>{r.requestId}</small></h3>
            <p class={`req-state state-${r.state}`}>{t(`state.${r.state}`)} · {almaty(r.receivedAt, locale)}{r.addressed === 'all' && r.banks.length === 0 ? ` · ${t('req.allBanks')}` : ''}</p>
            {rows.length > 0 && (
              <table>
                <thead><tr><th scope="col">{t('mine.bank')}</th><th scope="col">{t('mine.state')}</th><th scope="col">{t('mine.clock')}</th><th scope="col">{t('mine.statements')}</th></tr></thead>
                <tbody>
                  {rows.map((b) => {
                    const left = b.deadline ? Date.parse(b.deadline) - p.now : undefined;
                    const st = (statements[r.requestId] ?? []).filter((s) => s.bank === b.bic && s.current !== false);
                    return (
                      <tr key={b.bic} data-bic={b.bic}>
                        <td>{b.bic}</td>
                        <td class={`state state-${b.state}`}>{t(`state.${b.state}`)}</td>
                        <td class={b.overdue || (left !== undefined && left < 0) ? 'overdue' : ''}>{left === undefined ? '—' : b.state === 'answered' ? '✓' : `${duration(left)}${left < 0 || b.overdue ? ` (${t('mine.overdue')})` : ''}`}</td>
                        <td>{st.map((s) => (
                          <span key={s.statementId} data-statement-id={s.statementId}>
                            <button type="button" class="open-statement" onClick={() => p.onOpen({ statementId: s.statementId, bank: s.bank, encrypted: s.encrypted === true, request: r })}>{s.encrypted ? t('mine.openEncrypted') : t('mine.open')}</button>{' '}
                            {!s.encrypted && <button type="button" class="csv" onClick={() => void csv(s.statementId)}>{t('mine.csv')}</button>}{' '}
                            <button type="button" class="raw" onClick={() => void raw(s.statementId, s.encrypted === true)}>{s.encrypted ? t('mine.p7e') : t('mine.p7s')}</button>
                          </span>
                        ))}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            )}
          </article>
        );
      })}
      {cursor && <button type="button" id="older" onClick={() => void older()}>{t('mine.older')}</button>}
    </section>
  );
}
