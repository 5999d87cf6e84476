-- +goose Up
-- Action plans: after a survey wave a team writes what the answers showed
-- and who does what by when. One plan per survey, team and wave, enforced
-- here, so two leads saving at once never make two.
CREATE TABLE plans (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survey_id  BIGINT NOT NULL REFERENCES surveys (id),
    team       TEXT NOT NULL,
    wave_from  DATE NOT NULL,                 -- the wave's first day, YYYY-MM-DD
    wave_to    DATE NOT NULL,                 -- its last day, inclusive
    title      TEXT NOT NULL DEFAULT '',
    problems   TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL,                 -- draft | active | done
    results    TEXT NOT NULL DEFAULT '',
    author     TEXT NOT NULL DEFAULT '',      -- a user's e-mail
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (survey_id, team, wave_from, wave_to)
);
CREATE INDEX plans_team ON plans (team, wave_from);

CREATE TABLE plan_items (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id    BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    what       TEXT NOT NULL,
    owner      TEXT NOT NULL,                 -- a user's e-mail
    due        DATE NOT NULL,                 -- YYYY-MM-DD
    status     TEXT NOT NULL,                 -- open | done
    done_note  TEXT NOT NULL DEFAULT '',
    done_at    TIMESTAMPTZ,
    done_by    TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX plan_items_plan ON plan_items (plan_id, id);
CREATE INDEX plan_items_due ON plan_items (status, due);
CREATE INDEX plan_items_owner ON plan_items (owner, status, due);

-- The board of ideas and problems. votes and answers count the rows of
-- insight_votes and insight_answers; they change in the same transaction
-- as those rows, so the board sorts without counting.
CREATE TABLE insights (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       TEXT NOT NULL,                 -- idea | problem
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    tags       JSONB NOT NULL DEFAULT '[]',
    status     TEXT NOT NULL,                 -- new | planned | done | rejected
    author     TEXT NOT NULL DEFAULT '',
    theme      TEXT NOT NULL DEFAULT '',      -- the recurring theme it came from
    votes      INTEGER NOT NULL DEFAULT 0,
    answers    INTEGER NOT NULL DEFAULT 0,
    status_by  TEXT NOT NULL DEFAULT '',
    status_at  TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX insights_status ON insights (status, votes);
CREATE INDEX insights_created ON insights (created_at);

-- One vote per user and item, enforced here.
CREATE TABLE insight_votes (
    insight_id BIGINT NOT NULL REFERENCES insights (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (insight_id, user_id)
);

-- Answers behind an item: "any answer can become an idea or a problem".
CREATE TABLE insight_answers (
    insight_id  BIGINT NOT NULL REFERENCES insights (id) ON DELETE CASCADE,
    response_id BIGINT NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    linked_by   TEXT NOT NULL DEFAULT '',
    linked_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (insight_id, response_id)
);
CREATE INDEX insight_answers_response ON insight_answers (response_id);

-- +goose Down
DROP TABLE insight_answers;
DROP TABLE insight_votes;
DROP TABLE insights;
DROP TABLE plan_items;
DROP TABLE plans;
