package outreach

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"otklik"
)

// Duration is a time.Duration written as an ISO 8601 duration: "PT30M",
// "PT12H", "P3D", "P1DT12H", "P2W". A day is exactly 24 hours and a week
// 7 days: the delays it measures are "three days after the event", not
// calendar arithmetic, and the quiet hours in the customer's zone decide the
// wall-clock moment afterwards. Years and months are refused because their
// length depends on where they start.
type Duration time.Duration

const (
	day  = 24 * time.Hour
	week = 7 * day
)

// Days returns a Duration of n days.
func Days(n int) Duration { return Duration(time.Duration(n) * day) }

// Hours returns a Duration of n hours.
func Hours(n int) Duration { return Duration(time.Duration(n) * time.Hour) }

// Minutes returns a Duration of n minutes.
func Minutes(n int) Duration { return Duration(time.Duration(n) * time.Minute) }

// durationUnit is one designator of the ISO form, in the order the form
// allows them: weeks and days before the 'T', hours, minutes and seconds
// after it.
type durationUnit struct {
	letter byte
	timed  bool // after the 'T'
	size   time.Duration
}

var durationUnits = [...]durationUnit{
	{'W', false, week},
	{'D', false, day},
	{'H', true, time.Hour},
	{'M', true, time.Minute},
	{'S', true, time.Second},
}

// ParseDuration reads an ISO 8601 duration of weeks, days, hours, minutes
// and seconds ("P1DT12H"; a decimal fraction only on the seconds, "PT1.5S").
// The designators are case-insensitive. It refuses a negative duration,
// years and months, components out of order or repeated, fractions
// elsewhere, and values beyond about 290 years, each with a message that
// says what to write instead. The error is an otklik EINVALID error.
func ParseDuration(s string) (Duration, error) {
	d, msg := parseDuration(s)
	if msg != "" {
		return 0, otklik.Errorf(otklik.EINVALID, "%q is not a duration: %s", truncate(s, 40), msg)
	}
	return d, nil
}

// parseDuration returns the duration or, when s is not one, why not.
func parseDuration(s string) (Duration, string) {
	const form = `write an ISO 8601 duration such as "PT30M", "PT12H", "P3D" or "P1DT12H"`
	switch {
	case s == "":
		return 0, "it is empty; " + form
	case s[0] == '-':
		return 0, "it must not be negative"
	case s[0] != 'P' && s[0] != 'p':
		return 0, "it must start with P; " + form
	}
	rest := s[1:]
	var total time.Duration
	next := 0 // index in durationUnits of the first designator still allowed
	timed, parts := false, 0
	for rest != "" {
		if rest[0] == 'T' || rest[0] == 't' {
			if timed {
				return 0, "it has T twice; " + form
			}
			timed, rest = true, rest[1:]
			if rest == "" {
				return 0, "nothing follows T; " + form
			}
			for next < len(durationUnits) && !durationUnits[next].timed {
				next++
			}
			continue
		}
		n := 0
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		digits := rest[:n]
		frac := ""
		if n < len(rest) && (rest[n] == '.' || rest[n] == ',') {
			m := n + 1
			for m < len(rest) && rest[m] >= '0' && rest[m] <= '9' {
				m++
			}
			frac, n = rest[n+1:m], m
		}
		if digits == "" {
			return 0, "a number must come before each of W, D, H, M and S; " + form
		}
		if n == len(rest) {
			return 0, "the number " + digits + " has no unit (W, D, H, M or S); " + form
		}
		letter := upper(rest[n])
		if letter == 'Y' || (letter == 'M' && !timed) {
			return 0, "years and months have no fixed length; count in days (P30D) or weeks (P4W)"
		}
		i := unitIndex(letter, timed)
		switch {
		case i < 0 && (letter == 'H' || letter == 'S') && !timed:
			return 0, "hours, minutes and seconds go after T (PT12H, P1DT12H)"
		case i < 0 && letter == 'W' || letter == 'D' && timed:
			return 0, "weeks and days go before T (P1DT12H)"
		case i < 0:
			return 0, "unknown unit " + strconv.Quote(string(rest[n])) + "; " + form
		case i < next:
			return 0, "units must come once each, largest first (P1DT12H30M)"
		}
		if frac != "" && letter != 'S' {
			return 0, "only seconds may have a fraction; write PT90M rather than PT1.5H"
		}
		v, ok := component(digits, frac, durationUnits[i].size)
		if !ok || total > time.Duration(math.MaxInt64)-v {
			return 0, "it is too long"
		}
		total += v
		next, parts, rest = i+1, parts+1, rest[n+1:]
	}
	if parts == 0 {
		return 0, "it has no value; " + form
	}
	return Duration(total), ""
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

func unitIndex(letter byte, timed bool) int {
	for i, u := range durationUnits {
		if u.letter == letter && u.timed == timed {
			return i
		}
	}
	return -1
}

// component returns digits.frac units, or false when it overflows.
func component(digits, frac string, unit time.Duration) (time.Duration, bool) {
	digits = strings.TrimLeft(digits, "0")
	if len(digits) > 19 {
		return 0, false
	}
	n, err := strconv.ParseUint("0"+digits, 10, 64)
	if err != nil || n > uint64(math.MaxInt64/int64(unit)) {
		return 0, false
	}
	v := time.Duration(n) * unit
	if frac != "" {
		// Only seconds reach here: nanoseconds are the finest resolution,
		// so digits past the ninth are dropped.
		frac = (frac + "000000000")[:9]
		ns, _ := strconv.ParseUint(frac, 10, 64)
		if v > time.Duration(math.MaxInt64)-time.Duration(ns) {
			return 0, false
		}
		v += time.Duration(ns)
	}
	return v, true
}

// String writes d in the form ParseDuration reads: days and a time part,
// "P1DT12H", "PT30M", "PT0.5S", "PT0S" for zero. Weeks are written as days
// (P14D), which reads back to the same value. A negative d gets a leading
// minus sign, which ParseDuration refuses, so a negative value never
// passes through JSON unnoticed.
func (d Duration) String() string {
	if d == 0 {
		return "PT0S"
	}
	var b strings.Builder
	u := uint64(d)
	if d < 0 {
		b.WriteByte('-')
		u = -u // two's complement: right even for math.MinInt64
	}
	b.WriteByte('P')
	if days := u / uint64(day); days > 0 {
		b.WriteString(strconv.FormatUint(days, 10))
		b.WriteByte('D')
	}
	u %= uint64(day)
	if u == 0 {
		return b.String()
	}
	b.WriteByte('T')
	if h := u / uint64(time.Hour); h > 0 {
		b.WriteString(strconv.FormatUint(h, 10))
		b.WriteByte('H')
	}
	if m := u % uint64(time.Hour) / uint64(time.Minute); m > 0 {
		b.WriteString(strconv.FormatUint(m, 10))
		b.WriteByte('M')
	}
	if ns := u % uint64(time.Minute); ns > 0 {
		b.WriteString(strconv.FormatUint(ns/uint64(time.Second), 10))
		if f := ns % uint64(time.Second); f > 0 {
			b.WriteByte('.')
			b.WriteString(strings.TrimRight(strconv.FormatUint(f+uint64(time.Second), 10)[1:], "0"))
		}
		b.WriteByte('S')
	}
	return b.String()
}

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// MarshalJSON writes d as a JSON string in ISO 8601 form.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads an ISO 8601 duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return otklik.Errorf(otklik.EINVALID, "a duration must be a string such as \"P3D\"")
	}
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// truncate shortens s for an error message, so a megabyte of garbage is
// not echoed back.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
