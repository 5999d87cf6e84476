package jobs_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx", for the caller's transactions
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"otklik/internal/jobs"
	"otklik/internal/store"
	"otklik/internal/storetest"
)

// --- helpers ---

// dbConfig returns a Jobs configuration for a fresh database of dialect: the
// store's tables migrated into it first, as in the application.
func dbConfig(t *testing.T, dialect string) jobs.Config {
	t.Helper()
	sc := storetest.Config(t, dialect, nil)
	db, err := store.Open(context.Background(), sc)
	if err != nil {
		t.Fatalf("store open: %v", err)
	}
	defer db.Close()
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("store migrate: %v", err)
	}
	return jobs.Config{DatabaseURL: sc.URL, SQLitePath: sc.Path, Logger: testLogger(t)}
}

// open opens Jobs and stops it when the test ends.
func open(t *testing.T, cfg jobs.Config) *jobs.Jobs {
	t.Helper()
	j, err := jobs.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := j.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return j
}

func start(t *testing.T, j *jobs.Jobs) {
	t.Helper()
	if err := j.Start(context.Background()); err != nil {
		t.Fatalf("start: %v", err)
	}
}

// eventually polls cond until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// logWriter sends River's warnings to the test log until the test ends.
type logWriter struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Logf("%s", p)
	}
	return len(p), nil
}

func testLogger(t *testing.T) *slog.Logger {
	w := &logWriter{t: t}
	t.Cleanup(func() { w.mu.Lock(); w.done = true; w.mu.Unlock() })
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// callerDB is a connection like the store's write connection, for the
// caller's transactions.
func callerDB(t *testing.T, cfg jobs.Config) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if cfg.DatabaseURL != "" {
		db, err = sql.Open("pgx", cfg.DatabaseURL)
	} else {
		db, err = sql.Open("sqlite", "file:"+cfg.SQLitePath+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_txlock=immediate")
	}
	if err != nil {
		t.Fatalf("caller db: %v", err)
	}
	if cfg.DatabaseURL == "" {
		db.SetMaxOpenConns(1) // one writer, like the store's
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func jobState(t *testing.T, j *jobs.Jobs, id int64) *rivertype.JobRow {
	t.Helper()
	row, err := j.Client().JobGet(context.Background(), id)
	if err != nil {
		t.Fatalf("job %d: %v", id, err)
	}
	return row
}

func countKind(t *testing.T, j *jobs.Jobs, kind string) int {
	t.Helper()
	res, err := j.Client().JobList(context.Background(), river.NewJobListParams().Kinds(kind).First(1000))
	if err != nil {
		t.Fatalf("list %s: %v", kind, err)
	}
	return len(res.Jobs)
}

// counter counts executions by key.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) add(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[key]++
}

func (c *counter) get(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}

func (c *counter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := make(map[string]int, len(c.n))
	for k, v := range c.n {
		m[k] = v
	}
	return m
}

// --- workers ---

type echoArgs struct {
	Text string `json:"text"`
}

func (echoArgs) Kind() string { return "test_echo" }

type echoWorker struct {
	river.WorkerDefaults[echoArgs]
	seen *counter
}

func (w *echoWorker) Work(ctx context.Context, job *river.Job[echoArgs]) error {
	w.seen.add(job.Args.Text)
	return nil
}

type flakyArgs struct {
	FailTimes int `json:"fail_times"`
}

func (flakyArgs) Kind() string { return "test_flaky" }

type flakyWorker struct {
	river.WorkerDefaults[flakyArgs]
	calls atomic.Int32
}

func (w *flakyWorker) Work(ctx context.Context, job *river.Job[flakyArgs]) error {
	w.calls.Add(1)
	if job.Attempt <= job.Args.FailTimes {
		return fmt.Errorf("attempt %d fails on purpose", job.Attempt)
	}
	return nil
}

// NextRetry retries at once instead of River's exponential backoff.
func (w *flakyWorker) NextRetry(job *river.Job[flakyArgs]) time.Time {
	return time.Now().Add(50 * time.Millisecond)
}

type uniqueArgs struct {
	Customer int `json:"customer"`
}

func (uniqueArgs) Kind() string { return "test_unique" }

func (uniqueArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type uniqueWorker struct {
	river.WorkerDefaults[uniqueArgs]
	seen *counter
}

func (w *uniqueWorker) Work(ctx context.Context, job *river.Job[uniqueArgs]) error {
	w.seen.add(fmt.Sprint(job.Args.Customer))
	return nil
}

type tickArgs struct {
	From int   `json:"from"` // the instance whose periodic job built it
	Seq  int64 `json:"seq"`
}

func (tickArgs) Kind() string { return "test_tick" }

// --- tests ---

func TestWork(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			cfg := dbConfig(t, d)
			seen := &counter{}
			cfg.Workers = river.NewWorkers()
			river.AddWorker(cfg.Workers, &echoWorker{seen: seen})
			j := open(t, cfg)
			if j.Dialect() != d {
				t.Fatalf("dialect %q, want %q", j.Dialect(), d)
			}
			start(t, j)
			res, err := j.Client().Insert(context.Background(), echoArgs{Text: "hello"}, nil)
			if err != nil {
				t.Fatalf("insert: %v", err)
			}
			eventually(t, 5*time.Second, "the job to complete", func() bool {
				return jobState(t, j, res.Job.ID).State == rivertype.JobStateCompleted
			})
			if n := seen.get("hello"); n != 1 {
				t.Fatalf("worked %d times, want 1", n)
			}
		})
	}
}

