-- The content keys gc's orphan sweep deleted lately (gc.c), each written
-- in the transaction that holds its git_blob or lfs_object row's absence
-- and committed only after the S3 DELETE. A writer that stored the same
-- bytes and then its rows (a commit, a push, a mirror's copy) looks here
-- once its rows are committed (they waited for that transaction): a key
-- listed was maybe deleted under it, and is looked at and stored again
-- (gc_store_again()). Kept a day: a writer looks within moments.
CREATE TABLE IF NOT EXISTS gc_orphan (
  s3_key VARBINARY(200) NOT NULL PRIMARY KEY,
  deleted_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY gc_orphan_at (deleted_at)
) ENGINE=InnoDB;
