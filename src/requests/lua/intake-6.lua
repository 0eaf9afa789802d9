-- Stores a newly received request, its indexes and request.received in the log, atomically.
-- KEYS[1] request hash          {ns}:req:<id>
-- KEYS[2] pending zset of body  {ns}:pending:<bodyBin>
-- KEYS[3] log size              {ns}:log:size
-- KEYS[4] log entries           {ns}:log:entries
-- KEYS[5] requests of body      {ns}:requests:<bodyBin>   (ZSET, GET /v1/requests)
-- KEYS[6] requests of the case  {ns}:case:<erdrNumber>    (SET, the money trail of a case)
-- ARGV[1] digest of the request (hex)
-- ARGV[2] score for the pending index (receivedAt, ms)
-- ARGV[3] log entry template (canonical JSON with the index placeholder)
-- ARGV[4] CMS bytes of the request
-- ARGV[5..] field, value pairs of the parsed view
-- Result: {code, logIndex, receipt, state, receivedAt}: code 0 stored (receipt ''), 1 the same
--   request again (its stored receipt, '' if not sealed yet; files it in KEYS[5] and KEYS[6] again),
--   2 same id with other content
--@include ../../log/lua/append-entry.lua

-- Milliseconds since the epoch of a stored receivedAt ('YYYY-MM-DDTHH:MM:SS.sssZ', as
-- Date.toISOString writes it), nil for anything else: the score the first store gave it.
local function iso_ms(s)
  local y, mo, d, h, mi, se, ms = string.match(s or '', '^(%d%d%d%d)-(%d%d)-(%d%d)T(%d%d):(%d%d):(%d%d)%.(%d%d%d)Z$')
  if not y then return nil end
  y, mo, d = tonumber(y), tonumber(mo), tonumber(d)
  -- Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
  if mo <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local mp = (mo > 2) and (mo - 3) or (mo + 9)
  local doy = math.floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  local days = era * 146097 + doe - 719468
  return ((days * 24 + tonumber(h)) * 60 + tonumber(mi)) * 60000 + tonumber(se) * 1000 + tonumber(ms)
end

local existing = redis.call('HGET', KEYS[1], 'digest')
if existing then
  if existing == ARGV[1] then
    -- Same document, so the same ERDR number and body: files a request stored before the case
    -- index or the body's list existed (intake-5 wrote the case index in a separate call that
    -- could be lost). SADD is idempotent; ZADD NX keeps a listed request's score.
    local r = redis.call('HMGET', KEYS[1], 'receivedIndex', 'receipt', 'state', 'receivedAt', 'requestId')
    redis.call('SADD', KEYS[6], r[5])
    local score = iso_ms(r[4])
    if score then redis.call('ZADD', KEYS[5], 'NX', score, r[5]) end
    return {1, tonumber(r[1]), r[2] or '', r[3], r[4]}
  end
  return {2, 0, '', '', ''}
end
local index = art50_log_append(KEYS[3], KEYS[4], ARGV[3])
local fields = {'digest', ARGV[1], 'cms', ARGV[4], 'state', 'awaiting_sanction', 'receivedIndex', index}
for i = 5, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
local r = redis.call('HMGET', KEYS[1], 'requestId', 'receivedAt')
redis.call('ZADD', KEYS[2], ARGV[2], r[1])
redis.call('ZADD', KEYS[5], ARGV[2], r[1])
redis.call('SADD', KEYS[6], r[1])
return {0, index, '', 'awaiting_sanction', r[2]}
