-- 003_message_keys.sql: the identity of each part of a multipart message.
-- A crash between deleting the first and the last part of a recorded
-- multipart SMS leaves parts behind; they are known here, so they are
-- removed as already recorded instead of becoming a second message (rule 2).
CREATE TABLE message_keys (
    key         TEXT    PRIMARY KEY,
    message_id  INTEGER NOT NULL REFERENCES messages(id)
) WITHOUT ROWID;
