import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { Art50Error } from './errors';
import { redisSettingsFromEnv, RedisSettings } from './redis/settings';
import { secretFromEnv } from './secret-env';
import { demoSecretIn } from './demo-secrets';

/** Package root, both from src/ (ts-jest) and dist/ (built). */
export const PACKAGE_ROOT = resolve(__dirname, '..');

export interface Config {
  host: string;
  port: number;
  /** Where Redis is (REDIS_URL or Sentinels, TLS, ACL user; no target: an embedded redis-server) and how many replicas acknowledge a write. */
  redis: RedisSettings;
  /** Key namespace; every core key carries the hash tag {namespace}. */
  namespace: string;
  dataDir: string;
  logLevel: string;
  keysDir: string;
  usingDemoKeys: boolean;
  /** The HTTPS server (and push client) key: a PEM pair, or a PKCS#12 file (ART50_TLS_P12). */
  tls: KeySource;
  /** The seal of receipts and checkpoints: a PEM pair, or a PKCS#12 file (ART50_SEAL_P12). */
  seal: KeySource;
  /** Password of PKCS#12 files and encrypted PEM keys (ART50_KEY_PASSWORD_FILE, else ART50_KEY_PASSWORD). */
  keyPassword?: string;
  trustAnchors: string[];
  crls: string[];
  /** Revocation sources (ART50_REVOCATION_ORDER) and the OCSP client's settings; docs/signatures.md. */
  revocation: {
    order: 'ocsp-then-crl' | 'crl-only' | 'ocsp-only';
    /** Responder for certificates that name none (or for all, with ocspUrlOverride). */
    ocspUrl?: string;
    ocspUrlOverride: boolean;
    ocspMaxAgeMs: number;
    ocspTimeoutMs: number;
    ocspRequireNonce: boolean;
  };
  registry: string;
  /**
   * The data keyring sealing stored requests and sanctions (src/store/data-keys.ts): the text of
   * ART50_DATA_KEYS, else the file ART50_DATA_KEY_FILE (default <keys dir>/gateway/data-keys).
   */
  dataKeys: { text: string } | { file: string };
  /** Secret of the log's subject key (src/log/subject-key.ts): ART50_SUBJECT_KEY, else the file ART50_SUBJECT_KEY_FILE (default <keys dir>/gateway/subject-key). */
  subjectSecret: { text: string } | { file: string };
  bodyLimitBytes: number;
  /** Largest JSON document accepted inside a CMS (requests and sanctions are small). */
  smallDocumentLimitBytes: number;
  clockSkewSeconds: number;
  /** Oldest request createdAt accepted at submission, in days. */
  requestMaxAgeDays: number;
  /** Milliseconds in one "deadline hour"; 3,600,000 in production, shortened only in tests/demo. */
  deadlineHourMs: number;
  workers: { inProcess: boolean; concurrency: number; stalledIntervalMs: number };
  push: { attempts: number; backoffMs: number; timeoutMs: number };
  statementRetentionDays: number;
  /** Days a statement nobody downloaded is kept (0: until downloaded). */
  statementUnreadRetentionDays: number;
  /** Statements larger than this are verified and parsed in a worker thread. */
  statementWorkerThresholdBytes: number;
  /** The statement worker pool: threads, time budget of one call, statements that may wait. */
  statementWorkers: { size: number; jobTimeoutMs: number; maxQueued: number };
  /** The money trail reads and parses a case's plain statements on the main thread: at most this many bytes of them. */
  trailMaxBytes: number;
  /** Least time between two signed checkpoints while entries arrive (auditors expect one at least every second while entries arrive, docs/log.md). */
  checkpointIntervalMs: number;
  /** A Redis without `appendfsync always`: refuse to start (strict, default) or only warn. */
  redisDurability: 'strict' | 'warn';
  /** Processes `art50 serve` runs (node:cluster, one per core by default); 1 = a single process as before. */
  processes: number;
  /** Console sign-in: challenge validity, session limits, failed sign-ins allowed per window. */
  console: { challengeMs: number; sessionMaxMs: number; sessionIdleMs: number; failuresPerAddress: number; failuresPerCertificate: number; failureWindowMs: number };
}

/** Where a key of the gateway's own comes from. */
export type KeySource = { cert: string; key: string } | { p12: string };

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Art50Error('config.invalid', `${name} must be an integer between ${min} and ${max}, got "${raw}"`, { field: name });
  }
  return n;
}

function bytes(env: Env, name: string, def: number): number {
  const raw = env[name];
  if (!raw) return def;
  const m = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(raw.trim());
  if (!m) throw new Art50Error('config.invalid', `${name} must be a size like 64mb, got "${raw}"`, { field: name });
  const mult = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(m[2] ?? 'b').toLowerCase() as 'b'];
  return Number(m[1]) * mult;
}

function list(env: Env, name: string, def: string[]): string[] {
  const raw = env[name];
  if (!raw) return def;
  return raw.split(',').map((s) => s.trim()).filter(Boolean);
}

