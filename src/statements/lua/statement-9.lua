-- A bank's statement answers its delivery of a request, atomically with its log entry
-- (statement.received). Idempotent on statementId + digest; a second, different answer for the same
-- delivery is a conflict unless it names the current statement in `corrects` (a correction: both
-- are kept, the new one becomes current).
-- KEYS[1] request hash {ns}:req:<id>          KEYS[2] per-bank state hash {ns}:req:<id>:banks
-- KEYS[3] statement hash {ns}:stmt:<sid>      KEYS[4] statements list {ns}:req:<id>:stmts
-- KEYS[5] overdue counter hash {ns}:overdue   KEYS[6] bank inbox zset {ns}:inbox:<bic>
-- KEYS[7] log size                            KEYS[8] log entries
-- KEYS[9] retention index zset {ns}:stmt:expiry (statementId by payload deletion time, ms)
-- ARGV[1] bic  ARGV[2] statementId  ARGV[3] statement digest (hex)  ARGV[4] result found|not_found|refused
-- ARGV[5] corrects (statementId or '')  ARGV[6] now (RFC 3339)  ARGV[7] statement.received entry template
-- ARGV[8] CMS bytes of the statement (plain: the bank-signed statement; encrypted: the AuthEnvelopedData)
-- ARGV[9] requestId  ARGV[10] base64 of the bank-signed statement header ('' for a plain statement)
-- ARGV[11] ms time at which the payload goes if it is never downloaded ('' = kept until downloaded)
-- Result: {0, index, 'stored'|'corrected'} accepted now | {1, index} the same statement again
-- | {2, 0} conflict (another statement answers this delivery, or statementId reused)
-- | {3, 0} this bank has no delivery of this request to answer | {4, 0} `corrects` names a
-- statement that is not the current answer of this delivery
--@include ../../log/lua/append-entry.lua
local raw = redis.call('HGET', KEYS[2], ARGV[1])
if not raw then return {3, 0} end
local bank = cjson.decode(raw)

local existing = redis.call('HMGET', KEYS[3], 'digest', 'requestId', 'bic', 'receivedIndex')
if existing[1] then
  if existing[1] == ARGV[3] and existing[2] == ARGV[9] and existing[3] == ARGV[1] then
    return {1, tonumber(existing[4])}
  end
  return {2, 0}
end

local kind = 'stored'
local state = bank.state
if state == 'answered' or state == 'refused_by_bank' then
  if ARGV[5] == '' then return {2, 0} end
  if ARGV[5] ~= bank.statementId then return {4, 0} end
  kind = 'corrected'
elseif state == 'delivered' or state == 'acknowledged' or state == 'overdue' then
  if ARGV[5] ~= '' then return {4, 0} end
else
  return {3, 0}
end

local index = art50_log_append(KEYS[7], KEYS[8], ARGV[7])
if state == 'overdue' then
  redis.call('HINCRBY', KEYS[5], ARGV[1], -1)
  bank.wasOverdue = true
end
if ARGV[4] == 'refused' then bank.state = 'refused_by_bank' else bank.state = 'answered' end
bank.answeredAt = ARGV[6]
bank.statementId = ARGV[2]
bank.result = ARGV[4]
bank.answerIndex = index
redis.call('HSET', KEYS[2], ARGV[1], cjson.encode(bank))
if bank.deliveryId then redis.call('ZREM', KEYS[6], bank.deliveryId) end

local fields = {'statementId', ARGV[2], 'requestId', ARGV[9], 'bic', ARGV[1], 'digest', ARGV[3], 'cms', ARGV[8],
  'receivedAt', ARGV[6], 'receivedIndex', index, 'result', ARGV[4], 'size', string.len(ARGV[8])}
if ARGV[5] ~= '' then
  fields[#fields + 1] = 'corrects'
  fields[#fields + 1] = ARGV[5]
end
if ARGV[10] ~= '' then
  fields[#fields + 1] = 'header'
  fields[#fields + 1] = ARGV[10]
end
if ARGV[11] ~= '' then
  -- Retention of an unread statement: the download script deletes the payload once this time has passed.
  fields[#fields + 1] = 'expiresAt'
  fields[#fields + 1] = ARGV[11]
  redis.call('ZADD', KEYS[9], tonumber(ARGV[11]), ARGV[2])
end
redis.call('HSET', KEYS[3], unpack(fields))
redis.call('RPUSH', KEYS[4], ARGV[2])

local all = redis.call('HGETALL', KEYS[2])
local done = true
for i = 2, #all, 2 do
  local s = cjson.decode(all[i]).state
  if s ~= 'answered' and s ~= 'refused_by_bank' then
    done = false
    break
  end
end
if done then redis.call('HSET', KEYS[1], 'state', 'completed') end
return {0, index, kind}
