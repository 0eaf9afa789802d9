-- checkpoint-4.lua — store a signed checkpoint; the latest one only moves forward.
-- KEYS[1] {NS}:log:checkpoint        latest signed checkpoint bytes
-- KEYS[2] {NS}:log:checkpoint:size   tree size of the latest checkpoint
-- KEYS[3] {NS}:log:checkpoints       HASH treeSize → signed checkpoint bytes (all kept)
-- KEYS[4] {NS}:log:checkpoint:sizes  ZSET of those tree sizes (score = size), for paging
-- ARGV[1] tree size (decimal)
-- ARGV[2] signed checkpoint bytes
-- Result: 1 if it became the latest checkpoint, 0 if a checkpoint of this size or larger exists
--         (the archive keeps the first checkpoint issued for each size).
redis.call('HSETNX', KEYS[3], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[4], 'NX', ARGV[1], ARGV[1])
local current = tonumber(redis.call('GET', KEYS[2]) or '-1')
if tonumber(ARGV[1]) <= current then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[1])
return 1
