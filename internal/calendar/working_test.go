package calendar

import (
	"math/rand/v2"
	"testing"
	"time"
)

// The examples of issue 7 on the default calendar (Moscow, Mon–Fri
// 09:00–18:00, Russian holidays). 20–23 November 2026 is Fri–Mon, no holiday.
func TestAddWorkingAcrossWeekend(t *testing.T) {
	c := Default()
	tests := []struct {
		name string
		from time.Time
		d    time.Duration
		want time.Time
	}{
		// Fri 16:00–18:00 is 2 h, the other 2 h are Mon 09:00–11:00.
		{"friday afternoon", at(msk, 2026, 11, 20, 16, 0), 4 * time.Hour, at(msk, 2026, 11, 23, 11, 0)},
		// Nothing counts on Saturday: Mon 09:00 + 4 h.
		{"saturday", at(msk, 2026, 11, 21, 10, 0), 4 * time.Hour, at(msk, 2026, 11, 23, 13, 0)},
		{"sunday night", at(msk, 2026, 11, 22, 23, 59), 4 * time.Hour, at(msk, 2026, 11, 23, 13, 0)},
		// An evening item with a 1-hour SLA is due in the first hour of the next business day.
		{"friday evening, 1 h", at(msk, 2026, 11, 20, 20, 0), time.Hour, at(msk, 2026, 11, 23, 10, 0)},
		// The same instants given in UTC: Fri 13:00Z = 16:00 MSK.
		{"utc input", time.Date(2026, 11, 20, 13, 0, 0, 0, time.UTC), 4 * time.Hour, time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := c.AddWorkingOK(tt.from, tt.d)
			if !ok {
				t.Fatal("AddWorkingOK reported no due time")
			}
			sameInstant(t, "AddWorking", got, tt.want)
			if back := c.WorkingBetween(tt.from, got); back != tt.d {
				t.Errorf("WorkingBetween back = %v, want %v", back, tt.d)
			}
		})
	}
}

func TestAddWorkingAcrossHoliday(t *testing.T) {
	c := Default()
	// Tue 3 Nov 2026 16:00: 2 h that day; Wed 4 Nov (Unity Day) is closed;
	// the other 2 h are Thu 5 Nov 09:00–11:00.
	sameInstant(t, "over 4 November 2026", c.AddWorking(at(msk, 2026, 11, 3, 16, 0), 4*time.Hour), at(msk, 2026, 11, 5, 11, 0))
	if c.IsOpen(at(msk, 2026, 11, 4, 12, 0)) {
		t.Error("open at noon on 4 November 2026, a public holiday")
	}
	// 2025: Fri 31 Oct 17:00 + 2 h: 1 h on Friday, then Saturday 1 Nov 2025
	// is a working day by decree (its day off moved to Mon 3 Nov): 09:00 + 1 h.
	sameInstant(t, "onto the working Saturday", c.AddWorking(at(msk, 2025, 10, 31, 17, 0), 2*time.Hour), at(msk, 2025, 11, 1, 10, 0))
	// Sat 1 Nov 2025 17:00 + 2 h: 1 h on Saturday; Sun 2 off; Mon 3 (moved
	// day off) and Tue 4 (holiday) closed; Wed 5 Nov 09:00 + 1 h.
	sameInstant(t, "over 3–4 November 2025", c.AddWorking(at(msk, 2025, 11, 1, 17, 0), 2*time.Hour), at(msk, 2025, 11, 5, 10, 0))
}

