package calendar

import (
	"testing"
	"time"
)

func TestQuietWrapsMidnight(t *testing.T) {
	q := Quiet{From: "21:00", To: "09:00", Days: []int{1, 2, 3, 4, 5}, Location: msk}
	// 16 Nov 2026 is a Monday, 21 Nov a Saturday, 22 Nov a Sunday.
	tests := []struct {
		name   string
		t      time.Time
		ok     bool
		reason string
	}{
		{"evening before quiet", at(msk, 2026, 11, 16, 20, 59).Add(59 * time.Second), true, ""},
		{"quiet starts", at(msk, 2026, 11, 16, 21, 0), false, ReasonQuietHours},
		{"after midnight", at(msk, 2026, 11, 17, 0, 30), false, ReasonQuietHours},
		{"last quiet minute", at(msk, 2026, 11, 17, 8, 59), false, ReasonQuietHours},
		{"quiet ends", at(msk, 2026, 11, 17, 9, 0), true, ""},
		{"saturday noon", at(msk, 2026, 11, 21, 12, 0), false, ReasonDayNotAllowed},
		// Both reasons apply; the day is reported.
		{"sunday night", at(msk, 2026, 11, 22, 23, 0), false, ReasonDayNotAllowed},
		// 18:00Z is 21:00 in Moscow: the customer's zone decides, not UTC.
		{"utc instant", time.Date(2026, 11, 16, 18, 0, 0, 0, time.UTC), false, ReasonQuietHours},
	}
	for _, tt := range tests {
		ok, reason := q.Allowed(tt.t)
		if ok != tt.ok || reason != tt.reason {
			t.Errorf("%s: Allowed = %v, %q; want %v, %q", tt.name, ok, reason, tt.ok, tt.reason)
		}
	}
	for _, tt := range []struct {
		name     string
		from, to time.Time
	}{
		{"allowed now", at(msk, 2026, 11, 16, 12, 34), at(msk, 2026, 11, 16, 12, 34)},
		{"monday night", at(msk, 2026, 11, 16, 22, 0), at(msk, 2026, 11, 17, 9, 0)},
		{"tuesday small hours", at(msk, 2026, 11, 17, 3, 0), at(msk, 2026, 11, 17, 9, 0)},
		{"friday night", at(msk, 2026, 11, 20, 22, 0), at(msk, 2026, 11, 23, 9, 0)},
		{"saturday", at(msk, 2026, 11, 21, 3, 0), at(msk, 2026, 11, 23, 9, 0)},
		{"sunday evening", at(msk, 2026, 11, 22, 20, 0), at(msk, 2026, 11, 23, 9, 0)},
	} {
		sameInstant(t, tt.name, q.NextAllowed(tt.from), tt.to)
	}
}

func TestQuietWindowWithinADay(t *testing.T) {
	q := Quiet{From: "13:00", To: "14:00", Location: msk} // no Days: every day
	if ok, _ := q.Allowed(at(msk, 2026, 11, 22, 12, 59)); !ok {
		t.Error("12:59 on a Sunday not allowed")
	}
	if ok, r := q.Allowed(at(msk, 2026, 11, 22, 13, 30)); ok || r != ReasonQuietHours {
		t.Errorf("13:30 = %v, %q", ok, r)
	}
	sameInstant(t, "NextAllowed", q.NextAllowed(at(msk, 2026, 11, 22, 13, 30)), at(msk, 2026, 11, 22, 14, 0))
	// No quiet hours at all.
	none := Quiet{Location: msk}
	if ok, _ := none.Allowed(at(msk, 2026, 11, 22, 3, 0)); !ok {
		t.Error("no quiet hours, yet 03:00 not allowed")
	}
	// Days only: weekends are out, any hour on a weekday is in.
	weekdaysOnly := Quiet{Days: []int{1, 2, 3, 4, 5}, Location: msk}
	sameInstant(t, "weekday only", weekdaysOnly.NextAllowed(at(msk, 2026, 11, 21, 15, 0)), at(msk, 2026, 11, 23, 0, 0))
}

func TestQuietInTheCustomersZone(t *testing.T) {
	vvo := mustZone("Asia/Vladivostok") // UTC+10
	q := Quiet{From: "21:00", To: "09:00", Location: vvo}
	// Noon UTC is 22:00 in Vladivostok: quiet; it ends at 09:00 local = 23:00Z.
	noon := time.Date(2026, 11, 16, 12, 0, 0, 0, time.UTC)
	if ok, r := q.Allowed(noon); ok || r != ReasonQuietHours {
		t.Errorf("Allowed = %v, %q", ok, r)
	}
	sameInstant(t, "NextAllowed", q.NextAllowed(noon), time.Date(2026, 11, 16, 23, 0, 0, 0, time.UTC))
}

func TestQuietAcrossDST(t *testing.T) {
	q := Quiet{From: "21:00", To: "09:00", Location: nyc}
	// Sat 7 Mar 2026 22:00 EST: quiet ends Sun 8 Mar 09:00 EDT = 13:00Z
	// — 11 h by the wall clock, 10 h elapsed; 14:00Z would be 10:00 EDT.
	sameInstant(t, "spring forward", q.NextAllowed(at(nyc, 2026, 3, 7, 22, 0)), time.Date(2026, 3, 8, 13, 0, 0, 0, time.UTC))
	// Fall back: Sat 31 Oct 22:00 EDT → Sun 1 Nov 09:00 EST = 14:00Z.
	sameInstant(t, "fall back", q.NextAllowed(at(nyc, 2026, 10, 31, 22, 0)), time.Date(2026, 11, 1, 14, 0, 0, 0, time.UTC))
	// Quiet hours that end at 02:30, a wall time that does not exist on
	// 8 March: the first allowed moment is 03:00 EDT, when the clock jumps.
	gap := Quiet{From: "22:00", To: "02:30", Location: nyc}
	sameInstant(t, "end in the gap", gap.NextAllowed(at(nyc, 2026, 3, 7, 23, 0)), time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC))
}

func TestQuietNeverAllowed(t *testing.T) {
	from := at(msk, 2026, 11, 16, 12, 0)
	for name, q := range map[string]Quiet{
		"all day quiet": {From: "00:00", To: "24:00", Location: msk},
		"no valid day":  {Days: []int{9}, Location: msk},
		"bad time":      {From: "25:00", To: "09:00", Location: msk},
	} {
		if r, ok := q.NextAllowedOK(from); ok || !r.IsZero() {
			t.Errorf("%s: NextAllowedOK = %v, %v; want zero, false", name, r, ok)
		}
	}
	if ok, r := (Quiet{From: "25:00", To: "09:00", Location: msk}).Allowed(from); ok || r != ReasonInvalid {
		t.Errorf("bad time: Allowed = %v, %q", ok, r)
	}
}
