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
// that a run can tell how much of the machine other processes took: on a
// shared 2-core machine that is the first thing to rule out.
type cpuSample struct {
	at          time.Time
	busy, total float64 // machine, in clock ticks (from /proc/stat)
	postgres    float64 // the PostgreSQL server's processes, in clock ticks
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
	s.postgres = postgresTicks()
	s.ok = true
	return s
}

// postgresTicks sums the CPU time of the local PostgreSQL server's processes
// that work for this benchmark: the backends serving this process's
// connections and the server's background processes (WAL writer,
// checkpointer…). Backends serving other clients count as unrelated load.
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
			continue // a backend of another client
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

// cpuUse is how many cores this process and the rest of the machine kept
// busy between two samples.
type cpuUse struct {
	own, postgres, others float64
	ok                    bool
}

func cpuBetween(a, b cpuSample) cpuUse {
	wall := b.at.Sub(a.at).Seconds()
	if !a.ok || !b.ok || wall <= 0 || b.total <= a.total {
		return cpuUse{}
	}
	cores := float64(runtime.NumCPU())
	machine := (b.busy - a.busy) / (b.total - a.total) * cores
	pg := max(b.postgres-a.postgres, 0) / (b.total - a.total) * cores
	own := (b.own - a.own).Seconds() / wall
	return cpuUse{own: own, postgres: pg, others: max(machine-own-pg, 0), ok: true}
}

func (u cpuUse) String() string {
	if !u.ok {
		return "unknown"
	}
	s := fmt.Sprintf("this process %.2f cores", u.own)
	if u.postgres >= 0.01 {
		s += fmt.Sprintf(", PostgreSQL server %.2f", u.postgres)
	}
	return s + fmt.Sprintf(", unrelated processes %.2f — of %d", u.others, runtime.NumCPU())
}

// waitQuiet waits, up to limit, until unrelated processes use less than
// threshold cores for a second: other jobs on a shared 2-core machine make
// the figures meaningless. It returns what it last measured.
func waitQuiet(ctx context.Context, threshold float64, limit time.Duration, out io.Writer) cpuUse {
	deadline := time.Now().Add(limit)
	told := false
	for {
		a := sampleCPU()
		select {
		case <-ctx.Done():
			return cpuUse{}
		case <-time.After(time.Second):
		}
		u := cpuBetween(a, sampleCPU())
		if !u.ok || u.others < threshold {
			if told {
				fmt.Fprintf(out, " quiet (%.2f cores)\n", u.others)
			}
			return u
		}
		if time.Now().After(deadline) {
			if told {
				fmt.Fprintf(out, " still busy (%.2f cores); measuring anyway\n", u.others)
			}
			return u
		}
		if !told {
			fmt.Fprintf(out, "  waiting for other processes to leave the CPU (%.2f cores busy)…", u.others)
			told = true
		}
	}
}