func TestAddWorkingOverNewYearHolidays(t *testing.T) {
	c := Default()
	// Tue 30 Dec 2025 17:00 + 4 h: 1 h on the 30th. Closed: Wed 31 Dec
	// (moved from 5 Jan), 1–8 Jan, Fri 9 Jan (moved from 3 Jan), the weekend
	// of 10–11 Jan. The other 3 h are Mon 12 Jan 2026 09:00–12:00.
	from := at(msk, 2025, 12, 30, 17, 0)
	got := c.AddWorking(from, 4*time.Hour)
	sameInstant(t, "AddWorking", got, at(msk, 2026, 1, 12, 12, 0))
	if w := c.WorkingBetween(from, got); w != 4*time.Hour {
		t.Errorf("WorkingBetween = %v, want 4h", w)
	}
	// "Within 1 working day" of a message on 30 Dec: the next working day is 12 Jan.
	sameInstant(t, "AddWorkingDays", c.AddWorkingDays(from, 1), at(msk, 2026, 1, 12, 18, 0))
	// 100 h from Mon 29 Dec 2025 09:00: 29–30 Dec give 18 h; 12–16 Jan 45 h
	// (63 h); 37 h left = four days of 19–22 Jan (36 h) + 1 h on Fri 23 Jan.
	sameInstant(t, "100 h over the holidays", c.AddWorking(at(msk, 2025, 12, 29, 9, 0), 100*time.Hour), at(msk, 2026, 1, 23, 10, 0))
}

func TestLunchBreak(t *testing.T) {
	c := weekdays(msk, "09:00-13:00,14:00-18:00")
	mon := func(hh, mm int) time.Time { return at(msk, 2026, 11, 16, hh, mm) } // a Monday
	for _, tt := range []struct {
		t    time.Time
		open bool
	}{
		{mon(8, 59), false}, {mon(9, 0), true}, {mon(12, 59), true}, {mon(13, 0), false},
		{mon(13, 30), false}, {mon(14, 0), true}, {mon(17, 59), true}, {mon(18, 0), false},
	} {
		if got := c.IsOpen(tt.t); got != tt.open {
			t.Errorf("IsOpen(%s) = %v, want %v", tt.t.Format("15:04"), got, tt.open)
		}
	}
	sameInstant(t, "NextOpen at lunch", c.NextOpen(mon(13, 30)), mon(14, 0))
	// 12:00 + 2 h: 12:00–13:00, lunch, 14:00–15:00.
	sameInstant(t, "across lunch", c.AddWorking(mon(12, 0), 2*time.Hour), mon(15, 0))
	// The earliest instant: 1 h from 12:00 ends as lunch begins.
	sameInstant(t, "up to lunch", c.AddWorking(mon(12, 0), time.Hour), mon(13, 0))
	sameInstant(t, "from lunch", c.AddWorking(mon(13, 0), time.Hour), mon(15, 0))
	if w := c.WorkingBetween(mon(9, 0), mon(18, 0)); w != 8*time.Hour {
		t.Errorf("a day with lunch = %v, want 8h", w)
	}
	// The day closes at the end of its last interval.
	sameInstant(t, "AddWorkingDays n=0", c.AddWorkingDays(mon(10, 0), 0), mon(18, 0))
}

func TestOpeningAndClosingInstants(t *testing.T) {
	c := Default()
	mon := func(hh, mm int) time.Time { return at(msk, 2026, 11, 16, hh, mm) }
	fri := func(hh, mm int) time.Time { return at(msk, 2026, 11, 20, hh, mm) }
	if !c.IsOpen(mon(9, 0)) {
		t.Error("closed at 09:00 exactly; opening time is open")
	}
	if c.IsOpen(mon(9, 0).Add(-time.Nanosecond)) {
		t.Error("open a nanosecond before 09:00")
	}
	if !c.IsOpen(mon(18, 0).Add(-time.Nanosecond)) {
		t.Error("closed a nanosecond before 18:00")
	}
	if c.IsOpen(mon(18, 0)) {
		t.Error("open at 18:00 exactly; closing time is closed")
	}
	sameInstant(t, "NextOpen at opening", c.NextOpen(mon(9, 0)), mon(9, 0))
	sameInstant(t, "NextOpen at Friday closing", c.NextOpen(fri(18, 0)), mon(9, 0).AddDate(0, 0, 7))
	// A due time that uses up the day is the closing time, not Monday 09:00.
	sameInstant(t, "1 h before closing", c.AddWorking(fri(17, 0), time.Hour), fri(18, 0))
	sameInstant(t, "1 h from closing", c.AddWorking(fri(18, 0), time.Hour), at(msk, 2026, 11, 23, 10, 0))
	// d = 0: the instant itself when open, else the next opening.
	sameInstant(t, "d=0 open", c.AddWorking(mon(11, 17), 0), mon(11, 17))
	sameInstant(t, "d=0 at opening", c.AddWorking(mon(9, 0), 0), mon(9, 0))
	sameInstant(t, "d=0 at closing", c.AddWorking(fri(18, 0), 0), at(msk, 2026, 11, 23, 9, 0))
	sameInstant(t, "d=0 saturday", c.AddWorking(at(msk, 2026, 11, 21, 12, 0), 0), at(msk, 2026, 11, 23, 9, 0))
	sameInstant(t, "d<0 is d=0", c.AddWorking(mon(11, 17), -time.Hour), mon(11, 17))
}

