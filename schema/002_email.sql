-- 002_email.sql: email intake and replies.
-- Times are Unix epoch milliseconds, as in 001.

-- The message's own identity: its Message-ID (without <>), or for mail
-- without one "sha256:" and a hash of its header block.
ALTER TABLE messages ADD COLUMN rfc_message_id TEXT;
CREATE INDEX messages_rfc_message_id ON messages(rfc_message_id);
-- The second deduplication key (rule 2): that identity and a hash of the
-- body, which is the same wherever the mail was delivered (the headers are
-- not: Received lines). Unique, so the same mail reaching two mailboxes is
-- recorded once, while two different mails that reuse one Message-ID (as
-- some scanners and scripts do) are both kept (rule 1).
ALTER TABLE messages ADD COLUMN mail_key TEXT;
CREATE UNIQUE INDEX messages_mail_key ON messages(mail_key) WHERE mail_key IS NOT NULL;
ALTER TABLE messages ADD COLUMN subject TEXT;
-- Where the raw message is kept when it is not in messages.raw: a path
-- relative to spool_dir.
ALTER TABLE messages ADD COLUMN raw_path TEXT;

-- The Message-ID we give an email reply (without <>), fixed when it is
-- queued so that a retry sends the same one; In-Reply-To and References.
ALTER TABLE outbox ADD COLUMN rfc_message_id TEXT;
CREATE UNIQUE INDEX outbox_rfc_message_id ON outbox(rfc_message_id)
    WHERE rfc_message_id IS NOT NULL;
ALTER TABLE outbox ADD COLUMN in_reply_to TEXT;
ALTER TABLE outbox ADD COLUMN refs TEXT;

-- Per IMAP mailbox: where intake stands.
CREATE TABLE mailboxes (
    name         TEXT    PRIMARY KEY,          -- imap[].name in the config
    uidvalidity  INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL,             -- every UID up to this one is recorded and acknowledged
    backlog_until INTEGER NOT NULL DEFAULT 0,  -- first connection with initial = "unseen": unseen
                                               -- mail up to this UID is still to be taken; 0 = done
    updated_at   INTEGER NOT NULL
);
