-- Every few seconds the scheduler asks when each location's last run failed:
-- an index of the failed runs alone answers without reading a location's
-- history of polls (288 a day at the default interval).
CREATE INDEX sync_runs_failed ON sync_runs (location_id, finished_at DESC) WHERE status = 'failed';
