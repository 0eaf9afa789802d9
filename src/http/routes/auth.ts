import { Router } from 'express';
import type { ChallengeStore } from '../../auth/challenges';
import type { LoginService } from '../../auth/login';
import { csrfMatches, SessionStore } from '../../auth/sessions';
import { Art50Error } from '../../errors';
import type { ClientIdentity, Participant } from '../../participants/types';
import { clientOf } from '../client-auth';
import { bodyBuffer, signedBody } from '../signed-body';
import { clearSessionCookie, cookieOf, CSRF_HEADER, SESSION_COOKIE, sessionOf, setSessionCookie } from '../session-auth';

export interface AuthRoutesDeps {
  challenges: ChallengeStore;
  login: LoginService;
  sessions: SessionStore;
  clock: () => Date;
  /** The registered banks, for the console's request form. */
  banks: () => Array<{ bic: string; name: string }>;
}

/** A signed challenge is a few kB at most (the CMS and one or two certificates). */
const LOGIN_BODY_LIMIT = 64 * 1024;

/** Who is signed in, as the console shows it: the person, their roles and organisation (no key material). */
export function participantView(p: Participant, client?: ClientIdentity): Record<string, unknown> {
  return {
    ...(p.person ? { name: p.person.name, iin: p.person.iin, ...(p.person.position ? { position: p.person.position } : {}) } : {}),
    roles: [...p.roles],
    organisation: { bin: p.organisation.bin, name: p.organisation.name, kind: p.organisation.kind, ...(p.organisation.region ? { region: p.organisation.region } : {}) },
    ...(client ? { certificate: { subject: client.certificate.subject.cn ?? '', fingerprint: client.certificate.fingerprint, notAfter: client.certificate.notAfter.toISOString() } } : {}),
  };
}

/** Challenge and login need no authentication; logout ends whatever session the cookie names. */
export function authOpenRoutes(d: AuthRoutesDeps): Router {
  const r = Router();
  r.get('/v1/auth/challenge', async (_req, res) => {
    res.json(await d.challenges.issue());
  });

  r.post('/v1/auth/login', ...signedBody(LOGIN_BODY_LIMIT), async (req, res) => {
    const { session, client } = await d.login.login(bodyBuffer(req), req.socket.remoteAddress ?? 'unknown');
    // A session cookie the browser still holds is ended: every login gets a new id.
    const previous = cookieOf(req, SESSION_COOKIE);
    if (previous && previous !== session.id) await d.sessions.end(previous);
    setSessionCookie(res, session, d.clock());
    res.json({ csrf: session.csrf, participant: participantView(client.participant, client), expiresAt: session.expiresAt.toISOString() });
  });

  r.post('/v1/auth/logout', async (req, res) => {
    const id = cookieOf(req, SESSION_COOKIE);
    const session = id ? await d.sessions.touch(id) : undefined;
    if (session) {
      if (!csrfMatches(session, req.get(CSRF_HEADER))) throw new Art50Error('auth.csrf', `signing out needs the ${CSRF_HEADER} header with the csrf value returned at sign-in`);
      await d.sessions.end(session.id);
    }
    clearSessionCookie(res);
    res.status(204).end();
  });
  return r;
}

/** Behind authentication: who the caller is (the console reads its csrf token here after a reload). */
export function authSessionRoutes(d: Pick<AuthRoutesDeps, 'banks'>): Router {
  const r = Router();
  r.get('/v1/auth/session', (_req, res) => {
    const client = clientOf(res);
    const session = sessionOf(res);
    res.json({
      participant: participantView(client.participant, client),
      ...(session ? { csrf: session.csrf, expiresAt: session.expiresAt.toISOString() } : {}),
      banks: d.banks(),
    });
  });
  return r;
}
