import type { X509Certificate } from 'node:crypto';
import { OID } from '../asn1/oids';
import { Art50Error } from '../errors';
import { certInfo } from '../pki/cert-info';
import type { Participant } from './types';

/**
 * Who may sign a request (Art. 50 para 7 b of the Law on Banks, as amended): "the investigator or
 * the first head of the criminal prosecution body". An investigator is one by the registry. The
 * first head must be one by both sources: the registry (role first_head) and the NCA certificate
 * (owner-kind purpose 1.2.398.3.3.4.1.2.1 in extendedKeyUsage) — a head of department, or a first
 * head signing with a certificate issued for another position, is refused.
 */
export function requestSignerRole(participant: Participant, signer: X509Certificate): 'investigator' | 'first_head' {
  if (participant.person && participant.roles.includes('investigator')) return 'investigator';
  if (!participant.person || !participant.roles.includes('first_head')) {
    throw new Art50Error('participant.role', 'a request must be signed by an investigator or the first head of the criminal prosecution body');
  }
  if (!(certInfo(signer).extKeyUsage ?? []).includes(OID.ncaFirstHead)) {
    throw new Art50Error('participant.role', `the registry names the signer the first head of the body, but the signing certificate does not say so (NCA purpose ${OID.ncaFirstHead} missing from extendedKeyUsage)`);
  }
  return 'first_head';
}
