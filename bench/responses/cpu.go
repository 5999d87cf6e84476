package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"otklik/bench/internal/benchkit"
)

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
	benchkit.WaitQuiet(ctx, threshold, limit, postgresTicks, func(e benchkit.QuietEvent, others float64, waited bool) {
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
