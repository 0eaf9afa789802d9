import type { NextFunction, Request, Response } from 'express';
import { Art50Error, isArt50Error, isErrorCode, statusOf } from '../errors';
import { identifyClient } from '../auth/identify-client';
import { csrfMatches, Session, SessionStore } from '../auth/sessions';
import type { Registry } from '../participants/registry';
import type { ClientIdentity } from '../participants/types';
import type { PathValidator } from '../pki/types';

/** `__Host-`: the browser keeps it only when Secure, for this host, Path=/ (no subdomain can plant one). */
export const SESSION_COOKIE = '__Host-art50-session';
export const CSRF_HEADER = 'X-Art50-CSRF';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The value of one cookie of the request, or undefined. */
export function cookieOf(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function setSessionCookie(res: Response, session: Session, now: Date): void {
  const maxAge = Math.max(0, Math.floor((session.expiresAt.getTime() - now.getTime()) / 1000));
  res.append('Set-Cookie', `${SESSION_COOKIE}=${session.id}; Path=/; Max-Age=${maxAge}; HttpOnly; Secure; SameSite=Strict`);
}

export function clearSessionCookie(res: Response): void {
  res.append('Set-Cookie', `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict`);
}

export function sessionOf(res: Response): Session | undefined {
  return res.locals.session as Session | undefined;
}

/** A certificate refusal whose cause is an unavailable status source (the catalog's 503 cert codes). */
function isTransient(e: unknown): boolean {
  if (!isArt50Error(e)) return false;
  const reason = e.extra?.reason;
  return typeof reason === 'string' && isErrorCode(reason) && statusOf(reason) === 503;
}

/**
 * A console session instead of a TLS client certificate: the AUTH certificate the person signed in
 * with is validated again on every call (a revocation ends the session at its next call) and mapped
 * through the registry by the same identifyClient as a TLS certificate, so both reach the same
 * ClientIdentity and the same route guards. A state-changing call also needs the CSRF header.
 */
export function sessionAuth(d: { sessions: SessionStore; validator: PathValidator; registry: Registry }) {
  const authenticate = async (req: Request, res: Response): Promise<void> => {
    const id = cookieOf(req, SESSION_COOKIE);
    if (!id) {
      throw new Art50Error('auth.client_cert_missing', 'this endpoint requires a TLS client certificate issued to a registered participant, or a console session (POST /v1/auth/login)');
    }
    const session = await d.sessions.touch(id);
    if (!session) {
      clearSessionCookie(res);
      throw new Art50Error('auth.session_invalid', 'the console session is unknown, has been idle too long or has ended; sign in again');
    }
    // OCSP, as for a TLS client: fetch a missing or expiring status first, so the check below
    // decides on a fresh answer (each process keeps its own answers; after a restart, or in another
    // process, there may be none yet).
    await d.validator.prepare?.(session.leaf, { purpose: 'tls-client', intermediates: session.intermediates }).catch(() => undefined);
    let client: ClientIdentity;
    try {
      client = identifyClient(d.validator, d.registry, session.leaf, () => session.intermediates);
    } catch (e) {
      // A refusal that says something about the certificate or its holder ends the session; one
      // that only says the status could not be had now (responder or CRL unavailable) does not.
      if (!isTransient(e)) {
        await d.sessions.end(session.id);
        clearSessionCookie(res);
      }
      throw e;
    }
    if (!SAFE_METHODS.has(req.method) && !csrfMatches(session, req.get(CSRF_HEADER))) {
      throw new Art50Error('auth.csrf', `a state-changing call with a console session needs the ${CSRF_HEADER} header with the csrf value returned at sign-in`);
    }
    res.locals.client = client;
    res.locals.session = session;
  };
  // Called from clientAuth (not as a route handler), so its rejections go to next() here.
  return (req: Request, res: Response, next: NextFunction): void => {
    authenticate(req, res).then(() => next(), next);
  };
}
