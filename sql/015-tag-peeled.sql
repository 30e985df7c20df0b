-- Tags of tags (issue 14): what a tag whose object is another tag peels
-- to, the first object of its chain that is not a tag (peeled, of
-- peeled_type), so that ref lists peel with one join as for any tag.
-- NULL for a tag of a commit, tree or blob: its object is what it peels
-- to (every row before this, since khub took no tags of tags).
ALTER TABLE git_tag
  ADD COLUMN IF NOT EXISTS peeled BINARY(20) NULL,
  ADD COLUMN IF NOT EXISTS peeled_type ENUM('commit', 'tree', 'blob') NULL;
