-- append-entry.lua — SNIPPET, never run alone: scripts that change state include it with
--   --@include <relative path>/append-entry.lua
-- and call art50_log_append in the same script, so the state change and the log entry that
-- records it are one atomic step (sequencing). Hashing happens later, in Node (integration).
--
-- Convention:
--   * The caller declares both log keys in its own KEYS (Redis Cluster: a script may touch only
--     keys it names) and passes their names: {NS}:log:size and {NS}:log:entries.
--   * entry_template is the canonical JSON of the entry built in Node by sequencer.entryTemplate:
--     sorted keys, no whitespace, with the index field written as the placeholder
--     "index":"@@INDEX@@" (already in its sorted position, exactly once).
--   * The placeholder is replaced by the decimal index, so the stored bytes are canonical JSON.
--   * The template is checked BEFORE the INCR: a Redis script is not rolled back on error, and a
--     failed check must not leave a gap in the log. For the same reason a caller that writes
--     other keys first should call art50_log_check_template(entry_template) before its writes.
-- art50_log_append returns the new entry's index (integer); both functions RAISE the error
-- "ART50_LOG_TEMPLATE ..." on a bad template (mapped to an Error in sequencer.ts).

local ART50_LOG_PLACEHOLDER = '"index":"@@INDEX@@"'

local function art50_log_check_template(entry_template)
  local s, e = string.find(entry_template, ART50_LOG_PLACEHOLDER, 1, true)
  if not s or string.find(entry_template, ART50_LOG_PLACEHOLDER, e + 1, true) then
    error({ err = 'ART50_LOG_TEMPLATE entry template must contain the index placeholder exactly once' })
  end
  return s, e
end

local function art50_log_append(size_key, entries_key, entry_template)
  local s, e = art50_log_check_template(entry_template)
  local index = redis.call('INCR', size_key) - 1
  local entry = string.sub(entry_template, 1, s - 1) .. '"index":' .. string.format('%d', index) .. string.sub(entry_template, e + 1)
  redis.call('HSET', entries_key, string.format('%d', index), entry)
  return index
end
