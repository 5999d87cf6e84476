package benchkit

import (
	"os"
	"strconv"
	"strings"
)

// PostgresTicks sums the CPU time of the local PostgreSQL server's processes
// that work for this benchmark: the backends serving this process's
// connections and the server's background processes (WAL writer,
// checkpointer…). Backends serving other clients count as unrelated load.
func PostgresTicks() float64 {
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
