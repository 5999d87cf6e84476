package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"os"
	"otklik/bench/internal/benchkit"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// loadResult is how the answers got into a database.
type loadResult struct {
	rows    int
	insert  time.Duration // the INSERTs or the COPY, to the commit
	indexes time.Duration // re-creating the indexes (and PostgreSQL's foreign keys) on responses
	after   time.Duration // ANALYZE and fsync (SQLite) / VACUUM ANALYZE and CHECKPOINT afterwards
	bytes   int64         // the table and its indexes on disk afterwards (-1 unknown)
}

// total is the time from an empty responses table to a usable one.
func (l loadResult) total() time.Duration { return l.insert + l.indexes + l.after }

func (l loadResult) rate() float64 { return float64(l.rows) / l.total().Seconds() }

// responseColumns are the columns a generated answer fills, after id and
// seq (SQLite) or with both left to their defaults (PostgreSQL).
const responseColumns = `survey_id, customer_id, channel, score, comment, answers, answered_at, created_at, idempotency_key,
	manager, team, segment, services, revenue, region, tenure_months`

// sqliteTime is the store's encoding of instants in SQLite: fixed-width UTC
// text, so that text order is time order.
const sqliteTime = "2006-01-02T15:04:05.000000Z"

// sqliteRowsPerInsert rows go in one multi-row INSERT: 500 × 18 values stay
// well under SQLite's limit of 32,766 parameters, and one statement per 500
// rows makes database/sql's per-call overhead negligible.
const sqliteRowsPerInsert = 500

// loadSQLite writes every answer of w with plain SQL on a connection of its
// own, in one transaction: multi-row INSERTs of 500 prepared rows with
// id = seq = 1…n. While it loads, the file has no rollback journal and is not
// synced (it is a fresh benchmark file; a crash means starting over); it is
// put back into WAL mode afterwards, as the store expects. Foreign keys are
// not checked row by row: every customer and survey id comes from the
// database.
func loadSQLite(ctx context.Context, t *target, w *world, s *seedResult, out io.Writer) (loadResult, error) {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(5000)", "foreign_keys(0)", "journal_mode(OFF)", "synchronous(OFF)",
		"cache_size(-1048576)", "locking_mode(EXCLUSIVE)", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+t.path+"?"+q.Encode())
	if err != nil {
		return loadResult{}, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if err := customerIDs(ctx, db, w); err != nil {
		return loadResult{}, err
	}
	res := loadResult{rows: w.n, bytes: -1}
	start := time.Now()
	// Indexes are built once at the end (see benchkit.DropDeferred); the UNIQUE
	// index on idempotency_key cannot be dropped but grows at its end (keys
	// are in id order).
	indexes, err := benchkit.DropDeferred(ctx, db, "sqlite", "responses")
	if err != nil {
		return res, err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	const cols = 18
	row := "(" + strings.Repeat("?, ", cols-1) + "?)"
	stmtFor := map[int]*sql.Stmt{}
	prepare := func(rows int) (*sql.Stmt, error) {
		if st, ok := stmtFor[rows]; ok {
			return st, nil
		}
		st, err := tx.PrepareContext(ctx, "INSERT INTO responses (id, seq, "+responseColumns+") VALUES "+
			strings.TrimSuffix(strings.Repeat(row+", ", rows), ", "))
		if err != nil {
			return nil, err
		}
		stmtFor[rows] = st
		return st, nil
	}
	args := make([]any, 0, sqliteRowsPerInsert*cols)
	progress := newProgress(out, w.n, start)
	g := w.answers()
	var a answer
	var tbuf []byte
	ts := func(t time.Time) string {
		tbuf = t.UTC().AppendFormat(tbuf[:0], sqliteTime)
		return string(tbuf)
	}
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		st, err := prepare(len(args) / cols)
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return err
		}
		args = args[:0]
		return nil
	}
	for g.next(&a) {
		var revenue, tenure any
		if a.cust.revenue >= 0 {
			revenue = a.cust.revenue
		}
		if a.tenure >= 0 {
			tenure = int64(a.tenure)
		}
		id := int64(a.sequence)
		args = append(args, id, id, s.surveys[a.survey], a.cust.id, a.channel, int64(a.score), a.comment, a.answers,
			ts(a.at), ts(a.created), idempotencyKey(a.sequence), a.manager.email, a.manager.team, a.cust.segment,
			a.cust.svcJSON, revenue, a.cust.region, tenure)
		if len(args) == sqliteRowsPerInsert*cols {
			if err := flush(); err != nil {
				return res, fmt.Errorf("insert: %w", err)
			}
			progress.at(a.sequence)
		}
	}
	if err := flush(); err != nil {
		return res, fmt.Errorf("insert: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("commit: %w", err)
	}
	res.insert = time.Since(start)
	start = time.Now()
	if err := benchkit.CreateDeferred(ctx, db, indexes); err != nil {
		return res, err
	}
	res.indexes = time.Since(start)

	if err := checkIDs(ctx, db, w.n, "?"); err != nil {
		return res, err
	}

	after := time.Now()
	// Back to WAL, as store.Open would set anyway; then statistics for the
	// SQL side's planner (a sampled ANALYZE, as PRAGMA optimize runs it).
	for _, stmt := range []string{"PRAGMA journal_mode=WAL", "PRAGMA analysis_limit=1000", "ANALYZE"} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return res, fmt.Errorf("%s: %w", stmt, err)
		}
	}
	// Nothing was synced while loading: write the file out now, so that
	// the kernel's write-back does not run into the timed phases.
	if err := db.Close(); err != nil {
		return res, err
	}
	if err := fsync(t.path); err != nil {
		return res, err
	}
	res.after = time.Since(after)
	if fi, err := os.Stat(t.path); err == nil {
		res.bytes = fi.Size()
	}
	return res, nil
}

