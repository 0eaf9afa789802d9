import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { isValidIin } from '../../src/documents/check-digits';
import { ApiError, getBytes, getJson, logout, postCms, setCsrf } from './api';
import { openCms, signAttached } from './cms';
import { b64, unb64 } from './der';
import { almaty, duration, loadMessages, Locale, LOCALES } from './i18n';
import { NcaLayerError, ncalayerSign } from './ncalayer';
import { openPkcs12, SoftwareKeyError } from './software-key';

type T = (key: string, vars?: Record<string, string | number>) => string;

interface Participant {
  name?: string;
  iin?: string;
  position?: string;
  roles: string[];
  organisation: { bin: string; name: string; kind: string };
}
interface SessionInfo { participant: Participant; csrf?: string; banks: Array<{ bic: string; name: string }> }
interface SoftKeys { auth?: File; sign?: File; password: string }
type SignerChoice = { kind: 'ncalayer' } | { kind: 'software'; keys: SoftKeys };
interface BankRow { bic: string; state: string; deadline?: string; overdue: boolean }
interface RequestStatus { requestId: string; digest: string; state: string; receivedAt: string; decision?: { decision: string; reason?: string }; banks: BankRow[] }
interface PendingItem { requestId: string; digest: string; erdrNumber: string; article: string; receivedAt: string; request: string }
type Json = Record<string, unknown>;

// ---- signing: NCALayer or the software key, one interface

async function signWith(choice: SignerChoice, data: Uint8Array, key: 'auth' | 'sign', locale: Locale): Promise<Uint8Array> {
  if (choice.kind === 'ncalayer') return ncalayerSign(data, key, locale);
  const file = key === 'auth' ? choice.keys.auth : choice.keys.sign;
  if (!file || !choice.keys.password) throw new SoftwareKeyError('key.missing');
  const opened = await openPkcs12(new Uint8Array(await file.arrayBuffer()), choice.keys.password);
  return signAttached(data, opened);
}

