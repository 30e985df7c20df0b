-- Discussions and pull requests (issue 11). A pull request's changes live
-- on the ref refs/pr/N: a `ref` row of kind 'branch' named "refs/pr/N"
-- (no branch may be named "refs/...", api_refs.c refuses it), so every
-- reader of revisions takes it as it takes a branch.

-- The last number given in each repository: one sequence for discussions
-- and pull requests. A create bumps it in its transaction (a row lock),
-- so two racing creates never get the same number.
CREATE TABLE IF NOT EXISTS discussion_seq (
  repo_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  last INT UNSIGNED NOT NULL,
  CONSTRAINT discussion_seq_repo FOREIGN KEY (repo_id) REFERENCES repo (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- base_oid: the commit refs/pr/N started from (a fast-forward merge is
-- possible while the base branch is still there); merge_oid: the commit
-- the merge put on the base branch.
CREATE TABLE IF NOT EXISTS discussion (
  repo_id BIGINT UNSIGNED NOT NULL,
  num INT UNSIGNED NOT NULL,
  is_pr TINYINT(1) NOT NULL,
  author_id BIGINT UNSIGNED NULL,
  title VARCHAR(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  status ENUM('draft', 'open', 'closed', 'merged') NOT NULL,
  base_branch VARBINARY(255) NULL,
  base_oid BINARY(20) NULL,
  merge_oid BINARY(20) NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (repo_id, num),
  KEY discussion_author (repo_id, author_id),
  CONSTRAINT discussion_repo FOREIGN KEY (repo_id) REFERENCES repo (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- What happened in a discussion, in order of id. body: a comment's latest
-- text, a commit's subject, a title change's new title; prior: a title
-- change's old title; status: a status change's new status; oid: a
-- commit's id. A comment's earlier versions are discussion_edit rows.
CREATE TABLE IF NOT EXISTS discussion_event (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  repo_id BIGINT UNSIGNED NOT NULL,
  num INT UNSIGNED NOT NULL,
  type ENUM('comment', 'status-change', 'commit', 'title-change') NOT NULL,
  author_id BIGINT UNSIGNED NULL,
  body MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
  prior VARCHAR(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
  status VARCHAR(16) CHARACTER SET ascii NULL,
  oid BINARY(20) NULL,
  hidden TINYINT(1) NOT NULL DEFAULT 0,
  edited_by BIGINT UNSIGNED NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY discussion_event_of (repo_id, num, id),
  CONSTRAINT discussion_event_d FOREIGN KEY (repo_id, num) REFERENCES discussion (repo_id, num) ON DELETE CASCADE
) ENGINE=InnoDB;

-- A comment's versions before its latest, oldest first: the history the
-- clients read.
CREATE TABLE IF NOT EXISTS discussion_edit (
  event_id BIGINT UNSIGNED NOT NULL,
  seq INT UNSIGNED NOT NULL,
  body MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  author_id BIGINT UNSIGNED NULL,
  created_at DATETIME(3) NOT NULL,
  PRIMARY KEY (event_id, seq),
  CONSTRAINT discussion_edit_event FOREIGN KEY (event_id) REFERENCES discussion_event (id) ON DELETE CASCADE
) ENGINE=InnoDB;
