-- Before serving a statement's CMS bytes: starts the retention clock on the first download and
-- deletes the payload once it is past retention (lazy expiry; the sweeper calls this too with
-- ARGV[4] = 'sweep'). The digest and the log entries stay.
-- KEYS[1] statement hash {ns}:stmt:<sid>   KEYS[2] expiry zset {ns}:stmt:expiry (statementId by expiresAt ms)
-- ARGV[1] statementId  ARGV[2] now (ms)  ARGV[3] retention (ms)  ARGV[4] 'download' | 'sweep'
-- Result: {0, 0} no such statement | {1, firstDownloadAt ms} payload available (first download now or earlier)
-- | {2, expiresAt ms} payload deleted (past retention) | {3, 0} sweep: not yet due
local h = redis.call('HMGET', KEYS[1], 'digest', 'firstDownloadAt', 'expiresAt', 'cmsDeletedAt')
if not h[1] then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return {0, 0}
end
local now = tonumber(ARGV[2])
if h[4] then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return {2, tonumber(h[3])}
end
if h[3] and tonumber(h[3]) <= now then
  redis.call('HDEL', KEYS[1], 'cms')
  redis.call('HSET', KEYS[1], 'cmsDeletedAt', ARGV[2])
  redis.call('ZREM', KEYS[2], ARGV[1])
  return {2, tonumber(h[3])}
end
if ARGV[4] == 'sweep' then return {3, 0} end
if h[2] then return {1, tonumber(h[2])} end
local expires = now + tonumber(ARGV[3])
redis.call('HSET', KEYS[1], 'firstDownloadAt', ARGV[2], 'expiresAt', string.format('%d', expires))
redis.call('ZADD', KEYS[2], expires, ARGV[1])
return {1, now}
