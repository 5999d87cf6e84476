// Command outreach is Otklik's benchmark for outreach planning at the
// scale of the issue: deciding who is due now over 1,000,000 customers with
// histories, target ≤ 50 ms on the project's machine.
//
// For each database — a fresh temporary SQLite file always, and a fresh
// PostgreSQL schema bench_<random> when -pg or OTKLIK_TEST_DATABASE_URL
// names a server (dropped at the end) — it:
//
//  1. migrates it with the product's migrations (store.Open + Migrate) and
//     stores two surveys and the default lifetime schedule through the store;
//  2. generates (-n, default 1,000,000) customers with start dates over five
//     years, segments, services, consents and their invitations — the past
//     year's history (~1.5 a customer), ~50,000 waiting for their moment (a
//     few due now), and the lifetime invitations already planned for the
//     milestones within the schedule's validity, all but today's — with
//     bulk SQL (multi-row INSERTs on SQLite, COPY on PostgreSQL), the
//     secondary indexes built after the load;
//  3. times "who is due now" (-reps runs, median and p95): (a) the product's
//     plan, the very calls dispatch.Plan makes before deciding
//     (Schedule.StartWindow + store.StartedBetween per milestone month,
//     store.DueCustomers), and (b) the plain SQL a newcomer would write, one
//     query over every customer; it checks that both return the same
//     customers as the generator says are due (count and hash; a mismatch
//     makes the program exit non-zero), and prints the ratio (b)/(a);
//  4. times the decisions for the due customers: outreach.Plan alone on
//     their loaded histories, and dispatch.PlanCustomer's state read + Plan
//     without writing;
//  5. shows the query plans of the product's queries (EXPLAIN QUERY PLAN /
//     EXPLAIN ANALYZE), and re-times (a) with the index change that the plans
//     point to, created in the benchmark's database only;
//
// then prints a summary against the target.
//
//	go run ./bench/outreach [-n 1000000] [-db all|sqlite|postgres] [-pg URL] [-reps 20] [-sql-reps 20]
//
// See bench/README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Moscow without relying on the system's zone files

	"otklik/bench/internal/benchkit"
	"otklik/internal/outreach"
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

// benchNow is the moment measured: a Tuesday, 30 seconds after 10:00 in
// Moscow, when the day's lifetime milestones have just fallen due (the
// default schedule's send hour) and no round has planned them yet — the
// busiest planning round of the day.
var benchNow = time.Date(2026, 3, 10, 10, 0, 30, 0, moscow)

// Bounds that keep a run within the machine, whatever the flags say.
const (
	maxCustomers = 5_000_000
	maxReps      = 1000
)

type config struct {
	n, waiting int
	seed       uint64
	benchkit.Databases
	dir           string
	keep          bool
	reps, warm    int
	sqlReps       int
	decideReps    int
	sqlTimeout    time.Duration
	target        time.Duration
	sqliteAnalyze bool
	whatIf        bool
	quiet         float64
	quietWait     time.Duration
}

