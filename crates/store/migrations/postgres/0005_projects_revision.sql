-- Raised in the same transaction as every project insert or save: a cached project list is
-- checked against one row instead of counting the workspace's projects on each read.
ALTER TABLE workspaces ADD COLUMN projects_revision BIGINT NOT NULL DEFAULT 0;
