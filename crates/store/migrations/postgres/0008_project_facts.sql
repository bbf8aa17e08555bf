-- What analytics and the process map derive from each project's document and log, kept across
-- restarts so the first report after a start does not replay every log. A cache, never a
-- source: a row counts only while `version` is the project's version and `format` the shape
-- the running build writes; anything else is recomputed from the log and written over.
CREATE TABLE project_facts (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    project_id TEXT NOT NULL REFERENCES projects(id),
    version BIGINT NOT NULL,
    format BIGINT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (workspace_id, project_id)
);
