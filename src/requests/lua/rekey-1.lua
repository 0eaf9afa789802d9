-- Data-key rotation: replaces one stored document with its re-sealed form, only if it is still
-- the value that was read (compare-and-set), so a concurrent write is never lost.
-- KEYS[1] request hash {ns}:req:<id>
-- ARGV[1] field (cms | sanctionCms)  ARGV[2] the value read  ARGV[3] the value sealed under the current key
-- Result: 1 replaced | 0 the value changed meanwhile (left alone)
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
