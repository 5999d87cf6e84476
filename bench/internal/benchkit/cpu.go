package benchkit

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// CPUSample is the machine's and this process's CPU time at one moment, so
// that a run can tell how much of the machine other processes took: on a
// shared two-core machine that is the first thing to rule out. It reads
// /proc/stat: elsewhere OK stays false and the figures mean nothing.
type CPUSample struct {
	At          time.Time
	Busy, Total float64 // machine, in clock ticks (from /proc/stat)
	Server      float64 // processes working for this one (a database server's), in clock ticks
	Own         time.Duration
	OK          bool
}

// SampleCPU takes a sample. server, when not nil, returns the clock ticks of
// the processes that work for this one (the PostgreSQL backends serving
// it), so that they are told apart from unrelated load; nil counts them
// with the others.
func SampleCPU(server func() float64) CPUSample {
	s := CPUSample{At: time.Now()}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.Own = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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
		s.Total += x
		if i != 3 && i != 4 { // idle, iowait
			s.Busy += x
		}
	}
	if server != nil {
		s.Server = server()
	}
	s.OK = true
	return s
}

// CPUUse is how many cores, on average, this process, the processes working
// for it and the rest of the machine kept busy between two samples.
type CPUUse struct {
	Own, Server, Others float64
	OK                  bool
}

// CPUBetween returns the use between samples a and b (b the later).
func CPUBetween(a, b CPUSample) CPUUse {
	wall := b.At.Sub(a.At).Seconds()
	if !a.OK || !b.OK || wall <= 0 || b.Total <= a.Total {
		return CPUUse{}
	}
	cores := float64(runtime.NumCPU())
	machine := (b.Busy - a.Busy) / (b.Total - a.Total) * cores
	server := max(b.Server-a.Server, 0) / (b.Total - a.Total) * cores
	own := (b.Own - a.Own).Seconds() / wall
	return CPUUse{Own: own, Server: server, Others: max(machine-own-server, 0), OK: true}
}

// QuietEvent is what WaitQuiet reports along the way; each program words
// it in its own output.
type QuietEvent int

const (
	// Waiting: others use too much; the wait begins (reported once).
	Waiting QuietEvent = iota
	// Quiet: after a wait, others fell under the threshold.
	Quiet
	// GaveUp: the limit passed with others still over the threshold, and
	// the caller measures anyway.
	GaveUp
)

// WaitQuiet waits, up to limit, until processes other than this one (and
// those server counts, see SampleCPU) use fewer than threshold cores over a
// one-second window: other jobs on a shared machine, or the kernel's
// write-back and a database's checkpointer after a bulk load, would be
// measured too. note hears each event, with the cores others used and
// whether Waiting was reported before. A threshold ≤ 0 does not wait. It
// returns what it measured last.
func WaitQuiet(ctx context.Context, threshold float64, limit time.Duration, server func() float64, note func(e QuietEvent, others float64, waited bool)) CPUUse {
	if threshold <= 0 {
		return CPUUse{}
	}
	deadline := time.Now().Add(limit)
	waited := false
	for {
		a := SampleCPU(server)
		select {
		case <-ctx.Done():
			return CPUUse{}
		case <-time.After(time.Second):
		}
		u := CPUBetween(a, SampleCPU(server))
		if !u.OK || u.Others < threshold {
			if waited {
				note(Quiet, u.Others, waited)
			}
			return u
		}
		if time.Now().After(deadline) {
			note(GaveUp, u.Others, waited)
			return u
		}
		if !waited {
			note(Waiting, u.Others, waited)
			waited = true
		}
	}
}
