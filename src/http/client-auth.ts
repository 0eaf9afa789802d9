import { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, PeerCertificate, TLSSocket } from 'node:tls';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Art50Error } from '../errors';
import { identifyClient } from '../auth/identify-client';
import type { Registry } from '../participants/registry';
import type { ClientIdentity, Participant, Role } from '../participants/types';
import type { PathValidator } from '../pki/types';

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

/**
 * Maps the TLS peer certificate to a participant. The TLS layer only asks for a certificate;
 * trust, validity, revocation and key usage are decided here by the same path validator that
 * checks document signatures, so there is one policy for both. A request without a certificate
 * goes to `withoutCertificate` (the console session), which must reach the same ClientIdentity.
 */
export function clientAuth(validator: PathValidator, registry: Registry, opts: { withoutCertificate?: RequestHandler } = {}) {
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
    if (!peer && opts.withoutCertificate) {
      opts.withoutCertificate(req, res, next);
      return;
    }
    if (!peer) {
      next(new Art50Error('auth.client_cert_missing', 'this endpoint requires a TLS client certificate issued to a registered participant'));
      return;
    }
    const sent = peer;
    const identify = (): void => {
      try {
        res.locals.client = identifyClient(validator, registry, parse(sent), () => sentChain(sent).map(parse)) satisfies ClientIdentity;
      } catch (e) {
        next(e);
        return;
      }
      next();
    };
    // OCSP: fetch a missing or expiring status first (a cache hit costs a few lookups), so the
    // synchronous check below decides on a fresh answer rather than the CRL fallback.
    if (!validator.prepare) return identify();
    let chain: { leaf: X509Certificate; intermediates: X509Certificate[] };
    try {
      chain = { leaf: parse(sent), intermediates: sentChain(sent).map(parse) };
    } catch {
      return identify(); // reports the unreadable certificate as identifyClient does
    }
    validator.prepare(chain.leaf, { purpose: 'tls-client', intermediates: chain.intermediates }).then(identify, identify);
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
