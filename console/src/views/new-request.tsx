import { useState } from 'preact/hooks';
import { isValidIin } from '../../../src/documents/check-digits';
import { postCms } from '../api';
import { openCms } from '../cms';
import type { Locale } from '../i18n';
import { messageOf, SessionInfo, SignerChoice, signWith, T, utf8 } from '../shared';

/** The investigator's new request: checked as the API would check it, then signed with the SIGN key. */

export function NewRequest(p: { t: T; locale: Locale; session: SessionInfo; choice: SignerChoice; onDone: (id: string, signedBy: string) => void }) {
  const { t, session } = p;
  const today = new Date().toISOString().slice(0, 10);
  const [f, setF] = useState({ erdr: '', article: '', description: '', iin: '', name: '', all: false, banks: [] as string[], accountList: true, asOf: today, from: '', to: today, deadline: '72' });
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof f) => (e: Event) => {
    const el = e.currentTarget as HTMLInputElement;
    setError('');
    setF({ ...f, [k]: el.type === 'checkbox' ? el.checked : el.value });
  };
  const iinState = f.iin.length === 0 ? '' : isValidIin(f.iin) ? 'ok' : 'bad';
  const problems = (): string[] => {
    // Each with the code and field the API would answer, so the page and the gateway say the same.
    const out: string[] = [];
    const bad = (key: string, code: string, field: string): number => out.push(`${t(key)} [${code} ${field}]`);
    if (!/^\d{15}$/.test(f.erdr)) bad('err.erdr', 'document.schema', '/case/erdrNumber');
    if (!/^[1-9][0-9]{0,2}(-[0-9]{1,2}){0,3}$/.test(f.article)) bad('err.article', 'document.schema', '/case/article');
    if (f.description.length > 500) bad('err.tooLong', 'document.schema', '/case/description');
    if (!isValidIin(f.iin)) bad('err.iin', 'document.schema', '/subject/iin');
    if (f.name.length > 300) bad('err.tooLong', 'document.schema', '/subject/name');
    // Dates that have not begun yet (Almaty is UTC+5: the gateway allows the day ahead of UTC).
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    if (f.asOf && f.asOf > tomorrow) bad('err.future', 'document.date_in_future', '/scope/balances/asOf');
    if (f.from && f.from > tomorrow) bad('err.future', 'document.date_in_future', '/scope/movements/from');
    if (!f.all && f.banks.length === 0) bad('err.banks', 'document.schema', '/banks');
    if (!f.accountList && !f.asOf && !(f.from && f.to)) bad('err.scope', 'document.schema', '/scope');
    if ((f.from || f.to) && !(f.from && f.to && f.from <= f.to)) bad('err.period', 'document.schema', '/scope/movements');
    const h = Number(f.deadline);
    if (!Number.isInteger(h) || h < 1) bad('err.deadline', 'document.schema', '/deadlineHours');
    else if (h > 72) bad('err.deadline', 'document.schema', '/deadlineHours');
    return out;
  };
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const bad = problems();
    if (bad.length) {
      setError(bad.join(' · '));
      return;
    }
    setBusy(true);
    setError('');
    try {
      const me = session.participant;
      const doc = {
        type: 'request', version: 1, requestId: crypto.randomUUID(), createdAt: new Date().toISOString(),
        case: { erdrNumber: f.erdr, article: f.article, ...(f.description ? { description: f.description } : {}) },
        body: { bin: me.organisation.bin, name: me.organisation.name },
        signer: { iin: me.iin ?? '', name: me.name ?? '', position: me.position ?? 'Investigator' },
        subject: { iin: f.iin, ...(f.name ? { name: f.name } : {}) },
        scope: { accountList: f.accountList, ...(f.asOf ? { balances: { asOf: f.asOf } } : {}), ...(f.from && f.to ? { movements: { from: f.from, to: f.to } } : {}) },
        banks: f.all ? 'all' : f.banks,
        deadlineHours: Number(f.deadline),
      };
      // The exact bytes signed are the bytes the gateway stores and the banks receive.
      const cms = await signWith(p.choice, utf8(JSON.stringify(doc)), 'sign', p.locale);
      // Who signed, read from the signature itself (the SIGN certificate NCALayer used), not from the session.
      const signedBy = openCms(cms).signerCn;
      const receipt = await postCms<{ requestId: string }>('/v1/requests', cms);
      p.onDone(receipt.requestId, signedBy);
    } catch (err) {
      setError(messageOf(err, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card" onSubmit={submit} id="new-request" noValidate>
      <h2>{t('nav.new')}</h2>
      <label>{t('req.case')} <input id="erdr" inputMode="numeric" value={f.erdr} onInput={set('erdr')} /></label>
      <label>{t('req.article')} <input id="article" value={f.article} onInput={set('article')} /></label>
      <label>{t('req.description')} <input id="description" value={f.description} onInput={set('description')} /></label>
      <label>{t('req.subjectIin')} <input id="subject-iin" inputMode="numeric" maxLength={12} value={f.iin} onInput={set('iin')} aria-describedby="iin-check" /></label>
      <p id="iin-check" class={iinState} aria-live="polite">{iinState === 'ok' ? t('iin.ok') : iinState === 'bad' ? t('iin.bad') : ''}</p>
      <label>{t('req.subjectName')} <input id="subject-name" value={f.name} onInput={set('name')} /></label>
      <fieldset>
        <legend>{t('req.banks')}</legend>
        <label><input type="checkbox" id="bank-all" checked={f.all} onChange={set('all')} /> {t('req.allBanks')}</label>
        {session.banks.map((b) => (
          <label key={b.bic}><input type="checkbox" id={`bank-${b.bic}`} disabled={f.all} checked={f.banks.includes(b.bic)} onChange={(e) => setF({ ...f, banks: (e.currentTarget as HTMLInputElement).checked ? [...f.banks, b.bic] : f.banks.filter((x) => x !== b.bic) })} /> {b.name} ({b.bic})</label>
        ))}
      </fieldset>
      <fieldset>
        <legend>{t('req.scope')}</legend>
        <label><input type="checkbox" id="scope-accounts" checked={f.accountList} onChange={set('accountList')} /> {t('req.accountList')}</label>
        <label>{t('req.balancesAsOf')} <input type="date" id="scope-asof" value={f.asOf} onInput={set('asOf')} /></label>
        <label>{t('req.movementsFrom')} <input type="date" id="scope-from" value={f.from} onInput={set('from')} /></label>
        <label>{t('req.movementsTo')} <input type="date" id="scope-to" value={f.to} onInput={set('to')} /></label>
      </fieldset>
      <label>{t('req.deadline')} <input id="deadline" type="number" min={1} max={72} value={f.deadline} onInput={set('deadline')} /></label>
      <button id="submit-request" type="submit" disabled={busy}>{t('req.submit')}</button>
      {error && <p class="error" role="alert" id="request-error">{error}</p>}
    </form>
  );
}