func TestRetry(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			cfg := dbConfig(t, d)
			w := &flakyWorker{}
			cfg.Workers = river.NewWorkers()
			river.AddWorker(cfg.Workers, w)
			j := open(t, cfg)
			start(t, j)
			res, err := j.Client().Insert(context.Background(), flakyArgs{FailTimes: 2}, nil)
			if err != nil {
				t.Fatalf("insert: %v", err)
			}
			var row *rivertype.JobRow
			eventually(t, 8*time.Second, "the job to complete after two failures", func() bool {
				row = jobState(t, j, res.Job.ID)
				return row.State == rivertype.JobStateCompleted
			})
			if row.Attempt != 3 || len(row.Errors) != 2 || w.calls.Load() != 3 {
				t.Fatalf("attempt %d, %d errors, %d calls; want 3, 2, 3", row.Attempt, len(row.Errors), w.calls.Load())
			}
		})
	}
}

func TestUnique(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			cfg := dbConfig(t, d)
			seen := &counter{}
			cfg.Workers = river.NewWorkers()
			river.AddWorker(cfg.Workers, &uniqueWorker{seen: seen})
			j := open(t, cfg)

			first, err := j.Client().Insert(ctx, uniqueArgs{Customer: 7}, nil)
			if err != nil {
				t.Fatalf("insert: %v", err)
			}
			second, err := j.Client().Insert(ctx, uniqueArgs{Customer: 7}, nil)
			if err != nil {
				t.Fatalf("insert again: %v", err)
			}
			if first.UniqueSkippedAsDuplicate || !second.UniqueSkippedAsDuplicate || second.Job.ID != first.Job.ID {
				t.Fatalf("first skipped=%v, second skipped=%v, ids %d and %d", first.UniqueSkippedAsDuplicate,
					second.UniqueSkippedAsDuplicate, first.Job.ID, second.Job.ID)
			}
			// The same through a caller's transaction.
			tx, err := callerDB(t, cfg).BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			third, err := j.InsertTx(ctx, tx, uniqueArgs{Customer: 7}, nil)
			if err != nil {
				t.Fatalf("insert in tx: %v", err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			if !third.UniqueSkippedAsDuplicate || third.Job.ID != first.Job.ID {
				t.Fatalf("insert in tx: skipped=%v id %d, want a duplicate of %d", third.UniqueSkippedAsDuplicate, third.Job.ID, first.Job.ID)
			}

			start(t, j)
			eventually(t, 5*time.Second, "the job to complete", func() bool {
				return jobState(t, j, first.Job.ID).State == rivertype.JobStateCompleted
			})
			// Completed jobs still count for uniqueness (River's default states).
			again, err := j.Client().Insert(ctx, uniqueArgs{Customer: 7}, nil)
			if err != nil || !again.UniqueSkippedAsDuplicate {
				t.Fatalf("insert after completion: %v, skipped=%v", err, again != nil && again.UniqueSkippedAsDuplicate)
			}
			if n, rows := seen.get("7"), countKind(t, j, "test_unique"); n != 1 || rows != 1 {
				t.Fatalf("worked %d times, %d rows; want 1 and 1", n, rows)
			}
		})
	}
}

