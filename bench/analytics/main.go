// Command analytics is Otklik's benchmark for the in-memory analytics index
// (internal/cube) at the scale of issue 5: 10,000,000 answers.
//
// For each database — a fresh temporary SQLite file always, and a fresh
// PostgreSQL schema bench_<random> when -pg or OTKLIK_TEST_DATABASE_URL
// names a server (dropped at the end) — it:
//
//  1. migrates it with store.Migrate and seeds, through the store, 3 surveys
//     (nps, csat, ces), 12 managers in 3 teams and 20,000 customers;
//  2. generates the answers (-n, default 10M) over 18 months with bulk SQL,
//     not through the API: multi-row INSERTs in one transaction on SQLite,
//     COPY on PostgreSQL, and prints how long that took;
//  3. builds the cube from the database as the application does at start
//     (cube.New, Sync from store.Open) and reports the time and the heap the
//     index holds;
//  4. times each analytics request on the cube and the same figures in plain
//     SQL on the same database, checks that both give the same counts (a
//     mismatch makes the program exit non-zero), and prints the ratio;
//
// then prints a summary against the targets: NPS overall and by
// month ≤ 20 ms, other cuts ≤ 50 ms, index ≤ 200 MiB.
//
//	go run ./bench/analytics [-n 10000000] [-db all|sqlite|postgres] [-pg URL] [-reps 20] [-sql-reps 3]
//
// See bench/README.md.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Moscow without relying on the system's zone files

	"otklik/bench/internal/benchkit"
	"otklik/internal/cube"
	"otklik/internal/store"
)

var moscow = mustZone("Europe/Moscow")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Bounds that keep a run within the machine, whatever the flags say.
const (
	maxAnswers   = 50_000_000
	maxCustomers = 1_000_000
	maxReps      = 1000
	maxSQLReps   = 20
)

type config struct {
	n, customers int
	seed         uint64
	benchkit.Databases
	dir             string
	keep            bool
	reps, warm      int
	sqlReps         int
	sqlTimeout      time.Duration
	fastMS, otherMS time.Duration
	memMiB          float64
	buildProfile    string
	quiet           float64
	quietWait       time.Duration
}

func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("analytics", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&c.n, "n", 10_000_000, "answers to generate (the issue's scale is 10,000,000; use fewer for a quick run)")
	fs.IntVar(&c.customers, "customers", 20_000, "customers to seed")
	fs.Uint64Var(&c.seed, "seed", 2026, "seed of the generated data: the same seed gives the same data on every database")
	c.Databases.AddFlags(fs)
	fs.StringVar(&c.dir, "dir", "", "directory for the temporary SQLite file (default the system's temporary directory)")
	fs.BoolVar(&c.keep, "keep", false, "keep the SQLite file (the PostgreSQL schema is always dropped)")
	fs.IntVar(&c.reps, "reps", 20, "measured runs of each query on the cube")
	fs.IntVar(&c.warm, "warmup", 3, "unmeasured runs of each query on the cube before measuring")
	fs.IntVar(&c.sqlReps, "sql-reps", 3, "measured runs of each SQL query, after one run that is checked against the cube (0: report that run)")
	fs.StringVar(&c.buildProfile, "buildprofile", "", "write a CPU profile of each cube build to FILE-<db>.pprof")
	fs.Float64Var(&c.quiet, "quiet", 0.3, "before the build and each query's cube runs, wait until other processes use fewer cores than this (0 = don't wait)")
	fs.DurationVar(&c.quietWait, "quiet-wait", 2*time.Minute, "longest wait for -quiet before measuring anyway")
	fs.DurationVar(&c.sqlTimeout, "sql-timeout", 10*time.Minute, "longest a single SQL query may run")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	c.fastMS, c.otherMS, c.memMiB = targetFast, targetOther, 200
	if err := c.Databases.Check(getenv); err != nil {
		return c, err
	}
	switch {
	case c.n < 1 || c.n > maxAnswers:
		return c, fmt.Errorf("-n %d: must be in [1, %d]", c.n, maxAnswers)
	case c.customers < 1 || c.customers > maxCustomers:
		return c, fmt.Errorf("-customers %d: must be in [1, %d]", c.customers, maxCustomers)
	case c.reps < 1 || c.reps > maxReps:
		return c, fmt.Errorf("-reps %d: must be in [1, %d]", c.reps, maxReps)
	case c.warm < 0 || c.warm > maxReps:
		return c, fmt.Errorf("-warmup %d: must be in [0, %d]", c.warm, maxReps)
	case c.sqlReps < 0 || c.sqlReps > maxSQLReps:
		return c, fmt.Errorf("-sql-reps %d: must be in [0, %d]", c.sqlReps, maxSQLReps)
	case c.quiet < 0 || c.quietWait < 0 || c.quietWait > 10*time.Minute:
		return c, fmt.Errorf("-quiet %v / -quiet-wait %v: need quiet ≥ 0 and a wait in [0, 10m]", c.quiet, c.quietWait)
	case c.sqlTimeout <= 0:
		return c, fmt.Errorf("-sql-timeout %v: must be positive", c.sqlTimeout)
	}
	return c, nil
}

