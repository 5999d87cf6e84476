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

	"otklik"
)

// loadResult is how the generated rows got into a database.
type loadResult struct {
	customers, consents, invitations int
	insert                           time.Duration // the INSERTs or COPYs, to the commit
	indexes                          time.Duration // re-creating the secondary indexes (and PostgreSQL's foreign keys)
	after                            time.Duration // statistics and flushing to disk
	bytes                            int64         // the three tables and their indexes on disk (-1 unknown)
}

func (l loadResult) total() time.Duration { return l.insert + l.indexes + l.after }

func (l loadResult) rows() int { return l.customers + l.consents + l.invitations }

// bulkTables are the tables the generator fills.
var bulkTables = []string{"customers", "consents", "invitations"}

// Columns the generator fills. SQLite gets customers' ids explicitly
// (1…n); PostgreSQL's identity hands out the same in COPY order, which
// checkCustomerIDs verifies.
var (
	customerCols = []string{"external_id", "name", "company", "email", "telegram_chat_id", "locale", "segment", "services",
		"revenue", "started_at", "manager", "team", "region", "contact_period_days", "created_at", "updated_at", "erased_at"}
	consentCols    = []string{"customer_id", "channel", "granted", "at", "source"}
	invitationCols = []string{"customer_id", "survey_id", "source", "ref", "label", "channels", "channel", "status",
		"earliest_at", "latest_at", "next_at", "sent_at", "answered_at", "reason", "created_at", "updated_at"}
)

// rowSink takes generated rows: a multi-row INSERT batcher on SQLite, a
// COPY on PostgreSQL.
type rowSink func(table string, vals []any) error

// emit hands every row of customer c to sink, instants encoded by ts.
func (w *world) emit(c *customer, withID bool, ts func(time.Time) any, sink rowSink) (consents, invitations int, err error) {
	null := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return ts(t)
	}
	var revenue, started, period, erased any
	if c.revenue >= 0 {
		revenue = c.revenue
	}
	if c.started != nil {
		if withID { // SQLite keeps dates as YYYY-MM-DD text
			started = c.started.String()
		} else {
			started = c.started.Time
		}
	}
	if c.period > 0 {
		period = c.period
	}
	if c.erased {
		erased = ts(w.now.AddDate(0, -1, 0))
	}
	company := ""
	if !c.erased {
		company = "ООО «" + c.name + "»"
	}
	vals := []any{c.ext, c.name, company, c.email, c.telegram, "ru", c.segment, c.svcJSON, revenue, started,
		c.manager, c.team, c.region, period, ts(c.created), ts(c.created), erased}
	if withID {
		vals = append([]any{c.id}, vals...)
	}
	if err := sink("customers", vals); err != nil {
		return 0, 0, err
	}
	at := ts(c.created)
	switch c.emailState {
	case 1:
		consents++
		err = sink("consents", []any{c.id, string(otklik.ChannelEmail), true, at, "import"})
	case 2:
		consents++
		err = sink("consents", []any{c.id, string(otklik.ChannelEmail), false, at, "unsubscribe"})
	}
	if err != nil {
		return 0, 0, err
	}
	if c.telegram != "" {
		consents++
		if err := sink("consents", []any{c.id, string(otklik.ChannelTelegram), true, at, "telegram_start"}); err != nil {
			return 0, 0, err
		}
	}
	for k := range c.invs {
		inv := &c.invs[k]
		updated := inv.created
		for _, t := range []time.Time{inv.sent, inv.answered} {
			if t.After(updated) {
				updated = t
			}
		}
		if err := sink("invitations", []any{c.id, w.surveyIDs[inv.survey], inv.source, inv.ref, inv.label, channelsJSON, inv.channel,
			inv.status, ts(inv.earliest), ts(inv.latest), null(inv.next), null(inv.sent), null(inv.answered), inv.reason,
			ts(inv.created), ts(updated)}); err != nil {
			return 0, 0, err
		}
	}
	return consents, len(c.invs), nil
}

// sqliteTime is the store's encoding of instants in SQLite: fixed-width UTC
// text, so that text order is time order.
const sqliteTime = "2006-01-02T15:04:05.000000Z"

// sqliteRowsPerInsert rows go in one multi-row INSERT: 500 × 18 values stay
// well under SQLite's limit of 32,766 parameters.
const sqliteRowsPerInsert = 500