// TestInsertTx: a job inserted in the caller's transaction exists only if the
// transaction commits.
func TestInsertTx(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			cfg := dbConfig(t, d)
			seen := &counter{}
			cfg.Workers = river.NewWorkers()
			river.AddWorker(cfg.Workers, &echoWorker{seen: seen})
			j := open(t, cfg)
			start(t, j)
			db := callerDB(t, cfg)
			if _, err := db.Exec("CREATE TABLE probe (id integer PRIMARY KEY)"); err != nil {
				t.Fatal(err)
			}
			write := func(id int, text string, commit bool) {
				t.Helper()
				tx, err := db.BeginTx(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback()
				q := "INSERT INTO probe (id) VALUES (?)"
				if d == "postgres" {
					q = "INSERT INTO probe (id) VALUES ($1)"
				}
				if _, err := tx.ExecContext(ctx, q, id); err != nil {
					t.Fatal(err)
				}
				if _, err := j.InsertTx(ctx, tx, echoArgs{Text: text}, nil); err != nil {
					t.Fatalf("insert in tx: %v", err)
				}
				if commit {
					if err := tx.Commit(); err != nil {
						t.Fatal(err)
					}
				}
			}
			write(1, "committed", true)
			began := time.Now()
			eventually(t, 5*time.Second, "the committed job to run", func() bool { return seen.get("committed") == 1 })
			t.Logf("committed job ran %v after commit", time.Since(began).Round(time.Millisecond))
			write(2, "rolled back", false)
			if n := countKind(t, j, "test_echo"); n != 1 {
				t.Fatalf("%d jobs, want 1 (the rolled-back one must not exist)", n)
			}
			if seen.get("rolled back") != 0 {
				t.Fatal("the rolled-back job ran")
			}
			var rows int
			if err := db.QueryRow("SELECT count(*) FROM probe").Scan(&rows); err != nil || rows != 1 {
				t.Fatalf("probe rows %d, %v; want 1", rows, err)
			}
		})
	}
}

