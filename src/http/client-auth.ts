import type { TLSSocket } from 'node:tls';
import type { NextFunction, Request, Response } from 'express';
import { Art50Error, isArt50Error } from '../errors';
import type { Registry } from '../participants/registry';
import type { Participant, Role } from '../participants/types';
import type { PathValidator, ValidatedCertificate } from '../pki/types';

/** The authenticated TLS client of a request, put in res.locals.client. */
export interface ClientIdentity {
  certificate: ValidatedCertificate;
  participant: Participant;
}

const FROM_CERT_CODE: Record<string, Art50Error['code']> = {
  'cert.revoked': 'auth.client_cert_revoked',
  'cert.expired': 'auth.client_cert_expired',
};

/**
 * Maps the TLS peer certificate to a participant. The TLS layer only asks for a certificate;
 * trust, validity, revocation and key usage are decided here by the same path validator that
 * checks document signatures, so there is one policy for both.
 */
export function clientAuth(validator: PathValidator, registry: () => Registry) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const socket = req.socket as TLSSocket;
    const peer = typeof socket.getPeerX509Certificate === 'function' ? socket.getPeerX509Certificate() : undefined;
    if (!peer) {
      next(new Art50Error('auth.client_cert_missing', 'this endpoint requires a TLS client certificate issued to a registered participant'));
      return;
    }
    let certificate: ValidatedCertificate;
    try {
      certificate = validator.validate(peer, { purpose: 'tls-client' });
    } catch (e) {
      if (!isArt50Error(e)) return next(e);
      const code = FROM_CERT_CODE[e.code] ?? 'auth.client_cert_untrusted';
      next(new Art50Error(code, `client certificate refused: ${e.detail}`, { extra: { reason: e.code } }));
      return;
    }
    const participant = registry().identify({ iin: certificate.subject.iin, bin: certificate.subject.bin });
    if (!participant) {
      next(new Art50Error('auth.client_unknown', 'the client certificate is valid but its holder is not in the participant registry'));
      return;
    }
    res.locals.client = { certificate, participant } satisfies ClientIdentity;
    next();
  };
}

export function clientOf(res: Response): ClientIdentity {
  const c = res.locals.client as ClientIdentity | undefined;
  if (!c) throw new Art50Error('auth.client_cert_missing', 'no authenticated client');
  return c;
}

/** Route guard: the TLS client must hold one of `roles`. */
export function requireRole(...roles: Role[]) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const { participant } = clientOf(res);
    if (!participant.roles.some((r) => roles.includes(r))) {
      next(new Art50Error('auth.forbidden', `this endpoint is for ${roles.join(' or ')}; the client holds ${participant.roles.join(', ')}`));
      return;
    }
    next();
  };
}

/** Route guard on the kind of the client's organisation (e.g. any client of a police body). */
export function requireOrgKind(...kinds: Array<Participant['organisation']['kind']>) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const { participant } = clientOf(res);
    if (!kinds.includes(participant.organisation.kind)) {
      next(new Art50Error('auth.forbidden', `this endpoint is for clients of a ${kinds.join(' or ')} organisation`));
      return;
    }
    next();
  };
}
