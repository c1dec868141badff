-- 004_workflow.sql: the helpdesk workflow after intake: triage, work,
-- pending spells, SLA escalations (SOP sections 6-8).
-- Times are Unix epoch milliseconds, as in 001.

-- A technician who is out of the office is not given tickets by
-- "assign --auto" (the SOP: "by the capacity of the team in the office").
ALTER TABLE contacts ADD COLUMN available INTEGER NOT NULL DEFAULT 1 CHECK (available IN (0, 1));

ALTER TABLE tickets ADD COLUMN accepted_at INTEGER;     -- accepted (validated) by an admin
ALTER TABLE tickets ADD COLUMN assigned_at INTEGER;     -- last (re)assignment
ALTER TABLE tickets ADD COLUMN category_auto INTEGER NOT NULL DEFAULT 1
    CHECK (category_auto IN (0, 1));                    -- 0: set by hand
CREATE INDEX tickets_assignee ON tickets(assignee_id, status);
CREATE INDEX tickets_created ON tickets(created_at);

-- Pending spells: while one is open the resolution clock stops. hardware = 1
-- for a wait on hardware (on order, out of stock), which reports show apart.
CREATE TABLE pauses (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
    started_at  INTEGER NOT NULL,
    ended_at    INTEGER,                               -- NULL: still pending
    reason      TEXT    NOT NULL DEFAULT '',
    hardware    INTEGER NOT NULL DEFAULT 0 CHECK (hardware IN (0, 1))
);
CREATE INDEX pauses_ticket ON pauses(ticket_id, started_at);
CREATE UNIQUE INDEX pauses_open ON pauses(ticket_id) WHERE ended_at IS NULL;

-- Each escalation is sent once: its row is inserted in the transaction that
-- queues the notices. kind: first_response, resolution, leadership,
-- pending:<pause id>.
CREATE TABLE escalations (
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
    kind       TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, kind)
) WITHOUT ROWID;
