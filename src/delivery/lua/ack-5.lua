-- A bank acknowledges a delivery from its inbox. Idempotent: acknowledging again changes nothing.
-- KEYS[1] per-bank state hash   KEYS[2] delivery hash   KEYS[3] bank inbox zset
-- KEYS[4] log size              KEYS[5] log entries
-- ARGV[1] bic  ARGV[2] deliveryId  ARGV[3] now (RFC 3339)  ARGV[4] delivery.acknowledged entry template
-- Result: {0, ackIndex} acknowledged now | {1, ackIndex} already acknowledged | {3, 0} not delivered
--@include ../../log/lua/append-entry.lua
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return {3, 0} end
local bank = cjson.decode(raw)
if bank.state == 'queued' then return {3, 0} end
redis.call('ZREM', KEYS[3], ARGV[2])
if bank.ackIndex then return {1, bank.ackIndex} end
bank.ackIndex = art50_log_append(KEYS[4], KEYS[5], ARGV[4])
bank.acknowledgedAt = ARGV[3]
if bank.state == 'delivered' then bank.state = 'acknowledged' end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(bank))
redis.call('HSET', KEYS[2], 'acknowledgedAt', ARGV[3])
return {0, bank.ackIndex}
