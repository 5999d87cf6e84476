package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"otklik/bench/internal/benchkit"
)

// postgresTicks sums the CPU time of the local PostgreSQL server's
// processes that work for this benchmark: the backends serving this
// process's connections and the server's background processes (WAL
// writer, checkpointer…); backends serving other clients — other
// engineers' tests — count as unrelated load. (The same accounting as
// bench/responses.)
func postgresTicks() float64 {
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	ours := ownPostgresPorts()
	var sum float64
	for _, d := range dirs {
		if _, err := strconv.Atoi(d.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil {
			continue
		}
		open, close := strings.IndexByte(string(b), '('), strings.LastIndexByte(string(b), ')')
		if open < 0 || close < open || string(b[open+1:close]) != "postgres" {
			continue
		}
		if port, ok := backendPort(d.Name()); ok && !ours[port] {
			continue
		}
		f := strings.Fields(string(b[close+1:]))
		if len(f) < 13 {
			continue
		}
		u, _ := strconv.ParseFloat(f[11], 64)
		st, _ := strconv.ParseFloat(f[12], 64)
		sum += u + st
	}
	return sum
}

// backendPort reads the client port from a backend's process title,
// "postgres: 15/main: user db 127.0.0.1(43210) idle".
func backendPort(pid string) (int, bool) {
	b, err := os.ReadFile("/proc/" + pid + "/cmdline")
	if err != nil {
		return 0, false
	}
	title := string(b)
	i := strings.Index(title, "127.0.0.1(")
	if i < 0 {
		if i = strings.Index(title, "::1("); i < 0 {
			return 0, false
		}
	}
	rest := title[strings.IndexByte(title[i:], '(')+i+1:]
	j := strings.IndexByte(rest, ')')
	if j < 0 {
		return 0, false
	}
	port, err := strconv.Atoi(rest[:j])
	return port, err == nil
}

// ownPostgresPorts returns the local ports of this process's TCP
// connections to port 5432.
func ownPostgresPorts() map[int]bool {
	inodes := map[string]bool{}
	fds, _ := os.ReadDir("/proc/self/fd")
	for _, fd := range fds {
		if l, err := os.Readlink("/proc/self/fd/" + fd.Name()); err == nil && strings.HasPrefix(l, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]")] = true
		}
	}
	ports := map[int]bool{}
	for _, table := range []string{"/proc/self/net/tcp", "/proc/self/net/tcp6"} {
		b, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) < 10 || !inodes[f[9]] || !strings.HasSuffix(f[2], ":1538") { // 0x1538 = 5432
				continue
			}
			_, hexPort, _ := strings.Cut(f[1], ":")
			if p, err := strconv.ParseInt(hexPort, 16, 32); err == nil {
				ports[int(p)] = true
			}
		}
	}
	return ports
}

// serverTicks is the PostgreSQL accounting for a dialect, nil for SQLite
// (in process: its work is this process's).
func serverTicks(dialect string) func() float64 {
	if dialect == "postgres" {
		return postgresTicks
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
