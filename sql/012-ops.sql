-- Garbage collection (khubctl gc, gc.c) and atomic quotas (quota.c).

-- Objects gc found unreferenced, and since when: one is deleted only once
-- it has stayed unreferenced for the grace period (a mark is dropped as
-- soon as a repository references its object again). kind 'blob' is a
-- git_blob row (id its oid), 'lfs' an lfs_object (id its sha256); ref_oid
-- is the blob id whose repo_blob row would reference it (the LFS
-- object's pointer blob).
CREATE TABLE IF NOT EXISTS gc_mark (
  kind ENUM('blob', 'lfs') NOT NULL,
  id VARBINARY(32) NOT NULL,
  ref_oid BINARY(20) NOT NULL,
  since DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (kind, id),
  KEY gc_mark_ref (ref_oid)
) ENGINE=InnoDB;

-- Written by every commit into a namespace under a quota, in the commit's
-- transaction: two such commits conflict on this row (a lock on one
-- server, a certification failure on Galera, which ignores SELECT ... FOR
-- UPDATE across nodes), so each counts the other's bytes or retries.
ALTER TABLE namespace ADD COLUMN IF NOT EXISTS quota_seq BIGINT UNSIGNED NOT NULL DEFAULT 0;
