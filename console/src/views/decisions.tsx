import { useEffect, useState } from 'preact/hooks';
import { getJson } from '../api';
import { almaty, Locale } from '../i18n';
import type { SessionInfo, T } from '../shared';

interface DecisionItem { requestId: string; erdrNumber: string; article: string; decision: 'granted' | 'refused'; reason?: string; decidedAt: string; state: string }

/** The office's decisions, from the gateway (GET /v1/sanctions/decided), newest first. */
export function Decisions(p: { t: T; session: SessionInfo; locale: Locale }) {
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

