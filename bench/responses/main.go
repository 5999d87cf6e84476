// Command responses is Otklik's load benchmark for the answer write path.
//
// It starts the whole application in this process on 127.0.0.1 against a
// fresh database (a temporary SQLite file always; a fresh PostgreSQL schema
// when -pg or OTKLIK_TEST_DATABASE_URL names a server), seeds it, measures
// the raw group-commit insert rate through store.DB.AddResponses, and then
// drives POST /api/v1/responses with vegeta at a constant rate for a bounded
// time. Every 201 is then checked against the database: an answer is
// acknowledged only after its commit, so each one must be stored.
//
//	go run ./bench/responses [-rate 8000] [-duration 10s] [-find-max] [-db all|sqlite|postgres]
//
// See bench/README.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"runtime"
	"strings"
	"time"

	"otklik/bench/internal/benchkit"
)

// Bounds that keep a run from turning into a flood, whatever the flags say.
const (
	maxDuration    = 60 * time.Second
	maxRate        = 50000
	maxWorkersCap  = 1024
	maxRawAnswers  = 1_000_000
	maxRawRoutines = 1024
	maxSteps       = 30
)

// config is what the flags set.
type config struct {
	rate        int
	duration    time.Duration
	warmup      time.Duration
	workers     int
	maxWorkers  int
	connections int
	timeout     time.Duration

	rawN, rawGoroutines, rawChunk int
	customers                     int
	spread                        time.Duration

	benchkit.Databases
	target string // the loopback host the attack addresses

	findMax                  bool
	stepFrom, stepBy, stepTo int
	stepDuration             time.Duration
	p99Budget                time.Duration
	targetRate               int // the goal, for the verdict
	cpuProfile               string
	quiet                    float64
	quietWait                time.Duration
	keepDBFiles              bool
}

