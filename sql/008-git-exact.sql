-- Exact git objects (issue 14): what git push brings must read back byte
-- for byte with its id. khub's own commits are still their fields alone
-- (committer = author, +0000, at most one parent); a commit whose text
-- the fields cannot reproduce (a separate committer, a time zone, gpgsig,
-- encoding, other headers) keeps it in raw, and the fields only show it.

-- The parents after the first (git_commit.parent), n = 1 for the second:
-- merges. Ancestry walks that mean every parent join this table too.
CREATE TABLE IF NOT EXISTS git_commit_parent (
  oid BINARY(20) NOT NULL,
  n SMALLINT UNSIGNED NOT NULL,
  parent BINARY(20) NOT NULL,
  PRIMARY KEY (oid, n)
) ENGINE=InnoDB;

-- The exact text of a commit, when the fields cannot give it back; NULL
-- for the rest. An added nullable column is instant in MariaDB 10.3+.
ALTER TABLE git_commit ADD COLUMN IF NOT EXISTS raw MEDIUMBLOB NULL;

-- Annotated tag objects, their exact text (what the id is the hash of),
-- and what they point at (object, of type), for peeling in ref lists.
CREATE TABLE IF NOT EXISTS git_tag (
  oid BINARY(20) NOT NULL PRIMARY KEY,
  object BINARY(20) NOT NULL,
  type ENUM('commit', 'tree', 'blob', 'tag') NOT NULL,
  raw MEDIUMBLOB NOT NULL
) ENGINE=InnoDB;
