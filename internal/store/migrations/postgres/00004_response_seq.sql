-- +goose Up
-- seq orders every change of an answer (written, or revised on the survey
-- page) so the in-memory analytics index of each replica can catch up with
-- the others. Sequence order is not commit order here: readers re-read a
-- trailing window of seq values (see store.CubeRows).
CREATE SEQUENCE responses_seq_seq;
ALTER TABLE responses ADD COLUMN seq BIGINT;
UPDATE responses SET seq = nextval('responses_seq_seq');
ALTER TABLE responses ALTER COLUMN seq SET DEFAULT nextval('responses_seq_seq');
ALTER TABLE responses ALTER COLUMN seq SET NOT NULL;
CREATE INDEX responses_seq ON responses (seq);

-- +goose Down
DROP INDEX responses_seq;
ALTER TABLE responses DROP COLUMN seq;
DROP SEQUENCE responses_seq_seq;
