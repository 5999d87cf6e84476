-- +goose Up
-- seq orders every change of an answer (written, or revised on the survey
-- page) so the in-memory analytics index can catch up with what other
-- writers did. SQLite has one writer: seq order is commit order.
ALTER TABLE responses ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
UPDATE responses SET seq = id;
CREATE INDEX responses_seq ON responses (seq);

-- +goose Down
DROP INDEX responses_seq;
ALTER TABLE responses DROP COLUMN seq;