function ocspUrl(raw: string): string {
  if (!/^https?:\/\/[^\s]+$/i.test(raw)) throw new Art50Error('config.invalid', `ART50_OCSP_URL must be an http(s) URL, got "${raw}"`, { field: 'ART50_OCSP_URL' });
  return raw;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], def: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!(allowed as readonly string[]).includes(raw)) throw new Art50Error('config.invalid', `${name} must be one of ${allowed.join(', ')}, got "${raw}"`, { field: name });
  return raw as T;
}

function bool(env: Env, name: string, def: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new Art50Error('config.invalid', `${name} must be true or false, got "${raw}"`, { field: name });
}

/**
 * Typed configuration from the environment; every variable is listed in the README. Defaults
 * point at keys.example/, which the gateway announces loudly at start-up.
 */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(cwd, p));
  const keysDir = abs(env.ART50_KEYS_DIR ?? join(PACKAGE_ROOT, 'keys.example'));
  const k = (p: string): string => join(keysDir, p);
  const cfg: Config = {
    host: env.ART50_HOST ?? '0.0.0.0',
    port: int(env, 'ART50_PORT', 8443, 0, 65535),
    redis: redisSettingsFromEnv(env, abs),
    namespace: env.ART50_NAMESPACE ?? 'art50',
    dataDir: abs(env.ART50_DATA_DIR ?? './var'),
    logLevel: env.ART50_LOG_LEVEL ?? 'info',
    keysDir,
    usingDemoKeys: false,
    tls: env.ART50_TLS_P12 ? { p12: abs(env.ART50_TLS_P12) } : { cert: abs(env.ART50_TLS_CERT ?? k('gateway/tls.pem')), key: abs(env.ART50_TLS_KEY ?? k('gateway/tls.key')) },
    seal: env.ART50_SEAL_P12 ? { p12: abs(env.ART50_SEAL_P12) } : { cert: abs(env.ART50_SEAL_CERT ?? k('gateway/seal.pem')), key: abs(env.ART50_SEAL_KEY ?? k('gateway/seal.key')) },
    trustAnchors: list(env, 'ART50_TRUST', [k('ca/root.pem')]).map(abs),
    crls: list(env, 'ART50_CRL', [k('ca/crl.pem')]).map(abs),
    revocation: {
      order: oneOf(env, 'ART50_REVOCATION_ORDER', ['ocsp-then-crl', 'crl-only', 'ocsp-only'] as const, 'ocsp-then-crl'),
      ...(env.ART50_OCSP_URL ? { ocspUrl: ocspUrl(env.ART50_OCSP_URL) } : {}),
      ocspUrlOverride: bool(env, 'ART50_OCSP_URL_OVERRIDE', false),
      ocspMaxAgeMs: 1000 * int(env, 'ART50_OCSP_MAX_AGE_SECONDS', 86_400, 60, 30 * 86_400),
      ocspTimeoutMs: int(env, 'ART50_OCSP_TIMEOUT_MS', 5000, 100, 60_000),
      ocspRequireNonce: oneOf(env, 'ART50_OCSP_NONCE', ['required', 'optional'] as const, 'required') === 'required',
    },
    registry: abs(env.ART50_REGISTRY ?? k('participants.json')),
    dataKeys: env.ART50_DATA_KEYS ? { text: env.ART50_DATA_KEYS } : { file: abs(env.ART50_DATA_KEY_FILE ?? k('gateway/data-keys')) },
    subjectSecret: env.ART50_SUBJECT_KEY ? { text: env.ART50_SUBJECT_KEY } : { file: abs(env.ART50_SUBJECT_KEY_FILE ?? k('gateway/subject-key')) },
    bodyLimitBytes: bytes(env, 'ART50_BODY_LIMIT', 64 * 1024 ** 2),
    smallDocumentLimitBytes: bytes(env, 'ART50_DOCUMENT_LIMIT', 1024 ** 2),
    clockSkewSeconds: int(env, 'ART50_CLOCK_SKEW_SECONDS', 300, 0, 3600),
    requestMaxAgeDays: int(env, 'ART50_REQUEST_MAX_AGE_DAYS', 7, 1, 365),
    deadlineHourMs: int(env, 'ART50_DEADLINE_HOUR_MS', 3_600_000, 1, 3_600_000),
    workers: {
      inProcess: bool(env, 'ART50_WORKERS_IN_PROCESS', true),
      concurrency: int(env, 'ART50_WORKER_CONCURRENCY', 16, 1, 1000),
      stalledIntervalMs: int(env, 'ART50_STALLED_INTERVAL_MS', 30_000, 100, 600_000),
    },
    push: {
      attempts: int(env, 'ART50_PUSH_ATTEMPTS', 8, 1, 100),
      backoffMs: int(env, 'ART50_PUSH_BACKOFF_MS', 2000, 1, 3_600_000),
      timeoutMs: int(env, 'ART50_PUSH_TIMEOUT_MS', 10_000, 100, 600_000),
    },
    statementRetentionDays: int(env, 'ART50_STATEMENT_RETENTION_DAYS', 30, 1, 3650),
    statementUnreadRetentionDays: int(env, 'ART50_STATEMENT_UNREAD_RETENTION_DAYS', 90, 0, 3650),
    statementWorkerThresholdBytes: bytes(env, 'ART50_STATEMENT_WORKER_THRESHOLD', 2 * 1024 ** 2),
    trailMaxBytes: bytes(env, 'ART50_TRAIL_MAX_BYTES', 32 * 1024 ** 2),
    statementWorkers: {
      size: int(env, 'ART50_STATEMENT_WORKERS', 1, 1, 64),
      jobTimeoutMs: int(env, 'ART50_STATEMENT_JOB_TIMEOUT_MS', 30_000, 100, 600_000),
      maxQueued: int(env, 'ART50_STATEMENT_QUEUE', 8, 0, 10_000),
    },
    checkpointIntervalMs: int(env, 'ART50_CHECKPOINT_INTERVAL_MS', 1000, 10, 1000),
    redisDurability: oneOf(env, 'ART50_REDIS_DURABILITY', ['strict', 'warn'] as const, 'strict'),
    processes: int(env, 'ART50_PROCESSES', availableParallelism(), 1, 256),
    console: {
      challengeMs: 1000 * int(env, 'ART50_CHALLENGE_SECONDS', 300, 10, 300),
      sessionMaxMs: 1000 * int(env, 'ART50_SESSION_MAX_SECONDS', 8 * 3600, 60, 8 * 3600),
      sessionIdleMs: 1000 * int(env, 'ART50_SESSION_IDLE_SECONDS', 1800, 1, 1800),
      failuresPerAddress: int(env, 'ART50_LOGIN_FAILURES_PER_ADDRESS', 20, 1, 10_000),
      failuresPerCertificate: int(env, 'ART50_LOGIN_FAILURES_PER_CERTIFICATE', 5, 1, 10_000),
      failureWindowMs: 1000 * int(env, 'ART50_LOGIN_FAILURE_WINDOW_SECONDS', 900, 1, 86_400),
    },
  };
  const password = keyPassword(env, abs);
  if (password !== undefined) cfg.keyPassword = password;
  for (const [name, path] of [
    ...keyFiles('TLS', cfg.tls), ...keyFiles('SEAL', cfg.seal), ['ART50_REGISTRY', cfg.registry], ...cfg.trustAnchors.map((p) => ['ART50_TRUST', p]),
    ...cfg.crls.map((p) => ['ART50_CRL', p]),
  ] as const) {
    if (!existsSync(path)) throw new Art50Error('config.invalid', `${name}: file ${path} does not exist`, { field: name });
  }
  cfg.usingDemoKeys = trustsDemoRoot(cfg.trustAnchors);
  if (cfg.usingDemoKeys && env.ART50_ENV === 'production') {
    throw new Art50Error('config.invalid', 'ART50_ENV=production, but the trust anchors include the public demo root of keys.example/: configure the real NCA RK trust (ART50_KEYS_DIR or ART50_TRUST and the key variables)', { field: 'ART50_TRUST' });
  }
  if (env.ART50_ENV === 'production') {
    const demo = demoSecretIn(cfg, join(PACKAGE_ROOT, 'keys.example', 'gateway'));
    if (demo) {
      throw new Art50Error('config.invalid', `ART50_ENV=production, but ${demo} is a published demo secret of keys.example/gateway/: anyone could read what it seals or sign as the gateway. Configure the gateway's own keys`, { field: demo });
    }
  }
  return cfg;
}