func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("responses", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&c.rate, "rate", 8000, "requests per second for the fixed-rate run")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "length of the fixed-rate run (at most 60s)")
	fs.DurationVar(&c.warmup, "warmup", time.Second, "un-reported warm-up at 1000/s before measuring (0 to skip)")
	fs.IntVar(&c.workers, "workers", 64, "vegeta workers at start")
	fs.IntVar(&c.maxWorkers, "max-workers", 256, "most vegeta workers (each holds at most one request in flight)")
	fs.IntVar(&c.connections, "connections", 256, "most TCP connections to the server")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Second, "per-request timeout")
	fs.IntVar(&c.rawN, "raw", 50000, "answers written straight through store.DB.AddResponses (0 to skip)")
	fs.IntVar(&c.rawGoroutines, "raw-goroutines", 64, "goroutines writing the raw answers concurrently")
	fs.IntVar(&c.rawChunk, "raw-chunk", 1, "answers per AddResponses call in the raw phase (1 = like one POST each)")
	fs.IntVar(&c.customers, "customers", 1000, "customers to seed")
	fs.DurationVar(&c.spread, "spread", time.Minute, "answered_at lies up to this long before now (0: leave it to the server); 720h scatters answers over a month, touching random index pages")
	c.Databases.AddFlags(fs)
	fs.StringVar(&c.target, "target", "127.0.0.1", "host to attack: only 127.0.0.1 or localhost (the server always listens on 127.0.0.1, random port)")
	fs.BoolVar(&c.findMax, "find-max", false, "step the rate up in short runs and report the highest rate meeting the p99 budget with 100% success")
	fs.IntVar(&c.stepFrom, "step-from", 2000, "-find-max: first rate")
	fs.IntVar(&c.stepBy, "step-by", 2000, "-find-max: rate increment")
	fs.IntVar(&c.stepTo, "step-to", 20000, "-find-max: last rate tried")
	fs.DurationVar(&c.stepDuration, "step-duration", 3*time.Second, "-find-max: length of each step (at most 60s)")
	fs.DurationVar(&c.p99Budget, "p99", 25*time.Millisecond, "p99 latency budget")
	fs.IntVar(&c.targetRate, "goal", 8000, "answers/s the issue asks for (for the verdict only)")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the HTTP phase to FILE-<db>.pprof (server goroutines labelled side=server, vegeta side=loadgen)")
	fs.Float64Var(&c.quiet, "quiet", 0.3, "before each measured phase, wait until unrelated processes use fewer cores than this (0 = don't wait)")
	fs.DurationVar(&c.quietWait, "quiet-wait", 90*time.Second, "longest wait for -quiet before measuring anyway")
	fs.BoolVar(&c.keepDBFiles, "keep", false, "keep the temporary SQLite file (the PostgreSQL schema is always dropped)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	host, err := loopbackHost(c.target)
	if err != nil {
		return c, err
	}
	c.target = host
	if err := c.Databases.Check(getenv); err != nil {
		return c, err
	}
	switch {
	case c.duration <= 0 || c.duration > maxDuration:
		return c, fmt.Errorf("-duration %v: must be in (0, %v]", c.duration, maxDuration)
	case c.stepDuration <= 0 || c.stepDuration > maxDuration:
		return c, fmt.Errorf("-step-duration %v: must be in (0, %v]", c.stepDuration, maxDuration)
	case c.warmup < 0 || c.warmup > 10*time.Second:
		return c, fmt.Errorf("-warmup %v: must be in [0, 10s]", c.warmup)
	case c.rate < 1 || c.rate > maxRate:
		return c, fmt.Errorf("-rate %d: must be in [1, %d]", c.rate, maxRate)
	case c.stepFrom < 1 || c.stepBy < 1 || c.stepTo < c.stepFrom || c.stepTo > maxRate:
		return c, fmt.Errorf("-step-from/-step-by/-step-to: need 1 ≤ from ≤ to ≤ %d and by ≥ 1", maxRate)
	case (c.stepTo-c.stepFrom)/c.stepBy+1 > maxSteps:
		return c, fmt.Errorf("-find-max would take more than %d steps", maxSteps)
	case c.workers < 1 || c.maxWorkers < c.workers || c.maxWorkers > maxWorkersCap:
		return c, fmt.Errorf("-workers/-max-workers: need 1 ≤ workers ≤ max-workers ≤ %d", maxWorkersCap)
	case c.connections < 1 || c.connections > maxWorkersCap:
		return c, fmt.Errorf("-connections %d: must be in [1, %d]", c.connections, maxWorkersCap)
	case c.timeout <= 0 || c.timeout > time.Minute:
		return c, fmt.Errorf("-timeout %v: must be in (0, 1m]", c.timeout)
	case c.rawN < 0 || c.rawN > maxRawAnswers:
		return c, fmt.Errorf("-raw %d: must be in [0, %d]", c.rawN, maxRawAnswers)
	case c.rawGoroutines < 1 || c.rawGoroutines > maxRawRoutines:
		return c, fmt.Errorf("-raw-goroutines %d: must be in [1, %d]", c.rawGoroutines, maxRawRoutines)
	case c.rawChunk < 1 || c.rawChunk > 1000:
		return c, fmt.Errorf("-raw-chunk %d: must be in [1, 1000]", c.rawChunk)
	case c.quietWait < 0 || c.quietWait > 10*time.Minute:
		return c, fmt.Errorf("-quiet-wait %v: must be in [0, 10m]", c.quietWait)
	case c.spread < 0 || c.spread > 20*365*24*time.Hour:
		return c, fmt.Errorf("-spread %v: must be in [0, 20 years]", c.spread)
	case c.customers < 1 || c.customers > 100000:
		return c, fmt.Errorf("-customers %d: must be in [1, 100000]", c.customers)
	}
	return c, nil
}

// loopbackHost accepts 127.0.0.1 or localhost, bare or as an http URL
// without a port (the port is chosen at random), and refuses anything else:
// this tool never sends load off the machine.
func loopbackHost(target string) (string, error) {
	h := strings.TrimSpace(target)
	if strings.Contains(h, "://") {
		u, err := url.Parse(h)
		if err != nil || u.Scheme != "http" || u.Port() != "" || (u.Path != "" && u.Path != "/") {
			return "", fmt.Errorf("-target %q: give only the host, 127.0.0.1 or localhost", target)
		}
		h = u.Hostname()
	}
	if _, _, err := net.SplitHostPort(h); err == nil {
		return "", fmt.Errorf("-target %q: give no port; the server listens on a random port of 127.0.0.1", target)
	}
	switch strings.ToLower(h) {
	case "127.0.0.1", "localhost":
		return strings.ToLower(h), nil
	}
	return "", fmt.Errorf("-target %q refused: this benchmark only sends load to loopback (127.0.0.1 or localhost)", target)
}

