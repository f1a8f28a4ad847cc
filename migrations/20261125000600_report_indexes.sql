-- Reports: "last synced" is the newest synced_at of a team's cache tables,
-- read on every dashboard view; these make each a backward index probe.
CREATE INDEX cache_contacts_synced ON cache_contacts (location_id, synced_at);
CREATE INDEX cache_tasks_synced ON cache_tasks (location_id, synced_at);
CREATE INDEX cache_appointments_synced ON cache_appointments (location_id, synced_at);
CREATE INDEX cache_notes_synced ON cache_notes (location_id, synced_at);
CREATE INDEX cache_users_synced ON cache_users (location_id, synced_at);
CREATE INDEX cache_calendars_synced ON cache_calendars (location_id, synced_at);
CREATE INDEX cache_businesses_synced ON cache_businesses (location_id, synced_at);
