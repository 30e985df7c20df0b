-- Repositories as git histories. Objects (blobs, trees, commits) are
-- content-addressed by their git id and shared by every repository; what a
-- repository owns is its refs, and the commits and blobs it reaches
-- (repo_commit, repo_blob), which scope every lookup to it.

CREATE TABLE IF NOT EXISTS repo (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  type ENUM('model', 'dataset', 'space') NOT NULL,
  owner_id BIGINT UNSIGNED NOT NULL,
  name VARCHAR(96) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
  private TINYINT(1) NOT NULL DEFAULT 0,
  gated TINYINT(1) NOT NULL DEFAULT 0,
  disabled TINYINT(1) NOT NULL DEFAULT 0,
  lfs_multipart_threshold BIGINT UNSIGNED NULL,
  downloads BIGINT UNSIGNED NOT NULL DEFAULT 0,
  likes BIGINT UNSIGNED NOT NULL DEFAULT 0,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY repo_name (owner_id, type, name),
  KEY repo_type_updated (type, updated_at),
  KEY repo_type_created (type, created_at),
  KEY repo_type_downloads (type, downloads),
  KEY repo_type_likes (type, likes),
  CONSTRAINT repo_owner FOREIGN KEY (owner_id) REFERENCES namespace (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Branches and tags. A branch moves only by compare-and-set on target.
CREATE TABLE IF NOT EXISTS ref (
  repo_id BIGINT UNSIGNED NOT NULL,
  kind ENUM('branch', 'tag') NOT NULL,
  name VARBINARY(255) NOT NULL,
  target BINARY(20) NOT NULL,
  message TEXT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (repo_id, kind, name),
  CONSTRAINT ref_repo FOREIGN KEY (repo_id) REFERENCES repo (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- Blob metadata, not content (that is in S3). For a regular file oid is the
-- git blob id of its bytes; for an LFS file, of its pointer text, and lfs
-- is 1 with sha256 naming the object in S3.
CREATE TABLE IF NOT EXISTS git_blob (
  oid BINARY(20) NOT NULL PRIMARY KEY,
  size BIGINT UNSIGNED NOT NULL,
  sha256 BINARY(32) NOT NULL,
  lfs TINYINT(1) NOT NULL DEFAULT 0
) ENGINE=InnoDB;

-- Trees in git's raw format (sorted "mode name\0id" entries).
CREATE TABLE IF NOT EXISTS git_tree (
  oid BINARY(20) NOT NULL PRIMARY KEY,
  entries LONGBLOB NOT NULL
) ENGINE=InnoDB;

-- Commits: the fields git's commit text is made of (the text, and so the
-- id, is rebuilt from them exactly).
CREATE TABLE IF NOT EXISTS git_commit (
  oid BINARY(20) NOT NULL PRIMARY KEY,
  tree BINARY(20) NOT NULL,
  parent BINARY(20) NULL,
  author_name VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  author_email VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  time BIGINT NOT NULL,
  message MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL
) ENGINE=InnoDB;

-- Which commits belong to a repository: a revision given as a (short)
-- commit id is looked up here, never across repositories.
CREATE TABLE IF NOT EXISTS repo_commit (
  repo_id BIGINT UNSIGNED NOT NULL,
  oid BINARY(20) NOT NULL,
  PRIMARY KEY (repo_id, oid),
  CONSTRAINT repo_commit_repo FOREIGN KEY (repo_id) REFERENCES repo (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- Which blobs a repository's commits reference: storage use (quota) and the
-- scope of LFS downloads. Filled as commits land, O(changed files).
CREATE TABLE IF NOT EXISTS repo_blob (
  repo_id BIGINT UNSIGNED NOT NULL,
  oid BINARY(20) NOT NULL,
  PRIMARY KEY (repo_id, oid),
  CONSTRAINT repo_blob_repo FOREIGN KEY (repo_id) REFERENCES repo (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- LFS objects whose bytes khub has checked against their sha256 and size,
-- stored at lfs/ab/cd/<sha256> in S3.
CREATE TABLE IF NOT EXISTS lfs_object (
  sha256 BINARY(32) NOT NULL PRIMARY KEY,
  size BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB;

-- Multipart LFS uploads in progress (to a staging key), to complete or
-- abort them.
CREATE TABLE IF NOT EXISTS lfs_upload (
  upload_id VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  sha256 BINARY(32) NOT NULL,
  size BIGINT UNSIGNED NOT NULL,
  repo_id BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY lfs_upload_sha (sha256)
) ENGINE=InnoDB;
