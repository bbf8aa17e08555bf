-- Time tracking and capacity (issue 17). Time entries are many (a year of a whole team) and no
-- rule of the project reads them, so they are rows, not part of the project document.

-- Raised with every change to time entries, capacities or edited allocations (and read beside
-- projects_revision, which every project save raises): the Team page keeps what it computed
-- until either moves.
ALTER TABLE workspaces ADD COLUMN time_revision BIGINT NOT NULL DEFAULT 0;

-- Time a member spent on a project (on one of its tasks, or on the project itself) on a day.
-- `stage` is the lifecycle stage the work counts for (the task's phase's, or the project's
-- when logged), so hours by stage are a sum. No foreign key to users: time logged stays when a
-- member leaves.
CREATE TABLE time_entries (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    user_id TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    task_id BIGINT,
    stage TEXT NOT NULL,
    day TEXT NOT NULL,
    minutes BIGINT NOT NULL,
    billable BIGINT NOT NULL,
    note TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX time_entries_day ON time_entries(workspace_id, day, user_id, minutes);
CREATE INDEX time_entries_user ON time_entries(workspace_id, user_id, day);
CREATE INDEX time_entries_project ON time_entries(workspace_id, project_id, stage, minutes);

-- A member's weekly capacity; a member without a row has the default (40 hours).
CREATE TABLE member_capacity (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    user_id TEXT NOT NULL,
    minutes_per_week BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);

-- Planned hours per project, member, week (its Monday) and stage. `playbook` rows are derived
-- from the project's plan and rewritten with every save of the project; an `edited` row is a
-- person's figure for that project, member and week, and the plan leaves that week alone.
CREATE TABLE allocations (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    project_id TEXT NOT NULL REFERENCES projects(id),
    user_id TEXT NOT NULL,
    week TEXT NOT NULL,
    stage TEXT NOT NULL,
    minutes BIGINT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (workspace_id, project_id, user_id, week, stage)
);
CREATE INDEX allocations_week ON allocations(workspace_id, week, user_id, minutes);
