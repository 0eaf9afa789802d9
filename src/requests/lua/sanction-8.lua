-- Records a prosecutor's decision on a request, atomically with its log entries. A grant also
-- marks every addressed bank `queued` and writes one outbox item (the deliveryId) per bank, which the dispatcher
-- turns into BullMQ delivery jobs (so a crash after this script never loses a delivery), and
-- indexes it in the queued zset (by Redis time, ms) where the reconciler finds it until it is delivered.
-- KEYS[1] request hash   KEYS[2] pending zset of the body   KEYS[3] per-bank state hash
-- KEYS[4] outbox list    KEYS[5] log size                   KEYS[6] log entries
-- KEYS[7] queued deliveries zset   KEYS[8] decided zset of the deciding prosecutor's office (requestId by decision time, ms)
-- ARGV[1] digest the sanction binds to (requestDigest)
-- ARGV[2] digest of the sanction
-- ARGV[3] decision: granted | refused
-- ARGV[4] log entry template for sanction.granted / sanction.refused
-- ARGV[5] JSON array of BICs to queue (granted only; [] otherwise)
-- ARGV[6] JSON array of delivery.queued entry templates, same order as ARGV[5]
-- ARGV[7] CMS bytes of the sanction
-- ARGV[8..] field, value pairs to store on the request
-- Result: {code, logIndex, receipt, state}: code 0 decided (receipt ''), 1 the same sanction again
--   (its stored receipt or ''), 2 already decided by another sanction, 3 no such request,
--   4 requestDigest does not match
--@include ../../log/lua/append-entry.lua
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {3, 0, '', ''} end
if redis.call('HGET', KEYS[1], 'digest') ~= ARGV[1] then return {4, 0, '', state} end
if state ~= 'awaiting_sanction' then
  local r = redis.call('HMGET', KEYS[1], 'sanctionDigest', 'sanctionIndex', 'sanctionReceipt')
  if r[1] == ARGV[2] then
    return {1, tonumber(r[2]), r[3] or '', state}
  end
  return {2, 0, '', state}
end
local index = art50_log_append(KEYS[5], KEYS[6], ARGV[4])
local fields = {'sanctionDigest', ARGV[2], 'sanctionCms', ARGV[7], 'sanctionIndex', index}
for i = 8, #ARGV do fields[#fields + 1] = ARGV[i] end
local requestId = redis.call('HGET', KEYS[1], 'requestId')
local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[3] == 'granted' then
  fields[#fields + 1] = 'state'
  fields[#fields + 1] = 'sanctioned'
  local bics = cjson.decode(ARGV[5])
  local templates = cjson.decode(ARGV[6])
  for i, bic in ipairs(bics) do
    local qi = art50_log_append(KEYS[5], KEYS[6], templates[i])
    redis.call('HSET', KEYS[3], bic, cjson.encode({state = 'queued', queuedIndex = qi, deliveryId = requestId .. '.' .. bic}))
    redis.call('RPUSH', KEYS[4], requestId .. '.' .. bic)
    redis.call('ZADD', KEYS[7], nowMs, requestId .. '.' .. bic)
  end
else
  fields[#fields + 1] = 'state'
  fields[#fields + 1] = 'rejected'
end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('ZREM', KEYS[2], requestId)
redis.call('ZADD', KEYS[8], nowMs, requestId)
return {0, index, '', redis.call('HGET', KEYS[1], 'state')}
