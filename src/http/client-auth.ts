import { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, PeerCertificate, TLSSocket } from 'node:tls';
import type { NextFunction, Request, Response } from 'express';
import { Art50Error, isArt50Error } from '../errors';
import type { Registry } from '../participants/registry';
import type { ClientIdentity, Participant, Role } from '../participants/types';
import type { PathValidator, ValidatedCertificate } from '../pki/types';

/**
 * Leaf first, as most clients chain directly to an anchor; only when that fails for want of an
 * issuer are the intermediates the client sent in the handshake tried (a two-tier national CA).
 */
function validateClient(validator: PathValidator, peer: DetailedPeerCertificate, parse: (c: PeerCertificate) => X509Certificate): ValidatedCertificate {
  const leaf = parse(peer);
  try {
    return validator.validate(leaf, { purpose: 'tls-client' });
  } catch (e) {
    if (!isArt50Error(e) || e.code !== 'cert.untrusted') throw e;
    const intermediates = sentChain(peer).map(parse);
    if (intermediates.length === 0) throw e;
    return validator.validate(leaf, { purpose: 'tls-client', intermediates });
  }
}

function sentChain(peer: DetailedPeerCertificate): PeerCertificate[] {
  const out: PeerCertificate[] = [];
  const seen = new Set<string>([peer.fingerprint256]);
  let c: DetailedPeerCertificate = peer;
  while (c.issuerCertificate && out.length < 8) {
    c = c.issuerCertificate;
    if (!c.raw || seen.has(c.fingerprint256)) break;
    seen.add(c.fingerprint256);
    out.push(c);
  }
  return out;
}

/** Parsed certificates by fingerprint: a TLS client is parsed once, not on every request. */
function certificateMemo(max = 1000): (c: PeerCertificate) => X509Certificate {
  const memo = new Map<string, X509Certificate>();
  return (c) => {
    let x = memo.get(c.fingerprint256);
    if (!x) {
      x = new X509Certificate(c.raw);
      if (memo.size >= max) memo.delete(memo.keys().next().value as string);
      memo.set(c.fingerprint256, x);
    }
    return x;
  };
}

export type { ClientIdentity };

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
  const parse = certificateMemo();
  // The peer certificate of a connection never changes: read it once per socket (keep-alive
  // clients send many requests). Validation itself runs on every request (cached by fingerprint
  // and CRL version), so a revocation is noticed on an open connection too.
  const peers = new WeakMap<TLSSocket, DetailedPeerCertificate | null>();
  return (req: Request, res: Response, next: NextFunction): void => {
    const socket = req.socket as TLSSocket;
    let peer = peers.get(socket);
    if (peer === undefined) {
      // The detailed form keeps the chain the client sent (getPeerX509Certificate first would lose it).
      const detailed = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate(true) : undefined;
      peer = detailed && detailed.raw ? detailed : null;
      peers.set(socket, peer);
    }
    if (!peer) {
      next(new Art50Error('auth.client_cert_missing', 'this endpoint requires a TLS client certificate issued to a registered participant'));
      return;
    }
    let certificate: ValidatedCertificate;
    try {
      certificate = validateClient(validator, peer, parse);
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
