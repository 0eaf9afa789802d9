import type { RequestStatusView } from './api-client';
import { table } from './cli';

/**
 * `police status` for a person: the request, its sanction, a row per bank, the receipts. A bank's
 * refusal reason is inside its statement, which only the requesting body can read: `fetched` has
 * the reasons read from the statements `police fetch` wrote (and the directory); for a refusal not
 * fetched there the text says how to read it instead of leaving it out silently.
 */
export function formatStatus(s: RequestStatusView, fetched?: { dir: string; reasons: ReadonlyMap<string, string> }): string {
  const lines = [
    `request:  ${s.requestId}`,
    `digest:   ${s.digest}`,
    `state:    ${s.state}${s.decision ? ` (sanction ${s.decision.decision}${s.decision.reason ? `: ${s.decision.reason}` : ''})` : ''}`,
    `received: ${s.receivedAt}`,
  ];
  let out = lines.join('\n') + '\n';
  if (s.banks.length > 0) {
    out += '\n' + table([
      ['bank', 'state', 'result', 'delivered', 'deadline', 'acknowledged', 'answered'],
      ...s.banks.map((b) => [b.bic, `${b.state}${b.overdue && b.state !== 'overdue' ? ' (was overdue)' : ''}`, b.result ?? '-', b.deliveredAt ?? '-', b.deadline ?? '-', b.acknowledgedAt ?? '-', b.answeredAt ?? '-']),
    ]);
  }
  const refused = s.banks.filter((b) => b.result === 'refused');
  if (refused.length > 0) {
    out += '\n';
    for (const b of refused) {
      const reason = fetched?.reasons.get(b.bic);
      out += reason !== undefined
        ? `${b.bic} refused: ${reason} (from its statement fetched to ${fetched!.dir})\n`
        : `${b.bic} refused: the reason is in the bank's statement, readable only by your body: art50 police fetch ${s.requestId} --out DIR prints it${fetched ? ` (not found in ${fetched.dir})` : ''}; then art50 police status ${s.requestId} --statements DIR shows it here\n`;
    }
  }
  out += `\nreceipts: ${s.receipts.map((r) => `${r.event}${r.bank ? ` (${r.bank})` : ''} #${r.logIndex}`).join(', ') || '-'}\n`;
  out += s.receipts.length ? `          (art50 police receipts ${s.requestId} --out DIR writes them; art50 audit prove --receipt FILE proves each)\n` : '';
  return out;
}
