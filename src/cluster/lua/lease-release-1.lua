-- lease-release-1.lua — give a lease back, only if the caller still holds it.
-- KEYS[1] {NS}:lease:<name>   the lease (value = holder token)
-- ARGV[1] holder token
-- Result: 1 if released, 0 if the lease had expired or another holder had taken it.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
