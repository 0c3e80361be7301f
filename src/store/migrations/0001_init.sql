-- qgrant schema, version 1: the tables of CONTRACT §7 (src/store/README.md, a paragraph each).
-- Written in the SQL SQLite and PostgreSQL share: BIGINT and TEXT only; booleans are 0/1;
-- dates 'YYYY-MM-DD' and instants RFC 3339 with +08:00 as text. Ids are assigned by the store
-- inside the serialised write (MAX + 1), so no dialect's auto-increment is needed.

CREATE TABLE users (
  id BIGINT PRIMARY KEY,
  login TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  uscc TEXT,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  active BIGINT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE rounds (
  id TEXT PRIMARY KEY,
  seq BIGINT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  guide TEXT NOT NULL,
  budget_fen BIGINT NOT NULL,
  opens_on TEXT NOT NULL,
  closes_on TEXT NOT NULL,
  state TEXT NOT NULL,
  notice_starts_on TEXT,
  notice_ends_on TEXT,
  notice_working_days BIGINT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE applications (
  seq BIGINT PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  round_id TEXT NOT NULL REFERENCES rounds (id),
  uscc TEXT NOT NULL,
  measure TEXT NOT NULL,
  subject TEXT NOT NULL,
  subject_key TEXT NOT NULL,
  state TEXT NOT NULL,
  body TEXT NOT NULL,
  submission_seq BIGINT UNIQUE,
  submitted_on TEXT,
  decision TEXT,
  amount_fen BIGINT NOT NULL,
  allocated_fen BIGINT,
  deadline TEXT,
  reference TEXT,
  created_by BIGINT REFERENCES users (id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX applications_by_round ON applications (round_id, state);
CREATE INDEX applications_by_unit ON applications (uscc, round_id, measure, subject_key);

CREATE TABLE application_history (
  id BIGINT PRIMARY KEY,
  application_id TEXT NOT NULL REFERENCES applications (id),
  at TEXT NOT NULL,
  action TEXT NOT NULL,
  from_state TEXT,
  to_state TEXT NOT NULL,
  actor TEXT NOT NULL,
  actor_role TEXT NOT NULL,
  note TEXT,
  deadline TEXT
);
CREATE INDEX history_by_application ON application_history (application_id, id);

CREATE TABLE reviews (
  id BIGINT PRIMARY KEY,
  application_id TEXT NOT NULL REFERENCES applications (id),
  expert_id BIGINT NOT NULL REFERENCES users (id),
  passed BIGINT,
  score BIGINT,
  note TEXT NOT NULL,
  conflict_of_interest BIGINT NOT NULL,
  at TEXT NOT NULL,
  UNIQUE (application_id, expert_id)
);

CREATE TABLE objections (
  id BIGINT PRIMARY KEY,
  round_id TEXT NOT NULL REFERENCES rounds (id),
  application_id TEXT NOT NULL REFERENCES applications (id),
  text TEXT NOT NULL,
  state TEXT NOT NULL,
  filed_by BIGINT REFERENCES users (id),
  at TEXT NOT NULL,
  resolution_note TEXT,
  resolved_by BIGINT REFERENCES users (id),
  resolved_at TEXT
);
CREATE INDEX objections_by_round ON objections (round_id, id);

CREATE TABLE ledger_entries (
  id BIGINT PRIMARY KEY,
  uscc TEXT NOT NULL,
  policy TEXT NOT NULL,
  measure TEXT NOT NULL,
  level TEXT,
  subject TEXT NOT NULL,
  amount_fen BIGINT NOT NULL,
  granted_on TEXT NOT NULL,
  scope TEXT NOT NULL,
  application_id TEXT REFERENCES applications (id),
  round_id TEXT REFERENCES rounds (id)
);
CREATE INDEX ledger_by_unit ON ledger_entries (uscc, id);

CREATE TABLE payments (
  id BIGINT PRIMARY KEY,
  round_id TEXT NOT NULL REFERENCES rounds (id),
  application_id TEXT NOT NULL UNIQUE REFERENCES applications (id),
  payee TEXT NOT NULL,
  uscc TEXT NOT NULL,
  amount_fen BIGINT NOT NULL,
  status TEXT NOT NULL,
  reference TEXT,
  attempts BIGINT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX payments_by_round ON payments (round_id, id);

CREATE TABLE invitations (
  id BIGINT PRIMARY KEY,
  round_id TEXT NOT NULL REFERENCES rounds (id),
  uscc TEXT NOT NULL,
  measure TEXT NOT NULL,
  subject TEXT NOT NULL,
  amount_fen BIGINT NOT NULL,
  state TEXT NOT NULL,
  application_id TEXT REFERENCES applications (id),
  created_at TEXT NOT NULL
);
CREATE INDEX invitations_by_unit ON invitations (uscc, id);

CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  object TEXT NOT NULL,
  before_json TEXT NOT NULL,
  after_json TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);

CREATE TABLE idempotency (
  user_id BIGINT NOT NULL REFERENCES users (id),
  idem_key TEXT NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  body_hash TEXT NOT NULL,
  status BIGINT NOT NULL,
  response TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_epoch BIGINT NOT NULL,
  PRIMARY KEY (user_id, idem_key)
);
CREATE INDEX idempotency_by_age ON idempotency (created_epoch);