function messageOf(e: unknown, t: T): string {
  if (e instanceof ApiError) return t('problem', { detail: e.problem.detail, code: e.problem.code });
  if (e instanceof NcaLayerError) return t(e.messageKey, { message: e.detail });
  if (e instanceof SoftwareKeyError) return t(e.messageKey);
  return String(e instanceof Error ? e.message : e);
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const store = (k: string): string[] => JSON.parse(localStorage.getItem(k) ?? '[]') as string[];
const remember = (k: string, id: string): void => localStorage.setItem(k, JSON.stringify([id, ...store(k).filter((x) => x !== id)].slice(0, 200)));

function download(name: string, bytes: Uint8Array | string, type: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([typeof bytes === 'string' ? bytes : bytes.slice()], { type }));
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

function statementCsv(doc: Json): string {
  const q = (v: unknown): string => `"${String(v ?? '').replace(/"/g, '""')}"`;
  const rows = [['iban', 'currency', 'balance', 'balanceAsOf', 'movementId', 'bookedAt', 'amount', 'counterpartyName', 'counterpartyIban', 'counterpartyBic', 'purpose'].join(',')];
  for (const acc of (doc.accounts as Json[] | undefined) ?? []) {
    const bal = (acc.balance as Json | undefined) ?? {};
    const moves = (acc.movements as Json[] | undefined) ?? [];
    if (moves.length === 0) rows.push([acc.iban, acc.currency, bal.amount, bal.asOf, '', '', '', '', '', '', ''].map(q).join(','));
    for (const m of moves) {
      const c = (m.counterparty as Json | undefined) ?? {};
      rows.push([acc.iban, acc.currency, bal.amount, bal.asOf, m.id, m.bookedAt, m.amount, c.name, c.iban, c.bic, m.purpose].map(q).join(','));
    }
  }
  return rows.join('\r\n') + '\r\n';
}

// ---- sign-in

function SignerPicker(p: { t: T; choice: SignerChoice; onChange: (c: SignerChoice) => void; needSign: boolean }) {
  const { t, choice } = p;
  const keys: SoftKeys = choice.kind === 'software' ? choice.keys : { password: '' };
  return (
    <fieldset>
      <legend>{t('signer.choose')}</legend>
      <label><input type="radio" name="signer" checked={choice.kind === 'ncalayer'} onChange={() => p.onChange({ kind: 'ncalayer' })} /> {t('signer.ncalayer')}</label>
      <label><input type="radio" name="signer" id="signer-software" checked={choice.kind === 'software'} onChange={() => p.onChange({ kind: 'software', keys })} /> {t('signer.software')}</label>
      {choice.kind === 'software' && (
        <div class="soft">
          <label>{t('signer.authFile')} <input id="auth-p12" type="file" accept=".p12,.pfx" onChange={(e) => p.onChange({ kind: 'software', keys: { ...keys, auth: (e.currentTarget as HTMLInputElement).files?.[0] } })} /></label>
          <label>{t('signer.signFile')} <input id="sign-p12" type="file" accept=".p12,.pfx" onChange={(e) => p.onChange({ kind: 'software', keys: { ...keys, sign: (e.currentTarget as HTMLInputElement).files?.[0] } })} /></label>
          <label>{t('signer.password')} <input id="p12-password" type="password" autocomplete="off" value={keys.password} onInput={(e) => p.onChange({ kind: 'software', keys: { ...keys, password: (e.currentTarget as HTMLInputElement).value } })} /></label>
        </div>
      )}
    </fieldset>
  );
}

function SignIn(p: { t: T; locale: Locale; choice: SignerChoice; setChoice: (c: SignerChoice) => void; onIn: (s: SessionInfo) => void }) {
  const { t } = p;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const go = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const { challenge } = await getJson<{ challenge: string }>('/v1/auth/challenge');
      const cms = await signWith(p.choice, utf8(challenge), 'auth', p.locale);
      const res = await fetch('/v1/auth/login', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/pkcs7-mime' }, body: cms.slice() });
      if (!res.ok) throw new ApiError(await res.json());
      const login = (await res.json()) as { csrf: string };
      setCsrf(login.csrf);
      p.onIn(await getJson<SessionInfo>('/v1/auth/session'));
    } catch (err) {
      setError(messageOf(err, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card" onSubmit={go}>
      <h2>{t('signin.title')}</h2>
      <p>{t('signin.explain')}</p>
      <SignerPicker t={t} choice={p.choice} onChange={p.setChoice} needSign={false} />
      <button id="signin" type="submit" disabled={busy}>{busy ? t('signin.working') : t('signin.button')}</button>
      {error && <p class="error" role="alert" id="signin-error">{error}</p>}
    </form>
  );
}

// ---- investigator

function NewRequest(p: { t: T; locale: Locale; session: SessionInfo; choice: SignerChoice; onDone: (id: string) => void }) {
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
    if (!isValidIin(f.iin)) bad('err.iin', 'document.schema', '/subject/iin');
    if (!f.all && f.banks.length === 0) bad('err.banks', 'document.schema', '/banks');
    if (!f.accountList && !f.asOf && !(f.from && f.to)) bad('err.scope', 'document.schema', '/scope');
    if ((f.from || f.to) && !(f.from && f.to && f.from <= f.to)) bad('err.period', 'document.schema', '/scope/movements');
    const h = Number(f.deadline);
    if (!Number.isInteger(h) || h < 1) bad('err.deadline', 'document.schema', '/deadlineHours');
    else if (h > 72) bad('err.deadline', 'request.deadline', '/deadlineHours');
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
      const receipt = await postCms<{ requestId: string }>('/v1/requests', cms);
      remember(`art50.requests.${me.iin}`, receipt.requestId);
      p.onDone(receipt.requestId);
    } catch (err) {
      setError(messageOf(err, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card" onSubmit={submit} id="new-request">
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

function MyRequests(p: { t: T; locale: Locale; session: SessionInfo; now: number }) {
  const { t, locale } = p;
  const ids = store(`art50.requests.${p.session.participant.iin}`);
  const [rows, setRows] = useState<Record<string, RequestStatus & { statements?: Array<{ statementId: string; bank: string; current?: boolean; encrypted?: boolean }> }>>({});
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    const load = async (): Promise<void> => {
      const out: typeof rows = {};
      for (const id of ids) {
        try {
          const st = await getJson<RequestStatus>(`/v1/requests/${id}`);
          const list = await getJson<{ items: Array<{ statementId: string; bank: string; current?: boolean; encrypted?: boolean }> }>(`/v1/requests/${id}/statements`).catch(() => ({ items: [] }));
          out[id] = { ...st, statements: list.items };
        } catch (e) {
          setError(messageOf(e, t));
        }
      }
      if (live) setRows(out);
    };
    void load();
    const timer = setInterval(() => void load(), 5000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [ids.join(',')]);
  const csv = async (sid: string): Promise<void> => {
    try {
      const cms = await getBytes(`/v1/statements/${sid}`);
      download(`statement-${sid}.csv`, statementCsv(JSON.parse(new TextDecoder().decode(openCms(cms).content)) as Json), 'text/csv');
    } catch (e) {
      setError(messageOf(e, t));
    }
  };
  const p7s = async (sid: string): Promise<void> => {
    try {
      download(`statement-${sid}.p7s`, await getBytes(`/v1/statements/${sid}`), 'application/pkcs7-mime');
    } catch (e) {
      setError(messageOf(e, t));
    }
  };
  if (ids.length === 0) return <section class="card"><h2>{t('nav.mine')}</h2><p>{t('mine.empty')}</p></section>;
  return (
    <section class="card" id="my-requests">
      <h2>{t('nav.mine')}</h2>
      {error && <p class="error" role="alert">{error}</p>}
      {ids.map((id) => {
        const r = rows[id];
        return (
          <article key={id} class="request" data-request-id={id}>
            <h3>{id}</h3>
            {r && <p class={`req-state state-${r.state}`}>{t(`state.${r.state}`)} · {almaty(r.receivedAt, locale)}</p>}
            {r && r.banks.length > 0 && (
              <table>
                <thead><tr><th scope="col">{t('mine.bank')}</th><th scope="col">{t('mine.state')}</th><th scope="col">{t('mine.clock')}</th><th scope="col">{t('mine.statements')}</th></tr></thead>
                <tbody>
                  {r.banks.map((b) => {
                    const left = b.deadline ? Date.parse(b.deadline) - p.now : undefined;
                    const st = (r.statements ?? []).filter((s) => s.bank === b.bic && s.current !== false);
                    return (
                      <tr key={b.bic} data-bic={b.bic}>
                        <td>{b.bic}</td>
                        <td class={`state state-${b.state}`}>{t(`state.${b.state}`)}</td>
                        <td class={b.overdue || (left !== undefined && left < 0) ? 'overdue' : ''}>{left === undefined ? '—' : b.state === 'answered' ? '✓' : `${duration(left)}${left < 0 || b.overdue ? ` (${t('mine.overdue')})` : ''}`}</td>
                        <td>{st.map((s) => (
                          <span key={s.statementId}>
                            {s.encrypted && <span>{t('mine.encrypted')} </span>}
                            {!s.encrypted && <button type="button" class="csv" onClick={() => void csv(s.statementId)}>{t('mine.csv')}</button>}{' '}
                            <button type="button" onClick={() => void p7s(s.statementId)}>{t('mine.p7s')}</button>
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
    </section>
  );
}

// ---- prosecutor

const maskIin = (iin: string): string => `${iin.slice(0, 2)}••••••••${iin.slice(10)}`;

function Pending(p: { t: T; locale: Locale; session: SessionInfo; choice: SignerChoice; now: number }) {
  const { t, locale } = p;
  const [items, setItems] = useState<PendingItem[]>([]);
  const [open, setOpen] = useState<PendingItem | undefined>();
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  const load = async (): Promise<void> => {
    try {
      const res = await getJson<{ items: PendingItem[] }>('/v1/sanctions/pending?limit=1000');
      setItems([...res.items].sort((a, b) => Date.parse(a.receivedAt) - Date.parse(b.receivedAt)));
    } catch (e) {
      setError(messageOf(e, t));
    }
  };
  useEffect(() => {
    void load();
  }, []);
  if (open) return <Decide {...p} item={open} onBack={(msg) => { setOpen(undefined); setNote(msg); void load(); }} />;
  return (
    <section class="card" id="pending">
      <h2>{t('nav.pending')}</h2>
      {note && <p class="ok" role="status" id="decision-note">{note}</p>}
      {error && <p class="error" role="alert">{error}</p>}
      {items.length === 0 ? <p>{t('pending.empty')}</p> : (
        <ol>
          {items.map((i) => (
            <li key={i.requestId} data-request-id={i.requestId}>
              <strong>{i.erdrNumber}</strong> · {i.article} · {almaty(i.receivedAt, locale)} · {t('pending.waiting', { time: duration(p.now - Date.parse(i.receivedAt)) })}{' '}
              <button type="button" class="open" onClick={() => setOpen(i)}>{t('pending.open')}</button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Decide(p: { t: T; locale: Locale; session: SessionInfo; choice: SignerChoice; item: PendingItem; onBack: (msg: string) => void }) {
  const { t, item } = p;
  const opened = openCms(unb64(item.request));
  const doc = JSON.parse(new TextDecoder().decode(opened.content)) as Json;
  const c = doc.case as Json;
  const subject = doc.subject as Json;
  const signer = doc.signer as Json;
  const scope = doc.scope as Json;
  const [reveal, setReveal] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const decide = async (decision: 'granted' | 'refused'): Promise<void> => {
    if (decision === 'refused' && !reason.trim()) {
      setError(t('err.reason'));
      return;
    }
    setBusy(true);
    setError('');
    try {
      const me = p.session.participant;
      const now = new Date();
      const sanction = {
        type: 'sanction', version: 1, sanctionId: crypto.randomUUID(), requestId: item.requestId, requestDigest: item.digest, decision,
        ...(reason.trim() ? { reason: reason.trim() } : {}),
        issuedAt: now.toISOString(), validUntil: new Date(now.getTime() + 10 * 86_400_000).toISOString(),
        prosecutor: { iin: me.iin ?? '', bin: me.organisation.bin, ...(me.name ? { name: me.name } : {}) },
        case: { erdrNumber: c.erdrNumber },
      };
      const cms = await signWith(p.choice, utf8(JSON.stringify(sanction)), 'sign', p.locale);
      await postCms(`/v1/requests/${item.requestId}/sanction`, cms);
      p.onBack(t('detail.decided', { decision: t(`state.${decision}`) }));
    } catch (e) {
      setError(messageOf(e, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" id="request-detail">
      <button type="button" onClick={() => p.onBack('')}>{t('back')}</button>
      <h2>{String(c.erdrNumber)} · {String(c.article)}</h2>
      <dl>
        <dt>{t('detail.case')}</dt><dd>{String(c.erdrNumber)}, {String(c.article)}{c.description ? ` — ${String(c.description)}` : ''}</dd>
        <dt>{t('detail.body')}</dt><dd>{String((doc.body as Json).name)} ({String((doc.body as Json).bin)})</dd>
        <dt>{t('detail.subject')}</dt>
        <dd><span id="subject-iin-shown">{reveal ? String(subject.iin) : maskIin(String(subject.iin))}</span>{subject.name ? ` — ${String(subject.name)}` : ''} {!reveal && <button type="button" id="reveal" onClick={() => setReveal(true)}>{t('detail.reveal')}</button>}</dd>
        <dt>{t('detail.scope')}</dt>
        <dd id="scope">
          {[
            scope.accountList ? t('req.accountList') : '',
            scope.balances ? `${t('req.balancesAsOf')} ${String((scope.balances as Json).asOf)}` : '',
            scope.movements ? `${t('req.movementsFrom')} ${String((scope.movements as Json).from)} — ${t('req.movementsTo')} ${String((scope.movements as Json).to)}` : '',
          ].filter(Boolean).join('; ')}
        </dd>
        <dt>{t('detail.banks')}</dt><dd>{Array.isArray(doc.banks) ? (doc.banks as string[]).join(', ') : t('req.allBanks')}</dd>
        <dt>{t('detail.signer')}</dt><dd>{String(signer.name)}, {String(signer.position)}</dd>
        <dt>{t('detail.certificate')}</dt><dd>{opened.signerCn}</dd>
        <dt>{t('detail.verdict')}</dt><dd>{t('detail.verdictOk')}</dd>
      </dl>
      <label>{t('detail.reason')} <textarea id="reason" value={reason} onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)} /></label>
      <div class="actions">
        <button type="button" id="grant" disabled={busy} onClick={() => void decide('granted')}>{t('detail.grant')}</button>
        <button type="button" id="refuse" disabled={busy} onClick={() => void decide('refused')}>{t('detail.refuse')}</button>
      </div>
      {error && <p class="error" role="alert" id="decide-error">{error}</p>}
    </section>
  );
}

interface DecisionItem { requestId: string; erdrNumber: string; article: string; decision: 'granted' | 'refused'; reason?: string; decidedAt: string; state: string }

/** The office's decisions, from the gateway (GET /v1/sanctions/decided), newest first. */
function Decisions(p: { t: T; session: SessionInfo; locale: Locale }) {
  const [items, setItems] = useState<DecisionItem[] | undefined>();
  const [error, setError] = useState('');
  useEffect(() => {
    getJson<{ items: DecisionItem[] }>('/v1/sanctions/decided?limit=200')
      .then((r) => setItems(r.items))
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [p.session.participant.iin]);
  return (
    <section class="card" id="decisions">
      <h2>{p.t('nav.decisions')}</h2>
      {error && <p class="error" role="alert">{error}</p>}
      {items && items.length === 0 && <p>{p.t('decisions.empty')}</p>}
      {items && items.length > 0 && (
        <ul>{items.map((i) => (
          <li key={i.requestId}>
            {almaty(i.decidedAt, p.locale)} — {i.requestId} (ERDR {i.erdrNumber}, {i.article}) — {p.t(`state.${i.decision}`)}{i.reason ? `: ${i.reason}` : ''}
          </li>
        ))}</ul>
      )}
    </section>
  );
}

// ---- shell

function App() {
  const initial = (localStorage.getItem('art50.locale') as Locale | null) ?? 'ru';
  const [locale, setLocale] = useState<Locale>(LOCALES.includes(initial) ? initial : 'ru');
  const [t, setT] = useState<T | undefined>();
  const [session, setSession] = useState<SessionInfo | undefined>();
  const [choice, setChoice] = useState<SignerChoice>({ kind: 'ncalayer' });
  const [view, setView] = useState('');
  const [now, setNow] = useState(Date.now());
  const [note, setNote] = useState('');
  useEffect(() => {
    void loadMessages(locale).then((fn) => setT(() => fn));
    document.documentElement.lang = locale;
    localStorage.setItem('art50.locale', locale);
  }, [locale]);
  useEffect(() => {
    // A reload keeps the session: the cookie is HttpOnly, the csrf value is read again.
    getJson<SessionInfo>('/v1/auth/session').then((s) => { if (s.csrf) { setCsrf(s.csrf); setSession(s); } }).catch(() => undefined);
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  if (!t) return <main><p>…</p></main>;
  const roles = session?.participant.roles ?? [];
  const police = roles.includes('investigator') || roles.includes('first_head');
  const prosecutor = roles.includes('prosecutor');
  const current = view || (police ? 'new' : prosecutor ? 'pending' : '');
  return (
    <div>
      <header>
        <h1>{t('app.title')}</h1>
        <p>{t('app.subtitle')}</p>
        <label>{t('lang')}{' '}
          <select id="locale" value={locale} onChange={(e) => setLocale((e.currentTarget as HTMLSelectElement).value as Locale)}>
            <option value="ru">Русский</option><option value="kk">Қазақша</option><option value="en">English</option>
          </select>
        </label>
        {session && (
          <p id="who">{t('signed.as', { name: session.participant.name ?? '', org: session.participant.organisation.name })}{' '}
            <button type="button" id="signout" onClick={() => void logout().then(() => { setSession(undefined); setView(''); })}>{t('signout')}</button>
          </p>
        )}
        {session && (
          <nav aria-label="main">
            {police && <button type="button" id="nav-new" aria-current={current === 'new'} onClick={() => setView('new')}>{t('nav.new')}</button>}
            {police && <button type="button" id="nav-mine" aria-current={current === 'mine'} onClick={() => setView('mine')}>{t('nav.mine')}</button>}
            {prosecutor && <button type="button" id="nav-pending" aria-current={current === 'pending'} onClick={() => setView('pending')}>{t('nav.pending')}</button>}
            {prosecutor && <button type="button" id="nav-decisions" aria-current={current === 'decisions'} onClick={() => setView('decisions')}>{t('nav.decisions')}</button>}
          </nav>
        )}
      </header>
      <main>
        {note && <p class="ok" role="status" id="note">{note}</p>}
        {!session && <SignIn t={t} locale={locale} choice={choice} setChoice={setChoice} onIn={(s) => { setSession(s); setView(''); }} />}
        {session && current === 'new' && choice.kind === 'software' && !choice.keys.sign && <SignerPicker t={t} choice={choice} onChange={setChoice} needSign />}
        {session && current === 'new' && <NewRequest t={t} locale={locale} session={session} choice={choice} onDone={(id) => { setNote(t('req.submitted', { id })); setView('mine'); }} />}
        {session && current === 'mine' && <MyRequests t={t} locale={locale} session={session} now={now} />}
        {session && current === 'decisions' && <Decisions t={t} session={session} locale={locale} />}
        {session && current === 'pending' && <Pending t={t} locale={locale} session={session} choice={choice} now={now} />}
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
export { b64 };
