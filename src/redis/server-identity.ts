import type Redis from 'ioredis';

/**
 * Which redis-server process a connection's current socket talks to: its `run_id`, learnt with
 * `INFO server` at every (re)connection. Two connections are on the same server exactly when
 * their ids match — whatever addresses they took to get there (a host name with IPv4 and IPv6
 * addresses, a load balancer), and a restarted or different process never matches.
 */
export interface ServerIdentity {
  /** The id of the current socket's server, once learnt; undefined before (or without a socket). */
  current(): string | undefined;
  /** The current socket's id as soon as it is learnt (undefined if it cannot be). */
  settled(): Promise<string | undefined>;
}

/** The socket a connection uses now (a new one at every reconnection), if any. */
export const socketOf = (redis: Redis): Redis['stream'] | undefined => redis.stream as Redis['stream'] | undefined;

export function serverIdentity(redis: Redis): ServerIdentity {
  // Keyed by the socket, so that a reconnection forgets what the last socket said.
  const known = new WeakMap<object, string>();
  const pending = new WeakMap<object, Promise<string | undefined>>();
  const learn = (): void => {
    const socket = socketOf(redis);
    if (!socket) return;
    // Sent from the 'ready' listener, before the gateway's own new commands on this socket, so
    // their replies find the id known. Commands ioredis resent there first are answered before
    // it: their fence finds the id unknown and refuses, which is safe.
    const p = redis.info('server').then(
      (text) => /^run_id:(\w+)/m.exec(text)?.[1],
      // An ACL without +info (docs/operations.md grants it): the address is the next best. Any
      // other failure (the socket closed meanwhile) leaves the id unknown, which refuses.
      (e: unknown) => (/NOPERM/.test(String(e)) ? addressOf(socket, redis) : undefined),
    ).then((id) => {
      if (id) known.set(socket, id);
      return id;
    });
    pending.set(socket, p);
  };
  redis.on('ready', learn);
  if (redis.status === 'ready') learn();
  return {
    current: () => {
      const s = socketOf(redis);
      return s ? known.get(s) : undefined;
    },
    settled: () => {
      const s = socketOf(redis);
      return (s && pending.get(s)) ?? Promise.resolve(undefined);
    },
  };
}

function addressOf(socket: Redis['stream'], redis: Redis): string | undefined {
  if (socket.remoteAddress) return `${socket.remoteAddress}:${String(socket.remotePort)}`;
  return redis.options.path ? `unix:${redis.options.path}` : undefined;
}
