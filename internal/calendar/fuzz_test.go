package calendar

import (
	"testing"
	"time"
)

var fuzzZones = []*time.Location{
	msk, nyc, time.UTC,
	mustZone("Australia/Lord_Howe"), // a 30-minute DST shift
	mustZone("America/Santiago"),    // changes at midnight
	mustZone("Asia/Kathmandu"),      // UTC+5:45
	time.FixedZone("odd", -(9*3600 + 30*60 + 17)),
}

// fuzzCalendar builds a calendar from fuzz bytes: a bit per weekday, one
// interval (or two, split by a break) of any length, a zone and a couple
// of holidays.
func fuzzCalendar(mask uint8, open, length uint16, split uint8, zone uint8) Calendar {
	c := Calendar{Location: fuzzZones[int(zone)%len(fuzzZones)], Holidays: map[string]bool{"2026-11-04": true, "2027-01-01": true}}
	o := int(open) % MinutesPerDay
	cl := min(o+1+int(length)%MinutesPerDay, MinutesPerDay)
	h := DayHours{{o, cl}}
	if s := o + int(split)%(cl-o); split > 0 && s > o+1 && s < cl {
		h = DayHours{{o, s - 1}, {s, cl}} // a break of a minute or more
	}
	for wd := range 7 {
		if mask&(1<<wd) != 0 {
			c.Days[wd] = h
		}
	}
	if zone&0x80 != 0 {
		c.ExtraWorkdays = map[string]DayHours{"2026-11-07": {{600, 660}}} // a Saturday
	}
	return c
}

func FuzzAddWorking(f *testing.F) {
	f.Add(int64(1795179600), int64(4*time.Hour), uint8(0b0111110), uint16(540), uint16(539), uint8(0), uint8(0))
	f.Add(int64(1795179600), int64(0), uint8(0), uint16(0), uint16(0), uint8(0), uint8(0))
	f.Add(int64(1795179600), int64(time.Hour), uint8(0), uint16(0), uint16(0), uint8(0), uint8(0x80))
	f.Add(int64(1772928000), int64(50*time.Hour), uint8(0b1111111), uint16(120), uint16(60), uint8(30), uint8(1))
	f.Add(int64(-1), int64(-time.Hour), uint8(1), uint16(1439), uint16(0), uint8(0), uint8(4))
	f.Add(int64(1795179600), int64(1<<62), uint8(0b1000000), uint16(0), uint16(1439), uint8(0), uint8(5))
	f.Fuzz(func(t *testing.T, sec, dn int64, mask uint8, open, length uint16, split, zone uint8) {
		c := fuzzCalendar(mask&0x7f, open, length, split, zone)
		// Instants from 1900 to 2300.
		const lo, span = -2208988800, 400 * 365 * 86400
		from := time.Unix(lo+(sec%span+span)%span, sec%1e9)
		d := time.Duration(dn)

		due, ok := c.AddWorkingOK(from, d)
		if mask&0x7f == 0 && ok {
			// No weekday is open: only the extra workday, if any, can hold the due time.
			if y, m, dd := due.In(c.Location).Date(); len(c.ExtraWorkdays) == 0 || y != 2026 || m != 11 || dd != 7 {
				t.Fatalf("closed week: due %s", due)
			}
		}
		if !ok {
			if !due.IsZero() {
				t.Fatalf("not ok but due = %s", due)
			}
			if mask&0x7f != 0 && d < 365*24*time.Hour {
				t.Fatalf("no due time for %v on a calendar open every week", d)
			}
			return
		}
		if due.Before(from) {
			t.Fatalf("AddWorking(%s, %v) = %s, before the start", from, d, due)
		}
		if d <= 0 {
			if !c.IsOpen(due) {
				t.Fatalf("d=%v: due %s is not open", d, due)
			}
			if c.IsOpen(from) && !due.Equal(from) {
				t.Fatalf("d=%v on an open instant %s: due %s", d, from, due)
			}
			return
		}
		if !c.IsOpen(due.Add(-time.Nanosecond)) {
			t.Fatalf("the nanosecond before due %s is not working time", due)
		}
		if got := c.WorkingBetween(from, due); got != d {
			t.Fatalf("WorkingBetween(%s, %s) = %v, want %v", from, due, got, d)
		}
	})
}

// FuzzNextAllowed: the answer is allowed, not before t, and no whole minute
// between t and it is allowed (it is the earliest).
func FuzzNextAllowed(f *testing.F) {
	f.Add(int64(1795179600), uint16(1260), uint16(540), uint8(0b0011111), uint8(0))
	f.Add(int64(1772938800), uint16(1320), uint16(150), uint8(0), uint8(1))
	f.Add(int64(1772938800), uint16(0), uint16(1440), uint8(0), uint8(3))
	f.Fuzz(func(t *testing.T, sec int64, from, to uint16, days uint8, zone uint8) {
		q := Quiet{From: FormatClock(int(from) % MinutesPerDay), To: FormatClock(int(to) % (MinutesPerDay + 1)),
			Location: fuzzZones[int(zone)%len(fuzzZones)]}
		for iso := 1; iso <= 7; iso++ {
			if days&(1<<(iso-1)) != 0 {
				q.Days = append(q.Days, iso)
			}
		}
		if err := q.Validate(); err != nil {
			t.Fatalf("built an invalid Quiet: %v", err)
		}
		const lo, span = -2208988800, 400 * 365 * 86400
		at := time.Unix(lo+(sec%span+span)%span, 0)
		next, ok := q.NextAllowedOK(at)
		if !ok {
			// Only a window covering the whole day can forbid everything.
			if from%MinutesPerDay != 0 || to%(MinutesPerDay+1) != MinutesPerDay {
				t.Fatalf("nothing allowed after %s for %+v", at, q)
			}
			return
		}
		if allowed, _ := q.Allowed(next); !allowed || next.Before(at) {
			t.Fatalf("NextAllowed(%s) = %s: allowed %v", at, next, allowed)
		}
		for m := at.Truncate(time.Minute).Add(time.Minute); m.Before(next); m = m.Add(time.Minute) {
			if allowed, _ := q.Allowed(m); allowed {
				t.Fatalf("NextAllowed(%s) = %s, but %s is allowed (%+v)", at, next, m, q)
			}
		}
	})
}
