// Package jobs runs Otklik's background work on River (riverqueue/river), on
// SQLite or PostgreSQL, so that features such as outreach and the closed loop
// only register workers and periodic jobs.
//
// # Connections
//
// River gets its own connection, never the store's:
//
//   - SQLite: a separate *sql.DB (modernc.org/sqlite, driver "sqlite") on the
//     same file, WAL, busy_timeout 5 s, BEGIN IMMEDIATE, and one open
//     connection — riversqlite's own advice, since River runs many internal
//     operations in parallel and SQLite takes one writer at a time.
//   - PostgreSQL: a pgxpool.Pool on the same URL, driven by riverpgxv5
//     (LISTEN/NOTIFY, batched completion). River's tables live in whatever
//     schema the URL's search_path selects, like the store's.
//
// # Migrations
//
// Open applies River's own migrations (rivermigrate), which is idempotent and
// safe when several processes open at once: on PostgreSQL under an advisory
// lock keyed by the current schema, on SQLite in one BEGIN IMMEDIATE
// transaction.
//
// # Enqueueing in the caller's transaction
//
// InsertTx and InsertManyTx insert jobs inside a caller's *sql.Tx, so a job
// exists exactly when the caller's change commits (an answer and the webhook
// it causes, a case and its notification). Both databases support it:
//
//   - SQLite: riversqlite works on any *sql.Tx; the caller's transaction on
//     the store's write connection holds the file's write lock, and River sees
//     the job when it commits.
//   - PostgreSQL: riverpgxv5 only accepts a pgx.Tx, and the store's
//     transactions are database/sql (pgx stdlib), so Jobs keeps a second,
//     insert-only River client on riverdatabasesql, River's database/sql
//     driver, which takes the caller's *sql.Tx. The insert and its NOTIFY
//     commit or roll back with the caller's transaction; the riverpgxv5 client
//     works the job. No outbox table is needed.
//
// The transaction must be on the same database (and search_path) as Jobs.
//
// # Leadership
//
// Every started Jobs takes part in River's leader election (a row in
// river_leader). Only the leader runs periodic jobs and maintenance (the
// scheduler, retention cleanup, stuck-job rescue); any started instance works
// the jobs, each once. Followers bid every 5–6 s; a leader's term lasts 15 s
// unless renewed. When the leader stops gracefully it resigns: on PostgreSQL
// it also notifies, and a follower bids at once (0.7–2.8 s to its first
// periodic job in the tests, which includes River's random 0–1 s start-up
// stagger of the leader's services); riversqlite's resignation sends no notification, so on SQLite a
// follower takes over at its next bid (3–7 s in the tests). When the leader
// dies, its term runs out first: up to about 21 s without periodic jobs.
//
// # Uniqueness
//
// River's unique jobs (UniqueOpts) are enforced by a unique index, across
// instances and inside InsertTx. A finished job keeps its uniqueness only
// while its row exists: River deletes completed and cancelled jobs after 24 h
// and discarded ones after 7 days.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	_ "modernc.org/sqlite" // registered as "sqlite"
)

// Config says where River keeps its jobs and what it works.
type Config struct {
	// DatabaseURL is a postgres:// URL; empty means SQLite at SQLitePath.
	DatabaseURL string
	// SQLitePath is the SQLite file, the same file the store opens.
	SQLitePath string
	// Logger receives River's logs; nil means slog.Default().
	Logger *slog.Logger
	// Workers are the registered workers. Nil makes an insert-only Jobs,
	// which cannot Start.
	Workers *river.Workers
	// Periodic jobs run on the elected leader only.
	Periodic []*river.PeriodicJob
	// Queues to work; empty (with Workers) means river.QueueDefault with
	// DefaultMaxWorkers workers.
	Queues map[string]river.QueueConfig
}

// DefaultMaxWorkers is the number of workers of the default queue when
// Config.Queues is empty.
const DefaultMaxWorkers = 30

// River fetches jobs at most every FetchCooldown, and looks for new ones
// at least every FetchPollInterval (on SQLite, which has no LISTEN/NOTIFY,
// that is how a new job is found). River's defaults, 100 ms and 1 s, cap
// a queue of 10 workers at ~100 jobs/s — ~50 invitations/s, each taking a
// planning and a sending job (bench/README.md); these let the sending
// pipeline keep up with the mail server.
const (
	FetchCooldown     = 20 * time.Millisecond
	FetchPollInterval = 250 * time.Millisecond
)

