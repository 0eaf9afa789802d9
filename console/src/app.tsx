import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { getJson, setCsrf } from './api';
import { loadMessages, Locale, LOCALES } from './i18n';
import type { SessionInfo, SignerChoice, T } from './shared';
import type { DecryptionKey } from './statement-open';
import { Decisions } from './views/decisions';
import { MyRequests, StatementRef } from './views/my-requests';
import { NewRequest } from './views/new-request';
import { PageHeader } from './views/page-header';
import { Pending } from './views/pending';
import { SignerPicker, SignIn } from './views/sign-in';
import { StatementView } from './views/statement';

/** The console's shell: language, session, navigation; each view lives in views/. */

function App() {
  const initial = (localStorage.getItem('art50.locale') as Locale | null) ?? 'ru';
  const [locale, setLocale] = useState<Locale>(LOCALES.includes(initial) ? initial : 'ru');
  const [t, setT] = useState<T | undefined>();
  const [session, setSession] = useState<SessionInfo | undefined>();
  const [choice, setChoice] = useState<SignerChoice>({ kind: 'ncalayer' });
  const [view, setView] = useState('');
  const [now, setNow] = useState(Date.now());
  const [note, setNote] = useState('');
  const [statement, setStatement] = useState<StatementRef | undefined>();
  // The body's decryption key, once opened, serves every statement of this page (never stored).
  const [keyring, setKeyring] = useState<DecryptionKey | undefined>();
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
      <PageHeader t={t} title="app.title" subtitle="app.subtitle" locale={locale} setLocale={setLocale} signedIn={session?.participant}
        onSignedOut={() => { setSession(undefined); setView(''); setStatement(undefined); setKeyring(undefined); }}>
        {session && (
          <nav aria-label="main">
            {police && <button type="button" id="nav-new" aria-current={current === 'new'} onClick={() => setView('new')}>{t('nav.new')}</button>}
            {police && <button type="button" id="nav-mine" aria-current={current === 'mine'} onClick={() => { setView('mine'); setStatement(undefined); }}>{t('nav.mine')}</button>}
            {prosecutor && <button type="button" id="nav-pending" aria-current={current === 'pending'} onClick={() => setView('pending')}>{t('nav.pending')}</button>}
            {prosecutor && <button type="button" id="nav-decisions" aria-current={current === 'decisions'} onClick={() => setView('decisions')}>{t('nav.decisions')}</button>}
            {/* Statistics, the log's health and the money trail are a page of their own (docs/console.md "Oversight"). */}
            <a id="nav-oversight" class="nav-link" href="/console/oversight">{t('nav.oversight')}</a>
          </nav>
        )}
      </PageHeader>
      <main>
        {note && <p class="ok" role="status" id="note">{note}</p>}
        {!session && <SignIn t={t} locale={locale} choice={choice} setChoice={setChoice} onIn={(s) => { setSession(s); setView(''); }} />}
        {session && current === 'new' && choice.kind === 'software' && !choice.keys.sign && <SignerPicker t={t} choice={choice} onChange={setChoice} needSign />}
        {session && current === 'new' && <NewRequest t={t} locale={locale} session={session} choice={choice} onDone={(id, signedBy) => { setNote(t('req.submitted', { id, signer: signedBy })); setView('mine'); }} />}
        {session && current === 'mine' && !statement && <MyRequests t={t} locale={locale} session={session} choice={choice} now={now} onOpen={setStatement} />}
        {session && current === 'mine' && statement && choice.kind === 'software' && !choice.keys.sign && <SignerPicker t={t} choice={choice} onChange={setChoice} needSign />}
        {session && current === 'mine' && statement && <StatementView t={t} locale={locale} session={session} choice={choice} target={statement} keyring={keyring} setKeyring={setKeyring} onBack={() => setStatement(undefined)} />}
        {session && current === 'decisions' && <Decisions t={t} session={session} locale={locale} />}
        {session && current === 'pending' && <Pending t={t} locale={locale} session={session} choice={choice} now={now} />}
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