func TestAddWorkingMoreThanAWeek(t *testing.T) {
	c := Default()
	// Mon 9 Nov 2026 09:00 + 50 h: the week 9–13 Nov holds 45 h (ending Fri
	// 18:00); the other 5 h are Mon 16 Nov 09:00–14:00.
	sameInstant(t, "50 h", c.AddWorking(at(msk, 2026, 11, 9, 9, 0), 50*time.Hour), at(msk, 2026, 11, 16, 14, 0))
	// 45 h exactly: Friday's closing time.
	sameInstant(t, "45 h", c.AddWorking(at(msk, 2026, 11, 9, 9, 0), 45*time.Hour), at(msk, 2026, 11, 13, 18, 0))
	// 3 weeks of working time (135 h) from Mon 16 Nov ends Fri 4 Dec 18:00.
	sameInstant(t, "135 h", c.AddWorking(at(msk, 2026, 11, 16, 9, 0), 135*time.Hour), at(msk, 2026, 12, 4, 18, 0))
}

// America/New_York springs forward on Sunday 8 March 2026 at 02:00 EST
// (07:00 UTC) and falls back on Sunday 1 November 2026 at 02:00 EDT
// (06:00 UTC). Working hours stay 09:00–18:00 local on both sides.
func TestDaylightSavingNewYork(t *testing.T) {
	c := weekdays(nyc, "09:00-18:00")
	// Fri 6 Mar 16:00 EST (21:00Z) + 4 h: 2 h on Friday, Mon 9 Mar 09:00–11:00
	// EDT — 11:00 EDT is 15:00Z (it would be 16:00Z had the offset not changed).
	got := c.AddWorking(at(nyc, 2026, 3, 6, 16, 0), 4*time.Hour)
	sameInstant(t, "over spring forward", got, time.Date(2026, 3, 9, 15, 0, 0, 0, time.UTC))
	// Fri 09:00 EST to Mon 18:00 EDT: 80 h elapsed, 18 h of work.
	if w := c.WorkingBetween(at(nyc, 2026, 3, 6, 9, 0), at(nyc, 2026, 3, 9, 18, 0)); w != 18*time.Hour {
		t.Errorf("WorkingBetween over spring forward = %v, want 18h", w)
	}

	// Open every day, so the spring-forward Sunday itself is a working day.
	all := everyDay(nyc, "09:00-18:00")
	for _, tt := range []struct {
		utc  time.Time
		open bool
	}{
		{time.Date(2026, 3, 8, 12, 59, 0, 0, time.UTC), false}, // 08:59 EDT
		{time.Date(2026, 3, 8, 13, 0, 0, 0, time.UTC), true},   // 09:00 EDT
		{time.Date(2026, 3, 8, 14, 0, 0, 0, time.UTC), true},   // 10:00 EDT
		{time.Date(2026, 3, 8, 21, 59, 0, 0, time.UTC), true},  // 17:59 EDT
		{time.Date(2026, 3, 8, 22, 0, 0, 0, time.UTC), false},  // 18:00 EDT
		{time.Date(2026, 3, 7, 13, 59, 0, 0, time.UTC), false}, // Sat 08:59 EST
		{time.Date(2026, 3, 7, 14, 0, 0, 0, time.UTC), true},   // Sat 09:00 EST
	} {
		if got := all.IsOpen(tt.utc); got != tt.open {
			t.Errorf("IsOpen(%s = %s) = %v, want %v", tt.utc.Format(time.RFC3339), tt.utc.In(nyc).Format("Mon 15:04 MST"), got, tt.open)
		}
	}
	// Sat 17:00 EST + 2 h: 1 h Saturday, Sunday 09:00–10:00 EDT = 14:00Z.
	sameInstant(t, "into the spring-forward day", all.AddWorking(at(nyc, 2026, 3, 7, 17, 0), 2*time.Hour), time.Date(2026, 3, 8, 14, 0, 0, 0, time.UTC))
	// The spring-forward day holds its full 9 h.
	if w := all.WorkingBetween(at(nyc, 2026, 3, 8, 0, 0), at(nyc, 2026, 3, 9, 0, 0)); w != 9*time.Hour {
		t.Errorf("spring-forward day = %v, want 9h", w)
	}
	// Fall back: Sat 31 Oct 17:00 EDT + 2 h = Sun 1 Nov 10:00 EST = 15:00Z.
	sameInstant(t, "into the fall-back day", all.AddWorking(at(nyc, 2026, 10, 31, 17, 0), 2*time.Hour), time.Date(2026, 11, 1, 15, 0, 0, 0, time.UTC))

	// Working time is real elapsed time: a round-the-clock calendar has 23 h
	// on the spring-forward day and 25 h on the fall-back day.
	clock := everyDay(nyc, "00:00-24:00")
	if w := clock.WorkingBetween(at(nyc, 2026, 3, 8, 0, 0), at(nyc, 2026, 3, 9, 0, 0)); w != 23*time.Hour {
		t.Errorf("24/7 on spring-forward day = %v, want 23h", w)
	}
	if w := clock.WorkingBetween(at(nyc, 2026, 11, 1, 0, 0), at(nyc, 2026, 11, 2, 0, 0)); w != 25*time.Hour {
		t.Errorf("24/7 on fall-back day = %v, want 25h", w)
	}
	// Midnight (24:00 of one day, 00:00 of the next) is not counted twice
	// nor left out: 48 h from Saturday 00:00 end on Monday 00:00 minus the lost hour.
	sameInstant(t, "24/7 over spring forward", clock.AddWorking(at(nyc, 2026, 3, 7, 0, 0), 47*time.Hour), at(nyc, 2026, 3, 9, 0, 0))
}

