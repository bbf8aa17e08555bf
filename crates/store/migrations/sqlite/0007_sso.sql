-- Single sign-on with OpenID Connect, per workspace (issue 16).
--
-- sso_settings: one row per workspace that set it up. client_secret is kept as entered, since it
-- must be sent to the provider; the API never returns it. require_sso is 0 or 1: when 1, members
-- sign in through the provider only, except break_glass_email (an admin of the workspace).
CREATE TABLE sso_settings (
    workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id),
    enabled INTEGER NOT NULL,
    issuer TEXT NOT NULL,
    client_id TEXT NOT NULL,
    client_secret TEXT NOT NULL,
    new_member_role TEXT NOT NULL,
    require_sso INTEGER NOT NULL,
    break_glass_email TEXT,
    updated_at TEXT NOT NULL
);

-- The email domains whose people may join a workspace on first SSO sign-in. A domain belongs to
-- one workspace of the server, so an email alone tells which workspace's provider to use.
CREATE TABLE sso_domains (
    domain TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id)
);
CREATE INDEX sso_domains_workspace ON sso_domains(workspace_id);

-- A sign-in sent to the provider and not back yet: the state (stored as SHA-256), the nonce and
-- the PKCE verifier it must come back with. The row is deleted when the browser comes back, so a
-- state works once; rows older than expires_at are deleted by the next sign-in.
CREATE TABLE sso_attempts (
    state_hash TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next_path TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sso_attempts_expires ON sso_attempts(expires_at);
