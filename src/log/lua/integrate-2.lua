-- integrate-2.lua — compare-and-set of one integration step (tree nodes hashed in Node).
-- KEYS[1] {NS}:log:integrated  number of entries already in the tree
-- KEYS[2] {NS}:log:tree        HASH "<level>:<index>" → 32-byte node hash
-- ARGV[1] expected current integrated size (decimal)
-- ARGV[2] new integrated size (decimal)
-- ARGV[3..] field, hash, field, hash, ... (the new perfect nodes)
-- Result: 1 if written, 0 if another integrator moved the size first (nothing written).
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current ~= tonumber(ARGV[1]) then
  return 0
end
local batch = {}
for i = 3, #ARGV do
  batch[#batch + 1] = ARGV[i]
  if #batch == 1000 then
    redis.call('HSET', KEYS[2], unpack(batch))
    batch = {}
  end
end
if #batch > 0 then
  redis.call('HSET', KEYS[2], unpack(batch))
end
redis.call('SET', KEYS[1], ARGV[2])
return 1
