-- +goose Up
-- Things done once however many replicas try: an answer announced to
-- webhooks, a reminder of a plan's action mailed.
-- The first to insert a key does it.
CREATE TABLE once_marks (
    key TEXT PRIMARY KEY,
    at  TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE once_marks;
