package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuSample is the machine's and this process's CPU time at one moment, so
// that a run can tell whether other processes competed for the two cores
// while queries were timed. It reads /proc/stat: elsewhere it reports
// nothing.
type cpuSample struct {
	at          time.Time
	busy, total float64 // machine, in clock ticks
	own         time.Duration
	ok          bool
}

func sampleCPU() cpuSample {
	s := cpuSample{at: time.Now()}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.own = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return s
	}
	for i, v := range f[1:] {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return s
		}
		if i >= 8 { // guest time is already counted in user
			break
		}
		s.total += x
		if i != 3 && i != 4 { // idle, iowait
			s.busy += x
		}
	}
	s.ok = true
	return s
}

// others returns the cores that processes other than this one used between
// a and b (the PostgreSQL server included), and this process's.
func others(a, b cpuSample, cores int) (other, own float64, ok bool) {
	if !a.ok || !b.ok || b.total <= a.total {
		return 0, 0, false
	}
	wall := b.at.Sub(a.at).Seconds()
	if wall <= 0 {
		return 0, 0, false
	}
	busy := (b.busy - a.busy) / (b.total - a.total) * float64(cores) // cores busy on average
	own = (b.own - a.own).Seconds() / wall
	return max(busy-own, 0), own, true
}

// waitQuiet waits, up to limit, until processes other than this one use
// fewer than threshold cores over a one-second window: after a bulk load
// the kernel's write-back and the database's checkpointer keep a core busy
// for a while, and a query timed meanwhile measures them too. It returns
// the last figure seen.
func waitQuiet(ctx context.Context, threshold float64, limit time.Duration, out io.Writer) float64 {
	if threshold <= 0 {
		return 0
	}
	deadline := time.Now().Add(limit)
	told := false
	for {
		a := sampleCPU()
		select {
		case <-ctx.Done():
			return 0
		case <-time.After(time.Second):
		}
		other, _, ok := others(a, sampleCPU(), runtime.NumCPU())
		if !ok || other < threshold {
			if told {
				fmt.Fprintf(out, "  (quiet now: others %.2f cores)\n", other)
			}
			return other
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(out, "  (other processes still use %.2f cores after %v: measuring anyway)\n", other, limit)
			return other
		}
		if !told {
			fmt.Fprintf(out, "  (other processes use %.2f cores: waiting up to %v for them to settle)\n", other, limit)
			told = true
		}
	}
}
