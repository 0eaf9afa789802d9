-- Marks one (request, bank) delivered, atomically with its log entries: placed in the bank's
-- inbox (pull, or push fallback) or pushed and acknowledged by a 2xx (push). Idempotent: a
-- delivery that is no longer `queued` is left as it is.
-- KEYS[1] request hash   KEYS[2] per-bank state hash   KEYS[3] delivery hash   KEYS[4] bank inbox zset
-- KEYS[5] log size       KEYS[6] log entries     KEYS[7] queued deliveries zset
-- KEYS[8] deadlines zset (deliveryId by deadline, ms): the deadline timer starts with the delivery
-- ARGV[1] bic  ARGV[2] deliveryId  ARGV[3] now (RFC 3339)  ARGV[4] now (ms)  ARGV[5] deadline (RFC 3339)
-- ARGV[6] via: inbox | push
-- ARGV[7] delivery.delivered entry template
-- ARGV[8] delivery.acknowledged entry template (push) or ''
-- ARGV[9] delivery.push_failed entry template (fallback to inbox) or ''
-- ARGV[10] the request's digest as the caller knows it (the templates carry it; a job's copy is checked here)
-- ARGV[11] deadline (ms)
-- ARGV[12] the request's deadlineHours the deadline was counted with (checked like the digest)
-- Result: {0, deliveredIndex} delivered now | {1, deliveredIndex} already delivered
--         | {3, 0} unknown bank, or a digest or deadlineHours that is not the stored request's
--@include ../../log/lua/append-entry.lua
local raw = redis.call('HGET', KEYS[2], ARGV[1])
if not raw then return {3, 0} end
local stored = redis.call('HMGET', KEYS[1], 'digest', 'deadlineHours')
if stored[1] ~= ARGV[10] or stored[2] ~= ARGV[12] then return {3, 0} end
local bank = cjson.decode(raw)
redis.call('ZREM', KEYS[7], ARGV[2])
if bank.state ~= 'queued' then return {1, bank.deliveredIndex or 0} end
if ARGV[9] ~= '' then bank.pushFailedIndex = art50_log_append(KEYS[5], KEYS[6], ARGV[9]) end
local idx = art50_log_append(KEYS[5], KEYS[6], ARGV[7])
bank.state = 'delivered'
bank.deliveredAt = ARGV[3]
bank.deadline = ARGV[5]
bank.via = ARGV[6]
bank.deliveredIndex = idx
local requestId = redis.call('HGET', KEYS[1], 'requestId')
redis.call('HSET', KEYS[3], 'requestId', requestId, 'bic', ARGV[1], 'deliveredAt', ARGV[3], 'deadline', ARGV[5], 'via', ARGV[6], 'deliveredIndex', idx)
if ARGV[6] == 'push' then
  bank.state = 'acknowledged'
  bank.acknowledgedAt = ARGV[3]
  bank.ackIndex = art50_log_append(KEYS[5], KEYS[6], ARGV[8])
  redis.call('HSET', KEYS[3], 'acknowledgedAt', ARGV[3])
else
  redis.call('ZADD', KEYS[4], ARGV[4], ARGV[2])
end
redis.call('HSET', KEYS[2], ARGV[1], cjson.encode(bank))
redis.call('ZADD', KEYS[8], ARGV[11], ARGV[2])
if redis.call('HGET', KEYS[1], 'state') == 'sanctioned' then
  redis.call('HSET', KEYS[1], 'state', 'in_progress')
end
return {0, idx}
