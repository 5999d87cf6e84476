-- +goose Up
CREATE TABLE teams (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL,
    team          TEXT NOT NULL DEFAULT '',
    locale        TEXT NOT NULL DEFAULT 'ru',
    password_hash TEXT NOT NULL DEFAULT '',
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE api_tokens (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);

CREATE TABLE customers (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_id         TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL DEFAULT '',
    company             TEXT NOT NULL DEFAULT '',
    email               TEXT NOT NULL DEFAULT '',
    phone               TEXT NOT NULL DEFAULT '',
    telegram_chat_id    TEXT NOT NULL DEFAULT '',
    locale              TEXT NOT NULL DEFAULT 'ru',
    segment             TEXT NOT NULL DEFAULT '',
    services JSONB NOT NULL DEFAULT '[]',
    revenue BIGINT,
    started_at DATE,
    manager             TEXT NOT NULL DEFAULT '',
    team                TEXT NOT NULL DEFAULT '',
    region              TEXT NOT NULL DEFAULT '',
    attributes JSONB NOT NULL DEFAULT '{}',
    contact_period_days INTEGER,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    erased_at TIMESTAMPTZ
);
CREATE INDEX customers_manager ON customers (manager, id);
CREATE INDEX customers_team ON customers (team, id);
CREATE INDEX customers_segment ON customers (segment, id);

CREATE TABLE consents (
    customer_id BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    channel     TEXT NOT NULL,
    granted BOOLEAN NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    source      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (customer_id, channel)
);

CREATE TABLE surveys (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key        TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    definition JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- Each answer carries a snapshot of the customer's dimensions when it was
-- given (manager … tenure_months), so history does not move with the customer.
CREATE TABLE responses (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survey_id BIGINT NOT NULL REFERENCES surveys (id),
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    channel         TEXT NOT NULL,
    score           INTEGER NOT NULL,
    comment         TEXT NOT NULL DEFAULT '',
    answers JSONB NOT NULL DEFAULT '{}',
    answered_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    manager         TEXT NOT NULL DEFAULT '',
    team            TEXT NOT NULL DEFAULT '',
    segment         TEXT NOT NULL DEFAULT '',
    services JSONB NOT NULL DEFAULT '[]',
    revenue BIGINT,
    region          TEXT NOT NULL DEFAULT '',
    tenure_months   INTEGER
);
CREATE INDEX responses_answered ON responses (answered_at, id);
CREATE INDEX responses_survey ON responses (survey_id, answered_at, id);
CREATE INDEX responses_customer ON responses (customer_id);
CREATE INDEX responses_manager ON responses (manager, answered_at);
CREATE INDEX responses_team ON responses (team, answered_at);

-- Who did what to which record; never personal data.
CREATE TABLE audit_log (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail  TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE responses;
DROP TABLE surveys;
DROP TABLE consents;
DROP TABLE customers;
DROP TABLE api_tokens;
DROP TABLE users;
DROP TABLE teams;
