import { createHash } from 'node:crypto';
import { subjectIdentifier } from '../documents/subject';
import type { StatementDoc } from '../documents/types';
import type { OrganisationEntry } from '../participants/types';
import type { CoreBanking } from '../demo/core-banking/types';
import type { VerifiedDelivery } from './delivery-check';

/** The statement a bank answers a verified delivery with: exactly the requested scope, from its core system. */
export function buildStatement(v: VerifiedDelivery, bank: OrganisationEntry, core: CoreBanking, now: Date): StatementDoc {
  const bic = bank.bic!;
  const base = {
    type: 'statement' as const,
    version: 1 as const,
    statementId: uuidFrom(`${bic}|${v.bundle.deliveryId}|${v.digest}`),
    requestId: v.request.requestId,
    requestDigest: v.digest,
    bank: { bic, bin: bank.bin },
    generatedAt: kzTime(now),
  };
  const asked = subjectIdentifier(v.request.subject);
  // Asked by IIN the statement echoes it; asked by IBAN or card it names the holder the bank found.
  const echo = asked.kind === 'iin' ? { subject: { iin: asked.value } } : {};
  if (v.refusal) return { ...base, ...echo, result: 'refused', reason: v.refusal.slice(0, 2000) };
  const { accounts, holder } = core.lookup(asked, v.request.scope);
  if (accounts.length === 0) return { ...base, ...echo, result: 'not_found' };
  const named = asked.kind === 'iin' || !holder ? echo : { subject: { iin: holder.iin, ...(holder.name ? { name: holder.name } : {}) } };
  return { ...base, ...named, result: 'found', accounts };
}

/** A UUID (version 8, RFC 9562 custom) derived from text: the same delivery always gets the same statementId. */
function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest();
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** RFC 3339 with the Kazakhstan offset (+05:00), as banks write times. */
function kzTime(d: Date): string {
  const local = new Date(d.getTime() + 5 * 3600_000).toISOString().slice(0, 19);
  return `${local}+05:00`;
}
