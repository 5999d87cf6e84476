-- +goose Up
-- A lifetime milestone's candidates are one range of this index, read in
-- its order: the customers not erased, by start date then id.
DROP INDEX customers_started;
CREATE INDEX customers_started ON customers (started_at, id) WHERE erased_at IS NULL;

-- +goose Down
DROP INDEX customers_started;
CREATE INDEX customers_started ON customers (started_at);
