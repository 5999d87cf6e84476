// Package store is the only package that speaks SQL. It keeps Otklik's data
// in SQLite (the embedded default) or PostgreSQL, with the same queries in
// the common subset of both and a few dialect helpers where they differ.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pressly/goose/v3"

	// Database drivers, registered as "pgx" and "sqlite".
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

//go:embed migrations
var migrations embed.FS

// Config says which database to open.
type Config struct {
	// URL is a postgres:// URL; empty means SQLite at Path.
	URL string
	// Path is the SQLite file.
	Path string
	// Now is the clock; the database never reads its own.
	Now func() time.Time
}

// DB is Otklik's database. It is safe for concurrent use.
type DB struct {
	write    *sql.DB // SQLite: a single connection, the one writer
	read     *sql.DB // SQLite: a read-only pool; PostgreSQL: the same pool as write
	postgres bool
	now      func() time.Time
	answers  *batcher
	stmts    sync.Map // query → *sql.Stmt: the hot path's statements, prepared once
	recent   recentCustomers
	changes  atomic.Uint64 // answers written or revised by this process
	stop     chan struct{}
	stopped  sync.WaitGroup
}

// Open connects to the database named by cfg. It does not migrate.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	clock := cfg.Now
	if clock == nil {
		clock = time.Now
	}
	// Both databases keep microseconds: hand out no finer instants, so that
	// what a call returns equals what a later read finds.
	db := &DB{now: func() time.Time { return clock().UTC().Truncate(time.Microsecond) }, stop: make(chan struct{})}
	var err error
	if cfg.URL != "" {
		db.postgres = true
		if db.write, err = sql.Open("pgx", cfg.URL); err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		db.write.SetMaxOpenConns(16)
		db.write.SetMaxIdleConns(16)
		db.read = db.write
	} else {
		if cfg.Path == "" {
			return nil, errors.New("store: no database path")
		}
		if db.write, err = sql.Open("sqlite", sqliteDSN(cfg.Path, false)); err != nil {
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		db.write.SetMaxOpenConns(1)
		db.write.SetMaxIdleConns(1)
		db.write.SetConnMaxLifetime(0)
		if db.read, err = sql.Open("sqlite", sqliteDSN(cfg.Path, true)); err != nil {
			db.write.Close()
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		db.read.SetMaxOpenConns(4)
		db.read.SetMaxIdleConns(4)
	}
	if err := db.write.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	workers := 1 // SQLite has one writer: a second flusher would only wait for the lock
	if db.postgres {
		// Two writers keep one batch filling while the other commits; more
		// only make smaller batches, each paying its own commit.
		workers = 2
	} else {
		db.recent.on = true
		db.stopped.Add(1)
		go db.checkpoint()
	}
	db.answers = newBatcher(db, workers)
	return db, nil
}

// checkpoint copies the SQLite write-ahead log into the database file in the
// background, every 200 ms, so that the writer's commits do not pay for it
// (the automatic checkpoint stays as a backstop at 10,000 pages). A passive
// checkpoint never blocks the writer or the readers.
func (db *DB) checkpoint() {
	defer db.stopped.Done()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-db.stop:
			return
		case <-tick.C:
			if _, err := db.read.Exec("PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
				slog.Warn("store: checkpoint", "err", err)
			}
		}
	}
}

func sqliteDSN(path string, readOnly bool) string {
	q := url.Values{}
	// synchronous(FULL): a commit reaches the disk before the answer is
	// acknowledged. The caches hold the answer indexes of a large install.
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(5000)", "foreign_keys(1)", "synchronous(FULL)",
		"wal_autocheckpoint(10000)", "cache_size(-65536)"} {
		q.Add("_pragma", p)
	}
	if readOnly {
		// Readers drop their page cache whenever the writer commits; mapped
		// pages are read back without a system call.
		q.Add("_pragma", "query_only(1)")
		q.Add("_pragma", "mmap_size(1073741824)")
	}
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// Close stops the answer writer and closes the connections.
func (db *DB) Close() error {
	if db.answers != nil {
		db.answers.close()
	}
	close(db.stop)
	db.stopped.Wait()
	var errs []error
	if db.read != nil && db.read != db.write {
		errs = append(errs, db.read.Close())
	}
	if db.write != nil {
		errs = append(errs, db.write.Close())
	}
	return errors.Join(errs...)
}

