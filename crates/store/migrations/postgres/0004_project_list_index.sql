-- The portfolio lists ids and versions in this order and reads documents from a cache: a
-- covering index answers the page without touching the (large) document rows.
DROP INDEX projects_workspace;
CREATE INDEX projects_list ON projects(workspace_id, updated_at DESC, id, version);
