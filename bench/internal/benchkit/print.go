package benchkit

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"
	"time"
)

// Thousands puts thousands separators into an integer's decimal text
// ("-1234567" → "-1,234,567"). Each program rounds its figures its own
// way first, so this takes the digits rather than a number.
func Thousands(digits string) string {
	neg := strings.HasPrefix(digits, "-")
	s := strings.TrimPrefix(digits, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Since is the time since t to 10 ms, as setup steps are reported.
func Since(t time.Time) time.Duration { return time.Since(t).Round(10 * time.Millisecond) }

// StartCPUProfile starts a CPU profile in base-<dialect>.pprof when base is
// set (a run measures several databases, each gets its own file). It
// returns the file's name, "" when there is no profile (a failure is said
// on out), and what stops the profile.
func StartCPUProfile(base, dialect string, out io.Writer) (string, func()) {
	if base == "" {
		return "", func() {}
	}
	name := strings.TrimSuffix(base, ".pprof") + "-" + dialect + ".pprof"
	f, err := os.Create(name)
	if err != nil {
		fmt.Fprintf(out, "cpu profile: %v\n", err)
		return "", func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		fmt.Fprintf(out, "cpu profile: %v\n", err)
		return "", func() {}
	}
	return name, func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
