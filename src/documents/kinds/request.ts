import type { X509Certificate } from 'node:crypto';
import { Art50Error } from '../../errors';
import { requestSignerRole } from '../../participants/request-signer';
import type { Participant } from '../../participants/types';
import { checkRequestSubject } from '../semantics';
import type { RequestDoc } from '../types';
import type { DocumentKindSpec } from './kind';

/** A police body's request for bank information (schemas/request.schema.json). */
export const REQUEST = {
  type: 'request',
  afterSchema: checkRequestSubject,
  size: 'small',
  signer: 'an investigator or the first head of the body the request names (Art. 50 para 7 b); checkRequestSigner',
  events: ['request.received', 'request.refused'] as const,
  store: 'src/requests/lua/intake-6.lua',
} satisfies DocumentKindSpec<RequestDoc>;

/** Signer must be an investigator or the first head of the body the request names (Art. 50 para 7 b). */
export function checkRequestSigner(sd: { doc: RequestDoc; participant: Participant; signer: { cert: X509Certificate } }): 'investigator' | 'first_head' {
  const { participant, doc } = sd;
  const role = requestSignerRole(participant, sd.signer.cert);
  if (participant.organisation.bin !== doc.body.bin) {
    throw new Art50Error('participant.wrong_body', `the signer belongs to body ${participant.organisation.bin}, not to body ${doc.body.bin} named in the request`, { field: '/body/bin' });
  }
  if (participant.person!.iin !== doc.signer.iin) {
    throw new Art50Error('participant.wrong_body', 'signer.iin in the request is not the IIN of the signing certificate', { field: '/signer/iin' });
  }
  return role;
}
