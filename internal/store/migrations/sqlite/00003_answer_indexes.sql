-- +goose Up
-- Every index on responses is paid for on each answer written. Lists
-- filtered by manager or team walk the answer-time index and stop at a
-- page; analytics reads from the in-memory index. These two go.
DROP INDEX responses_manager;
DROP INDEX responses_team;

-- +goose Down
CREATE INDEX responses_manager ON responses (manager, answered_at);
CREATE INDEX responses_team ON responses (team, answered_at);
