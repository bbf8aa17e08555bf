-- Customer portal: invitation links (stored as SHA-256, single-use, expiring, revocable) and the
-- portal sessions they start, each bound to one workspace, project and project person.
CREATE TABLE portal_invitations (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    project_id TEXT NOT NULL REFERENCES projects(id),
    person_id BIGINT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX portal_invitations_project ON portal_invitations(workspace_id, project_id);

CREATE TABLE portal_sessions (
    token_hash TEXT PRIMARY KEY,
    invitation_id TEXT NOT NULL REFERENCES portal_invitations(id),
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    project_id TEXT NOT NULL REFERENCES projects(id),
    person_id BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX portal_sessions_invitation ON portal_sessions(invitation_id);
