import { Art50Error } from '../../errors';
import type { Registry } from '../../participants/registry';
import type { StoredRequest } from '../../requests/types';
import type { Participant } from '../../participants/types';
import type { SanctionDoc } from '../types';
import type { DocumentKindSpec } from './kind';

/** A prosecutor's decision on a request, granted or refused (schemas/sanction.schema.json). */
export const SANCTION = {
  type: 'sanction',
  size: 'small',
  signer: 'a prosecutor of an office that supervises the requesting body; checkSanctionSigner',
  events: ['sanction.granted', 'sanction.refused'] as const,
  store: 'src/requests/lua/sanction-8.lua',
} satisfies DocumentKindSpec<SanctionDoc>;

/** The signer is a prosecutor, named in the sanction, of an office that supervises the requesting body. */
export function checkSanctionSigner(sd: { doc: SanctionDoc; participant: Participant }, request: Pick<StoredRequest, 'bodyBin'>, registry: Registry): void {
  const { participant, doc } = sd;
  if (!participant.person || !participant.roles.includes('prosecutor')) {
    throw new Art50Error('participant.role', 'a sanction must be signed by a prosecutor');
  }
  if (participant.person.iin !== doc.prosecutor.iin || participant.organisation.bin !== doc.prosecutor.bin) {
    throw new Art50Error('participant.wrong_body', 'prosecutor.iin / prosecutor.bin do not match the signing certificate', { field: '/prosecutor' });
  }
  if (!registry.supervises(participant.organisation.bin, request.bodyBin)) {
    throw new Art50Error('participant.not_supervising', `the prosecutor's office ${participant.organisation.bin} does not supervise body ${request.bodyBin}`);
  }
}