// Client is what River's client offers on either database, without the
// methods typed by the transaction (pgx.Tx on PostgreSQL, *sql.Tx on SQLite).
// Its dynamic type is *river.Client[pgx.Tx] or *river.Client[*sql.Tx].
type Client interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	InsertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
	JobGet(ctx context.Context, id int64) (*rivertype.JobRow, error)
	JobList(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error)
	JobCancel(ctx context.Context, id int64) (*rivertype.JobRow, error)
	JobRetry(ctx context.Context, id int64) (*rivertype.JobRow, error)
	JobDelete(ctx context.Context, id int64) (*rivertype.JobRow, error)
	QueueList(ctx context.Context, params *river.QueueListParams) (*river.QueueListResult, error)
	QueuePause(ctx context.Context, name string, opts *river.QueuePauseOpts) error
	QueueResume(ctx context.Context, name string, opts *river.QueuePauseOpts) error
	Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func())
	PeriodicJobs() *river.PeriodicJobBundle
	ID() string
}

var (
	_ Client = (*river.Client[pgx.Tx])(nil)
	_ Client = (*river.Client[*sql.Tx])(nil)
)

// Jobs is River, opened on Otklik's database. It is safe for concurrent use.
type Jobs struct {
	client   Client
	start    func(context.Context) error
	stop     func(context.Context) error
	cancel   func(context.Context) error
	txClient *river.Client[*sql.Tx] // inserts in a caller's *sql.Tx
	postgres bool
	pool     *pgxpool.Pool // PostgreSQL
	db       *sql.DB       // SQLite
	working  bool          // has Workers and Queues: may Start

	mu      sync.Mutex
	started bool
	closed  bool
}

// Open connects River to the database, applies River's migrations and builds
// the client. It does not start working: call Start.
func Open(ctx context.Context, cfg Config) (*Jobs, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	rc := &river.Config{
		Logger:            logger,
		Workers:           cfg.Workers,
		PeriodicJobs:      cfg.Periodic,
		Queues:            cfg.Queues,
		FetchCooldown:     FetchCooldown,
		FetchPollInterval: FetchPollInterval,
	}
	if cfg.Workers != nil && len(cfg.Queues) == 0 {
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: DefaultMaxWorkers}}
	}
	if cfg.Workers == nil {
		if len(cfg.Queues) > 0 || len(cfg.Periodic) > 0 {
			return nil, errors.New("jobs: queues and periodic jobs need workers")
		}
		rc.Queues = nil
	}
	if cfg.DatabaseURL != "" {
		return openPostgres(ctx, cfg.DatabaseURL, logger, rc)
	}
	if cfg.SQLitePath == "" {
		return nil, errors.New("jobs: no database: set DatabaseURL or SQLitePath")
	}
	return openSQLite(ctx, cfg.SQLitePath, logger, rc)
}

func openPostgres(ctx context.Context, dbURL string, logger *slog.Logger, rc *river.Config) (*Jobs, error) {
	if !strings.HasPrefix(dbURL, "postgres://") && !strings.HasPrefix(dbURL, "postgresql://") {
		return nil, errors.New("jobs: DatabaseURL must be a postgres:// URL")
	}
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return nil, fmt.Errorf("jobs: open postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("jobs: connect postgres: %w", err)
	}
	driver := riverpgxv5.New(pool)
	if err := migratePostgres(ctx, pool, driver, logger); err != nil {
		pool.Close()
		return nil, err
	}
	client, err := river.NewClient(driver, rc)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("jobs: river client: %w", err)
	}
	// riverpgxv5 takes only a pgx.Tx; the store's transactions are
	// database/sql. River's database/sql driver, without a pool of its own,
	// inserts through the caller's transaction.
	txClient, err := river.NewClient(riverdatabasesql.New(nil), &river.Config{
		Logger:  logger,
		Workers: rc.Workers,
	})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("jobs: river tx client: %w", err)
	}
	return &Jobs{
		client:   client,
		start:    client.Start,
		stop:     client.Stop,
		cancel:   client.StopAndCancel,
		txClient: txClient,
		postgres: true,
		pool:     pool,
		working:  rc.Workers != nil && len(rc.Queues) > 0,
	}, nil
}

// migratePostgres applies River's migrations while holding an advisory lock
// named after the current schema, so that replicas starting together do not
// race to create the same tables.
func migratePostgres(ctx context.Context, pool *pgxpool.Pool, driver *riverpgxv5.Driver, logger *slog.Logger) error {
	lock, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	// Rolling back releases the transaction-level lock, also after an error.
	defer lock.Rollback(context.WithoutCancel(ctx))
	if _, err := lock.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext('otklik.jobs.migrate.' || coalesce(current_schema(), '')))"); err != nil {
		return fmt.Errorf("jobs: migrate: lock: %w", err)
	}
	migrator, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: logger})
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	return nil
}