func main() { benchkit.Main(parseFlags, run) }

// summary is one database's line in the final table.
type summary struct {
	dialect string
	raw     rawResult
	http    *attackResult // the fixed-rate run, or the best passing -find-max step
	maxRate int           // -find-max: highest passing rate (0 = none)
	err     error
}

func run(ctx context.Context, cfg config, out io.Writer) error {
	fmt.Fprintf(out, "Otklik load benchmark: the answer write path (POST /api/v1/responses)\n")
	fmt.Fprintf(out, "machine: %d CPUs, GOMAXPROCS %d, %s/%s, %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, runtime.Version())
	fmt.Fprintf(out, "note: vegeta (the load generator) and the Otklik server run in this one process and share these %d cores;\n", runtime.NumCPU())
	fmt.Fprintf(out, "      on its own machine the server would do better. Loopback only (%s), bounded rate × duration.\n", cfg.target)

	dialects := cfg.Dialects(out)

	var sums []summary
	for _, d := range dialects {
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
	for _, s := range sums {
		if s.err != nil {
			return fmt.Errorf("%s: %w", s.dialect, s.err)
		}
	}
	return ctx.Err()
}

func printSummary(out io.Writer, cfg config, sums []summary) {
	fmt.Fprintf(out, "\n== summary ")
	if cfg.findMax {
		fmt.Fprintf(out, "(-find-max: highest rate with p99 < %v and 100%% success, %v steps) ==\n", cfg.p99Budget, cfg.stepDuration)
	} else {
		fmt.Fprintf(out, "(constant %d req/s for %v) ==\n", cfg.rate, cfg.duration)
	}
	fmt.Fprintf(out, "%-9s %13s %15s %9s %9s %9s  %s\n", "database", "raw insert/s", "HTTP answers/s", "p50", "p99", "HTTP/raw", verdictHeader(cfg))
	for _, s := range sums {
		if s.err != nil && s.http == nil {
			fmt.Fprintf(out, "%-9s %13s %15s %9s %9s %9s  %s\n", s.dialect, num(s.raw.rate), "-", "-", "-", "-", "failed")
			continue
		}
		thr, p50, p99, ratio := "-", "-", "-", "-"
		if s.http != nil {
			thr, p50, p99 = num(s.http.throughput), ms(s.http.p50), ms(s.http.p99)
			if s.raw.rate > 0 {
				ratio = fmt.Sprintf("%.2f", s.http.throughput/s.raw.rate)
			}
		}
		raw := "-"
		if s.raw.n > 0 {
			raw = num(s.raw.rate)
		}
		fmt.Fprintf(out, "%-9s %13s %15s %9s %9s %9s  %s\n", s.dialect, raw, thr, p50, p99, ratio, verdict(cfg, s))
	}
	fmt.Fprintf(out, "(load generator and server share %d cores; raw = store.DB.AddResponses from %d goroutines, %d per call, no HTTP)\n",
		runtime.NumCPU(), cfg.rawGoroutines, cfg.rawChunk)
}

func verdictHeader(cfg config) string {
	if cfg.findMax {
		return "max rate meeting budget"
	}
	return fmt.Sprintf("goal ≥%s/s, p99 <%v", num(float64(cfg.targetRate)), cfg.p99Budget)
}

func verdict(cfg config, s summary) string {
	if cfg.findMax {
		if s.maxRate == 0 {
			return "no rate passed"
		}
		v := fmt.Sprintf("%s/s", num(float64(s.maxRate)))
		if s.maxRate >= cfg.targetRate {
			return v + " (goal met)"
		}
		return v + " (goal NOT met)"
	}
	if s.http == nil {
		return "-"
	}
	if s.http.passes(cfg, cfg.rate) && s.http.throughput >= 0.99*float64(cfg.targetRate) {
		return "met"
	}
	return "NOT met"
}
