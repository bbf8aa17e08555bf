-- The audit trail of security events: sign-ins, failed sign-ins, lockouts, throttled requests.
-- Append-only: rows are inserted, never updated or deleted by the server. `workspace_id` is
-- NULL when no workspace is known (a sign-in with an email no member has, a request refused
-- before it named one). `detail` is a JSON object; `client_address` is who asked, as the server
-- saw them (the socket peer, or the forwarded address when the proxy is trusted).
CREATE TABLE audit_events (
    id BIGSERIAL PRIMARY KEY,
    workspace_id TEXT REFERENCES workspaces(id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    client_address TEXT
);
CREATE INDEX audit_events_workspace ON audit_events(workspace_id, id);
CREATE INDEX audit_events_at ON audit_events(at);
