-- What changed, for the workers' caches (fresh.c): one row per repository
-- whose refs or settings ever changed, written in the changing
-- transaction. seq counts the changes (a cached answer names the seq it
-- was read at); changed_us is when the last one was written (SYSDATE, so
-- the time the row was locked, not the statement's start), in
-- microseconds since the epoch: workers poll the rows changed since their
-- last look (a range of the index). No foreign key: a deleted
-- repository's row stays, to say it changed.
CREATE TABLE IF NOT EXISTS repo_change (
  repo_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  seq BIGINT UNSIGNED NOT NULL,
  changed_us BIGINT UNSIGNED NOT NULL,
  KEY repo_change_us (changed_us)
) ENGINE=InnoDB;

-- The machines whose workers answer from memory, and when one of them
-- last said so (fresh.c, every few seconds while they do): a change made
-- through one machine is answered only once the others have polled, so
-- that its caller sees it through any of them.
CREATE TABLE IF NOT EXISTS fresh_node (
  name VARCHAR(160) NOT NULL PRIMARY KEY,
  seen_us BIGINT UNSIGNED NOT NULL
) ENGINE=InnoDB;
