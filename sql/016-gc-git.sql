-- Collecting git trees, commits and tags no repository reaches (gc.c,
-- gc.h "Git objects").

-- The subtrees a tree names: one row per (child, parent), written with
-- the parent's row (gitstore_put_tree(), in one transaction) and deleted
-- with it. They are the trees' reference rows, as repo_blob is the
-- blobs': gc deletes a tree only when no row here names it as the child.
CREATE TABLE IF NOT EXISTS git_tree_edge (
  child BINARY(20) NOT NULL,
  parent BINARY(20) NOT NULL,
  PRIMARY KEY (child, parent),
  KEY git_tree_edge_parent (parent)
) ENGINE=InnoDB;

-- gc's locking reads of what names a commit, a tree or a tag.
ALTER TABLE git_commit ADD KEY IF NOT EXISTS git_commit_tree (tree),
  ADD KEY IF NOT EXISTS git_commit_parent1 (parent);
ALTER TABLE git_commit_parent ADD KEY IF NOT EXISTS git_commit_parent_of (parent);
ALTER TABLE git_tag ADD KEY IF NOT EXISTS git_tag_object (object);
ALTER TABLE repo_commit ADD KEY IF NOT EXISTS repo_commit_oid (oid);
ALTER TABLE ref ADD KEY IF NOT EXISTS ref_target (target);

ALTER TABLE gc_mark MODIFY kind ENUM('blob', 'lfs', 'commit', 'tree', 'tag')
  NOT NULL;

-- gc's own progress: 'tree-edges' is the last tree whose edges gc wrote
-- (the trees stored before this migration have none), done = 1 once
-- every tree's are; no tree is collected before.
CREATE TABLE IF NOT EXISTS gc_state (
  name VARCHAR(32) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  last BINARY(20) NULL,
  done TINYINT(1) NOT NULL DEFAULT 0
) ENGINE=InnoDB;
INSERT IGNORE INTO gc_state (name) VALUES ('tree-edges');
