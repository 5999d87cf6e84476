-- +goose Up
-- The closed loop: a case for an answer that a routing rule picked (an
-- unhappy answer, or a promoter's "thank and ask" task). One case per
-- answer, enforced here, so every replica may open cases and none twice.
CREATE TABLE cases (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind                 TEXT NOT NULL,             -- detractor | thanks
    response_id          BIGINT NOT NULL UNIQUE REFERENCES responses (id),
    customer_id          BIGINT NOT NULL REFERENCES customers (id),
    survey_id            BIGINT NOT NULL REFERENCES surveys (id),
    score                INTEGER NOT NULL,
    channel              TEXT NOT NULL,
    rule                 TEXT NOT NULL DEFAULT '',
    owner                TEXT NOT NULL DEFAULT '',  -- a user's e-mail
    watchers             JSONB NOT NULL DEFAULT '[]',
    manager              TEXT NOT NULL DEFAULT '',  -- from the answer's snapshot
    team                 TEXT NOT NULL DEFAULT '',
    segment              TEXT NOT NULL DEFAULT '',
    status               TEXT NOT NULL,             -- open | contacted | resolved | closed
    opened_at            TIMESTAMPTZ NOT NULL,
    answered_at          TIMESTAMPTZ NOT NULL,
    first_contact_due    TIMESTAMPTZ,
    resolution_due       TIMESTAMPTZ,
    contacted_at         TIMESTAMPTZ,
    resolved_at          TIMESTAMPTZ,
    closed_at            TIMESTAMPTZ,
    first_contact_breach TIMESTAMPTZ,                      -- when the breach was marked and escalated
    resolution_breach    TIMESTAMPTZ,
    callback_at          TIMESTAMPTZ,
    callback_outcome     TEXT NOT NULL DEFAULT '',
    root_cause           TEXT NOT NULL DEFAULT '',
    decision             TEXT NOT NULL DEFAULT '',
    action               TEXT NOT NULL DEFAULT '',
    customer_told        BOOLEAN NOT NULL DEFAULT false,
    resurvey_days        INTEGER NOT NULL DEFAULT 0,
    resurvey_at          TIMESTAMPTZ,
    won_back             TEXT NOT NULL DEFAULT '',  -- '' (not yet) | passive | promoter | none
    won_back_response_id BIGINT,
    won_back_at          TIMESTAMPTZ,
    updated_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX cases_status ON cases (status, opened_at);
CREATE INDEX cases_owner ON cases (owner, status);
CREATE INDEX cases_team ON cases (team, status);
CREATE INDEX cases_customer ON cases (customer_id, won_back);
CREATE INDEX cases_opened ON cases (opened_at);

-- The case's timeline: notes, call-backs, status changes, breaches,
-- notifications sent.
CREATE TABLE case_events (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at      TIMESTAMPTZ NOT NULL,
    author  TEXT NOT NULL DEFAULT '',
    kind    TEXT NOT NULL,
    body    TEXT NOT NULL DEFAULT '',
    data    JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX case_events_case ON case_events (case_id, id);

-- +goose Down
DROP TABLE case_events;
DROP TABLE cases;