// loadPostgres writes every answer of w with one COPY (pgx CopyFrom), in
// the generator's order. id and seq are left to their defaults: in a fresh
// schema both the identity and responses_seq_seq hand out 1…n in COPY order,
// so seq = id, which checkIDs verifies. VACUUM ANALYZE afterwards sets the
// visibility map and the planner's statistics, as autovacuum soon would.
func loadPostgres(ctx context.Context, t *target, w *world, s *seedResult, out io.Writer) (loadResult, error) {
	res := loadResult{rows: w.n, bytes: -1}
	raw, err := sql.Open("pgx", t.url)
	if err != nil {
		return res, err
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1) // one session: SET applies to the index builds
	if err := customerIDs(ctx, raw, w); err != nil {
		return res, err
	}
	conn, err := pgx.Connect(ctx, t.url)
	if err != nil {
		return res, err
	}
	defer conn.Close(context.Background())
	cols := strings.Fields(strings.ReplaceAll(responseColumns, ",", " "))
	start := time.Now()
	// The secondary indexes and the foreign keys come back after the COPY
	// (see benchkit.DropDeferred); the primary key and the unique key stay (both
	// grow at their end).
	indexes, err := benchkit.DropDeferred(ctx, raw, "postgres", "responses")
	if err != nil {
		return res, err
	}
	progress := newProgress(out, w.n, start)
	g := w.answers()
	var a answer
	vals := make([]any, len(cols))
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if !g.next(&a) {
			return nil, nil
		}
		if a.sequence%sqliteRowsPerInsert == 0 {
			progress.at(a.sequence)
		}
		var revenue, tenure any
		if a.cust.revenue >= 0 {
			revenue = a.cust.revenue
		}
		if a.tenure >= 0 {
			tenure = int32(a.tenure)
		}
		vals[0], vals[1], vals[2], vals[3], vals[4], vals[5] = s.surveys[a.survey], a.cust.id, a.channel, int32(a.score), a.comment, a.answers
		vals[6], vals[7], vals[8] = a.at, a.created, idempotencyKey(a.sequence)
		vals[9], vals[10], vals[11], vals[12], vals[13], vals[14], vals[15] = a.manager.email, a.manager.team, a.cust.segment,
			a.cust.svcJSON, revenue, a.cust.region, tenure
		return vals, nil
	})
	n, err := conn.CopyFrom(ctx, pgx.Identifier{"responses"}, cols, src)
	if err != nil {
		return res, fmt.Errorf("copy: %w", err)
	}
	if int(n) != w.n {
		return res, fmt.Errorf("copy: %d rows written, want %d", n, w.n)
	}
	res.insert = time.Since(start)
	start = time.Now()
	if _, err := raw.ExecContext(ctx, "SET maintenance_work_mem = '256MB'"); err != nil {
		return res, err
	}
	if err := benchkit.CreateDeferred(ctx, raw, indexes); err != nil {
		return res, err
	}
	res.indexes = time.Since(start)

	after := time.Now()
	for _, stmt := range []string{"VACUUM (ANALYZE) responses", "ANALYZE customers"} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return res, fmt.Errorf("%s: %w", stmt, err)
		}
	}
	// Write the dirty buffers out now rather than while the build and the
	// queries are timed (needs superuser or pg_checkpoint: else skipped).
	if _, err := conn.Exec(ctx, "CHECKPOINT"); err != nil {
		fmt.Fprintf(out, "  (CHECKPOINT skipped: %v)\n", err)
	}
	res.after = time.Since(after)
	if err := checkIDs(ctx, raw, w.n, "$1"); err != nil {
		return res, err
	}
	var size int64
	if err := conn.QueryRow(ctx, "SELECT pg_total_relation_size('responses')").Scan(&size); err == nil {
		res.bytes = size
	}
	return res, nil
}

// checkIDs verifies that the answers hold ids 1…n with seq = id, as the
// cube's catch-up by seq expects.
func checkIDs(ctx context.Context, db *sql.DB, n int, placeholder string) error {
	var count, lo, hi, off int64
	err := db.QueryRowContext(ctx, "SELECT COUNT(*), MIN(id), MAX(id), SUM(CASE WHEN seq <> id THEN 1 ELSE 0 END) FROM responses WHERE id > "+
		placeholder, 0).Scan(&count, &lo, &hi, &off)
	if err != nil {
		return fmt.Errorf("check ids: %w", err)
	}
	if count != int64(n) || lo != 1 || hi != int64(n) || off != 0 {
		return fmt.Errorf("check ids: %d answers with ids %d…%d, %d with seq ≠ id; want %d answers 1…%d with seq = id", count, lo, hi, off, n, n)
	}
	return nil
}

// progress prints a line per tenth of the rows.
type progress struct {
	out   io.Writer
	n     int
	start time.Time
	next  int
}

func newProgress(out io.Writer, n int, start time.Time) *progress {
	return &progress{out: out, n: n, start: start, next: max(n/10, 1)}
}

func (p *progress) at(i int) {
	if i < p.next || p.n < 1_000_000 {
		return
	}
	for p.next <= i {
		p.next += max(p.n/10, 1)
	}
	el := time.Since(p.start)
	fmt.Fprintf(p.out, "  %s rows, %v, %s rows/s\n", num(float64(i)), el.Round(time.Second), num(float64(i)/el.Seconds()))
}

func fsync(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