func TestAddWorkingDays(t *testing.T) {
	c := Default()
	tests := []struct {
		name string
		from time.Time
		n    int
		want time.Time
	}{
		// Mon 2 Nov 2026 10:00, 3 days: Tue 3 (1st), Wed 4 holiday, Thu 5 (2nd), Fri 6 (3rd).
		{"over a holiday", at(msk, 2026, 11, 2, 10, 0), 3, at(msk, 2026, 11, 6, 18, 0)},
		// The hour of the day does not matter: the day of the event never counts.
		{"early monday", at(msk, 2026, 11, 16, 0, 1), 3, at(msk, 2026, 11, 19, 18, 0)},
		{"late monday", at(msk, 2026, 11, 16, 23, 59), 3, at(msk, 2026, 11, 19, 18, 0)},
		// Saturday 21 Nov: Mon 23 (1st), Tue 24 (2nd), Wed 25 (3rd).
		{"from saturday", at(msk, 2026, 11, 21, 12, 0), 3, at(msk, 2026, 11, 25, 18, 0)},
		{"friday evening, 1 day", at(msk, 2026, 11, 20, 20, 0), 1, at(msk, 2026, 11, 23, 18, 0)},
		// n = 0: today's closing while today is open, else the next working day's.
		{"today", at(msk, 2026, 11, 16, 10, 0), 0, at(msk, 2026, 11, 16, 18, 0)},
		{"today after closing", at(msk, 2026, 11, 16, 19, 0), 0, at(msk, 2026, 11, 17, 18, 0)},
		{"today on saturday", at(msk, 2026, 11, 21, 10, 0), 0, at(msk, 2026, 11, 23, 18, 0)},
		{"negative is today", at(msk, 2026, 11, 16, 10, 0), -2, at(msk, 2026, 11, 16, 18, 0)},
		// Ten working days from Fri 18 Dec 2025: 22–26, 29–30 Dec (7), then
		// nothing until Mon 12 Jan 2026: 12, 13, 14 (10th).
		{"over new year", at(msk, 2025, 12, 19, 12, 0), 10, at(msk, 2026, 1, 14, 18, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sameInstant(t, "AddWorkingDays", c.AddWorkingDays(tt.from, tt.n), tt.want)
		})
	}
}

