import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { RedisOptions } from 'ioredis';
import { Art50Error } from '../errors';

/**
 * Where the gateway's Redis is and how to reach it: one server by URL, or the primary that a
 * group of Sentinels names (it moves on a failover), with TLS and an ACL user either way. Parsed
 * once from the environment (src/redis/settings.ts) and passed to every connection.
 */
export type RedisTarget = (ServerTarget | SentinelTarget) & RedisAccess;

export interface ServerTarget {
  kind: 'server';
  /** redis://[user:password@]host:port[/db], rediss://…, or unix:///path/to/redis.sock (a Redis on this machine) */
  url: string;
}

export interface SentinelTarget {
  kind: 'sentinel';
  sentinels: HostPort[];
  /** The master group name the Sentinels monitor (`sentinel monitor <name> …`). */
  masterName: string;
  /** Sentinels that require AUTH (`requirepass` in sentinel.conf). */
  sentinelPassword?: string;
}

export interface HostPort {
  host: string;
  port: number;
}

export interface RedisAccess {
  /** An ACL user (`ACL SETUSER`, docs/operations.md); credentials written in a URL take precedence. */
  username?: string;
  password?: string;
  /** TLS towards Redis (and towards the Sentinels): on when present. */
  tls?: RedisTlsFiles;
}

/** PEM files: the CA that issued the servers' certificates, and this client's certificate and key. */
export interface RedisTlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
}

/** A plain URL target (tests, the bench, the embedded redis-server). */
export function serverTarget(url: string): RedisTarget {
  return { kind: 'server', url };
}

/** The socket path of a unix:/// URL, else undefined. */
export function socketPathOf(url: string): string | undefined {
  return /^unix:\/\/\//i.test(url) ? decodeURIComponent(url.slice('unix://'.length)) : undefined;
}

/** The ioredis options that say where and how to connect (the caller adds timeouts and retries). */
export function connectionOptions(target: RedisTarget): RedisOptions {
  const tls = target.tls ? tlsOptions(target.tls) : undefined;
  const access: RedisOptions = {
    ...(target.username !== undefined ? { username: target.username } : {}),
    ...(target.password !== undefined ? { password: target.password } : {}),
    ...(tls ? { tls } : {}),
  };
  if (target.kind === 'server') return access;
  return {
    ...access,
    sentinels: target.sentinels.map((s) => ({ host: s.host, port: s.port })),
    name: target.masterName,
    ...(target.sentinelPassword !== undefined ? { sentinelPassword: target.sentinelPassword } : {}),
    ...(tls ? { enableTLSForSentinelMode: true, sentinelTLS: tls } : {}),
    // Not ioredis's failoverDetector: its +switch-master arriving while a connection is being
    // re-established (as during every failover) ends that connection for good (status "end").
    // A connection left on a demoted primary is dropped at its first READONLY instead (client.ts).
  };
}

/** For log lines: where, never the password. */
export function describeTarget(target: RedisTarget): string {
  if (target.kind === 'sentinel') {
    return `sentinels ${target.sentinels.map((s) => `${s.host}:${s.port}`).join(',')} master ${target.masterName}${target.tls ? ' (TLS)' : ''}`;
  }
  try {
    const u = new URL(target.url);
    u.password = '';
    return u.toString();
  } catch {
    return 'redis (unparsable URL)';
  }
}

const TLS_VARIABLE: Record<keyof RedisTlsFiles, string> = { ca: 'ART50_REDIS_TLS_CA', cert: 'ART50_REDIS_TLS_CERT', key: 'ART50_REDIS_TLS_KEY' };

/** settings.ts read these files at start-up; one that became unreadable since is still config.unreadable. */
function readTlsFile(files: RedisTlsFiles, field: keyof RedisTlsFiles): Buffer {
  const path = files[field]!;
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Art50Error('config.unreadable', `${TLS_VARIABLE[field]}: ${path} is not readable`, { field: TLS_VARIABLE[field], cause: e });
  }
}

function tlsOptions(files: RedisTlsFiles): ConnectionOptions {
  return {
    ...(files.ca ? { ca: readTlsFile(files, 'ca') } : {}),
    ...(files.cert ? { cert: readTlsFile(files, 'cert') } : {}),
    ...(files.key ? { key: readTlsFile(files, 'key') } : {}),
  };
}
