-- A pull-through mirror of other hubs (issue 13). A repository read
-- through from an upstream hub is an ordinary repository here (its refs,
-- commits, trees and blobs carry upstream's ids, so clients cache the same
-- files from either endpoint), read-only for everyone, marked by its row
-- in mirror_repo.
CREATE TABLE IF NOT EXISTS mirror_repo (
  repo_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  upstream VARCHAR(512) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  CONSTRAINT mirror_repo_repo FOREIGN KEY (repo_id) REFERENCES repo (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- Namespaces the mirror created for upstream's owners: only these take
-- mirrored repositories (a local user "alice" is not upstream's "alice").
CREATE TABLE IF NOT EXISTS mirror_ns (
  ns_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  CONSTRAINT mirror_ns_ns FOREIGN KEY (ns_id) REFERENCES namespace (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- What upstream last said a revision (a branch, tag, "main", a commit id)
-- is, and when: fresh for [mirror] fresh seconds, then asked again; the
-- last answer stands while upstream cannot be reached.
CREATE TABLE IF NOT EXISTS mirror_rev (
  repo_id BIGINT UNSIGNED NOT NULL,
  rev VARBINARY(255) NOT NULL,
  target BINARY(20) NOT NULL,
  checked_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (repo_id, rev),
  CONSTRAINT mirror_rev_repo FOREIGN KEY (repo_id) REFERENCES repo (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- LFS objects to copy from upstream into S3: one row per object, however
-- many clients ask (INSERT IGNORE), claimed by any worker on any machine
-- with FOR UPDATE SKIP LOCKED and a lease (a worker that dies mid-way
-- loses it when lease_until passes: the fill survives restarts).
CREATE TABLE IF NOT EXISTS mirror_fill (
  sha256 BINARY(32) NOT NULL PRIMARY KEY,
  size BIGINT UNSIGNED NOT NULL,
  url VARCHAR(4096) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  upstream VARCHAR(512) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  state ENUM('queued', 'done', 'failed') NOT NULL DEFAULT 'queued',
  attempts INT UNSIGNED NOT NULL DEFAULT 0,
  lease_until DATETIME(3) NULL,
  error VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  done_at DATETIME(3) NULL,
  KEY mirror_fill_state (state, lease_until)
) ENGINE=InnoDB;
