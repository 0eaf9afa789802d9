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
--   request again (its stored receipt, '' if not sealed yet), 2 same id with other content
--@include ../../log/lua/append-entry.lua
local existing = redis.call('HGET', KEYS[1], 'digest')
if existing then
  if existing == ARGV[1] then
    -- Same document, so the same ERDR number: files a request stored before the case index
    -- existed (intake-5 wrote it in a separate call that could be lost). SADD is idempotent.
    redis.call('SADD', KEYS[6], redis.call('HGET', KEYS[1], 'requestId'))
    local r = redis.call('HMGET', KEYS[1], 'receivedIndex', 'receipt', 'state', 'receivedAt')
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
