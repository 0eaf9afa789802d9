import type { RequestStatusView } from './api-client';
import { table } from './cli';

/** `police status` for a person: the request, its sanction, a row per bank, the receipts. */
export function formatStatus(s: RequestStatusView): string {
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
  out += `\nreceipts: ${s.receipts.map((r) => `${r.event}${r.bank ? ` (${r.bank})` : ''} #${r.logIndex}`).join(', ') || '-'}\n`;
  out += s.receipts.length ? `          (art50 police receipts ${s.requestId} --out DIR writes them; art50 audit prove --receipt FILE proves each)\n` : '';
  return out;
}
