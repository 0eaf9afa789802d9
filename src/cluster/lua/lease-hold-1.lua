-- lease-hold-1.lua — take a single-writer lease, or renew it when this holder already has it.
-- KEYS[1] {NS}:lease:<name>   the lease: its value is the holder's token, its TTL the lease time
-- ARGV[1] holder token (unique per process and start)
-- ARGV[2] lease time in milliseconds
-- Result: 1 if the caller holds the lease for ARGV[2] ms from now, 0 if another holder has it.
local holder = redis.call('GET', KEYS[1])
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
