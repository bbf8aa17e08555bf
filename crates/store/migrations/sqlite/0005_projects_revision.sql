-- Raised in the same transaction as every project insert or save, which also stamps the project
-- with the new value: a cached project list is checked against one row, and brought up to date
-- by reading only the projects stamped after it, instead of the whole workspace.
ALTER TABLE workspaces ADD COLUMN projects_revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN list_revision INTEGER NOT NULL DEFAULT 0;
CREATE INDEX projects_list_revision ON projects(workspace_id, list_revision);
