-- Accounts: users and organizations share one namespace of names.
-- Names compare case-insensitively (ascii_general_ci), as the Hub's do.

CREATE TABLE IF NOT EXISTS namespace (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind ENUM('user', 'org') NOT NULL,
  name VARCHAR(96) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
  fullname VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '',
  email VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL,
  password_hash VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NULL,
  quota_bytes BIGINT UNSIGNED NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY namespace_name (name),
  UNIQUE KEY namespace_email (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS org_member (
  org_id BIGINT UNSIGNED NOT NULL,
  user_id BIGINT UNSIGNED NOT NULL,
  role ENUM('read', 'write', 'admin') NOT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (org_id, user_id),
  KEY org_member_user (user_id),
  CONSTRAINT org_member_org FOREIGN KEY (org_id) REFERENCES namespace (id) ON DELETE CASCADE,
  CONSTRAINT org_member_usr FOREIGN KEY (user_id) REFERENCES namespace (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- Access tokens: only the SHA-256 of the token is stored.
CREATE TABLE IF NOT EXISTS token (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  name VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  role ENUM('read', 'write') NOT NULL,
  hash BINARY(32) NOT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  expires_at DATETIME(3) NULL,
  revoked_at DATETIME(3) NULL,
  UNIQUE KEY token_hash (hash),
  KEY token_user (user_id),
  CONSTRAINT token_usr FOREIGN KEY (user_id) REFERENCES namespace (id) ON DELETE CASCADE
) ENGINE=InnoDB;
