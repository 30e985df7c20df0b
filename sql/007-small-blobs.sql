-- Small regular files' bytes in the database (issue 17): S3 takes about a
-- thousand PUTs a second, so a commit of 100,000 distinct small files took
-- 100 s. A regular blob of at most BLOB_SMALL_MAX bytes (blobstore.h) is
-- written here, in the transaction of its git_blob row, and reaches S3
-- only when it is first downloaded (downloads are redirects to S3). The row
-- stays once the bytes are in S3 too: it is what khub itself reads.
CREATE TABLE IF NOT EXISTS blob_data (
  oid BINARY(20) NOT NULL PRIMARY KEY,
  data MEDIUMBLOB NOT NULL
) ENGINE=InnoDB;

-- Whether the blob's bytes are in S3 (at gitstore_s3_key()). Every row
-- before this migration is; a small blob's row starts at 0 and is set to 1
-- once, never back, by the download that puts its bytes there. An added
-- column with a default is instant in MariaDB 10.3 and later.
ALTER TABLE git_blob ADD COLUMN IF NOT EXISTS in_s3 TINYINT(1) NOT NULL DEFAULT 1;