func TestWorkingBetween(t *testing.T) {
	c := Default()
	// Fri 16:30–18:00 (1.5 h) + Mon 09:00–10:00 (1 h): "first contact in 2.5 working hours".
	a, b := at(msk, 2026, 11, 20, 16, 30), at(msk, 2026, 11, 23, 10, 0)
	if w := c.WorkingBetween(a, b); w != 150*time.Minute {
		t.Errorf("WorkingBetween = %v, want 2h30m", w)
	}
	if w := c.WorkingBetween(b, a); w != -150*time.Minute {
		t.Errorf("reversed = %v, want -2h30m", w)
	}
	if w := c.WorkingBetween(a, a); w != 0 {
		t.Errorf("empty = %v", w)
	}
	// Entirely outside working hours.
	if w := c.WorkingBetween(at(msk, 2026, 11, 20, 18, 0), at(msk, 2026, 11, 23, 9, 0)); w != 0 {
		t.Errorf("over the weekend = %v, want 0", w)
	}
	// A full year: 247 working days of 9 h in 2026.
	if w := c.WorkingBetween(at(msk, 2026, 1, 1, 0, 0), at(msk, 2027, 1, 1, 0, 0)); w != 247*9*time.Hour {
		t.Errorf("2026 = %v, want %v", w, 247*9*time.Hour)
	}
}

func TestBreachedAndRemaining(t *testing.T) {
	c := Default()
	due := c.AddWorking(at(msk, 2026, 11, 20, 16, 0), 4*time.Hour) // Mon 23 Nov 11:00
	if c.Breached(due, due) {
		t.Error("breached at the due instant itself")
	}
	if !c.Breached(due, due.Add(time.Nanosecond)) {
		t.Error("not breached after the due instant")
	}
	if c.Breached(time.Time{}, at(msk, 2030, 1, 1, 0, 0)) {
		t.Error("a zero due time breached")
	}
	// At Saturday noon 2 h remain (Mon 09:00–11:00).
	if r := c.Remaining(due, at(msk, 2026, 11, 21, 12, 0)); r != 2*time.Hour {
		t.Errorf("Remaining = %v, want 2h", r)
	}
	// At Monday 12:30 the case is 1.5 working hours overdue.
	if r := c.Remaining(due, at(msk, 2026, 11, 23, 12, 30)); r != -90*time.Minute {
		t.Errorf("Remaining = %v, want -1h30m", r)
	}
}

