-- +goose Up
-- Business events (a deal won, a delivery made) that may cause invitations.
-- external_id is the sender's id, so a retried webhook is the same event.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    type        TEXT NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    occurred_at TEXT NOT NULL,
    attributes  TEXT NOT NULL DEFAULT '{}',
    source      TEXT NOT NULL DEFAULT 'api',
    received_at TEXT NOT NULL
);
CREATE INDEX events_customer ON events (customer_id, occurred_at);

-- When to ask: triggers on events and lifetime schedules. The definition is
-- the JSON of outreach.Trigger / outreach.Schedule; the columns beside it
-- are what queries select on.
CREATE TABLE outreach_triggers (
    id         INTEGER PRIMARY KEY,
    event_type TEXT NOT NULL,
    enabled    INTEGER NOT NULL,
    definition TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE outreach_schedules (
    id         INTEGER PRIMARY KEY,
    enabled    INTEGER NOT NULL,
    definition TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- An invitation to one customer to answer one survey, from the moment it
-- is planned to its answer. (customer_id, ref) is unique so that one event
-- or one lifetime milestone invites once, however many replicas plan.
-- next_at is set while the invitation waits for the planner (planned,
-- deferred) and NULL after.
CREATE TABLE invitations (
    id            INTEGER PRIMARY KEY,
    customer_id   INTEGER NOT NULL REFERENCES customers (id),
    survey_id     INTEGER NOT NULL REFERENCES surveys (id),
    source        TEXT NOT NULL,
    ref           TEXT NOT NULL,
    label         TEXT NOT NULL DEFAULT '',
    channels      TEXT NOT NULL DEFAULT '[]',
    channel       TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,
    earliest_at   TEXT NOT NULL,
    latest_at     TEXT NOT NULL,
    next_at       TEXT,
    sent_at       TEXT,
    reminders     INTEGER NOT NULL DEFAULT 0,
    reminded_at   TEXT,
    answered_at   TEXT,
    response_id   INTEGER,
    reason        TEXT NOT NULL DEFAULT '',
    reason_params TEXT NOT NULL DEFAULT '{}',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (customer_id, ref)
);
CREATE INDEX invitations_next ON invitations (next_at) WHERE next_at IS NOT NULL;
CREATE INDEX invitations_sent ON invitations (customer_id, sent_at);
CREATE INDEX invitations_status ON invitations (status, id);

-- Every decision about an invitation, with its reason: the explanation a
-- manager reads on the customer's timeline.
CREATE TABLE invitation_log (
    id            INTEGER PRIMARY KEY,
    invitation_id INTEGER NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    at            TEXT NOT NULL,
    action        TEXT NOT NULL,
    channel       TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    reason_params TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX invitation_log_invitation ON invitation_log (invitation_id, id);

-- Outgoing webhooks and their delivery log.
CREATE TABLE webhooks (
    id               INTEGER PRIMARY KEY,
    url              TEXT NOT NULL,
    secret           TEXT NOT NULL,
    events           TEXT NOT NULL DEFAULT '[]',
    enabled          INTEGER NOT NULL,
    failures         INTEGER NOT NULL DEFAULT 0,
    first_failure_at TEXT,
    disabled_at      TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE TABLE webhook_deliveries (
    id          INTEGER PRIMARY KEY,
    webhook_id  INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id    TEXT NOT NULL,
    type        TEXT NOT NULL,
    at          TEXT NOT NULL,
    attempt     INTEGER NOT NULL,
    status      INTEGER NOT NULL DEFAULT 0,
    duration_ms INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    response    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);

-- Work only one replica may do at a time (long-polling Telegram): the
-- holder renews its lease; another takes over when it runs out.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE INDEX customers_started ON customers (started_at);

-- +goose Down
DROP INDEX customers_started;
DROP TABLE leases;
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
DROP TABLE invitation_log;
DROP TABLE invitations;
DROP TABLE outreach_schedules;
DROP TABLE outreach_triggers;
DROP TABLE events;