// Changes counts the answers this process has written or revised: a reader
// of answers that sees it move knows to catch up before it answers.
func (db *DB) Changes() uint64 { return db.changes.Load() }

// Dialect names the database in use: "sqlite" or "postgres".
func (db *DB) Dialect() string {
	if db.postgres {
		return "postgres"
	}
	return "sqlite"
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Migrate brings the schema up to date.
func (db *DB) Migrate(ctx context.Context) error {
	dir := "migrations/sqlite"
	dialect := goose.DialectSQLite3
	if db.postgres {
		dir, dialect = "migrations/postgres", goose.DialectPostgres
	}
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	p, err := goose.NewProvider(dialect, db.write, sub)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// rebind turns ? placeholders into $1, $2 … for PostgreSQL. Queries never
// hold a literal question mark.
func (db *DB) rebind(q string) string {
	if !db.postgres {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

func (db *DB) exec(ctx context.Context, q querier, query string, args ...any) (sql.Result, error) {
	return q.ExecContext(ctx, db.rebind(query), args...)
}

func (db *DB) query(ctx context.Context, q querier, query string, args ...any) (*sql.Rows, error) {
	return q.QueryContext(ctx, db.rebind(query), args...)
}

func (db *DB) queryRow(ctx context.Context, q querier, query string, args ...any) *sql.Row {
	return q.QueryRowContext(ctx, db.rebind(query), args...)
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// stmtCache prepares each distinct query once for the life of a
// transaction: a long import runs the same few statements thousands of
// times, and SQLite spends a third of its time parsing them otherwise.
type stmtCache struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func newStmtCache(tx *sql.Tx) *stmtCache { return &stmtCache{tx: tx, stmts: map[string]*sql.Stmt{}} }

func (c *stmtCache) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	st, err := c.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.stmts[query] = st
	return st, nil
}

func (c *stmtCache) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (c *stmtCache) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (c *stmtCache) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := c.stmt(ctx, query)
	if err != nil {
		// A *sql.Row cannot carry an error made here; the transaction's own
		// QueryRowContext reports the same failure through Scan.
		return c.tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// inTx runs fn in a write transaction and commits it when fn succeeds.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// prepared returns the statement for query on the read pool, prepared the
// first time: the answer path runs the same lookups thousands of times a
// second, and compiling them each time costs more than running them.
func (db *DB) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	return db.preparedOn(ctx, db.read, query)
}

func (db *DB) preparedOn(ctx context.Context, pool *sql.DB, query string) (*sql.Stmt, error) {
	query = db.rebind(query)
	key := query
	if pool == db.write && db.write != db.read {
		key = "w:" + query
	}
	if st, ok := db.stmts.Load(key); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := db.stmts.LoadOrStore(key, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// insertID runs an INSERT … RETURNING id.
func (db *DB) insertID(ctx context.Context, q querier, query string, args ...any) (int64, error) {
	var id int64
	err := db.queryRow(ctx, q, query+" RETURNING id", args...).Scan(&id)
	return id, err
}

// ts encodes an instant for the database. SQLite keeps instants as fixed-width
// UTC text so that text order is time order.
func (db *DB) ts(t time.Time) any {
	if db.postgres {
		return t.UTC()
	}
	return t.UTC().Format(sqliteTime)
}

func (db *DB) tsPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return db.ts(*t)
}

const sqliteTime = "2006-01-02T15:04:05.000000Z"

// instant scans an instant written by ts, from either database.
type instant struct {
	Time  time.Time
	Valid bool
}

func (t *instant) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*t = instant{}
		return nil
	case time.Time:
		*t = instant{x.UTC(), true}
		return nil
	case string:
		return t.parse(x)
	case []byte:
		return t.parse(string(x))
	}
	return fmt.Errorf("store: cannot scan %T as an instant", v)
}

func (t *instant) parse(s string) error {
	for _, layout := range []string{sqliteTime, time.RFC3339Nano, time.DateOnly} {
		if v, err := time.Parse(layout, s); err == nil {
			*t = instant{v.UTC(), true}
			return nil
		}
	}
	return fmt.Errorf("store: %q is not an instant", s)
}

func (t instant) ptr() *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time
	return &v
}

// isUniqueViolation reports whether err is a unique-constraint failure.
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}
