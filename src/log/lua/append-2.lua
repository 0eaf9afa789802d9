-- append-2.lua — append one log entry for an event that changes no other state
-- (statement.downloaded, request.refused, ...).
-- KEYS[1] {NS}:log:size      INCR counter
-- KEYS[2] {NS}:log:entries   HASH index → entry bytes
-- ARGV[1] entry template: canonical JSON with "index":"@@INDEX@@" (sequencer.entryTemplate)
-- Result: the entry's index (integer); error "ERR ART50_LOG_TEMPLATE" on a bad template.
--@include append-entry.lua
local index = art50_log_append(KEYS[1], KEYS[2], ARGV[1])
return index
