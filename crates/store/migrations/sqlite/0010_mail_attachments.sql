-- A file sent with an email (a meeting invitation's .ics), as JSON {name, content_type, text};
-- NULL when the message has none.
ALTER TABLE outbox ADD COLUMN attachment TEXT;
-- How far each reader of a workspace's activity log has got (`reader`: `meeting_invitations`).
-- A reader starts at the end of the log, so it never acts on what happened before it existed.
CREATE TABLE log_cursors (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    reader TEXT NOT NULL,
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, reader)
);
