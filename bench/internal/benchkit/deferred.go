package benchkit

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Querier is a connection or transaction to bulk-load on.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Deferred is an index or foreign key a bulk load drops and re-creates
// afterwards, read from the catalog so that it comes back exactly as the
// migrations made it.
type Deferred struct{ Name, Drop, Create string }

// DropDeferred drops the secondary indexes of tables (those that back no
// constraint: the primary and unique keys stay) and, on PostgreSQL, their
// foreign keys: an index built once at the end is several times faster than
// one grown row by row, and a COPY otherwise checks every foreign key row by
// row. The foreign keys are validated in full when CreateDeferred adds them
// back. Table names are the bench's own constants, never input.
func DropDeferred(ctx context.Context, q Querier, dialect string, tables ...string) ([]Deferred, error) {
	in := "'" + strings.Join(tables, "', '") + "'"
	list := `SELECT name, 'DROP INDEX ' || name, sql FROM sqlite_master
		WHERE type = 'index' AND tbl_name IN (` + in + `) AND sql IS NOT NULL ORDER BY name`
	if dialect == "postgres" {
		list = `SELECT i.indexname, 'DROP INDEX ' || quote_ident(i.indexname), i.indexdef FROM pg_indexes i
			WHERE i.schemaname = current_schema() AND i.tablename IN (` + in + `)
			AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.connamespace = to_regnamespace(i.schemaname))
			UNION ALL
			SELECT conname, 'ALTER TABLE ' || conrelid::regclass || ' DROP CONSTRAINT ' || quote_ident(conname),
				'ALTER TABLE ' || conrelid::regclass || ' ADD CONSTRAINT ' || quote_ident(conname) || ' ' || pg_get_constraintdef(oid)
			FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text IN (` + in + `)
			AND connamespace = to_regnamespace(current_schema())
			ORDER BY 1`
	}
	rows, err := q.QueryContext(ctx, list)
	if err != nil {
		return nil, fmt.Errorf("list indexes: %w", err)
	}
	var out []Deferred
	for rows.Next() {
		var d Deferred
		if err := rows.Scan(&d.Name, &d.Drop, &d.Create); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, d := range out {
		if _, err := q.ExecContext(ctx, d.Drop); err != nil {
			return nil, fmt.Errorf("%s: %w", d.Drop, err)
		}
	}
	return out, nil
}

// CreateDeferred re-creates what DropDeferred dropped.
func CreateDeferred(ctx context.Context, q Querier, list []Deferred) error {
	for _, d := range list {
		if _, err := q.ExecContext(ctx, d.Create); err != nil {
			return fmt.Errorf("%s: %w", d.Create, err)
		}
	}
	return nil
}