func openSQLite(ctx context.Context, path string, logger *slog.Logger, rc *river.Config) (*Jobs, error) {
	db, err := sql.Open("sqlite", sqliteDSN(path))
	if err != nil {
		return nil, fmt.Errorf("jobs: open sqlite: %w", err)
	}
	// One connection: River's parallel internals queue for it instead of
	// failing with SQLITE_BUSY against each other.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("jobs: connect sqlite: %w", err)
	}
	driver := riversqlite.New(db)
	if err := migrateSQLite(ctx, db, driver, logger); err != nil {
		db.Close()
		return nil, err
	}
	client, err := river.NewClient(driver, rc)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("jobs: river client: %w", err)
	}
	return &Jobs{
		client:   client,
		start:    client.Start,
		stop:     client.Stop,
		cancel:   client.StopAndCancel,
		txClient: client,
		db:       db,
		working:  rc.Workers != nil && len(rc.Queues) > 0,
	}, nil
}

// migrateSQLite applies River's migrations in one BEGIN IMMEDIATE
// transaction: the check for applied versions and the changes happen under
// the file's write lock, so two processes opening the file at once cannot
// both apply a version. (rivermigrate deprecates MigrateTx because some
// PostgreSQL migrations cannot share a transaction; River's SQLite migrations
// are plain DDL and DML, which SQLite runs transactionally.)
func migrateSQLite(ctx context.Context, db *sql.DB, driver *riversqlite.Driver, logger *slog.Logger) error {
	migrator, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: logger})
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	defer tx.Rollback()
	if _, err := migrator.MigrateTx(ctx, tx, rivermigrate.DirectionUp, nil); err != nil { //nolint:staticcheck // see above
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	return nil
}

// sqliteDSN is River's connection to the store's file: the store's journal
// mode, lock wait and durability, and BEGIN IMMEDIATE so that River's
// read-then-write transactions wait for the lock instead of failing when
// another connection wrote in between.
func sqliteDSN(path string) string {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(5000)", "foreign_keys(1)", "synchronous(FULL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// Dialect names the database: "sqlite" or "postgres".
func (j *Jobs) Dialect() string {
	if j.postgres {
		return "postgres"
	}
	return "sqlite"
}

// Client returns River's client: Insert (outside any transaction), job and
// queue queries, events. Its dynamic type is *river.Client[pgx.Tx] on
// PostgreSQL and *river.Client[*sql.Tx] on SQLite; workers that need it
// typed use river.ClientFromContext with the matching transaction type.
func (j *Jobs) Client() Client { return j.client }

// Start begins working jobs and joins the leader election. Cancelling ctx
// stops the client as Stop does; call Stop anyway to release the connections.
func (j *Jobs) Start(ctx context.Context) error {
	if !j.working {
		return errors.New("jobs: start: no workers (an insert-only Jobs cannot start)")
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return errors.New("jobs: start: stopped")
	}
	if err := j.start(ctx); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	j.started = true
	return nil
}

// Stop lets running jobs finish, until ctx is done; then it cancels their
// contexts and waits up to HardStopTimeout more. It resigns leadership and
// closes River's connections. Jobs cut short are retried later (by any
// instance, after River's stuck-job rescue when they were left running).
func (j *Jobs) Stop(ctx context.Context) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return nil
	}
	if j.started {
		if err := j.stop(ctx); err != nil {
			hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), HardStopTimeout)
			defer cancel()
			if err := j.cancel(hard); err != nil {
				// Jobs still run on River's connections: keep them open.
				return fmt.Errorf("jobs: stop: jobs did not return after cancellation: %w", err)
			}
		}
	}
	j.closed = true
	if j.pool != nil {
		j.pool.Close()
	}
	if j.db != nil {
		return j.db.Close()
	}
	return nil
}

// HardStopTimeout is how long Stop waits for cancelled jobs to return once
// its context is done.
const HardStopTimeout = 10 * time.Second

// InsertTx inserts a job inside the caller's transaction: it exists, and is
// worked, only once tx commits. tx must be on Jobs' database (the store's
// write connection on SQLite; the same PostgreSQL database and search_path).
func (j *Jobs) InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	if tx == nil {
		return nil, errors.New("jobs: insert: nil transaction")
	}
	res, err := j.txClient.InsertTx(ctx, tx, args, opts)
	if err != nil {
		return nil, fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	return res, nil
}

// InsertManyTx inserts several jobs inside the caller's transaction, as
// InsertTx does.
func (j *Jobs) InsertManyTx(ctx context.Context, tx *sql.Tx, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
	if tx == nil {
		return nil, errors.New("jobs: insert: nil transaction")
	}
	res, err := j.txClient.InsertManyTx(ctx, tx, params)
	if err != nil {
		return nil, fmt.Errorf("jobs: insert %d jobs: %w", len(params), err)
	}
	return res, nil
}
