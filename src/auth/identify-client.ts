import type { X509Certificate } from 'node:crypto';
import { Art50Error, isArt50Error } from '../errors';
import type { Registry } from '../participants/registry';
import type { ClientIdentity } from '../participants/types';
import type { PathValidator, ValidatedCertificate } from '../pki/types';

const FROM_CERT_CODE: Record<string, Art50Error['code']> = {
  'cert.revoked': 'auth.client_cert_revoked',
  'cert.expired': 'auth.client_cert_expired',
};

/**
 * An AUTH certificate (TLS client or console session) → the participant it belongs to. The one
 * policy for both ways in: the path validator decides trust, validity, revocation and clientAuth
 * usage (leaf first; the intermediates only when the leaf alone has no issuer), the registry decides
 * who it is. Throws Art50Error with an `auth.*` code.
 */
export function identifyClient(validator: PathValidator, registry: Registry, leaf: X509Certificate, intermediates: () => readonly X509Certificate[]): ClientIdentity {
  let certificate: ValidatedCertificate;
  try {
    certificate = validatePath(validator, leaf, intermediates);
  } catch (e) {
    if (!isArt50Error(e)) throw e;
    const code = FROM_CERT_CODE[e.code] ?? 'auth.client_cert_untrusted';
    throw new Art50Error(code, `client certificate refused: ${e.detail}`, { extra: { reason: e.code } });
  }
  const participant = registry.identify({ iin: certificate.subject.iin, bin: certificate.subject.bin });
  if (!participant) {
    throw new Art50Error('auth.client_unknown', 'the client certificate is valid but its holder is not in the participant registry');
  }
  return { certificate, participant };
}

function validatePath(validator: PathValidator, leaf: X509Certificate, intermediates: () => readonly X509Certificate[]): ValidatedCertificate {
  try {
    return validator.validate(leaf, { purpose: 'tls-client' });
  } catch (e) {
    if (!isArt50Error(e) || e.code !== 'cert.untrusted') throw e;
    const more = intermediates();
    if (more.length === 0) throw e;
    return validator.validate(leaf, { purpose: 'tls-client', intermediates: more });
  }
}
