-- HighLevel does not say when a task was completed. Tasks already completed
-- when a team's first sync reads them are counted as completed on their due
-- date (or when first seen, if earlier), and marked as estimated so the
-- median time to complete counts only completions Switchboard saw happen.
ALTER TABLE cache_tasks ADD COLUMN completion_estimated BOOLEAN NOT NULL DEFAULT false;
