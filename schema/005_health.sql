-- 005_health.sql: what the running daemon and each of its channels are
-- doing, for `helpdeskctl health`, systemd's STATUS= line and the metrics
-- file. Times are Unix epoch milliseconds, as in 001.

CREATE TABLE channel_state (
    name             TEXT    PRIMARY KEY,      -- "daemon", "sms", "imap inbox", "smtp", "sla"
    kind             TEXT    NOT NULL,         -- daemon, sms, imap, smtp, sla
    state            TEXT    NOT NULL
                     CHECK (state IN ('starting', 'up', 'backoff', 'stopped')),
    since            INTEGER NOT NULL,         -- when it entered this state
    detail           TEXT    NOT NULL DEFAULT '',  -- "IDLE", "polling every 60 s", modem model ...
    last_error       TEXT,                     -- the last failure, kept after recovery
    last_error_at    INTEGER,
    last_message_at  INTEGER,                  -- last message taken in
    signal_percent   INTEGER,                  -- modem signal strength, NULL = not reported
    network          TEXT,                     -- operator or network code, NULL = not reported
    pid              INTEGER,                  -- daemon row: the process
    updated_at       INTEGER NOT NULL          -- daemon row: its heartbeat
);
