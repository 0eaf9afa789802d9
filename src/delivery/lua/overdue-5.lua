-- The deadline of a delivery passed: if the bank has not answered, the delivery becomes overdue
-- (still answerable) and the bank's overdue counter goes up. Idempotent; either way the timer is
-- done and leaves the deadlines zset.
-- KEYS[1] per-bank state hash   KEYS[2] overdue counter hash (bic -> count)
-- KEYS[3] log size              KEYS[4] log entries    KEYS[5] deadlines zset
-- ARGV[1] bic  ARGV[2] now (RFC 3339)  ARGV[3] delivery.overdue entry template  ARGV[4] deliveryId
-- Result: {0, index} overdue now | {1, 0} answered or already overdue
--@include ../../log/lua/append-entry.lua
redis.call('ZREM', KEYS[5], ARGV[4])
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return {1, 0} end
local bank = cjson.decode(raw)
if bank.state ~= 'delivered' and bank.state ~= 'acknowledged' then return {1, 0} end
local idx = art50_log_append(KEYS[3], KEYS[4], ARGV[3])
bank.state = 'overdue'
bank.wasOverdue = true
bank.overdueAt = ARGV[2]
bank.overdueIndex = idx
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(bank))
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
return {0, idx}
