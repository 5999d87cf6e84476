package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"otklik/bench/internal/benchkit"
)

// serverTicks is the PostgreSQL accounting for a dialect, nil for SQLite
// (in process: its work is this process's).
func serverTicks(dialect string) func() float64 {
	if dialect == "postgres" {
		return benchkit.PostgresTicks
	}
	return nil
}

// cpuText says how many cores this process, the PostgreSQL backends
// serving it and unrelated processes kept busy.
func cpuText(u benchkit.CPUUse) string {
	if !u.OK {
		return "cores: unknown"
	}
	s := fmt.Sprintf("cores: this process %.2f", u.Own)
	if u.Server >= 0.01 {
		s += fmt.Sprintf(", its PostgreSQL backends %.2f", u.Server)
	}
	return s + fmt.Sprintf(", others %.2f", u.Others)
}

// waitQuiet waits, up to -quiet-wait, until unrelated processes use fewer
// than -quiet cores: after a bulk load the kernel's write-back and the
// database's checkpointer keep a core busy for a while, and other
// engineers' tests share the two cores.
func waitQuiet(ctx context.Context, cfg config, dialect string, out io.Writer) {
	benchkit.WaitQuiet(ctx, cfg.quiet, cfg.quietWait, serverTicks(dialect), func(e benchkit.QuietEvent, others float64, _ bool) {
		switch e {
		case benchkit.Waiting:
			fmt.Fprintf(out, "  (other processes use %.2f cores: waiting up to %v for them to settle)\n", others, cfg.quietWait)
		case benchkit.Quiet:
			fmt.Fprintf(out, "  (quiet now: others %.2f cores)\n", others)
		case benchkit.GaveUp:
			fmt.Fprintf(out, "  (other processes still use %.2f cores after %v: measuring anyway)\n", others, cfg.quietWait)
		}
	})
}

// timings are the durations of repeated runs.
type timings []time.Duration

func (t timings) sorted() timings {
	s := slices.Clone(t)
	slices.Sort(s)
	return s
}

// median is the middle run (the mean of the two middle ones for an even
// count).
func (t timings) median() time.Duration {
	s := t.sorted()
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// p95 is the nearest-rank 95th percentile: of 20 runs, the 19th fastest.
func (t timings) p95() time.Duration {
	s := t.sorted()
	if len(s) == 0 {
		return 0
	}
	k := (95*len(s) + 99) / 100 // ceil(0.95 n)
	return s[max(k, 1)-1]
}

// measured is a phase's runs and how busy the machine was meanwhile.
type measured struct {
	runs timings
	cpu  benchkit.CPUUse
}

// measure runs fn warm times unmeasured, then reps times measured, and
// samples the CPU around the measured runs.
func measure(ctx context.Context, dialect string, warm, reps int, fn func() error) (measured, error) {
	var m measured
	for range warm {
		if err := fn(); err != nil {
			return m, err
		}
	}
	a := benchkit.SampleCPU(serverTicks(dialect))
	for range reps {
		if ctx.Err() != nil {
			return m, ctx.Err()
		}
		start := time.Now()
		if err := fn(); err != nil {
			return m, err
		}
		m.runs = append(m.runs, time.Since(start))
	}
	m.cpu = benchkit.CPUBetween(a, benchkit.SampleCPU(serverTicks(dialect)))
	return m, nil
}
