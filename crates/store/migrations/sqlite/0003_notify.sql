-- Notifications: the outbox (mail and outbound webhooks), per-person preferences, digest items
-- waiting to be sent, one-click action links used, webhook endpoints, usage events and goals.

-- Every message to deliver, written in the same transaction as the change that caused it.
-- A sender claims a row with a lease (claimed_by, claimed_until) so several servers on one
-- database never deliver one message twice; `dedupe_key` keeps one cause from enqueuing twice.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    due_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    sent_at TEXT,
    failed_at TEXT,
    claimed_by TEXT,
    claimed_until TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (workspace_id, dedupe_key)
);
CREATE INDEX outbox_pending ON outbox(sent_at, next_attempt_at);
CREATE INDEX outbox_workspace ON outbox(workspace_id, created_at);

-- How each person wants to hear from us, keyed by workspace and email.
CREATE TABLE notify_prefs (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    email TEXT NOT NULL,
    frequency TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    quiet_start INTEGER,
    quiet_end INTEGER,
    unsubscribed_at TEXT,
    last_digest_at TEXT,
    PRIMARY KEY (workspace_id, email)
);

-- Lines waiting for the next digest of one person.
CREATE TABLE digest_items (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    email TEXT NOT NULL,
    item_key TEXT NOT NULL,
    urgent INTEGER NOT NULL,
    doc TEXT NOT NULL,
    created_at TEXT NOT NULL,
    message_id TEXT,
    UNIQUE (workspace_id, item_key)
);
CREATE INDEX digest_items_pending ON digest_items(workspace_id, email, message_id);

-- Workspace settings for notifications: the cadence, hosts admins allow webhooks to reach.
CREATE TABLE notify_settings (
    workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id),
    doc TEXT NOT NULL
);

-- Secrets the server keeps for itself (the key that signs one-click links).
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One-click links already used: each works once.
CREATE TABLE action_uses (
    token_id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    used_at TEXT NOT NULL
);

CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    url TEXT NOT NULL,
    target TEXT NOT NULL,
    secret TEXT NOT NULL,
    events TEXT NOT NULL,
    created_at TEXT NOT NULL,
    disabled_at TEXT
);
CREATE INDEX webhook_endpoints_workspace ON webhook_endpoints(workspace_id);

-- How far each workspace's activity log has been turned into webhook deliveries.
CREATE TABLE webhook_cursors (
    workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id),
    last_seq INTEGER NOT NULL
);

-- Product usage reported by the vendor's product, once per event id.
CREATE TABLE usage_events (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    event_id TEXT NOT NULL,
    account TEXT NOT NULL,
    user_id TEXT NOT NULL,
    event TEXT NOT NULL,
    at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (workspace_id, event_id)
);
CREATE INDEX usage_events_account ON usage_events(workspace_id, account, at);

-- Adoption goals set at kickoff, and which usage account is the project's customer.
CREATE TABLE adoption_goals (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    project_id TEXT NOT NULL REFERENCES projects(id),
    account TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (workspace_id, project_id)
);
CREATE INDEX adoption_goals_account ON adoption_goals(workspace_id, account);