func TestClosedCalendarTerminates(t *testing.T) {
	closed := Calendar{Location: msk}
	from := at(msk, 2026, 11, 16, 10, 0)
	start := time.Now()
	if r, ok := closed.AddWorkingOK(from, time.Hour); ok || !r.IsZero() {
		t.Errorf("AddWorkingOK = %v, %v; want zero, false", r, ok)
	}
	if r := closed.AddWorking(from, time.Hour); !r.IsZero() {
		t.Errorf("AddWorking = %v, want the zero time", r)
	}
	if _, ok := closed.NextOpenOK(from); ok {
		t.Error("NextOpenOK found an opening")
	}
	if _, ok := closed.AddWorkingDaysOK(from, 1); ok {
		t.Error("AddWorkingDaysOK found a day")
	}
	if closed.IsOpen(from) || closed.WorkingBetween(from, from.AddDate(1, 0, 0)) != 0 {
		t.Error("a closed calendar is open")
	}
	if closed.Breached(closed.AddWorking(from, time.Hour), from.AddDate(10, 0, 0)) {
		t.Error("the zero sentinel counts as breached")
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("a closed calendar took %v", el)
	}

	// Every weekday closed but one date open: found without walking day by day.
	one := Calendar{Location: msk, ExtraWorkdays: map[string]DayHours{"2030-01-15": MustDayHours("09:00-18:00")}}
	sameInstant(t, "the one open date", one.AddWorking(from, time.Hour), at(msk, 2030, 1, 15, 10, 0))

	// A long run of holidays is walked past.
	long := weekdays(msk, "09:00-18:00")
	long.Holidays = map[string]bool{}
	for d := at(msk, 2026, 1, 1, 0, 0); d.Year() == 2026; d = d.AddDate(0, 0, 1) {
		long.Holidays[d.Format(DateLayout)] = true
	}
	// Closed all of 2026: Fri 1 Jan 2027 is the first working day.
	sameInstant(t, "past a closed year", long.AddWorking(at(msk, 2025, 12, 31, 17, 0), 2*time.Hour), at(msk, 2027, 1, 1, 10, 0))
}

// For random calendars, instants and durations: WorkingBetween undoes
// AddWorking, adding in two steps is adding once, and more time never gives
// an earlier due time.
func TestWorkingBetweenConsistentWithAddWorking(t *testing.T) {
	lunch := weekdays(msk, "09:00-13:00,14:00-18:00")
	lunch.Holidays = map[string]bool{"2026-03-09": true}
	shifts := everyDay(nyc, "00:00-06:00,22:00-24:00") // night shifts that meet at midnight
	calendars := map[string]Calendar{
		"default": Default(), "lunch": lunch, "new york": weekdays(nyc, "08:30-17:15"),
		"new york 7 days": everyDay(nyc, "09:00-18:00"), "night shifts": shifts,
	}
	rng := rand.New(rand.NewPCG(7, 2026))
	lo := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	hi := time.Date(2027, 12, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	for name, c := range calendars {
		opened := 0
		for range 1500 {
			from := time.Unix(0, lo+rng.Int64N(hi-lo))
			if rng.IntN(3) == 0 { // often start exactly at a whole minute, as openings do
				from = from.Truncate(time.Minute)
			}
			d := time.Duration(rng.Int64N(int64(300 * time.Hour)))
			if rng.IntN(4) == 0 {
				d = d.Truncate(time.Minute)
			}
			if c.IsOpen(from) {
				opened++
			}
			due := c.AddWorking(from, d)
			if due.Before(from) {
				t.Fatalf("%s: AddWorking(%s, %v) = %s, before the start", name, from, d, due)
			}
			if got := c.WorkingBetween(from, due); got != d {
				t.Fatalf("%s: WorkingBetween(%s, AddWorking(+%v) = %s) = %v", name, from, d, due, got)
			}
			if d > 0 && !c.IsOpen(due.Add(-time.Nanosecond)) {
				t.Fatalf("%s: the last nanosecond before due %s is not working time", name, due)
			}
			d1 := time.Duration(rng.Int64N(int64(d) + 1))
			if d1 < d {
				if two := c.AddWorking(c.AddWorking(from, d1), d-d1); d1 > 0 && !two.Equal(due) {
					t.Fatalf("%s: %v then %v from %s = %s, want %s", name, d1, d-d1, from, two, due)
				}
				if c.AddWorking(from, d1).After(due) {
					t.Fatalf("%s: less time, later due", name)
				}
			}
		}
		if opened < 100 {
			t.Errorf("%s: only %d random starts were open; the property needs open starts", name, opened)
		}
	}
}

func BenchmarkAddWorking(b *testing.B) {
	c := Default()
	from := at(msk, 2026, 11, 20, 16, 0)
	for b.Loop() {
		c.AddWorking(from, 4*time.Hour)
	}
}

func BenchmarkAddWorkingDays(b *testing.B) {
	c := Default()
	from := at(msk, 2025, 12, 19, 12, 0)
	for b.Loop() {
		c.AddWorkingDays(from, 10)
	}
}
