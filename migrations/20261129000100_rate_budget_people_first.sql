-- People's requests (a write from a page, a sign-in) go before background
-- work (syncs, polls). When a person's request finds a location's window
-- full, it marks the moment it expects a free slot; background requests take
-- no slot until that moment has passed, so a first sync that uses the whole
-- budget for minutes never keeps a person waiting longer than one slot.
-- A mark left by a process that died expires by itself.
ALTER TABLE highlevel_rate_budget ADD COLUMN people_waiting_until TIMESTAMPTZ;
