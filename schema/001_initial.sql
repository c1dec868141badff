-- 001_initial.sql: the first helpdeskd schema.
-- All times are Unix epoch milliseconds (INTEGER), UTC.

CREATE TABLE contacts (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL DEFAULT '',
    phone       TEXT    UNIQUE,                    -- E.164, e.g. +628113103001
    email       TEXT    UNIQUE COLLATE NOCASE,
    skpd        TEXT    NOT NULL DEFAULT '',       -- government unit
    role        TEXT    NOT NULL DEFAULT 'reporter'
                CHECK (role IN ('reporter', 'admin', 'technician', 'leader')),
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CHECK (phone IS NOT NULL OR email IS NOT NULL)
);

-- Per-month counters behind ticket numbers such as HD-2611-0042.
CREATE TABLE ticket_seq (
    period  TEXT    PRIMARY KEY,                   -- 'YYMM'
    last    INTEGER NOT NULL
);

CREATE TABLE tickets (
    id                 INTEGER PRIMARY KEY,
    number             TEXT    NOT NULL UNIQUE,
    channel            TEXT    NOT NULL CHECK (channel IN ('sms', 'email', 'phone')),
    reporter           TEXT    NOT NULL,           -- E.164 number or email address
    reporter_name      TEXT    NOT NULL DEFAULT '',
    contact_id         INTEGER REFERENCES contacts(id),
    skpd               TEXT    NOT NULL DEFAULT '',
    text               TEXT    NOT NULL,
    category           TEXT    NOT NULL DEFAULT '',
    priority           TEXT    NOT NULL DEFAULT 'normal'
                       CHECK (priority IN ('low', 'normal', 'high', 'emergency')),
    status             TEXT    NOT NULL DEFAULT 'new'
                       CHECK (status IN ('new', 'open', 'pending', 'resolved', 'closed', 'rejected')),
    assignee_id        INTEGER REFERENCES contacts(id),
    created_at         INTEGER NOT NULL,
    first_response_at  INTEGER,
    resolved_at        INTEGER,
    closed_at          INTEGER,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX tickets_status ON tickets(status, created_at);
CREATE INDEX tickets_reporter ON tickets(reporter, created_at);

-- Every inbound message, whatever became of it (rules 1, 2 and 5).
CREATE TABLE messages (
    id           INTEGER PRIMARY KEY,
    channel      TEXT    NOT NULL CHECK (channel IN ('sms', 'email')),
    sender       TEXT    NOT NULL,
    received_at  INTEGER NOT NULL,                 -- when helpdeskd recorded it
    sent_at      INTEGER,                          -- SMSC time stamp / Date header
    dedup_key    TEXT    NOT NULL UNIQUE,
    raw          BLOB,                             -- what the transport gave us
    text         TEXT,                             -- decoded UTF-8 text
    parts        INTEGER NOT NULL DEFAULT 1,
    outcome      TEXT    NOT NULL
                 CHECK (outcome IN ('ticket', 'comment', 'command', 'ignored', 'quarantined')),
    reason       TEXT,                             -- why ignored / quarantined
    ticket_id    INTEGER REFERENCES tickets(id)
);
CREATE INDEX messages_outcome ON messages(outcome, received_at);
CREATE INDEX messages_ticket ON messages(ticket_id);

-- Append-only history of each ticket.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
    at         INTEGER NOT NULL,
    actor      TEXT    NOT NULL,                   -- number, address, or 'helpdeskd'
    channel    TEXT    NOT NULL,                   -- sms, email, phone, ctl, daemon
    kind       TEXT    NOT NULL,                   -- created, reply_queued, reply_sent, ...
    detail     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX events_ticket ON events(ticket_id, at);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

CREATE TABLE attachments (
    id            INTEGER PRIMARY KEY,
    message_id    INTEGER NOT NULL REFERENCES messages(id),
    ticket_id     INTEGER REFERENCES tickets(id),
    filename      TEXT    NOT NULL DEFAULT '',     -- as the sender named it
    content_type  TEXT    NOT NULL DEFAULT 'application/octet-stream',
    size          INTEGER NOT NULL,
    sha256        TEXT    NOT NULL,
    path          TEXT    NOT NULL                 -- generated name under the spool
);

-- Replies and notices, queued in the transaction that caused them (rule 3).
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    channel          TEXT    NOT NULL CHECK (channel IN ('sms', 'email')),
    recipient        TEXT    NOT NULL,
    subject          TEXT,
    body             TEXT    NOT NULL,
    kind             TEXT    NOT NULL,             -- reply, admin_notice, ...
    ticket_id        INTEGER REFERENCES tickets(id),
    message_id       INTEGER REFERENCES messages(id),
    state            TEXT    NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'sent', 'failed', 'held')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    sent_at          INTEGER,
    provider_ref     TEXT
);
CREATE INDEX outbox_due ON outbox(channel, state, next_attempt_at);
CREATE INDEX outbox_recipient ON outbox(recipient, created_at);
