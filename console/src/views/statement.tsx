import { useEffect, useMemo, useState } from 'preact/hooks';
import { almaty } from '../i18n';
import { openDecryptionKey } from '../software-key';
import { download, Json, messageOf, ViewProps } from '../shared';
import { statementCsv } from '../statement-csv';
import { DecryptionKey, fetchStatement, FetchedStatement, OpenedStatement, openStatement } from '../statement-open';
import { FollowPanel } from './follow';
import type { StatementRef } from './my-requests';

/**
 * One statement: opened (decrypted in the page with the body's key when it came encrypted) and
 * verified before anything is shown; accounts and balances; movements in pages, so a statement
 * of 100,000 movements renders one page at a time; transfers picked for follow-the-money.
 */

export interface Row { account: number; index: number; m: Json }

const PAGE_SIZES = [50, 100, 500];

/**
 * An outgoing transfer can be picked; the shared follow module (src/client/follow.ts) decides
 * which receivers get a next hop and says why the others do not (company, own account, …).
 */
export function followable(m: Json): boolean {
  return String(m.amount ?? '').startsWith('-');
}

export function StatementView(p: ViewProps & {
  target: StatementRef;
  keyring: DecryptionKey | undefined;
  setKeyring: (k: DecryptionKey) => void;
  onBack: () => void;
}) {
  const { t, locale, target } = p;
  const [fetched, setFetched] = useState<FetchedStatement | undefined>();
  const [opened, setOpened] = useState<OpenedStatement | undefined>();
  const [error, setError] = useState('');
  const [keyFile, setKeyFile] = useState<File | undefined>();
  const [password, setPassword] = useState('');
  const [size, setSize] = useState(100);
  const [page, setPage] = useState(0);
  const [picked, setPicked] = useState<Set<number>>(new Set());

  const open = async (f: FetchedStatement, key: DecryptionKey | undefined): Promise<void> => {
    try {
      setError('');
      setOpened(await openStatement(f, key));
    } catch (e) {
      setError(messageOf(e, t));
    }
  };
  useEffect(() => {
    fetchStatement(target.statementId)
      .then((f) => {
        setFetched(f);
        if (!f.header || p.keyring) return open(f, p.keyring);
        return undefined;
      })
      .catch((e: unknown) => setError(messageOf(e, t)));
  }, [target.statementId]);

  const useKey = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (!fetched) return;
    try {
      setError('');
      if (!keyFile || !password) throw new Error(t('key.missing'));
      const key = await openDecryptionKey(new Uint8Array(await keyFile.arrayBuffer()), password);
      p.setKeyring(key);
      await open(fetched, key);
    } catch (err) {
      setError(messageOf(err, t));
    }
  };

  const doc = opened?.doc;
  const accounts = (doc?.accounts as Json[] | undefined) ?? [];
  // Built once per statement: one small object per movement, pages are slices of it.
  const rows = useMemo<Row[]>(() => {
    const out: Row[] = [];
    accounts.forEach((a, account) => {
      for (const m of (a.movements as Json[] | undefined) ?? []) out.push({ account, index: out.length, m });
    });
    return out;
  }, [doc]);
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const shown = rows.slice(page * size, page * size + size);
  const go = (n: number): void => setPage(Math.min(pages - 1, Math.max(0, n)));
  const toggle = (i: number, on: boolean): void => {
    const next = new Set(picked);
    if (on) next.add(i);
    else next.delete(i);
    setPicked(next);
  };

  const needKey = fetched?.header && !opened;
  return (
    <section class="card" id="statement">
      <button type="button" id="statement-back" onClick={p.onBack}>{t('back')}</button>
      <h2>{t('stmt.title', { bank: target.bank })} <small>{target.statementId}</small></h2>
      {needKey && (
        <form id="decrypt-form" onSubmit={(e) => void useKey(e)}>
          <p>{t('stmt.encrypted')}</p>
          <label>{t('stmt.keyFile')} <input id="enc-p12" type="file" accept=".p12,.pfx" onChange={(e) => setKeyFile((e.currentTarget as HTMLInputElement).files?.[0])} /></label>
          <label>{t('signer.password')} <input id="enc-password" type="password" autocomplete="off" value={password} onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)} /></label>
          <button type="submit" id="decrypt">{t('stmt.decrypt')}</button>
        </form>
      )}
      {error && <p class="error" role="alert" id="statement-error">{error}</p>}
      {!fetched && !error && <p>…</p>}
      {opened && doc && (
        <div>
          <p class="ok" id="statement-verdict">{t(opened.encrypted ? 'stmt.verifiedEncrypted' : 'stmt.verified', { signer: opened.signer.subject.cn, org: opened.signer.subject.o })}</p>
          <dl>
            <dt>{t('stmt.result')}</dt><dd id="statement-result">{t(`stmt.result.${String(doc.result)}`)}{doc.reason ? ` — ${String(doc.reason)}` : ''}</dd>
            <dt>{t('stmt.generated')}</dt><dd>{doc.generatedAt ? almaty(String(doc.generatedAt), locale) : '—'}</dd>
            <dt>{t('stmt.counts')}</dt><dd id="statement-counts">{t('stmt.countsValue', { accounts: accounts.length, movements: rows.length })}</dd>
          </dl>
          <div class="actions">
            <button type="button" id="statement-csv" onClick={() => download(`statement-${target.statementId}.csv`, statementCsv(doc), 'text/csv')}>{t('mine.csv')}</button>
            <button type="button" id="statement-p7s" onClick={() => download(`statement-${target.statementId}.p7s`, opened.signed, 'application/pkcs7-mime')}>{t('mine.p7s')}</button>
          </div>
          {accounts.length > 0 && (
            <table id="accounts">
              <caption>{t('stmt.accounts')}</caption>
              <thead><tr><th scope="col">IBAN</th><th scope="col">{t('stmt.currency')}</th><th scope="col">{t('stmt.opened')}</th><th scope="col">{t('stmt.balance')}</th><th scope="col">{t('stmt.movements')}</th></tr></thead>
              <tbody>{accounts.map((a) => {
                const bal = (a.balance as Json | undefined) ?? {};
                return <tr key={String(a.iban)}><td>{String(a.iban)}</td><td>{String(a.currency)}</td><td>{String(a.openedOn ?? '')}{a.closedOn ? ` — ${String(a.closedOn)}` : ''}</td><td>{bal.amount !== undefined ? `${String(bal.amount)} (${String(bal.asOf ?? '')})` : '—'}</td><td>{((a.movements as unknown[] | undefined) ?? []).length}</td></tr>;
              })}</tbody>
            </table>
          )}
          {rows.length > 0 && (
            <div id="movements">
              <nav class="pager" aria-label={t('stmt.pages')}>
                <button type="button" id="page-first" disabled={page === 0} onClick={() => go(0)}>«</button>
                <button type="button" id="page-prev" disabled={page === 0} onClick={() => go(page - 1)}>‹</button>
                <label>{t('stmt.page')} <input id="page-input" type="number" min={1} max={pages} value={page + 1} onChange={(e) => go(Number((e.currentTarget as HTMLInputElement).value) - 1)} /></label>
                <span id="page-of">{t('stmt.pageOf', { page: page + 1, pages, rows: rows.length })}</span>
                <button type="button" id="page-next" disabled={page >= pages - 1} onClick={() => go(page + 1)}>›</button>
                <button type="button" id="page-last" disabled={page >= pages - 1} onClick={() => go(pages - 1)}>»</button>
                <label>{t('stmt.pageSize')} <select id="page-size" value={size} onChange={(e) => { setSize(Number((e.currentTarget as HTMLSelectElement).value)); setPage(0); }}>
                  {PAGE_SIZES.map((n) => <option key={n} value={n}>{n}</option>)}
                </select></label>
                <button type="button" id="pick-page" onClick={() => setPicked(new Set([...picked, ...shown.filter((r) => followable(r.m)).map((r) => r.index)]))}>{t('stmt.pickPage')}</button>
              </nav>
              <table id="movement-table">
                <caption>{t('stmt.movements')}</caption>
                <thead><tr><th scope="col">{t('stmt.pick')}</th><th scope="col">#</th><th scope="col">{t('stmt.booked')}</th><th scope="col">IBAN</th><th scope="col">{t('stmt.amount')}</th><th scope="col">{t('stmt.counterparty')}</th><th scope="col">{t('stmt.purpose')}</th></tr></thead>
                <tbody>{shown.map((r) => {
                  const c = (r.m.counterparty as Json | undefined) ?? {};
                  const can = followable(r.m);
                  return (
                    <tr key={r.index} data-row={r.index}>
                      <td>{can && <input type="checkbox" class="pick" aria-label={t('stmt.pickOne', { n: r.index + 1 })} checked={picked.has(r.index)} onChange={(e) => toggle(r.index, (e.currentTarget as HTMLInputElement).checked)} />}</td>
                      <td>{r.index + 1}</td>
                      <td>{r.m.bookedAt ? almaty(String(r.m.bookedAt), locale) : ''}</td>
                      <td>{String(accounts[r.account]?.iban ?? '')}</td>
                      <td class="amount">{String(r.m.amount)} {String(r.m.currency ?? '')}</td>
                      <td>{[c.name, c.iin ?? c.bin, c.iban, c.bic].filter(Boolean).map(String).join(' · ')}</td>
                      <td>{String(r.m.purpose ?? '')}</td>
                    </tr>
                  );
                })}</tbody>
              </table>
            </div>
          )}
          <FollowPanel {...p} statement={doc} rows={rows} picked={picked} />
        </div>
      )}
    </section>
  );
}
