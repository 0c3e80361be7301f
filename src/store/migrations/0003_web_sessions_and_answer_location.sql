-- qgrant schema, version 3: the web pages' sign-in sessions (WEB.md §4 "Security"), and the
-- Location of an idempotent write's first answer, so that a repeat of a 201 gets it too.
--
-- Sessions (WEB.md §4 "Security"). The browser
-- holds a random session id in an HttpOnly cookie; only the id's SHA-256 is kept here, so a copy
-- of the database signs nobody in. A session ends at sign-out, at its expiry, or as soon as its
-- user is deactivated (every lookup joins users); ended rows are deleted, expired ones by the
-- next sign-in.
CREATE TABLE web_sessions (
  id_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users (id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  expires_epoch BIGINT NOT NULL
);
CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_epoch);

ALTER TABLE idempotency ADD COLUMN location TEXT;
