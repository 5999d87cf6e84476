package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"slices"
	"time"

	"otklik"
	"otklik/internal/outreach"
	"otklik/internal/store"
)

// The changes the query plans point to, measured on the benchmark's own
// database; the product's code and migrations are not touched.
//
// The window: a round need not look again at the milestones an earlier
// round planned. Asking for those since the last completed round — here
// with a day of overlap — instead of the schedule's whole 30-day validity
// reads one day of start dates per month instead of thirty.
const narrowLookback = 24 * time.Hour

// The index and the query: StartedBetween orders its candidates by id, so
// a plan may walk the whole primary key to fill a page (PostgreSQL's
// generic plan does, once a statement has run five times), and it fetches
// every customer of the window from the table only to test erased_at.
// Ordered by (started_at, id) over an index of exactly those columns that
// leaves erased customers out, the window is one index range read in the
// order wanted, without the table and without a sort, whatever the plan
// cache does.
const (
	liveStartedIndex  = "CREATE INDEX customers_started ON customers (started_at, id) WHERE erased_at IS NULL"
	startedOrderedSQL = `SELECT c.id FROM customers c WHERE c.started_at >= ? AND c.started_at <= ? AND c.erased_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.customer_id = c.id AND i.ref = ?) ORDER BY c.started_at, c.id LIMIT ?`
)

// whatIfResult is the product's plan re-timed after one change.
type whatIfResult struct {
	name, short string
	runs        timings
}

// whatIf re-times a planning round's reads with each change, checking that
// every one still finds the same customers.
func whatIf(ctx context.Context, cfg config, t *target, db *store.DB, raw *sql.DB, dialect string, s outreach.Schedule, due dueSet, out io.Writer) ([]whatIfResult, error) {
	fmt.Fprintf(out, "what if (on this database only; a round's reads (a) re-timed, %d runs each):\n", cfg.reps)
	var res []whatIfResult
	timeIt := func(name, short string, sdb *store.DB, r reads, lookback time.Duration) error {
		ans, err := productDue(ctx, sdb, r, benchNow, lookback, nil)
		if err != nil {
			return err
		}
		waitQuiet(ctx, cfg, dialect, out)
		m, err := measure(ctx, dialect, cfg.warm, cfg.reps, func() error {
			_, err := productDue(ctx, sdb, r, benchNow, lookback, &ans)
			return err
		})
		if err != nil {
			return err
		}
		check := "✓ the same customers"
		if !slices.Equal(ans.ids, due.ids) {
			check = fmt.Sprintf("✗ %s customers, hash %s", num(float64(len(ans.ids))), ans.hash())
		}
		fmt.Fprintf(out, "  %s: median %s, p95 %s · %s · %s\n", name, msf(m.runs.median()), msf(m.runs.p95()), check, cpuText(m.cpu))
		res = append(res, whatIfResult{name: name, short: short, runs: m.runs})
		return nil
	}
	if err := timeIt("the product's queries, milestones of the last 24 h instead of 30 days", "24 h window", db, db, narrowLookback); err != nil {
		return res, err
	}
	if dialect == "postgres" {
		// The store's own calls on connections that never use a generic
		// plan: one run-time parameter in the connection string.
		u, err := url.Parse(t.url)
		if err != nil {
			return res, err
		}
		q := u.Query()
		q.Set("plan_cache_mode", "force_custom_plan")
		u.RawQuery = q.Encode()
		custom, err := store.Open(ctx, store.Config{URL: u.String(), Now: func() time.Time { return benchNow }})
		if err != nil {
			return res, err
		}
		err = timeIt("the product's queries with plan_cache_mode=force_custom_plan", "custom plans", custom, custom, 0)
		custom.Close()
		if err != nil {
			return res, err
		}
	}

	w, err := writer(t)
	if err != nil {
		return res, err
	}
	defer w.Close()
	start := time.Now()
	for _, stmt := range []string{"DROP INDEX customers_started", liveStartedIndex} {
		if _, err := w.ExecContext(ctx, stmt); err != nil {
			return res, fmt.Errorf("%s: %w", stmt, err)
		}
	}
	fmt.Fprintf(out, "  replaced customers_started by %s (%v); StartedBetween ordered by (started_at, id):\n", liveStartedIndex,
		time.Since(start).Round(10*time.Millisecond))
	m := s.Months[0]
	from, to := s.StartWindow(m, benchNow, moscow)
	fmt.Fprintf(out, "%s", indent(explain(ctx, raw, dialect, startedOrderedSQL, from.String(), to.String(),
		fmt.Sprintf("lifetime:%d:%d", s.ID, m), candidatesPage), "    "))
	pool, err := readPool(t)
	if err != nil {
		return res, err
	}
	defer pool.Close()
	r := &orderedReads{db: pool, dialect: dialect}
	if err := timeIt("that index, candidates ordered by (started_at, id), 30-day windows", "the index and order", db, r, 0); err != nil {
		return res, err
	}
	err = timeIt("that index and order, and the 24 h window", "index, order and 24 h window", db, r, narrowLookback)
	return res, err
}

// orderedReads are the round's two queries with StartedBetween ordered by
// (started_at, id), on a pool opened as the store opens its own.
type orderedReads struct {
	db      *sql.DB
	dialect string
}

// ids runs query and returns its first column; cols is how many it has.
func (r *orderedReads) ids(ctx context.Context, cols int, query string, args ...any) ([]int64, error) {
	if r.dialect == "postgres" {
		query = rebind(query)
	}
	rows, err := r.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		dest := []any{&id}
		for range cols - 1 {
			dest = append(dest, new(any))
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (r *orderedReads) StartedBetween(ctx context.Context, from, to otklik.Date, ref string, after store.Started, limit int) ([]store.Started, error) {
	if after.ID > 0 {
		from = after.StartedAt // a what-if: the first page is what it measures
	}
	ids, err := r.ids(ctx, 1, startedOrderedSQL, from.String(), to.String(), ref, limit)
	out := make([]store.Started, len(ids))
	for i, id := range ids {
		out[i] = store.Started{ID: id, StartedAt: from}
	}
	return out, err
}

func (r *orderedReads) DueCustomers(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	return r.ids(ctx, 2, dueCustomersSQL, instantArg(r.dialect, now), limit)
}

// readPool opens connections as the store opens its read pool: on SQLite
// four read-only ones with its settings, on PostgreSQL pgx's defaults
// (statements prepared and cached per connection, as the store's are).
func readPool(t *target) (*sql.DB, error) {
	if t.dialect == "postgres" {
		db, err := sql.Open("pgx", t.url)
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(16)
		db.SetMaxIdleConns(16)
		return db, nil
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(5000)", "foreign_keys(1)", "cache_size(-65536)",
		"query_only(1)", "mmap_size(1073741824)"} {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+t.path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	return db, nil
}

// writer opens a connection that may change the schema.
func writer(t *target) (*sql.DB, error) {
	if t.dialect == "postgres" {
		return sql.Open("pgx", t.url)
	}
	db, err := sql.Open("sqlite", "file:"+t.path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}
