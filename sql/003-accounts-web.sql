-- Browser sessions, disabled accounts, per-repository LFS settings.

-- A disabled user's tokens and sessions stop working at once.
ALTER TABLE namespace ADD COLUMN IF NOT EXISTS disabled TINYINT(1) NOT NULL DEFAULT 0;

-- Sessions of the Authentication API (cookie session_id): only the SHA-256
-- of the session id is stored.
CREATE TABLE IF NOT EXISTS session (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  hash BINARY(32) NOT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  expires_at DATETIME(3) NOT NULL,
  UNIQUE KEY session_hash (hash),
  KEY session_user (user_id),
  CONSTRAINT session_usr FOREIGN KEY (user_id) REFERENCES namespace (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- Per-repository LFS rules, set by the repository's admins: a size
-- threshold (NULL: the server's) and extra patterns (.gitattributes
-- syntax, one per line) that go to LFS.
ALTER TABLE repo ADD COLUMN IF NOT EXISTS lfs_threshold BIGINT UNSIGNED NULL;
ALTER TABLE repo ADD COLUMN IF NOT EXISTS lfs_patterns TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL;
