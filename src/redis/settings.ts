import { existsSync, readFileSync } from 'node:fs';
import { Art50Error } from '../errors';
import { secretFromEnv } from '../secret-env';
import type { HostPort, RedisAccess, RedisTarget, RedisTlsFiles } from './target';

/** The Redis part of the configuration; every variable is in the README's table. */
export interface RedisSettings {
  /** Undefined: no REDIS_URL and no Sentinels, so the gateway starts an embedded redis-server. */
  target?: RedisTarget;
  /**
   * Replicas that must hold a write before the gateway acknowledges it (202/201, a sealed receipt,
   * a signed checkpoint): Redis `WAIT`. 0 (default) waits for none — a single server.
   */
  minReplicas: number;
  /** How long one acknowledgement waits for those replicas before answering 503 store.replication_timeout. */
  waitTimeoutMs: number;
}

type Env = Record<string, string | undefined>;

function invalid(field: string, message: string): Art50Error {
  return new Art50Error('config.invalid', message, { field });
}

function integer(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw invalid(name, `${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  return n;
}

function hostPorts(raw: string): HostPort[] {
  const out = raw.split(',').map((s) => s.trim()).filter(Boolean).map((hp) => {
    const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(hp);
    const port = m ? Number(m[2]) : NaN;
    if (!m || port < 1 || port > 65535) throw invalid('ART50_REDIS_SENTINELS', `ART50_REDIS_SENTINELS must be host:port,host:port,…, got "${hp}"`);
    return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
  });
  if (out.length === 0) throw invalid('ART50_REDIS_SENTINELS', 'ART50_REDIS_SENTINELS names no Sentinel');
  return out;
}

/** The Redis password: ART50_REDIS_PASSWORD_FILE or ART50_REDIS_PASSWORD (secret-env.ts). */
function password(env: Env, abs: (p: string) => string): string | undefined {
  return secretFromEnv(env, 'ART50_REDIS_PASSWORD', abs);
}

function tlsFiles(env: Env, abs: (p: string) => string, on: boolean): RedisTlsFiles | undefined {
  const files: RedisTlsFiles = {};
  for (const [name, field] of [['ART50_REDIS_TLS_CA', 'ca'], ['ART50_REDIS_TLS_CERT', 'cert'], ['ART50_REDIS_TLS_KEY', 'key']] as const) {
    const raw = env[name];
    if (!raw) continue;
    if (!on) throw invalid(name, `${name} is set but the connection to Redis is not TLS (use a rediss:// REDIS_URL, or ART50_REDIS_TLS=true with Sentinels)`);
    const path = abs(raw);
    if (!existsSync(path)) throw invalid(name, `${name}: file ${path} does not exist`);
    // Read once now, so a file that exists but cannot be read (permissions, a directory) stops
    // the start with config.unreadable naming the variable, not a bare EACCES at the first connection.
    try {
      readFileSync(path);
    } catch (e) {
      throw new Art50Error('config.unreadable', `${name}: ${path} is not readable`, { field: name, cause: e });
    }
    files[field] = path;
  }
  if ((files.cert === undefined) !== (files.key === undefined)) {
    throw invalid('ART50_REDIS_TLS_CERT', 'ART50_REDIS_TLS_CERT and ART50_REDIS_TLS_KEY go together (the client certificate and its key)');
  }
  return on ? files : undefined;
}

function bool(env: Env, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return false;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw invalid(name, `${name} must be true or false, got "${raw}"`);
}

export function redisSettingsFromEnv(env: Env, abs: (p: string) => string): RedisSettings {
  const url = env.REDIS_URL || undefined;
  const sentinels = env.ART50_REDIS_SENTINELS || undefined;
  if (url && sentinels) throw invalid('ART50_REDIS_SENTINELS', 'set either REDIS_URL (one server) or ART50_REDIS_SENTINELS (a Sentinel group), not both');
  if (url && !/^(rediss?:\/\/|unix:\/\/\/)/i.test(url)) throw invalid('REDIS_URL', `REDIS_URL must start with redis://, rediss:// or unix:/// (a socket path), got "${url.replace(/:[^:@/]*@/, ':***@')}"`);
  const tlsOn = url ? /^rediss:/i.test(url) : bool(env, 'ART50_REDIS_TLS');
  if (url && env.ART50_REDIS_TLS && bool(env, 'ART50_REDIS_TLS') !== tlsOn) {
    throw invalid('ART50_REDIS_TLS', 'with REDIS_URL, TLS is chosen by the scheme: rediss:// for TLS, redis:// without');
  }
  const tls = tlsFiles(env, abs, tlsOn && Boolean(url || sentinels));
  const pass = password(env, abs);
  const access: RedisAccess = {
    ...(env.ART50_REDIS_USERNAME ? { username: env.ART50_REDIS_USERNAME } : {}),
    ...(pass !== undefined ? { password: pass } : {}),
    ...(tls ? { tls } : {}),
  };
  const minReplicas = integer(env, 'ART50_REDIS_MIN_REPLICAS', 0, 0, 16);
  const waitTimeoutMs = integer(env, 'ART50_REDIS_WAIT_TIMEOUT_MS', 2000, 10, 60_000);
  let target: RedisTarget | undefined;
  if (url) target = { kind: 'server', url, ...access };
  else if (sentinels) {
    const sentinelPass = secretFromEnv(env, 'ART50_REDIS_SENTINEL_PASSWORD', abs);
    target = {
      kind: 'sentinel',
      sentinels: hostPorts(sentinels),
      masterName: env.ART50_REDIS_MASTER_NAME || 'art50',
      ...(sentinelPass !== undefined ? { sentinelPassword: sentinelPass } : {}),
      ...access,
    };
  } else if (minReplicas > 0) {
    throw invalid('ART50_REDIS_MIN_REPLICAS', 'ART50_REDIS_MIN_REPLICAS needs a Redis with replicas (REDIS_URL or ART50_REDIS_SENTINELS); the embedded redis-server has none');
  }
  return { ...(target ? { target } : {}), minReplicas, waitTimeoutMs };
}
