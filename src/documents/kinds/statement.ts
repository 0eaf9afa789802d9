import { Art50Error } from '../../errors';
import type { Registry } from '../../participants/registry';
import type { Participant } from '../../participants/types';
import type { StatementDoc } from '../types';
import type { DocumentKindSpec } from './kind';

/** A bank's answer to a delivered request (schemas/statement.schema.json); may be tens of MB. */
export const STATEMENT = {
  type: 'statement',
  size: 'body',
  signer: 'the bank system certificate or a bank officer of the bank the statement names; checkStatementSigner',
  events: ['statement.received', 'statement.refused', 'statement.downloaded'] as const,
  store: 'src/statements/lua/statement-9.lua',
} satisfies DocumentKindSpec<StatementDoc>;

/**
 * The signer is the bank named in `bank.bic`: its system certificate (role bank) or one of its
 * officers (role bank_officer). `bank.bin` must be that bank's BIN in the registry.
 */
export function checkStatementSigner(sd: { doc: Pick<StatementDoc, 'bank'>; participant: Participant }, registry: Registry): void {
  const { doc, participant } = sd;
  const bank = registry.bankByBic(doc.bank.bic);
  if (!bank) throw new Art50Error('document.unknown_bank', `bank ${doc.bank.bic} is not a registered bank`, { field: '/bank/bic' });
  if (bank.bin !== doc.bank.bin) {
    throw new Art50Error('participant.wrong_bank', `bank.bin ${doc.bank.bin} is not the BIN of ${doc.bank.bic} in the registry`, { field: '/bank/bin' });
  }
  if (participant.organisation.kind !== 'bank' || participant.organisation.bin !== bank.bin) {
    throw new Art50Error('participant.wrong_bank', `the signer belongs to ${participant.organisation.name}, not to bank ${doc.bank.bic} named in the statement`, { field: '/bank/bic' });
  }
  if (!participant.roles.some((r) => r === 'bank' || r === 'bank_officer')) {
    throw new Art50Error('participant.role', 'a statement must be signed by the bank system certificate or a bank officer');
  }
}
