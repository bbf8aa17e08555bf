-- The generation of each person's calendar feed link. The link is signed with the generation in
-- it, so raising the number (a new link) makes every older link for that person stop working;
-- no link is stored. A person with no row is at generation 0.
CREATE TABLE calendar_feeds (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    subject TEXT NOT NULL,
    generation INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, subject)
);
