package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"otklik/internal/outreach"
)

// The product's two queries, as internal/store/outreach.go writes them
// (StartedBetween, DueCustomers), for their query plans.
const (
	startedBetweenSQL = `SELECT c.id FROM customers c WHERE c.started_at >= ? AND c.started_at <= ? AND c.erased_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.customer_id = c.id AND i.ref = ?) ORDER BY c.id LIMIT ?`
	dueCustomersSQL = `SELECT customer_id, MIN(next_at) FROM invitations WHERE next_at IS NOT NULL AND next_at <= ?
		GROUP BY customer_id ORDER BY MIN(next_at), customer_id LIMIT ?`
)

func explainKind(dialect string) string {
	if dialect == "postgres" {
		return "EXPLAIN (ANALYZE, BUFFERS)"
	}
	return "EXPLAIN QUERY PLAN"
}

// explainProduct returns the plans of StartedBetween (for the schedule's
// first month) and DueCustomers at now.
func explainProduct(ctx context.Context, db *sql.DB, dialect string, s outreach.Schedule, now time.Time) string {
	m := s.Months[0]
	from, to := s.StartWindow(m, now, moscow)
	ref := fmt.Sprintf("lifetime:%d:%d", s.ID, m)
	var b strings.Builder
	fmt.Fprintf(&b, "StartedBetween(%s, %s, %q):\n", from, to, ref)
	b.WriteString(indent(explain(ctx, db, dialect, startedBetweenSQL, from.String(), to.String(), ref, everything), "  "))
	if dialect == "postgres" {
		fmt.Fprintf(&b, "StartedBetween, same arguments, page of %d, generic plan (what PostgreSQL runs for the store's cached statement once it has run five times):\n", candidatesPage)
		b.WriteString(indent(explainGeneric(ctx, db, startedBetweenSQL, "date, date, text, bigint",
			fmt.Sprintf("'%s', '%s', '%s', %d", from, to, ref, candidatesPage)), "  "))
	}
	fmt.Fprintf(&b, "DueCustomers(now):\n")
	b.WriteString(indent(explain(ctx, db, dialect, dueCustomersSQL, instantArg(dialect, now), everything), "  "))
	return b.String()
}

func instantArg(dialect string, t time.Time) any {
	if dialect == "postgres" {
		return t
	}
	return t.UTC().Format(sqliteTime)
}

// explain returns the plan of query (with ? placeholders) on args.
func explain(ctx context.Context, db *sql.DB, dialect, query string, args ...any) string {
	var rows *sql.Rows
	var err error
	if dialect == "postgres" {
		rows, err = db.QueryContext(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+rebind(query), args...)
	} else {
		rows, err = db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	}
	if err != nil {
		return "explain: " + err.Error()
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		if dialect == "postgres" {
			var line string
			if err := rows.Scan(&line); err != nil {
				return "explain: " + err.Error()
			}
			b.WriteString(line + "\n")
			continue
		}
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "explain: " + err.Error()
		}
		b.WriteString(detail + "\n")
	}
	if err := rows.Err(); err != nil {
		return "explain: " + err.Error()
	}
	return b.String()
}

// explainGeneric returns PostgreSQL's generic plan of query (with ?
// placeholders of types) for the literal arguments args: the plan a
// prepared statement settles on when its generic plan looks no costlier
// than the custom ones, as pgx's statement cache lets it.
func explainGeneric(ctx context.Context, db *sql.DB, query, types, args string) string {
	conn, err := db.Conn(ctx)
	if err != nil {
		return "explain: " + err.Error()
	}
	defer conn.Close()
	for _, stmt := range []string{"PREPARE bench_generic (" + types + ") AS " + rebind(query), "SET plan_cache_mode = force_generic_plan"} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return "explain: " + err.Error()
		}
	}
	defer conn.ExecContext(ctx, "DEALLOCATE bench_generic; RESET plan_cache_mode")
	rows, err := conn.QueryContext(ctx, "EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_generic ("+args+")")
	if err != nil {
		return "explain: " + err.Error()
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return "explain: " + err.Error()
		}
		b.WriteString(line + "\n")
	}
	if err := rows.Err(); err != nil {
		return "explain: " + err.Error()
	}
	return b.String()
}

// rebind turns ? placeholders into $1, $2 … as the store does for
// PostgreSQL.
func rebind(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// describeSQL names the database and the settings its queries run with.
func describeSQL(ctx context.Context, db *sql.DB, dialect string) string {
	if dialect == "sqlite" {
		var v string
		if err := db.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&v); err != nil {
			return "SQLite: " + err.Error()
		}
		var stats int
		_ = db.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").Scan(&stats)
		st := "no planner statistics (the product never runs ANALYZE)"
		if stats > 0 {
			st = "planner statistics from ANALYZE"
		}
		return "SQLite " + v + " (modernc.org/sqlite); the product's plan on the store's read pool, the plain SQL on one read-only connection with the same settings; " + st
	}
	var v string
	if err := db.QueryRowContext(ctx, "SHOW server_version").Scan(&v); err != nil {
		return "PostgreSQL: " + err.Error()
	}
	parts := []string{"PostgreSQL " + v}
	for _, name := range []string{"shared_buffers", "work_mem", "max_parallel_workers_per_gather", "jit"} {
		var val string
		if err := db.QueryRowContext(ctx, "SHOW "+name).Scan(&val); err == nil {
			parts = append(parts, name+"="+val)
		}
	}
	return strings.Join(parts, ", ")
}