// TestPeriodicLeader runs two instances on one database: the periodic job is
// enqueued by the elected leader only, each enqueued job is worked once, and
// when the leader stops the other instance takes over.
func TestPeriodicLeader(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			base := dbConfig(t, d)
			seen := &counter{}
			var built [2]atomic.Int64
			var workedBy [2]atomic.Int64
			instances := make([]*jobs.Jobs, 2)
			for i := range instances {
				cfg := base
				cfg.Workers = river.NewWorkers()
				river.AddWorker(cfg.Workers, river.WorkFunc(func(ctx context.Context, job *river.Job[tickArgs]) error {
					seen.add(fmt.Sprintf("%d/%d", job.Args.From, job.Args.Seq))
					workedBy[i].Add(1)
					return nil
				}))
				cfg.Periodic = []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(200*time.Millisecond),
					func() (river.JobArgs, *river.InsertOpts) {
						return tickArgs{From: i, Seq: built[i].Add(1)}, nil
					}, &river.PeriodicJobOpts{RunOnStart: true})}
				instances[i] = open(t, cfg)
			}
			// Start both at once.
			var wg sync.WaitGroup
			startErrs := make([]error, len(instances))
			for i, j := range instances {
				wg.Go(func() { startErrs[i] = j.Start(context.Background()) })
			}
			wg.Wait()
			if err := errors.Join(startErrs...); err != nil {
				t.Fatalf("start: %v", err)
			}
			began := time.Now()
			total := func() int {
				n := 0
				for _, c := range seen.snapshot() {
					n += c
				}
				return n
			}
			eventually(t, 10*time.Second, "10 periodic runs", func() bool { return total() >= 10 })
			elapsed := time.Since(began)
			leader := 0
			if built[1].Load() > 0 {
				leader = 1
			}
			follower := 1 - leader
			if built[follower].Load() != 0 {
				t.Fatalf("both instances enqueued the periodic job: %d and %d", built[0].Load(), built[1].Load())
			}
			t.Logf("%d runs in %v, all enqueued by instance %d; worked by instance 0: %d, 1: %d",
				total(), elapsed.Round(time.Millisecond), leader, workedBy[0].Load(), workedBy[1].Load())

			// The leader stops (and resigns): the follower takes over.
			stopAt := time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := instances[leader].Stop(ctx); err != nil {
				t.Fatalf("stop leader: %v", err)
			}
			stopped := time.Since(stopAt)
			// A leader that stops resigns at once; followers otherwise retry
			// every 5–6 s (and a dead leader's term lasts 15 s).
			eventually(t, 12*time.Second, "the other instance to take over", func() bool { return built[follower].Load() > 0 })
			t.Logf("the leader stopped in %v; instance %d enqueued %v after Stop was called", stopped.Round(time.Millisecond),
				follower, time.Since(stopAt).Round(time.Millisecond))
			eventually(t, 5*time.Second, "runs from the new leader", func() bool {
				return seen.get(fmt.Sprintf("%d/1", follower)) == 1
			})
			for key, n := range seen.snapshot() {
				if n != 1 {
					t.Errorf("job %s ran %d times", key, n)
				}
			}
		})
	}
}

// TestOpenConcurrently: replicas starting at once all migrate River's tables
// without tripping over each other, into the store's schema or file.
func TestOpenConcurrently(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			cfg := dbConfig(t, d)
			errs := make(chan error, 3)
			var wg sync.WaitGroup
			for range 3 {
				wg.Go(func() {
					j, err := jobs.Open(context.Background(), cfg)
					if err == nil {
						err = j.Stop(context.Background())
					}
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("open: %v", err)
				}
			}
			db := callerDB(t, cfg)
			var n int
			if d == "postgres" {
				u, err := url.Parse(cfg.DatabaseURL)
				if err != nil {
					t.Fatal(err)
				}
				schema := u.Query().Get("search_path")
				err = db.QueryRow(`SELECT count(*) FROM information_schema.tables
					WHERE table_schema = $1 AND table_name IN ('river_job', 'river_leader', 'river_migration', 'river_queue')`, schema).Scan(&n)
				if err != nil {
					t.Fatal(err)
				}
			} else {
				err := db.QueryRow(`SELECT count(*) FROM sqlite_master
					WHERE type = 'table' AND name IN ('river_job', 'river_leader', 'river_migration', 'river_queue')`).Scan(&n)
				if err != nil {
					t.Fatal(err)
				}
			}
			if n != 4 {
				t.Fatalf("%d of River's tables in the test's schema, want 4", n)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := jobs.Open(ctx, jobs.Config{}); err == nil {
		t.Error("no database: no error")
	}
	if _, err := jobs.Open(ctx, jobs.Config{DatabaseURL: "mysql://x"}); err == nil {
		t.Error("mysql URL: no error")
	}
	// An insert-only Jobs opens but cannot start.
	cfg := dbConfig(t, "sqlite")
	j := open(t, cfg)
	if err := j.Start(ctx); err == nil {
		t.Error("insert-only start: no error")
	}
	if _, err := j.InsertTx(ctx, nil, echoArgs{}, nil); err == nil {
		t.Error("nil tx: no error")
	}
	res, err := j.Client().Insert(ctx, echoArgs{Text: "queued"}, nil)
	if err != nil {
		t.Fatalf("insert-only insert: %v", err)
	}
	if res.Job.State != rivertype.JobStateAvailable {
		t.Fatalf("state %s", res.Job.State)
	}
	if err := errors.Join(j.Stop(ctx), j.Stop(ctx)); err != nil {
		t.Fatalf("stop twice: %v", err)
	}
}