// loadSQLite writes every row of w with plain SQL on a connection of its
// own, in one transaction, without rollback journal or sync (a fresh
// benchmark file: a crash means starting over), then puts the file back
// into WAL mode as the store expects and flushes it to disk.
func loadSQLite(ctx context.Context, t *target, w *world, analyze bool, out io.Writer) (loadResult, error) {
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
	res := loadResult{bytes: -1}
	start := time.Now()
	indexes, err := benchkit.DropDeferred(ctx, db, "sqlite", bulkTables...)
	if err != nil {
		return res, err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	batches := map[string]*insertBatch{
		"customers":   newInsertBatch(tx, "customers", append([]string{"id"}, customerCols...)),
		"consents":    newInsertBatch(tx, "consents", consentCols),
		"invitations": newInsertBatch(tx, "invitations", invitationCols),
	}
	var tbuf []byte
	ts := func(t time.Time) any {
		tbuf = t.UTC().AppendFormat(tbuf[:0], sqliteTime)
		return string(tbuf)
	}
	sink := func(table string, vals []any) error { return batches[table].add(ctx, vals) }
	progress := newProgress(out, w.n, start)
	err = w.each(func(c *customer) error {
		nc, ni, err := w.emit(c, true, ts, sink)
		res.customers++
		res.consents += nc
		res.invitations += ni
		progress.at(int(c.id))
		return err
	})
	if err != nil {
		return res, fmt.Errorf("insert: %w", err)
	}
	for _, table := range bulkTables {
		if err := batches[table].flush(ctx); err != nil {
			return res, fmt.Errorf("insert %s: %w", table, err)
		}
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

	after := time.Now()
	stmts := []string{"PRAGMA journal_mode=WAL"}
	if analyze {
		stmts = append(stmts, "PRAGMA analysis_limit=1000", "ANALYZE")
	}
	for _, stmt := range stmts {
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

// insertBatch gathers rows of one table into multi-row INSERTs, one
// prepared statement per row count.
type insertBatch struct {
	tx    *sql.Tx
	head  string
	row   string
	cols  int
	args  []any
	stmts map[int]*sql.Stmt
}

func newInsertBatch(tx *sql.Tx, table string, cols []string) *insertBatch {
	return &insertBatch{tx: tx, cols: len(cols), stmts: map[int]*sql.Stmt{},
		head: "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ",
		row:  "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"}
}

func (b *insertBatch) add(ctx context.Context, vals []any) error {
	b.args = append(b.args, vals...)
	if len(b.args) >= sqliteRowsPerInsert*b.cols {
		return b.flush(ctx)
	}
	return nil
}

func (b *insertBatch) flush(ctx context.Context) error {
	rows := len(b.args) / b.cols
	if rows == 0 {
		return nil
	}
	st, ok := b.stmts[rows]
	if !ok {
		var err error
		st, err = b.tx.PrepareContext(ctx, b.head+strings.TrimSuffix(strings.Repeat(b.row+", ", rows), ", "))
		if err != nil {
			return err
		}
		b.stmts[rows] = st
	}
	if _, err := st.ExecContext(ctx, b.args...); err != nil {
		return err
	}
	b.args = b.args[:0]
	return nil
}

// loadPostgres writes every row of w with three COPYs (pgx CopyFrom), one
// per table, each a pass of the generator in id order; the customers' ids
// come from their identity and are checked to be 1…n. VACUUM ANALYZE
// afterwards sets the visibility map and the planner's statistics, as
// autovacuum soon would after such a load.
func loadPostgres(ctx context.Context, t *target, w *world, out io.Writer) (loadResult, error) {
	res := loadResult{bytes: -1}
	raw, err := sql.Open("pgx", t.url)
	if err != nil {
		return res, err
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1) // one session: SET applies to the index builds
	conn, err := pgx.Connect(ctx, t.url)
	if err != nil {
		return res, err
	}
	defer conn.Close(context.Background())
	start := time.Now()
	indexes, err := benchkit.DropDeferred(ctx, raw, "postgres", bulkTables...)
	if err != nil {
		return res, err
	}
	ts := func(t time.Time) any { return t }
	cols := map[string][]string{"customers": customerCols, "consents": consentCols, "invitations": invitationCols}
	for _, table := range bulkTables {
		// Each COPY takes one table's rows from a pass of the generator:
		// rows produced meanwhile for the other tables are dropped.
		rows := make(chan []any, 1024)
		done := make(chan error, 1)
		gctx, cancel := context.WithCancel(ctx)
		go func() {
			defer close(rows)
			done <- w.each(func(c *customer) error {
				_, _, err := w.emit(c, false, ts, func(tb string, vals []any) error {
					if tb != table {
						return nil
					}
					select {
					case rows <- append([]any(nil), vals...):
						return nil
					case <-gctx.Done():
						return gctx.Err()
					}
				})
				return err
			})
		}()
		src := pgx.CopyFromFunc(func() ([]any, error) {
			v, ok := <-rows
			if !ok {
				return nil, <-done
			}
			return v, nil
		})
		n, err := conn.CopyFrom(ctx, pgx.Identifier{table}, cols[table], src)
		cancel()
		for range rows { // let the generator finish after a failed COPY
		}
		if err != nil {
			return res, fmt.Errorf("copy %s: %w", table, err)
		}
		switch table {
		case "customers":
			res.customers = int(n)
		case "consents":
			res.consents = int(n)
		case "invitations":
			res.invitations = int(n)
		}
		fmt.Fprintf(out, "  %s: %s rows, %v\n", table, num(float64(n)), time.Since(start).Round(time.Second))
	}
	res.insert = time.Since(start)
	if err := checkCustomerIDs(ctx, raw, w.n); err != nil {
		return res, err
	}
	start = time.Now()
	if _, err := raw.ExecContext(ctx, "SET maintenance_work_mem = '256MB'"); err != nil {
		return res, err
	}
	if err := benchkit.CreateDeferred(ctx, raw, indexes); err != nil {
		return res, err
	}
	res.indexes = time.Since(start)

	after := time.Now()
	for _, table := range bulkTables {
		if _, err := conn.Exec(ctx, "VACUUM (ANALYZE) "+table); err != nil {
			return res, fmt.Errorf("vacuum %s: %w", table, err)
		}
	}
	// Write the dirty buffers out now rather than while the queries are
	// timed (needs superuser or pg_checkpoint: else skipped).
	if _, err := conn.Exec(ctx, "CHECKPOINT"); err != nil {
		fmt.Fprintf(out, "  (CHECKPOINT skipped: %v)\n", err)
	}
	res.after = time.Since(after)
	var size int64
	if err := conn.QueryRow(ctx, `SELECT pg_total_relation_size('customers') + pg_total_relation_size('consents')
		+ pg_total_relation_size('invitations')`).Scan(&size); err == nil {
		res.bytes = size
	}
	return res, nil
}

// checkCustomerIDs verifies that customer C0000001 got id 1 and so on, as
// the generated consents and invitations assume.
func checkCustomerIDs(ctx context.Context, db *sql.DB, n int) error {
	var count, lo, hi, off int64
	err := db.QueryRowContext(ctx, `SELECT COUNT(*), MIN(id), MAX(id),
		SUM(CASE WHEN external_id <> 'C' || lpad(id::text, 7, '0') THEN 1 ELSE 0 END) FROM customers`).Scan(&count, &lo, &hi, &off)
	if err != nil {
		return fmt.Errorf("check customer ids: %w", err)
	}
	if count != int64(n) || lo != 1 || hi != int64(n) || off != 0 {
		return fmt.Errorf("check customer ids: %d customers with ids %d…%d, %d not matching their external id; want %d with ids 1…%d",
			count, lo, hi, off, n, n)
	}
	return nil
}

// progress prints a line per tenth of the customers on large runs.
type progress struct {
	out   io.Writer
	n     int
	start time.Time
	next  int
}

func newProgress(out io.Writer, n int, start time.Time) *progress {
	return &progress{out: out, n: n, start: start, next: max(n/5, 1)}
}

func (p *progress) at(i int) {
	if i < p.next || p.n < 500_000 {
		return
	}
	for p.next <= i {
		p.next += max(p.n/5, 1)
	}
	el := time.Since(p.start)
	fmt.Fprintf(p.out, "  %s customers with their rows, %v\n", num(float64(i)), el.Round(time.Second))
}

func fsync(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
