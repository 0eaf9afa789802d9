import { useState } from 'preact/hooks';
import { buildNextHopRequests, NextHop, unfollowedTransfers, UnfollowedTransfer } from '../../../src/client/follow';
import { describeIdentifier } from '../../../src/documents/subject';
import type { RequestDoc, StatementDoc } from '../../../src/documents/types';
import { postCms } from '../api';
import { openCms } from '../cms';
import { Json, messageOf, signWith, utf8, ViewProps } from '../shared';
import type { StatementRef } from './my-requests';
import type { Row } from './statement';

/**
 * Follow the money from the page: the transfers the investigator picked become next-hop requests
 * (one per receiver named by IIN, else IBAN, else card), built by the same pure module as `art50 police follow`
 * (src/client/follow.ts), then each is signed with the investigator's SIGN key and submitted.
 */

/** The parent request as far as the next hops copy it: case, body, scope and deadline; the signer is whoever signs now. */
function parentOf(p: ViewProps & { target: StatementRef }, subjectIin: string): RequestDoc {
  const me = p.session.participant;
  const r = p.target.request;
  return {
    type: 'request', version: 1, requestId: r.requestId, createdAt: r.receivedAt,
    case: { erdrNumber: r.erdrNumber, article: r.article },
    body: { bin: me.organisation.bin, name: me.organisation.name },
    signer: { iin: me.iin ?? '', name: me.name ?? '', position: me.position ?? 'Investigator' },
    subject: { iin: subjectIin },
    scope: r.scope as unknown as RequestDoc['scope'],
    banks: r.addressed,
    deadlineHours: r.deadlineHours,
  } as RequestDoc;
}

/** The statement with only the picked movements, so the shared builder follows exactly those. */
function pickedOnly(statement: Json, rows: Row[], picked: Set<number>): StatementDoc {
  const accounts = ((statement.accounts as Json[] | undefined) ?? []).map((a) => ({ ...a, movements: [] as Json[] }));
  for (const r of rows) if (picked.has(r.index)) accounts[r.account]!.movements.push(r.m);
  return { ...statement, accounts } as unknown as StatementDoc;
}

type Outcome = { ok: true; requestId: string; signedBy: string } | { ok: false; message: string };

/** A hop's receiver as a key and as shown: "iin:…", "iban:…", "card:…" (a card masked when shown). */
const keyOf = (h: NextHop): string => `${h.counterparty.kind}:${h.counterparty.value}`;

export function FollowPanel(p: ViewProps & { target: StatementRef; statement: Json; rows: Row[]; picked: Set<number> }) {
  const { t } = p;
  const [hops, setHops] = useState<NextHop[] | undefined>();
  const [skipped, setSkipped] = useState<UnfollowedTransfer[]>([]);
  const [outcomes, setOutcomes] = useState<Record<string, Outcome>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const prepare = (): void => {
    try {
      setError('');
      setOutcomes({});
      const subjectIin = String((p.statement.subject as Json | undefined)?.iin ?? '');
      const parent = parentOf(p, subjectIin);
      const statement = pickedOnly(p.statement, p.rows, p.picked);
      const knownBanks = new Set(p.session.banks.map((b) => b.bic));
      setHops(buildNextHopRequests(statement, parent, { knownBanks }));
      setSkipped(unfollowedTransfers(statement, parent));
    } catch (e) {
      setError(messageOf(e, t));
    }
  };
  const submit = async (): Promise<void> => {
    if (!hops) return;
    setBusy(true);
    const out: Record<string, Outcome> = {};
    for (const h of hops) {
      if (outcomes[keyOf(h)]?.ok) continue;
      try {
        // Signed now, by the person signed in: the exact bytes go to the gateway.
        const doc = { ...h.request, createdAt: new Date().toISOString() };
        const cms = await signWith(p.choice, utf8(JSON.stringify(doc)), 'sign', p.locale);
        const signedBy = openCms(cms).signerCn;
        const receipt = await postCms<{ requestId: string }>('/v1/requests', cms);
        out[keyOf(h)] = { ok: true, requestId: receipt.requestId, signedBy };
      } catch (e) {
        out[keyOf(h)] = { ok: false, message: messageOf(e, t) };
      }
      setOutcomes((o) => ({ ...o, ...out }));
    }
    setBusy(false);
  };

  return (
    <section id="follow" aria-labelledby="follow-title">
      <h3 id="follow-title">{t('follow.title')}</h3>
      <p>{t('follow.explain', { n: p.picked.size })}</p>
      <button type="button" id="follow-prepare" disabled={p.picked.size === 0} onClick={prepare}>{t('follow.prepare')}</button>
      {error && <p class="error" role="alert">{error}</p>}
      {hops && hops.length === 0 && <p id="follow-none">{t('follow.none')}</p>}
      {hops && hops.length > 0 && (
        <div>
          <ul id="hops">{hops.map((h) => {
            const o = outcomes[keyOf(h)];
            return (
              <li key={keyOf(h)} class="hop" data-receiver={h.counterparty.kind === 'card' ? describeIdentifier(h.counterparty) : keyOf(h)}>
                {h.name ?? ''} ({describeIdentifier(h.counterparty)}) — {Object.entries(h.totals).map(([cur, v]) => `${v} ${cur}`).join(', ')} · {t('follow.transfers', { n: h.movements })} · {t('detail.banks')}: {h.banks === 'all' ? t('req.allBanks') : h.banks.join(', ')}
                {o && <span class={o.ok ? 'ok hop-result' : 'error hop-result'}> — {o.ok ? t('follow.submitted', { id: o.requestId, signer: o.signedBy }) : o.message}</span>}
              </li>
            );
          })}</ul>
          <button type="button" id="follow-submit" disabled={busy} onClick={() => void submit()}>{t('follow.submit', { n: hops.length })}</button>
        </div>
      )}
      {skipped.length > 0 && (
        <details id="follow-skipped"><summary>{t('follow.skipped', { n: skipped.length })}</summary>
          <ul>{skipped.map((s, i) => <li key={i}>{s.counterparty}: {s.amount} {s.currency} — {s.reason}</li>)}</ul>
        </details>
      )}
    </section>
  );
}
