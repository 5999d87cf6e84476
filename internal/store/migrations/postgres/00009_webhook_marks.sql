-- +goose Up
-- Events announced once however many replicas scan the same answers:
-- the first to insert a key announces the event.
CREATE TABLE webhook_marks (
    key TEXT PRIMARY KEY,
    at  TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE webhook_marks;