function keyFiles(name: 'TLS' | 'SEAL', src: KeySource): (readonly [string, string])[] {
  return 'p12' in src ? [[`ART50_${name}_P12`, src.p12]] : [[`ART50_${name}_CERT`, src.cert], [`ART50_${name}_KEY`, src.key]];
}

/** The key password: ART50_KEY_PASSWORD_FILE or ART50_KEY_PASSWORD (secret-env.ts). */
function keyPassword(env: Env, abs: (p: string) => string): string | undefined {
  return secretFromEnv(env, 'ART50_KEY_PASSWORD', abs);
}

/**
 * True when a configured trust anchor is the published demo root (wherever it was copied to,
 * e.g. a Docker volume): the gateway then warns loudly at start-up.
 */
function trustsDemoRoot(anchors: readonly string[]): boolean {
  const fingerprints = (file: string): string[] => {
    try {
      const pems = readFileSync(file, 'latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
      return pems.map((p) => new X509Certificate(p).fingerprint256);
    } catch {
      return []; // unreadable or not PEM: the existence checks and the trust loader report it
    }
  };
  const [demoRoot] = fingerprints(join(PACKAGE_ROOT, 'keys.example', 'ca', 'root.pem'));
  return demoRoot !== undefined && anchors.some((a) => fingerprints(a).includes(demoRoot));
}
