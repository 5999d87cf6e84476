package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"time"

	"otklik/bench/internal/benchkit"
)

// cpuText says how many cores this process, the PostgreSQL backends
// serving it and unrelated processes kept busy.
func cpuText(u benchkit.CPUUse) string {
	if !u.OK {
		return "unknown"
	}
	s := fmt.Sprintf("this process %.2f cores", u.Own)
	if u.Server >= 0.01 {
		s += fmt.Sprintf(", PostgreSQL server %.2f", u.Server)
	}
	return s + fmt.Sprintf(", unrelated processes %.2f — of %d", u.Others, runtime.NumCPU())
}

// waitQuiet waits, up to limit, until unrelated processes use less than
// threshold cores for a second: other jobs on a shared 2-core machine make
// the figures meaningless. The PostgreSQL backends serving this process do
// not count as unrelated.
func waitQuiet(ctx context.Context, threshold float64, limit time.Duration, out io.Writer) {
	benchkit.WaitQuiet(ctx, threshold, limit, benchkit.PostgresTicks, func(e benchkit.QuietEvent, others float64, waited bool) {
		switch {
		case e == benchkit.Waiting:
			fmt.Fprintf(out, "  waiting for other processes to leave the CPU (%.2f cores busy)…", others)
		case e == benchkit.Quiet:
			fmt.Fprintf(out, " quiet (%.2f cores)\n", others)
		case e == benchkit.GaveUp && waited:
			fmt.Fprintf(out, " still busy (%.2f cores); measuring anyway\n", others)
		}
	})
}
