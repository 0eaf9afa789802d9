/**
 * Errors that mean "Redis is not reachable right now" (ioredis and BullMQ surface several
 * shapes). They become 503 http.not_ready with Retry-After. Every write is one Lua script, so no
 * half-written state is left behind — but a write may have reached Redis just before the
 * connection broke, so the answer never claims that nothing was recorded (STORE_UNAVAILABLE).
 */
export const STORE_UNAVAILABLE =
  'the gateway cannot reach its store right now. A document sent with this call may or may not have been recorded; ' +
  'resending the same document is safe (a recorded one is answered as a replay with its original receipt)';

const CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTCONN', 'NR_CLOSED']);
const MESSAGES = [/^Connection is closed\.?$/, /Stream isn't writeable/, /Reached the max retries per request limit/, /Command timed out/, /^Socket closed unexpectedly/, /LOADING Redis is loading/, /enableOfflineQueue/, /^READONLY /];

export function isRedisUnavailable(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && CODES.has(code)) return true;
  if (e.name === 'MaxRetriesPerRequestError') return true;
  return MESSAGES.some((m) => m.test(e.message));
}
