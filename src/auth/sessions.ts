import { createHash, randomBytes, timingSafeEqual, X509Certificate } from 'node:crypto';
import type Redis from 'ioredis';
import type { Keys } from '../store/keys';

/** What Redis keeps of a session: the AUTH certificate path it was opened with, and its limits. */
interface SessionRecord {
  /** Base64 DER, leaf first (the certificates the login CMS carried). */
  certificates: string[];
  csrf: string;
  createdAt: string;
  /** Absolute end, whatever the activity. */
  expiresAt: string;
}

export interface Session {
  id: string;
  leaf: X509Certificate;
  intermediates: X509Certificate[];
  csrf: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface SessionLimits {
  /** Absolute lifetime (≤ 8 h). */
  maxMs: number;
  /** Ended after this long without a call (30 min). */
  idleMs: number;
}

/** Session ids: 32 random bytes, base64url. Anything else is not looked up. */
const SESSION_ID_RE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Console sessions in Redis, so any gateway process serves them and a restart keeps them. The key
 * is the hash of the id (a key dump gives no usable cookie); the idle limit is the key's TTL,
 * renewed by the same GETEX that reads it, so a call costs one round trip.
 */
export class SessionStore {
  /** Parsed certificates by DER hash: a session's certificate is parsed once per process. */
  private readonly parsed = new Map<string, X509Certificate>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly limits: SessionLimits,
    private readonly clock: () => Date,
  ) {}

  async create(chain: readonly X509Certificate[]): Promise<Session> {
    const id = randomBytes(32).toString('base64url');
    const now = this.clock();
    const record: SessionRecord = {
      certificates: chain.map((c) => c.raw.toString('base64')),
      csrf: randomBytes(32).toString('base64url'),
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.limits.maxMs).toISOString(),
    };
    await this.redis.set(this.keyOf(id), JSON.stringify(record), 'PX', Math.min(this.limits.idleMs, this.limits.maxMs));
    return this.toSession(id, record);
  }

  /** The live session for `id` (its idle clock restarted), or undefined when unknown, idle too long or past its end. */
  async touch(id: string): Promise<Session | undefined> {
    if (!SESSION_ID_RE.test(id)) return undefined;
    const raw = await this.redis.getex(this.keyOf(id), 'PX', this.limits.idleMs);
    if (!raw) return undefined;
    const record = JSON.parse(raw) as SessionRecord;
    if (Date.parse(record.expiresAt) <= this.clock().getTime()) {
      await this.end(id);
      return undefined;
    }
    return this.toSession(id, record);
  }

  async end(id: string): Promise<void> {
    if (SESSION_ID_RE.test(id)) await this.redis.del(this.keyOf(id));
  }

  private keyOf(id: string): string {
    return this.keys.authSession(createHash('sha256').update(id).digest('hex'));
  }

  private toSession(id: string, r: SessionRecord): Session {
    const [leaf, ...intermediates] = r.certificates.map((b) => this.certificate(b));
    return { id, leaf: leaf!, intermediates, csrf: r.csrf, createdAt: new Date(r.createdAt), expiresAt: new Date(r.expiresAt) };
  }

  private certificate(b64: string): X509Certificate {
    const key = createHash('sha256').update(b64).digest('hex');
    let c = this.parsed.get(key);
    if (!c) {
      c = new X509Certificate(Buffer.from(b64, 'base64'));
      if (this.parsed.size >= 1000) this.parsed.delete(this.parsed.keys().next().value as string);
      this.parsed.set(key, c);
    }
    return c;
  }
}

/** Constant-time comparison of the CSRF header with the session's token. */
export function csrfMatches(session: Session, header: string | undefined): boolean {
  if (!header) return false;
  const a = Buffer.from(header);
  const b = Buffer.from(session.csrf);
  return a.length === b.length && timingSafeEqual(a, b);
}