func main() { benchkit.Main(parseFlags, run) }

// summary is one database's figures.
type summary struct {
	dialect  string
	load     loadResult
	build    time.Duration
	rows     int
	mib      float64
	queries  []queryResult
	err      error
	mismatch int
}

type queryResult struct {
	c queryCase
	// The cube's runs: plain is NPS as the API computes it by default (and
	// the form the targets are judged on), weighted the revenue-weighted
	// NPS it computes only when asked (weighted=true).
	plain, weighted       timings
	plainMed, weightedMed time.Duration
	sql                   timings
	sqlFirst              time.Duration
	groups                int
	answers               int64
	diff                  string
	others                float64 // cores other processes used while the cube runs were timed
	cpuOK                 bool
	attempts              int
	sqlErr                error
}

func run(ctx context.Context, cfg config, out io.Writer) error {
	fmt.Fprintf(out, "Otklik analytics benchmark: the in-memory index (internal/cube) against plain SQL\n")
	fmt.Fprintf(out, "machine: %d CPUs, GOMAXPROCS %d, %s/%s, %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, runtime.Version())
	fmt.Fprintf(out, "data: %s answers over %s … %s (Moscow), %s customers, 12 managers in 3 teams, seed %d\n",
		num(float64(cfg.n)), periodFrom.Format(time.DateOnly), periodTo.AddDate(0, 0, -1).Format(time.DateOnly),
		num(float64(cfg.customers)), cfg.seed)

	dialects := cfg.Dialects(out)
	shift, err := sqliteMonthShift()
	if err != nil {
		return err
	}
	w := newWorld(cfg.seed, cfg.customers, cfg.n)

	var sums []*summary
	for _, d := range dialects {
		if ctx.Err() != nil {
			break
		}
		s := benchDatabase(ctx, cfg, w, d, shift, out)
		if s.err != nil {
			fmt.Fprintf(out, "\n%s: FAILED: %v\n", d, s.err)
		}
		sums = append(sums, s)
	}
	printSummary(out, cfg, sums)
	var errs []error
	for _, s := range sums {
		if s.err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s.dialect, s.err))
		}
		if s.mismatch > 0 {
			errs = append(errs, fmt.Errorf("%s: %d queries where the cube and SQL disagree", s.dialect, s.mismatch))
		}
	}
	if err := ctx.Err(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// sqliteMonthShift returns the strftime modifier that turns a UTC instant
// into Moscow's wall clock. SQLite has no zone database, so a fixed offset
// is only right if Moscow keeps one over the whole period: it does (UTC+3
// since October 2014), and this checks it day by day.
func sqliteMonthShift() (string, error) {
	_, off := periodFrom.Zone()
	for t := periodFrom; t.Before(periodTo); t = t.Add(24 * time.Hour) {
		if _, o := t.Zone(); o != off {
			return "", fmt.Errorf("Europe/Moscow changes its UTC offset within the period (%d s on %s): SQLite's month keys would be wrong", o, t.Format(time.DateOnly))
		}
	}
	return fmt.Sprintf("%+d seconds", off), nil
}

func benchDatabase(ctx context.Context, cfg config, w *world, dialect, shift string, out io.Writer) *summary {
	s := &summary{dialect: dialect}
	t, err := newTarget(ctx, cfg, dialect)
	if err != nil {
		s.err = err
		return s
	}
	defer t.cleanup()
	fmt.Fprintf(out, "\n== %s: %s ==\n", dialect, t.where)
	sd, err := seed(ctx, t, w, out)
	if err != nil {
		s.err = fmt.Errorf("seed: %w", err)
		return s
	}

	// 1. The answers, in bulk.
	how := "multi-row INSERTs of 500 rows, one transaction, own connection"
	if dialect == "postgres" {
		how = "one COPY (pgx CopyFrom)"
	}
	fmt.Fprintf(out, "generating %s answers: %s\n", num(float64(w.n)), how)
	if dialect == "sqlite" {
		s.load, err = loadSQLite(ctx, t, w, sd, out)
	} else {
		s.load, err = loadPostgres(ctx, t, w, sd, out)
	}
	if err != nil {
		s.err = fmt.Errorf("generate: %w", err)
		return s
	}
	after := "ANALYZE (sampled) + fsync"
	if dialect == "postgres" {
		after = "VACUUM ANALYZE + CHECKPOINT"
	}
	fmt.Fprintf(out, "generated %s answers in %v (%s rows/s): rows %v, indexes %v, %s %v; responses on disk: %s; ids 1…n with seq = id ✓\n",
		num(float64(s.load.rows)), s.load.total().Round(100*time.Millisecond), num(s.load.rate()),
		s.load.insert.Round(100*time.Millisecond), s.load.indexes.Round(100*time.Millisecond), after,
		s.load.after.Round(100*time.Millisecond), size(s.load.bytes))

	// 2. The cube, built at start as the application builds it.
	db, err := store.Open(ctx, t.cfg)
	if err != nil {
		s.err = err
		return s
	}
	defer db.Close()
	waitQuiet(ctx, cfg, out)
	var before, built runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	profile, stopProfile := benchkit.StartCPUProfile(cfg.buildProfile, dialect, out)
	if profile != "" {
		fmt.Fprintf(out, "cpu profile of the cube build → %s\n", profile)
	}
	a := benchkit.SampleCPU(nil)
	start := time.Now()
	c := cube.New(moscow)
	added, err := c.Sync(ctx, db)
	s.build = time.Since(start)
	use := benchkit.CPUBetween(a, benchkit.SampleCPU(nil))
	stopProfile()
	if err != nil {
		s.err = fmt.Errorf("cube: sync: %w", err)
		return s
	}
	runtime.GC()
	runtime.ReadMemStats(&built)
	s.rows = c.Len()
	s.mib = float64(int64(built.HeapAlloc)-int64(before.HeapAlloc)) / (1 << 20)
	fmt.Fprintf(out, "cube build (cube.New + Sync from store.Open, pages of %s): %s rows in %v (%s rows/s); index heap %.1f MiB (%.1f B/answer)\n",
		num(cube.PageSize), num(float64(c.Len())), s.build.Round(10*time.Millisecond), num(float64(c.Len())/s.build.Seconds()),
		s.mib, s.mib*(1<<20)/float64(max(c.Len(), 1)))
	if use.OK {
		fmt.Fprintf(out, "  cores used during the build: this process %.2f, others (the database server included) %.2f\n", use.Own, use.Others)
	}
	if added != w.n || c.Len() != w.n || c.Dropped() != 0 {
		s.err = fmt.Errorf("cube: synced %d, holds %d, dropped %d; want %d", added, c.Len(), c.Dropped(), w.n)
		return s
	}

	// 3. The queries.
	raw, err := openSQL(t)
	if err != nil {
		s.err = err
		return s
	}
	defer raw.Close()
	fmt.Fprintf(out, "SQL side: %s\n", describeSQL(ctx, raw, dialect))
	fmt.Fprintf(out, "queries (NPS survey, all 18 months; cube: median/p90 of %d runs after %d warm-ups, plain as the API computes NPS by default,\n", cfg.reps, cfg.warm)
	fmt.Fprintf(out, "         and revenue-weighted as it does with weighted=true;\n")
	fmt.Fprintf(out, "         SQL: one checked run, then the median of %d)\n", cfg.sqlReps)
	for _, qc := range cases(sd.surveys[0], shift) {
		if ctx.Err() != nil {
			s.err = ctx.Err()
			return s
		}
		r := runCase(ctx, cfg, out, c, raw, dialect, sd.surveys[0], qc)
		s.queries = append(s.queries, r)
		if r.diff != "" || (r.sqlErr != nil && ctx.Err() == nil) {
			s.mismatch++
		}
		printQuery(out, cfg, &r)
	}
	runtime.KeepAlive(c)
	return s
}

// runCase times the case on the cube, then in SQL, and compares the figures.
func runCase(ctx context.Context, cfg config, out io.Writer, c *cube.Cube, raw *sql.DB, dialect string, survey int64, qc queryCase) queryResult {
	r := queryResult{c: qc}
	weighted, plain := qc.q, qc.q
	weighted.Weighted, plain.Weighted = true, false
	call := func(q cube.Query) func() {
		if qc.cohorts {
			return func() { c.Cohorts(q) }
		}
		return func() { c.Query(q) }
	}
	// The cube runs take a second or two: when other processes took a core
	// meanwhile (the two cores are shared), they are measured again.
	for r.attempts = 1; ; r.attempts++ {
		waitQuiet(ctx, cfg, out)
		a := benchkit.SampleCPU(nil)
		r.weighted = measure(cfg.warm, cfg.reps, call(weighted))
		r.plain = measure(cfg.warm, cfg.reps, call(plain))
		use := benchkit.CPUBetween(a, benchkit.SampleCPU(nil))
		r.others, r.cpuOK = use.Others, use.OK
		if cfg.quiet <= 0 || !r.cpuOK || r.others < cfg.quiet || r.attempts >= 3 || ctx.Err() != nil {
			break
		}
		fmt.Fprintf(out, "  (%s: other processes took %.2f cores during the cube runs: measuring again)\n", qc.name, r.others)
	}
	r.plainMed, r.weightedMed = r.plain.median(), r.weighted.median()

	cf := qc.runCube(c, true)
	pf := qc.runCube(c, false)
	r.groups, r.answers = len(cf), cf.answers()

	sctx, cancel := context.WithTimeout(ctx, cfg.sqlTimeout)
	defer cancel()
	start := time.Now()
	sf, err := qc.runSQL(sctx, raw, dialect, survey)
	r.sqlFirst = time.Since(start)
	if err != nil {
		r.sqlErr = err
		return r
	}
	for range cfg.sqlReps {
		start := time.Now()
		if _, err := qc.runSQL(sctx, raw, dialect, survey); err != nil {
			r.sqlErr = err
			return r
		}
		r.sql = append(r.sql, time.Since(start))
	}
	if len(r.sql) == 0 {
		r.sql = timings{r.sqlFirst}
	}
	r.diff = compare(cf, sf, true)
	if d := compare(pf, sf, false); d != "" && r.diff == "" {
		r.diff = "unweighted: " + d
	}
	return r
}

func printQuery(out io.Writer, cfg config, r *queryResult) {
	fmt.Fprintf(out, "  %-27s %-44s\n", r.c.name, "("+r.c.api+")")
	if r.sqlErr != nil {
		fmt.Fprintf(out, "      cube %s ms (p90 %s; weighted %s, p90 %s) · SQL FAILED after %v: %v\n",
			msf(r.plainMed), msf(r.plain.p90()), msf(r.weightedMed), msf(r.weighted.p90()), r.sqlFirst.Round(time.Millisecond), r.sqlErr)
		return
	}
	check := "✓ same counts"
	if r.diff != "" {
		check = "✗ MISMATCH: " + r.diff
	}
	cpu := ""
	if r.cpuOK {
		cpu = fmt.Sprintf(" · other processes %.2f cores while the cube ran", r.others)
	}
	if r.attempts > 1 {
		cpu += fmt.Sprintf(" (attempt %d)", r.attempts)
	}
	fmt.Fprintf(out, "      cube %s ms (p90 %s; weighted %s, p90 %s) · SQL %s ms (first %s) · SQL/cube %s · %d groups, %s answers · %s%s\n",
		msf(r.plainMed), msf(r.plain.p90()), msf(r.weightedMed), msf(r.weighted.p90()), msf(r.sql.median()), msf(r.sqlFirst),
		ratio(r.sql.median(), r.plainMed), r.groups, num(float64(r.answers)), check, cpu)
}

func printSummary(out io.Writer, cfg config, sums []*summary) {
	if len(sums) == 0 {
		return
	}
	fmt.Fprintf(out, "\n== summary: %s answers; cube = median/p90 of %d runs of plain NPS (the API's default), weighted = median with weighted=true; SQL = median of %d runs ==\n",
		num(float64(cfg.n)), cfg.reps, max(cfg.sqlReps, 1))
	fmt.Fprintf(out, "%-9s %-27s %9s %9s %11s %11s %9s %8s  %s\n", "database", "query", "cube ms", "p90 ms", "weighted", "SQL ms", "SQL/cube", "target", "")
	for _, s := range sums {
		for _, r := range s.queries {
			sqlMS, rat := "failed", "-"
			if r.sqlErr == nil {
				sqlMS, rat = msf(r.sql.median()), ratio(r.sql.median(), r.plainMed)
			}
			verdict := targetVerdict(r)
			check := "✓"
			if r.diff != "" || r.sqlErr != nil {
				check = "✗ mismatch"
			}
			fmt.Fprintf(out, "%-9s %-27s %9s %9s %11s %11s %9s %8s  %s %s\n", s.dialect, r.c.name, msf(r.plainMed), msf(r.plain.p90()),
				msf(r.weightedMed), sqlMS, rat, fmt.Sprintf("≤%d ms", r.c.target.Milliseconds()), verdict, check)
		}
	}
	fmt.Fprintln(out)
	fmt.Fprintf(out, "%-9s %-38s %-24s %-12s %s\n", "database", "generate answers (rows+indexes+stats)", "cube build at start", "index heap", "target ≤200 MiB")
	for _, s := range sums {
		gen, build, mem, verdict := "-", "-", "-", "-"
		if s.load.total() > 0 {
			gen = fmt.Sprintf("%.0f s (%.0f+%.0f+%.0f; %s rows/s)", s.load.total().Seconds(), s.load.insert.Seconds(),
				s.load.indexes.Seconds(), s.load.after.Seconds(), short(s.load.rate()))
		}
		if s.build > 0 && s.rows > 0 {
			build = fmt.Sprintf("%.1f s (%s rows/s)", s.build.Seconds(), short(float64(s.rows)/s.build.Seconds()))
			mem = fmt.Sprintf("%.1f MiB", s.mib)
			verdict = "met"
			if s.mib > cfg.memMiB {
				verdict = "NOT met"
			}
		}
		if s.err != nil {
			verdict += " (failed: " + firstLine(s.err.Error()) + ")"
		}
		fmt.Fprintf(out, "%-9s %-38s %-24s %-12s %s\n", s.dialect, gen, build, mem, verdict)
	}
}

// targetVerdict judges the target on the plain NPS, the form the API
// computes unless asked for the weighted one, and says so when the weighted
// form fares otherwise.
func targetVerdict(r queryResult) string {
	met := r.plainMed <= r.c.target
	verdict, notes := "NOT met", []string{}
	if met {
		verdict = "met"
		if r.plain.p90() > r.c.target {
			notes = append(notes, "p90 over")
		}
	}
	switch w := r.weightedMed <= r.c.target; {
	case met && !w:
		notes = append(notes, "weighted: NOT met")
	case !met && w:
		notes = append(notes, "weighted: met")
	}
	if len(notes) > 0 {
		verdict += " (" + strings.Join(notes, "; ") + ")"
	}
	return verdict
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func msf(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms >= 1000:
		return num(ms)
	case ms >= 100:
		return fmt.Sprintf("%.0f", ms)
	}
	return fmt.Sprintf("%.1f", ms)
}

func ratio(sqlT, cubeT time.Duration) string {
	if cubeT <= 0 {
		return "-"
	}
	r := float64(sqlT) / float64(cubeT)
	if r >= 100 {
		return num(r) + "×"
	}
	return fmt.Sprintf("%.1f×", r)
}

// num formats a number with thousands separators, no decimals.
func num(v float64) string { return benchkit.Thousands(fmt.Sprintf("%.0f", v)) }

// short formats a rate as 123k or 1.2M.
func short(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.0fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

func size(b int64) string {
	if b < 0 {
		return "?"
	}
	return fmt.Sprintf("%.2f GiB", float64(b)/(1<<30))
}

// describeSQL names the database and the settings its queries run with.
func describeSQL(ctx context.Context, db *sql.DB, dialect string) string {
	if dialect == "sqlite" {
		var v string
		if err := db.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&v); err != nil {
			return "SQLite: " + err.Error()
		}
		return "SQLite " + v + " (modernc.org/sqlite), one read-only connection with the store's read-pool settings (64 MiB page cache, 1 GiB mmap)"
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

// waitQuiet waits, up to -quiet-wait, until other processes (the database
// server included) use fewer than -quiet cores: after a bulk load the
// kernel's write-back and the database's checkpointer keep a core busy for
// a while, and a query timed meanwhile measures them too.
func waitQuiet(ctx context.Context, cfg config, out io.Writer) {
	benchkit.WaitQuiet(ctx, cfg.quiet, cfg.quietWait, nil, func(e benchkit.QuietEvent, other float64, _ bool) {
		switch e {
		case benchkit.Waiting:
			fmt.Fprintf(out, "  (other processes use %.2f cores: waiting up to %v for them to settle)\n", other, cfg.quietWait)
		case benchkit.Quiet:
			fmt.Fprintf(out, "  (quiet now: others %.2f cores)\n", other)
		case benchkit.GaveUp:
			fmt.Fprintf(out, "  (other processes still use %.2f cores after %v: measuring anyway)\n", other, cfg.quietWait)
		}
	})
}
