-- +goose Up
-- The closed loop: a case for an answer that a routing rule picked (an
-- unhappy answer, or a promoter's "thank and ask" task). One case per
-- answer, enforced here, so every replica may open cases and none twice.
CREATE TABLE cases (
    id                   INTEGER PRIMARY KEY,
    kind                 TEXT NOT NULL,             -- detractor | thanks
    response_id          INTEGER NOT NULL UNIQUE REFERENCES responses (id),
    customer_id          INTEGER NOT NULL REFERENCES customers (id),
    survey_id            INTEGER NOT NULL REFERENCES surveys (id),
    score                INTEGER NOT NULL,
    channel              TEXT NOT NULL,
    rule                 TEXT NOT NULL DEFAULT '',
    owner                TEXT NOT NULL DEFAULT '',  -- a user's e-mail
    watchers             TEXT NOT NULL DEFAULT '[]',
    manager              TEXT NOT NULL DEFAULT '',  -- from the answer's snapshot
    team                 TEXT NOT NULL DEFAULT '',
    segment              TEXT NOT NULL DEFAULT '',
    status               TEXT NOT NULL,             -- open | contacted | resolved | closed
    opened_at            TEXT NOT NULL,
    answered_at          TEXT NOT NULL,
    first_contact_due    TEXT,
    resolution_due       TEXT,
    contacted_at         TEXT,
    resolved_at          TEXT,
    closed_at            TEXT,
    first_contact_breach TEXT,                      -- when the breach was marked and escalated
    resolution_breach    TEXT,
    callback_at          TEXT,
    callback_outcome     TEXT NOT NULL DEFAULT '',
    root_cause           TEXT NOT NULL DEFAULT '',
    decision             TEXT NOT NULL DEFAULT '',
    action               TEXT NOT NULL DEFAULT '',
    customer_told        INTEGER NOT NULL DEFAULT 0,
    resurvey_days        INTEGER NOT NULL DEFAULT 0,
    resurvey_at          TEXT,
    won_back             TEXT NOT NULL DEFAULT '',  -- '' (not yet) | passive | promoter | none
    won_back_response_id INTEGER,
    won_back_at          TEXT,
    updated_at           TEXT NOT NULL
);
CREATE INDEX cases_status ON cases (status, opened_at);
CREATE INDEX cases_owner ON cases (owner, status);
CREATE INDEX cases_team ON cases (team, status);
CREATE INDEX cases_customer ON cases (customer_id, won_back);
CREATE INDEX cases_opened ON cases (opened_at);

-- The case's timeline: notes, call-backs, status changes, breaches,
-- notifications sent.
CREATE TABLE case_events (
    id      INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at      TEXT NOT NULL,
    author  TEXT NOT NULL DEFAULT '',
    kind    TEXT NOT NULL,
    body    TEXT NOT NULL DEFAULT '',
    data    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX case_events_case ON case_events (case_id, id);

-- +goose Down
DROP TABLE case_events;
DROP TABLE cases;
