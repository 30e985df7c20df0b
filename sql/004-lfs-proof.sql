-- Possession proofs: which LFS objects a repository may reference because
-- bytes uploaded for that repository were checked against the object's
-- sha256. Knowing a sha256 is not owning the bytes: a commit may name an
-- LFS object only when its repository already references it or holds such
-- a proof (lfs.c).
CREATE TABLE IF NOT EXISTS lfs_proof (
  repo_id BIGINT UNSIGNED NOT NULL,
  sha256 BINARY(32) NOT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (repo_id, sha256),
  CONSTRAINT lfs_proof_repo FOREIGN KEY (repo_id) REFERENCES repo (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- The repositories that reference a blob (a caller who can read one may
-- link its LFS object without uploading it again).
ALTER TABLE repo_blob ADD INDEX IF NOT EXISTS repo_blob_oid (oid);
