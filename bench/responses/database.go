package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"otklik/bench/internal/benchkit"
	"otklik/internal/app" // its store registers the "pgx" and "sqlite" database/sql drivers
)

// benchDatabase runs every phase against one fresh database.
func benchDatabase(ctx context.Context, cfg config, dialect string, out io.Writer) (sum summary) {
	sum.dialect = dialect
	runID := benchkit.RandomHex(4)

	var appCfg app.Config
	var checkDriver, checkDSN, where string
	switch dialect {
	case "sqlite":
		dir, err := os.MkdirTemp("", "otklik-bench-*")
		if err != nil {
			sum.err = err
			return sum
		}
		if !cfg.keepDBFiles {
			defer os.RemoveAll(dir)
		}
		path := filepath.Join(dir, "otklik.db")
		appCfg.DB = path
		checkDriver, checkDSN = "sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=query_only(1)"
		where = path + " (WAL, synchronous=FULL)"
	case "postgres":
		schemaURL, drop, err := benchkit.FreshSchema(ctx, cfg.PgURL, 30*time.Second)
		if err != nil {
			sum.err = err
			return sum
		}
		defer drop()
		appCfg.DatabaseURL = schemaURL
		checkDriver, checkDSN = "pgx", schemaURL
		u, _ := url.Parse(schemaURL)
		where = u.Redacted()
	}
	appCfg.TimeZone = "Europe/Moscow"
	appCfg.AdminEmail = "bench-admin@otklik.local"
	appCfg.BaseURL = "http://127.0.0.1"
	fmt.Fprintf(out, "\n== %s: %s ==\n", dialect, where)

	// The server's goroutines (request handlers, the group-commit workers,
	// database/sql's) carry the label side=server in CPU profiles.
	serverLabels := pprof.Labels("side", "server")
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	var a *app.App
	var err error
	pprof.Do(ctx, serverLabels, func(ctx context.Context) {
		a, err = app.Open(ctx, appCfg, nil, log)
	})
	if err != nil {
		sum.err = err
		return sum
	}
	defer a.Close()

	start := time.Now()
	seed, err := seedData(ctx, a, cfg.customers)
	if err != nil {
		sum.err = fmt.Errorf("seed: %w", err)
		return sum
	}
	fmt.Fprintf(out, "seed: admin + API token, %d managers in %d teams, NPS survey %q (ru/en, %d drivers), %d customers (%v)\n",
		len(seed.managers), len(teams), seed.survey.Key, len(seed.survey.Drivers), len(seed.customers), benchkit.Since(start))

	check, err := sql.Open(checkDriver, checkDSN)
	if err != nil {
		sum.err = err
		return sum
	}
	defer check.Close()
	check.SetMaxOpenConns(1)
	placeholder := "?"
	if dialect == "postgres" {
		placeholder = "$1"
	}
	verifier := &verifier{db: check, placeholder: placeholder}

	// 1. The raw group-commit rate, no HTTP.
	if cfg.rawN > 0 {
		settle(ctx, cfg, out)
		sum.raw, err = rawInsert(ctx, a, seed, cfg, "raw-"+runID+"-")
		if err != nil {
			sum.err = fmt.Errorf("raw insert: %w", err)
			return sum
		}
		stored, err := verifier.count(ctx, "raw-"+runID+"-")
		if err != nil {
			sum.err = err
			return sum
		}
		fmt.Fprintf(out, "raw insert: %s answers via store.DB.AddResponses, %d goroutines × %d answer(s) per call: %v → %s answers/s (per call p50 %s, p99 %s); stored %s\n",
			num(float64(sum.raw.n)), cfg.rawGoroutines, cfg.rawChunk, sum.raw.elapsed.Round(time.Millisecond), num(sum.raw.rate),
			ms(sum.raw.p50), ms(sum.raw.p99), num(float64(stored)))
		if sum.raw.cpu.OK {
			fmt.Fprintf(out, "  cpu during raw insert: %s\n", cpuText(sum.raw.cpu))
		}
		if stored != sum.raw.n {
			sum.err = fmt.Errorf("raw insert: %d answers acknowledged but %d stored", sum.raw.n, stored)
			return sum
		}
	}

	// 2. The server, on loopback.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		sum.err = err
		return sum
	}
	srvCtx, stopServer := context.WithCancel(context.WithoutCancel(ctx))
	served := make(chan error, 1)
	pprof.Do(srvCtx, serverLabels, func(srvCtx context.Context) {
		go func() { served <- a.Serve(srvCtx, ln) }()
	})
	defer func() {
		stopServer()
		if err := <-served; err != nil && sum.err == nil {
			sum.err = fmt.Errorf("serve: %w", err)
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	base := fmt.Sprintf("http://%s:%d", cfg.target, port)
	load := newLoad(cfg, base+"/api/v1/responses", seed, runID)

	if cfg.warmup > 0 {
		w, err := load.attack(ctx, "warmup", 1000, cfg.warmup)
		if err != nil {
			sum.err = err
			return sum
		}
		if err := verifier.verify(ctx, w); err != nil {
			sum.err = err
			return sum
		}
		fmt.Fprintf(out, "warm-up: %s requests at 1000/s, %s × 201, stored %s (not reported below)\n",
			num(float64(w.requests)), num(float64(w.n201)), num(float64(w.stored)))
	}

	profile, stopProfile := benchkit.StartCPUProfile(cfg.cpuProfile, dialect, out)
	if profile != "" {
		fmt.Fprintf(out, "cpu profile of the HTTP phase → %s (go tool pprof -tagfocus side=server -top %s)\n", profile, profile)
	}
	defer stopProfile()

	if !cfg.findMax {
		fmt.Fprintf(out, "HTTP: POST %s at a constant %s req/s for %v (vegeta: %d..%d workers, ≤ %d connections, keep-alive)\n",
			"/api/v1/responses", num(float64(cfg.rate)), cfg.duration, cfg.workers, cfg.maxWorkers, cfg.connections)
		settle(ctx, cfg, out)
		r, err := load.attack(ctx, "run", cfg.rate, cfg.duration)
		if err != nil {
			sum.err = err
			return sum
		}
		verr := verifier.verify(ctx, r)
		r.print(out, cfg)
		sum.http = r
		if verr != nil {
			sum.err = verr
		}
		return sum
	}

	if err := findMax(ctx, cfg, load, verifier, out, &sum); err != nil {
		sum.err = err
	}
	return sum
}

// findMax steps the rate up by cfg.stepBy until two steps in a row fail,
// then refines between the highest passing rate and the next step in
// quarters. sum gets the highest passing rate and its measurements.
func findMax(ctx context.Context, cfg config, load *load, verifier *verifier, out io.Writer, sum *summary) error {
	fmt.Fprintf(out, "HTTP -find-max: %v per step from %s req/s by %s, halving if the first step fails, then in quarter steps\n",
		cfg.stepDuration, num(float64(cfg.stepFrom)), num(float64(cfg.stepBy)))
	fmt.Fprintf(out, "  between the highest pass and the failure above it.\n")
	fmt.Fprintf(out, "  pass = p99 < %v, every request 201, ≥ 98%% of the rate sent, every 201 stored.\n", cfg.p99Budget)
	fmt.Fprintf(out, "  cpu = cores used by this process (and its PostgreSQL backends); others = unrelated processes\n")
	fmt.Fprintf(out, "  %8s %9s %8s %10s %9s %9s %9s %9s %12s %5s %6s  %s\n", "rate/s", "sent/s", "201 %", "answers/s", "p50", "p95", "p99", "max", "stored=201", "cpu", "others", "")
	tried := map[int]bool{}
	var step func(rate int) (bool, error)
	attempts := map[int]int{}
	step = func(rate int) (bool, error) {
		tried[rate] = true
		attempts[rate]++
		settle(ctx, cfg, out)
		r, err := load.attack(ctx, fmt.Sprintf("step%d-%d", rate, attempts[rate]), rate, cfg.stepDuration)
		if err != nil {
			return false, err
		}
		verr := verifier.verify(ctx, r)
		pass := verr == nil && r.passes(cfg, rate)
		mark := "FAIL"
		if pass {
			mark = "pass"
			if rate > sum.maxRate {
				sum.maxRate, sum.http = rate, r
			}
		}
		stored := fmt.Sprintf("%s ✓", num(float64(r.stored)))
		if verr != nil {
			stored = "MISMATCH"
		}
		own, others := "-", "-"
		if r.cpu.OK {
			own, others = fmt.Sprintf("%.2f", r.cpu.Own+r.cpu.Server), fmt.Sprintf("%.2f", r.cpu.Others)
		}
		fmt.Fprintf(out, "  %8s %9s %8.2f %10s %9s %9s %9s %9s %12s %5s %6s  %s%s\n", num(float64(rate)), num(r.sentRate),
			100*float64(r.n201)/float64(max(r.requests, 1)), num(r.throughput), ms(r.p50), ms(r.p95), ms(r.p99), ms(r.max),
			stored, own, others, mark, r.failureNote(cfg, rate))
		if verr != nil {
			fmt.Fprintf(out, "    durability: %v\n", verr)
			return false, verr
		}
		if !pass && cfg.quiet > 0 && r.cpu.OK && r.cpu.Others >= cfg.quiet && attempts[rate] < 3 {
			fmt.Fprintf(out, "  (unrelated processes took %.2f cores during that step: trying it again)\n", r.cpu.Others)
			return step(rate)
		}
		return pass, nil
	}

	failures := 0
	for rate := cfg.stepFrom; rate <= cfg.stepTo && ctx.Err() == nil; rate += cfg.stepBy {
		pass, err := step(rate)
		if err != nil {
			return err
		}
		if pass {
			failures = 0
		} else if failures++; failures >= 2 {
			break // two failed steps in a row: higher rates will not pass either
		}
	}
	// Even the first step failed: halve the rate until one passes.
	for rate := cfg.stepFrom / 2; sum.maxRate == 0 && rate >= 250 && ctx.Err() == nil; rate /= 2 {
		if _, err := step(rate); err != nil {
			return err
		}
	}
	// Refine between the highest pass and the lowest failure above it.
	ceiling := 0
	for rate := range tried {
		if rate > sum.maxRate && (ceiling == 0 || rate < ceiling) {
			ceiling = rate
		}
	}
	if base := sum.maxRate; base > 0 && ceiling > 0 {
		for fine, rate := (ceiling-base)/4, base+(ceiling-base)/4; fine >= 50 && rate < ceiling && ctx.Err() == nil; rate += fine {
			pass, err := step(rate)
			if err != nil {
				return err
			}
			if !pass {
				break
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if sum.maxRate > 0 {
		fmt.Fprintf(out, "highest rate with p99 < %v and 100%% success: %s req/s (%s answers/s, p50 %s, p99 %s)\n",
			cfg.p99Budget, num(float64(sum.maxRate)), num(sum.http.throughput), ms(sum.http.p50), ms(sum.http.p99))
	} else {
		fmt.Fprintf(out, "no step met p99 < %v with 100%% success\n", cfg.p99Budget)
	}
	return nil
}

// verifier checks in the database that what the API acknowledged is stored.
type verifier struct {
	db          *sql.DB
	placeholder string
}

// count returns how many answers have an idempotency key starting with prefix.
func (v *verifier) count(ctx context.Context, prefix string) (int, error) {
	var n int
	err := v.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM responses WHERE idempotency_key LIKE "+v.placeholder, likePrefix(prefix)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("durability check: %w", err)
	}
	return n, nil
}

// verify reads back every answer the attack sent (each carries a key with
// the attack's prefix) and checks that the stored ones are exactly those
// acknowledged with 201: every 2xx was committed, nothing else was.
func (v *verifier) verify(ctx context.Context, r *attackResult) error {
	rows, err := v.db.QueryContext(ctx, "SELECT id FROM responses WHERE idempotency_key LIKE "+v.placeholder, likePrefix(r.keyPrefix))
	if err != nil {
		return fmt.Errorf("durability check: %w", err)
	}
	defer rows.Close()
	stored := make(map[int64]struct{}, r.n201)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("durability check: %w", err)
		}
		stored[id] = struct{}{}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("durability check: %w", err)
	}
	r.stored = len(stored)
	for _, id := range r.ids {
		if _, ok := stored[id]; !ok {
			r.missing++
		}
	}
	r.checked = true
	if r.missing > 0 || r.stored != r.n201 {
		return fmt.Errorf("durability check failed: %d answers acknowledged with 201, %d stored, %d acknowledged ids missing", r.n201, r.stored, r.missing)
	}
	return nil
}

func likePrefix(p string) string {
	// Keys are made of letters, digits and '-': nothing to escape.
	return p + "%"
}

// settle lets the server drain (and, with -quiet, waits for a quiet
// machine) before a measured phase.
func settle(ctx context.Context, cfg config, out io.Writer) {
	if cfg.quiet > 0 {
		waitQuiet(ctx, cfg.quiet, cfg.quietWait, out)
		return
	}
	select {
	case <-time.After(time.Second):
	case <-ctx.Done():
	}
}