func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("outreach", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&c.n, "n", 1_000_000, "customers to generate (the issue's scale is 1,000,000; use fewer for a quick run)")
	fs.IntVar(&c.waiting, "waiting", -1, "customers with an invitation waiting for its moment (default n/20: 50,000 at 1M)")
	fs.Uint64Var(&c.seed, "seed", 2026, "seed of the generated data: the same seed gives the same data on every database")
	c.Databases.AddFlags(fs)
	fs.StringVar(&c.dir, "dir", "", "directory for the temporary SQLite file (default the system's temporary directory)")
	fs.BoolVar(&c.keep, "keep", false, "keep the SQLite file and the PostgreSQL schema, to look into them afterwards")
	fs.IntVar(&c.reps, "reps", 20, "measured runs of the product's plan and of outreach.Plan")
	fs.IntVar(&c.warm, "warmup", 2, "unmeasured runs before measuring")
	fs.IntVar(&c.sqlReps, "sql-reps", 20, "measured runs of the plain SQL, after one run that is checked (0: report that run)")
	fs.IntVar(&c.decideReps, "decide-reps", 5, "measured runs of the state read + Plan over every due customer")
	fs.DurationVar(&c.sqlTimeout, "sql-timeout", 30*time.Minute, "longest the plain SQL's runs may take together")
	fs.DurationVar(&c.target, "target", 50*time.Millisecond, "the issue's target for deciding who is due now")
	fs.BoolVar(&c.sqliteAnalyze, "sqlite-analyze", false, "run ANALYZE on SQLite after the load (the product never does; PostgreSQL's autovacuum does, and the load runs VACUUM ANALYZE there)")
	fs.BoolVar(&c.whatIf, "what-if", false, "after the measurements, re-time the product's plan with alternative queries (they were how the product's index and incremental window were chosen)")
	fs.Float64Var(&c.quiet, "quiet", 0.3, "before each timed phase, wait until other processes use fewer cores than this (0 = don't wait)")
	fs.DurationVar(&c.quietWait, "quiet-wait", 2*time.Minute, "longest wait for -quiet before measuring anyway")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if err := c.Databases.Check(getenv); err != nil {
		return c, err
	}
	if c.waiting < 0 {
		c.waiting = c.n / 20
	}
	switch {
	case c.n < 1 || c.n > maxCustomers:
		return c, fmt.Errorf("-n %d: must be in [1, %d]", c.n, maxCustomers)
	case c.waiting > c.n:
		return c, fmt.Errorf("-waiting %d: at most -n (%d)", c.waiting, c.n)
	case c.reps < 1 || c.reps > maxReps || c.decideReps < 1 || c.decideReps > maxReps:
		return c, fmt.Errorf("-reps %d / -decide-reps %d: must be in [1, %d]", c.reps, c.decideReps, maxReps)
	case c.warm < 0 || c.warm > maxReps || c.sqlReps < 0 || c.sqlReps > maxReps:
		return c, fmt.Errorf("-warmup %d / -sql-reps %d: must be in [0, %d]", c.warm, c.sqlReps, maxReps)
	case c.quiet < 0 || c.quietWait < 0 || c.quietWait > 10*time.Minute:
		return c, fmt.Errorf("-quiet %v / -quiet-wait %v: need quiet ≥ 0 and a wait in [0, 10m]", c.quiet, c.quietWait)
	case c.sqlTimeout <= 0 || c.target <= 0:
		return c, fmt.Errorf("-sql-timeout %v / -target %v: must be positive", c.sqlTimeout, c.target)
	}
	return c, nil
}

func main() { benchkit.Main(parseFlags, run) }

// summary is one database's figures.
type summary struct {
	dialect   string
	load      loadResult
	exp       expected
	product   measured
	round     measured // a regular round: milestones since the last round
	due       dueSet
	naive     measured
	naiveErr  error
	same      bool // product, plain SQL and the generator agree
	planOnly  measured
	stateRead measured
	decisions decisionStats
	whatIf    []whatIfResult
	err       error
}

// roundLookback is how far back a regular planning round looks for
// milestones: the 30 s between rounds and dispatch's minute of overlap.
const roundLookback = 90 * time.Second

