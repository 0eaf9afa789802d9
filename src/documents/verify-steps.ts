import type { X509Certificate } from 'node:crypto';
import { Art50Error } from '../errors';
import type { Registry } from '../participants/registry';
import type { Participant } from '../participants/types';
import type { PathValidator, ValidatedCertificate } from '../pki/types';

/**
 * The steps every signed document goes through after its CMS signature (cms/verify), each a
 * small synchronous function with its own error codes, composed in one readable order by
 * DocumentVerifier.open (gateway, client library), by the statement worker's opener and by
 * `art50 verify`:
 *
 *   decode + signature (cms/verify) → signer path (checkSignerPath) → registry (identifySigner)
 *   → JSON + schema (documents/validators)
 */

/** What the CMS step hands on: the signer, the other certificates it carried and the signing time. */
export interface SignerEvidence {
  signer: X509Certificate;
  certificates: readonly X509Certificate[];
  signingTime: Date;
}

/** The signer's certificate path to the trust anchors, valid at the signing time and now, for document signing (SIGN key). */
export function checkSignerPath(cms: SignerEvidence, validator: PathValidator): ValidatedCertificate {
  return validator.validate(cms.signer, { purpose: 'signature', at: cms.signingTime, intermediates: cms.certificates });
}

/** Who the signer is: roles come from the participant registry, never from the certificate alone. */
export function identifySigner(signer: ValidatedCertificate, registry: Registry): Participant {
  const participant = registry.identify({ iin: signer.subject.iin, bin: signer.subject.bin });
  if (!participant) {
    throw new Art50Error('participant.unknown', `the signer (certificate ${signer.fingerprint.slice(0, 16)}…) is not in the participant registry`);
  }
  return participant;
}
