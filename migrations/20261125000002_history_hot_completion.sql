-- Completing a run (status running -> completed) rewrote every index of enhancement_history, because
-- `status` was an indexed column (of enhancement_history_open_idx): PostgreSQL can only update a row in
-- place (a HOT update, no new index entries) when no indexed column changes and the page has room. The
-- worker benchmark measured that as a large share of a job's database cost (docs/BENCHMARKS.md).
--
-- What operators list is what went wrong: every failed or dead-lettered run carries an error_class, and a
-- completion leaves error_class NULL (NULL before, NULL after: unchanged, so the update stays HOT).
DROP INDEX enhancement_history_open_idx;
CREATE INDEX enhancement_history_errors_idx ON enhancement_history (created_at DESC)
    WHERE error_class IS NOT NULL;

-- Room on each page for the completion to land beside the claimed row (HOT needs the same page). Applies to
-- pages written from now on.
ALTER TABLE enhancement_history SET (fillfactor = 80);
