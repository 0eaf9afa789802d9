import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { getJson, setCsrf } from './api';
import { loadMessages, Locale, LOCALES } from './i18n';
import { LogView } from './oversight/log-view';
import { PageHeader } from './views/page-header';
import { prefetchStats, StatsView } from './oversight/stats-view';
import type { SessionInfo, T } from './oversight/types';

/**
 * The oversight console (/console/oversight): statistics and deadlines per bank, the log's health
 * proved in this browser, and the money trail of a case. A page and bundle of its own; people sign
 * in on /console (the same session cookie serves both pages).
 */

type View = 'stats' | 'log' | 'trail';

function views(roles: string[]): View[] {
  const out: View[] = [];
  if (roles.includes('auditor') || roles.includes('prosecutor')) out.push('stats', 'log');
  if (roles.some((r) => r === 'investigator' || r === 'first_head' || r === 'head' || r === 'prosecutor')) out.push('trail');
  return out;
}

function Oversight() {
  const initial = (localStorage.getItem('art50.locale') as Locale | null) ?? 'ru';
  const [locale, setLocale] = useState<Locale>(LOCALES.includes(initial) ? initial : 'ru');
  const [t, setT] = useState<T | undefined>();
  const [session, setSession] = useState<SessionInfo | null | undefined>();
  const [view, setView] = useState<View | undefined>();
  const [now, setNow] = useState(Date.now());
  // The trail view (and cytoscape, most of the code) is loaded only when it is opened: the page's
  // first figures must be on screen within a second.
  const [trail, setTrail] = useState<typeof import('./oversight/trail-view') | undefined>();
  useEffect(() => {
    void loadMessages(locale).then((fn) => setT(() => fn));
    document.documentElement.lang = locale;
    localStorage.setItem('art50.locale', locale);
  }, [locale]);
  useEffect(() => {
    getJson<SessionInfo>('/v1/auth/session').then((s) => {
      if (s.csrf) setCsrf(s.csrf);
      if (views(s.participant.roles)[0] === 'stats') prefetchStats();
      setSession(s);
    }, () => setSession(null));
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  if (!t || session === undefined) return <main><p>…</p></main>;
  const allowed = session ? views(session.participant.roles) : [];
  const current = view && allowed.includes(view) ? view : allowed[0];
  if (current === 'trail' && !trail) void import('./oversight/trail-view').then((m) => setTrail(() => m));
  // When every figure is on the page, and how long after navigation (the DESIGN bound is 1 s).
  const ready = (what: string) => (): void => {
    document.body.dataset.readyMs = String(Math.round(performance.now()));
    document.body.dataset.ready = what;
  };
  return (
    <div>
      <PageHeader t={t} title="ov.title" subtitle="ov.subtitle" locale={locale} setLocale={setLocale} signedIn={session?.participant} onSignedOut={() => setSession(null)}>
        {session && allowed.length > 0 && (
          <nav aria-label="oversight">
            {allowed.map((v) => <button type="button" id={`nav-${v}`} aria-current={current === v} onClick={() => setView(v)}>{t(`ov.nav.${v}`)}</button>)}
            <a id="nav-console" class="nav-link" href="/console">{t('ov.back')}</a>
          </nav>
        )}
      </PageHeader>
      <main>
        {!session && <p id="signin-needed">{t('ov.signin')} <a href="/console">/console</a></p>}
        {session && allowed.length === 0 && <p id="not-for-you">{t('ov.notForYou')}</p>}
        {session && current === 'stats' && <StatsView t={t} locale={locale} onReady={ready('stats')} />}
        {session && current === 'log' && <LogView t={t} locale={locale} now={now} />}
        {session && current === 'trail' && (trail ? <trail.TrailView t={t} locale={locale} canDecrypt={session.participant.organisation.kind === 'police'} /> : <p>{t('ov.loading')}</p>)}
      </main>
    </div>
  );
}

render(<Oversight />, document.getElementById('app')!);
