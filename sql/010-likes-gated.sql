-- Likes and gated repositories (issue 11).
--
-- A like is a row; repo.likes counts them, changed in the transaction that
-- inserts or deletes the row and only when a row changed, so the count
-- stays exact under racing likes (the listings sort on the indexed
-- column). id orders a user's likes and a repository's likers newest
-- first: the page cursor is the last id shown. Users are never deleted
-- (khubctl disables them), so no cascade from namespace moves a count.
CREATE TABLE IF NOT EXISTS repo_like (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  repo_id BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY repo_like_once (user_id, repo_id),
  KEY repo_like_user (user_id, id),
  KEY repo_like_repo (repo_id, id),
  CONSTRAINT repo_like_usr FOREIGN KEY (user_id) REFERENCES namespace (id),
  CONSTRAINT repo_like_rep FOREIGN KEY (repo_id) REFERENCES repo (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- repo.gated (TINYINT(1), read as a boolean until now, so "manual" was
-- lost) holds 0 not gated, 1 "auto" (a request is accepted at once), 2
-- "manual" (a writer decides). A gated repository of before (1) stays
-- "auto", what its info said. The column holds 2 as it is: no ALTER, so
-- no copy of the repo table at upgrade.

-- Access requests to gated repositories: one per user and repository, its
-- status moved by the repository's writers. fields: the user's answers
-- (a JSON object), if any.
CREATE TABLE IF NOT EXISTS gate_request (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  repo_id BIGINT UNSIGNED NOT NULL,
  user_id BIGINT UNSIGNED NOT NULL,
  status ENUM('pending', 'accepted', 'rejected') NOT NULL,
  fields TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
  reason VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY gate_request_once (repo_id, user_id),
  KEY gate_request_status (repo_id, status, id),
  CONSTRAINT gate_request_usr FOREIGN KEY (user_id) REFERENCES namespace (id),
  CONSTRAINT gate_request_rep FOREIGN KEY (repo_id) REFERENCES repo (id) ON DELETE CASCADE
) ENGINE=InnoDB;