func run(ctx context.Context, cfg config, out io.Writer) error {
	fmt.Fprintf(out, "Otklik outreach benchmark: who is due now over %s customers, the product's plan against plain SQL\n", num(float64(cfg.n)))
	fmt.Fprintf(out, "machine: %d CPUs, GOMAXPROCS %d, %s/%s, %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, runtime.Version())
	fmt.Fprintf(out, "now: %s (Moscow), the default schedule (months 3, 6, 9, 12; validity 30 days; due at 10:00) and policy; seed %d\n",
		benchNow.Format("Mon 2006-01-02 15:04:05"), cfg.seed)
	var sums []*summary
	for _, d := range cfg.Dialects(out) {
		if ctx.Err() != nil {
			break
		}
		s := benchDatabase(ctx, cfg, d, out)
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
		} else if !s.same {
			errs = append(errs, fmt.Errorf("%s: the product's plan, the plain SQL and the generator disagree on who is due", s.dialect))
		}
	}
	if err := ctx.Err(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func benchDatabase(ctx context.Context, cfg config, dialect string, out io.Writer) *summary {
	s := &summary{dialect: dialect}
	t, err := newTarget(ctx, cfg, dialect)
	if err != nil {
		s.err = err
		return s
	}
	defer t.cleanup()
	fmt.Fprintf(out, "\n== %s: %s ==\n", dialect, t.where)
	start := time.Now()
	sd, err := seed(ctx, t)
	if err != nil {
		s.err = fmt.Errorf("seed: %w", err)
		return s
	}
	fmt.Fprintf(out, "seed (store.Migrate, CreateSurvey ×2, the default schedule as id %d): %v\n", sd.schedule.ID, benchkit.Since(start))
	w := newWorld(cfg.seed, cfg.n, cfg.waiting, benchNow, moscow, sd.schedule, sd.surveys)

	// 1. The data, in bulk.
	how := "multi-row INSERTs of 500 rows, one transaction, own connection"
	if dialect == "postgres" {
		how = "one COPY per table (pgx CopyFrom)"
	}
	fmt.Fprintf(out, "generating %s customers with consents and invitations: %s\n", num(float64(cfg.n)), how)
	if dialect == "sqlite" {
		s.load, err = loadSQLite(ctx, t, w, cfg.sqliteAnalyze, out)
	} else {
		s.load, err = loadPostgres(ctx, t, w, out)
	}
	if err != nil {
		s.err = fmt.Errorf("generate: %w", err)
		return s
	}
	after := "fsync"
	switch {
	case dialect == "postgres":
		after = "VACUUM ANALYZE + CHECKPOINT"
	case cfg.sqliteAnalyze:
		after = "ANALYZE (sampled) + fsync"
	}
	fmt.Fprintf(out, "generated %s customers, %s consents, %s invitations in %v (rows %v, indexes %v, %s %v); on disk %s\n",
		num(float64(s.load.customers)), num(float64(s.load.consents)), num(float64(s.load.invitations)),
		s.load.total().Round(100*time.Millisecond), s.load.insert.Round(100*time.Millisecond),
		s.load.indexes.Round(100*time.Millisecond), after, s.load.after.Round(100*time.Millisecond), size(s.load.bytes))
	s.exp = w.expected()
	fmt.Fprintf(out, "the generator's answer: %s customers due now — %s lifetime candidates (milestone today, not yet planned), %s with an invitation due "+
		"(of %s waiting); %s invitations sent or answered in the past year; hash %s\n",
		num(float64(len(s.exp.ids))), num(float64(s.exp.lifetime)), num(float64(s.exp.waitingDue)), num(float64(s.exp.waitingAll)),
		num(float64(s.exp.history)), hashIDs(s.exp.ids))
	if s.exp.invitations != s.load.invitations {
		s.err = fmt.Errorf("generate: %d invitations written, the generator counts %d", s.load.invitations, s.exp.invitations)
		return s
	}

	db, err := store.Open(ctx, store.Config{URL: t.cfg.URL, Path: t.cfg.Path, Now: func() time.Time { return benchNow }})
	if err != nil {
		s.err = err
		return s
	}
	defer db.Close()
	raw, err := openSQL(t)
	if err != nil {
		s.err = err
		return s
	}
	defer raw.Close()
	fmt.Fprintf(out, "SQL: %s\n", describeSQL(ctx, raw, dialect))
	schedule := sd.schedule
	plans := explainProduct(ctx, raw, dialect, schedule, benchNow)
	fmt.Fprintf(out, "query plans of the product's queries (%s):\n%s", explainKind(dialect), indent(plans, "  "))

	// 2a. The product's plan: once reading every page, for the answer, then
	// timed as a round reads it, page by page.
	s.due, err = productDue(ctx, db, db, benchNow, 0, nil)
	if err != nil {
		s.err = fmt.Errorf("product plan: %w", err)
		return s
	}
	waitQuiet(ctx, cfg, dialect, out)
	s.product, err = measure(ctx, dialect, cfg.warm, cfg.reps, func() error {
		_, err := productDue(ctx, db, db, benchNow, 0, &s.due)
		return err
	})
	if err != nil {
		s.err = fmt.Errorf("product plan: %w", err)
		return s
	}
	check := "✓ as generated"
	productOK := slices.Equal(s.due.ids, s.exp.ids)
	if !productOK {
		check = fmt.Sprintf("✗ MISMATCH with the generator (%s customers, hash %s)", num(float64(len(s.exp.ids))), hashIDs(s.exp.ids))
	}
	fmt.Fprintf(out, "(a) the product's plan, a round's reads (policy, schedules; StartWindow + StartedBetween in pages of %d ×%d months; DueCustomers in pages of %d; %d pages): median %s, p95 %s of %d runs · %s\n",
		candidatesPage, len(s.due.perMonth), duePage, s.due.pages(), msf(s.product.runs.median()), msf(s.product.runs.p95()), len(s.product.runs), cpuText(s.product.cpu))
	fmt.Fprintf(out, "    %s customers: %s lifetime candidates (months: %s), %s with an invitation due; hash %s %s\n",
		num(float64(len(s.due.ids))), num(float64(s.due.lifetime)), joinInts(s.due.perMonth), num(float64(s.due.waiting)),
		s.due.hash(), check)

	// 2a′. A regular round, as dispatch.planLifetime reads between its
	// daily sweeps of the whole validity: the milestones since the last
	// round (rounds are 30 s apart; a minute of overlap), then the
	// invitations due.
	roundDue, err := productDue(ctx, db, db, benchNow, roundLookback, nil)
	if err != nil {
		s.err = fmt.Errorf("regular round: %w", err)
		return s
	}
	waitQuiet(ctx, cfg, dialect, out)
	s.round, err = measure(ctx, dialect, cfg.warm, cfg.reps, func() error {
		_, err := productDue(ctx, db, db, benchNow, roundLookback, &roundDue)
		return err
	})
	if err != nil {
		s.err = fmt.Errorf("regular round: %w", err)
		return s
	}
	fmt.Fprintf(out, "(a′) a regular round's reads (milestones of the last %s, then the invitations due; %s customers): median %s, p95 %s of %d runs · %s\n",
		roundLookback, num(float64(len(roundDue.ids))), msf(s.round.runs.median()), msf(s.round.runs.p95()), len(s.round.runs), cpuText(s.round.cpu))

	// 2b. The plain SQL.
	utcHour, err := sqliteUTCHour(schedule, benchNow)
	if err != nil {
		s.err = err
		return s
	}
	q := naiveQuery(dialect, schedule, benchNow, utcHour)
	waitQuiet(ctx, cfg, dialect, out)
	sctx, cancel := context.WithTimeout(ctx, cfg.sqlTimeout)
	defer cancel()
	first := time.Now()
	ids, err := q.run(sctx, raw)
	firstRun := time.Since(first)
	sameSQL := err == nil && slices.Equal(ids, s.due.ids)
	if err == nil {
		reps := cfg.sqlReps
		s.naive, err = measure(sctx, dialect, 0, reps, func() error {
			_, err := q.run(sctx, raw)
			return err
		})
		if reps == 0 {
			s.naive.runs = timings{firstRun}
		}
	}
	if err != nil {
		s.naiveErr = err
		fmt.Fprintf(out, "(b) the plain SQL: FAILED after %v: %v\n", firstRun.Round(time.Millisecond), err)
	} else {
		check := "✓ the same customers"
		if !sameSQL {
			check = fmt.Sprintf("✗ MISMATCH: %s customers, hash %s", num(float64(len(ids))), hashIDs(ids))
		}
		fmt.Fprintf(out, "(b) the plain SQL (one query over every customer): median %s, p95 %s of %d runs (first, checked: %s) · %s · (b)/(a) %s · %s\n",
			msf(s.naive.runs.median()), msf(s.naive.runs.p95()), len(s.naive.runs), msf(firstRun), check,
			ratio(s.naive.runs.median(), s.product.runs.median()), cpuText(s.naive.cpu))
	}
	s.same = productOK && sameSQL

	// 2c. The decisions for the due customers.
	if err := benchDecisions(ctx, cfg, s, db, dialect, out); err != nil {
		s.err = fmt.Errorf("decisions: %w", err)
		return s
	}

	// 3. What the query plans point to.
	if cfg.whatIf {
		s.whatIf, err = whatIf(ctx, cfg, t, db, raw, dialect, schedule, s.due, out)
		if err != nil {
			s.err = fmt.Errorf("what-if: %w", err)
		}
	}
	return s
}

// benchDecisions times outreach.Plan alone over the due customers' loaded
// histories, then the state read + Plan as dispatch.PlanCustomer does them
// (without writing).
func benchDecisions(ctx context.Context, cfg config, s *summary, db *store.DB, dialect string, out io.Writer) error {
	d := &decider{db: db, now: benchNow, candidates: map[int64]bool{}}
	for _, sc := range s.due.schedules {
		if sc.Enabled {
			d.schedules = append(d.schedules, sc)
		}
	}
	lifetime, err := lifetimeCandidates(ctx, db, d.schedules, benchNow)
	if err != nil {
		return err
	}
	for _, id := range lifetime {
		d.candidates[id] = true
	}
	ins := make([]decisionInput, len(s.due.ids))
	outs := make([][]outreach.Decision, len(s.due.ids))
	for i, id := range s.due.ids {
		if ins[i], outs[i], err = d.decide(ctx, id); err != nil {
			return err
		}
	}
	s.decisions = countDecisions(ins, outs)
	fmt.Fprintf(out, "decisions: %s\n", s.decisions)
	policy := outreach.DefaultPolicy()
	waitQuiet(ctx, cfg, dialect, out)
	s.planOnly, err = measure(ctx, dialect, cfg.warm, cfg.reps, func() error {
		for i := range ins {
			if len(ins[i].reqs) > 0 {
				outreach.Plan(policy, ins[i].who, ins[i].reqs, ins[i].history, benchNow)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	n := max(s.decisions.customers, 1)
	fmt.Fprintf(out, "    outreach.Plan alone on the loaded histories: median %s, p95 %s of %d runs (%s µs a customer) · %s\n",
		msf(s.planOnly.runs.median()), msf(s.planOnly.runs.p95()), len(s.planOnly.runs),
		fmt.Sprintf("%.1f", float64(s.planOnly.runs.median().Microseconds())/float64(n)), cpuText(s.planOnly.cpu))
	waitQuiet(ctx, cfg, dialect, out)
	s.stateRead, err = measure(ctx, dialect, 1, cfg.decideReps, func() error {
		for _, id := range s.due.ids {
			if _, _, err := d.decide(ctx, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "    state read + Plan per customer (PlanCustomer's transaction, rolled back): median %s, p95 %s of %d runs (%s ms a customer) · %s\n",
		msf(s.stateRead.runs.median()), msf(s.stateRead.runs.p95()), len(s.stateRead.runs),
		fmt.Sprintf("%.2f", float64(s.stateRead.runs.median().Microseconds())/1000/float64(len(s.due.ids))), cpuText(s.stateRead.cpu))
	return nil
}

// lifetimeCandidates are the customers StartedBetween returns for any
// month of the schedules: those who get a lifetime request.
func lifetimeCandidates(ctx context.Context, db *store.DB, schedules []outreach.Schedule, now time.Time) ([]int64, error) {
	var ids []int64
	for _, s := range schedules {
		for _, m := range s.Months {
			from, to := s.StartWindow(m, now, moscow)
			if from.After(to.Time) {
				continue
			}
			got, err := db.StartedBetween(ctx, from, to, fmt.Sprintf("lifetime:%d:%d", s.ID, m), store.Started{}, everything)
			if err != nil {
				return nil, err
			}
			for _, st := range got {
				ids = append(ids, st.ID)
			}
		}
	}
	return ids, nil
}

func printSummary(out io.Writer, cfg config, sums []*summary) {
	if len(sums) == 0 {
		return
	}
	fmt.Fprintf(out, "\n== summary: who is due now over %s customers (median / p95 of %d runs; plain SQL of %d) ==\n",
		num(float64(cfg.n)), cfg.reps, max(cfg.sqlReps, 1))
	fmt.Fprintf(out, "%-9s %-9s %19s %19s %19s %9s %-26s %13s %17s %s\n", "database", "due", "(a′) round ms", "(a) full sweep ms", "(b) plain SQL ms", "(b)/(a)",
		fmt.Sprintf("round ≤%d ms", cfg.target.Milliseconds()), "Plan only ms", "state+Plan ms", "check")
	for _, s := range sums {
		if s.product.runs == nil {
			fmt.Fprintf(out, "%-9s failed: %v\n", s.dialect, s.err)
			continue
		}
		b, rat := "failed", "-"
		if s.naiveErr == nil && s.naive.runs != nil {
			b, rat = msf(s.naive.runs.median())+" / "+msf(s.naive.runs.p95()), ratio(s.naive.runs.median(), s.product.runs.median())
		}
		verdict := "met"
		if s.round.runs.median() > cfg.target {
			verdict = "NOT met"
		} else if s.round.runs.p95() > cfg.target {
			verdict = "met (p95 over)"
		}
		for _, wi := range s.whatIf {
			if wi.runs.median() <= cfg.target && s.product.runs.median() > cfg.target {
				verdict += "; met with " + wi.short
				break
			}
		}
		check := "✓ same set"
		if !s.same {
			check = "✗ mismatch"
		}
		po, sr := "-", "-"
		if s.planOnly.runs != nil {
			po = msf(s.planOnly.runs.median())
		}
		if s.stateRead.runs != nil {
			sr = msf(s.stateRead.runs.median())
		}
		fmt.Fprintf(out, "%-9s %-9s %19s %19s %19s %9s %-26s %13s %17s %s\n", s.dialect, num(float64(len(s.due.ids))),
			msf(s.round.runs.median())+" / "+msf(s.round.runs.p95()),
			msf(s.product.runs.median())+" / "+msf(s.product.runs.p95()), b, rat, verdict, po, sr, check)
		for _, wi := range s.whatIf {
			fmt.Fprintf(out, "%-9s   what if %s: (a) %s / %s ms\n", "", wi.name, msf(wi.runs.median()), msf(wi.runs.p95()))
		}
	}
	fmt.Fprintln(out)
	for _, s := range sums {
		if s.load.customers == 0 {
			continue
		}
		fmt.Fprintf(out, "%-9s generated %s rows in %.0f s (%.0f + %.0f + %.0f), %s on disk; decided %s\n", s.dialect,
			num(float64(s.load.rows())), s.load.total().Seconds(), s.load.insert.Seconds(), s.load.indexes.Seconds(),
			s.load.after.Seconds(), size(s.load.bytes), s.decisions)
	}
}

func joinInts(v []int) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = num(float64(x))
	}
	return strings.Join(parts, " + ")
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i := range lines {
		lines[i] = prefix + lines[i]
	}
	return strings.Join(lines, "\n") + "\n"
}

// msf formats a duration in milliseconds.
func msf(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms >= 1000:
		return num(ms)
	case ms >= 100:
		return fmt.Sprintf("%.0f", ms)
	case ms >= 10:
		return fmt.Sprintf("%.1f", ms)
	}
	return fmt.Sprintf("%.2f", ms)
}

func ratio(slow, fast time.Duration) string {
	if fast <= 0 {
		return "-"
	}
	r := float64(slow) / float64(fast)
	if r >= 100 {
		return num(r) + "×"
	}
	return fmt.Sprintf("%.1f×", r)
}

// num formats a number with thousands separators, no decimals.
func num(v float64) string { return benchkit.Thousands(fmt.Sprintf("%.0f", v)) }

func size(b int64) string {
	if b < 0 {
		return "?"
	}
	return fmt.Sprintf("%.2f GiB", float64(b)/(1<<30))
}
