package calendar

import (
	"slices"
	"time"
)

// SearchDays bounds every search for working time: a question whose answer
// lies more than SearchDays local days (about 100 years) after its start —
// or that has none, as on a calendar with no working hours at all — is
// answered "not found" (the OK variants report false, the others return
// the zero time) instead of looping.
const SearchDays = 100 * 366

// span is one working interval as instants, half-open [start, end).
type span struct{ start, end time.Time }

func (c Calendar) loc() *time.Location {
	if c.Location == nil {
		return time.UTC
	}
	return c.Location
}

// civil returns t's local date in loc as midnight UTC, the form in which the
// walk counts days (AddDate on UTC never meets a DST change).
func civil(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// hoursFor is the working hours of the civil date day.
func (c Calendar) hoursFor(day time.Time) DayHours {
	if len(c.ExtraWorkdays) > 0 || len(c.Holidays) > 0 {
		key := day.Format(DateLayout)
		if h, ok := c.ExtraWorkdays[key]; ok {
			return h
		}
		if c.Holidays[key] {
			return nil
		}
	}
	return c.Days[day.Weekday()]
}

// spansOn turns the hours of the civil date day into instants. Wall times are
// resolved by time.Date in the calendar's zone, so 09:00 is 09:00 local on
// either side of a DST change; an interval that a DST gap empties is
// dropped. Intervals an unvalidated calendar gets wrong are skipped, and the
// rest sorted, so that the walk stays well-defined for any calendar.
func (c Calendar) spansOn(day time.Time, buf []span) []span {
	loc := c.loc()
	buf = buf[:0]
	y, m, d := day.Date()
	for _, iv := range c.hoursFor(day) {
		if iv.Open < 0 || iv.Close > MinutesPerDay || iv.Open >= iv.Close {
			continue
		}
		s := time.Date(y, m, d, 0, iv.Open, 0, 0, loc)
		e := time.Date(y, m, d, 0, iv.Close, 0, 0, loc)
		if e.After(s) {
			buf = append(buf, span{s, e})
		}
	}
	if len(buf) > 1 {
		slices.SortFunc(buf, func(a, b span) int { return a.start.Compare(b.start) })
	}
	return buf
}

func (c Calendar) weeklyOpen() bool {
	for _, h := range c.Days {
		for _, iv := range h {
			if iv.Open >= 0 && iv.Close <= MinutesPerDay && iv.Open < iv.Close {
				return true
			}
		}
	}
	return false
}

// eachWorkingDay calls fn with every civil date from first to first+maxDays
// that has working hours, in order, with its spans, until fn returns true;
// it reports whether fn did. When no weekday is open it visits only the
// extra workdays, so a calendar that is closed every week costs nothing.
func (c Calendar) eachWorkingDay(first time.Time, maxDays int, fn func(day time.Time, spans []span) bool) bool {
	last := first.AddDate(0, 0, maxDays)
	var buf []span
	visit := func(day time.Time) bool {
		buf = c.spansOn(day, buf)
		return len(buf) > 0 && fn(day, buf)
	}
	if c.weeklyOpen() {
		for day := first; !day.After(last); day = day.AddDate(0, 0, 1) {
			if visit(day) {
				return true
			}
		}
		return false
	}
	var extras []time.Time
	for k, h := range c.ExtraWorkdays {
		if len(h) == 0 {
			continue
		}
		if d, err := time.Parse(DateLayout, k); err == nil && !d.Before(first) && !d.After(last) {
			extras = append(extras, d)
		}
	}
	slices.SortFunc(extras, time.Time.Compare)
	for _, day := range extras {
		if visit(day) {
			return true
		}
	}
	return false
}

// walk calls fn with every working span that ends after from, in order,
// each clipped to start no earlier than the previous one ended (so no
// working time is ever counted twice), until fn returns true; it reports
// whether fn did. The walk starts a day before from's local date, so a span
// that began the evening before is not missed whatever the zone does.
func (c Calendar) walk(from time.Time, maxDays int, fn func(start, end time.Time) bool) bool {
	var prevEnd time.Time
	started := false
	return c.eachWorkingDay(civil(from, c.loc()).AddDate(0, 0, -1), maxDays+1, func(_ time.Time, spans []span) bool {
		for _, sp := range spans {
			s := sp.start
			if started && s.Before(prevEnd) {
				s = prevEnd
			}
			if !sp.end.After(s) || !sp.end.After(from) {
				continue
			}
			prevEnd, started = sp.end, true
			if fn(s, sp.end) {
				return true
			}
		}
		return false
	})
}

// IsOpen reports whether t falls in working hours: opening time counts as
// open, closing time as closed.
func (c Calendar) IsOpen(t time.Time) bool {
	open := false
	c.walk(t, 2, func(s, _ time.Time) bool {
		open = !s.After(t)
		return true
	})
	return open
}

// IsWorkingDay reports whether t's local date has any working hours.
func (c Calendar) IsWorkingDay(t time.Time) bool {
	return len(c.spansOn(civil(t, c.loc()), nil)) > 0
}

// NextOpen returns t itself when the business is open at t, else the moment
// it next opens; the zero time when it never does (see NextOpenOK).
func (c Calendar) NextOpen(t time.Time) time.Time {
	r, _ := c.NextOpenOK(t)
	return r
}

// NextOpenOK is NextOpen that reports false, with the zero time, when no
// working hours come within SearchDays.
func (c Calendar) NextOpenOK(t time.Time) (time.Time, bool) {
	var r time.Time
	ok := c.walk(t, SearchDays, func(s, _ time.Time) bool {
		r = s
		if s.Before(t) {
			r = t
		}
		return true
	})
	return r, ok
}

// AddWorking returns the moment d of working time has passed after t: the
// SLA due time. 4 working hours from Friday 16:00 on a 09:00–18:00 calendar
// is Monday 11:00; from any time on Saturday it is Monday 13:00.
//
//   - The result is the earliest such instant, so a due time that uses up a
//     day exactly is that day's closing time (Friday 16:00 + 2h = Friday
//     18:00, not Monday 09:00).
//   - d <= 0 returns NextOpen(t): t itself when open, else the opening the
//     clock would start from.
//   - When no working time is left within SearchDays (a calendar with no
//     open day at all), AddWorking returns the zero time; use AddWorkingOK
//     to tell.
func (c Calendar) AddWorking(t time.Time, d time.Duration) time.Time {
	r, _ := c.AddWorkingOK(t, d)
	return r
}

// AddWorkingOK is AddWorking that reports false, with the zero time, when
// the due time cannot be found within SearchDays.
func (c Calendar) AddWorkingOK(t time.Time, d time.Duration) (time.Time, bool) {
	if d <= 0 {
		return c.NextOpenOK(t)
	}
	var r time.Time
	rem := d
	ok := c.walk(t, SearchDays, func(s, e time.Time) bool {
		if s.Before(t) {
			s = t
		}
		if avail := e.Sub(s); avail < rem {
			rem -= avail
			return false
		}
		r = s.Add(rem)
		return true
	})
	if !ok {
		return time.Time{}, false
	}
	return r, true
}

// AddWorkingDays returns the due time of "within n working days" counted
// from t: the closing time of the n-th working day after t's local date.
// The day of t itself never counts, whatever the hour — the way the Russian
// Civil Code counts a period (art. 191: it begins the day after the event;
// arts. 193–194: it ends when the organisation's working day ends, and a
// last day that is not a working day moves to the next working day). So an
// answer received on Monday at any hour with n = 3 is due Thursday at
// closing; one received on Saturday is due Wednesday at closing.
//
// n <= 0 means "today": the closing time of t's day when it is a working
// day that has not closed yet at t, else of the next working day. A day
// with a lunch break closes at its last interval's end. Returns the zero
// time when there is no such day within SearchDays (see AddWorkingDaysOK).
func (c Calendar) AddWorkingDays(t time.Time, n int) time.Time {
	r, _ := c.AddWorkingDaysOK(t, n)
	return r
}

// AddWorkingDaysOK is AddWorkingDays that reports false, with the zero
// time, when the n-th working day does not come within SearchDays.
func (c Calendar) AddWorkingDaysOK(t time.Time, n int) (time.Time, bool) {
	if n < 0 {
		n = 0
	}
	today := civil(t, c.loc())
	count := 0
	var r time.Time
	ok := c.eachWorkingDay(today, SearchDays, func(day time.Time, spans []span) bool {
		closing := spans[0].end
		for _, sp := range spans[1:] {
			if sp.end.After(closing) {
				closing = sp.end
			}
		}
		if n == 0 {
			r = closing
			return closing.After(t)
		}
		if day.Equal(today) {
			return false
		}
		count++
		r = closing
		return count == n
	})
	if !ok {
		return time.Time{}, false
	}
	return r, true
}

// WorkingBetween returns the working time from a to b: "first contact in
// 2.5 working hours". It is negative when b is before a
// (WorkingBetween(a, b) == -WorkingBetween(b, a)), and consistent with
// AddWorking: WorkingBetween(t, AddWorking(t, d)) == d for every d > 0.
func (c Calendar) WorkingBetween(a, b time.Time) time.Duration {
	if b.Before(a) {
		return -c.WorkingBetween(b, a)
	}
	if !b.After(a) {
		return 0
	}
	loc := c.loc()
	days := (b.In(loc).Year()-a.In(loc).Year()+1)*366 + 3
	const maxDuration = time.Duration(1<<63 - 1)
	var sum time.Duration
	c.walk(a, days, func(s, e time.Time) bool {
		if !s.Before(b) {
			return true
		}
		if s.Before(a) {
			s = a
		}
		if e.After(b) {
			e = b
		}
		piece := e.Sub(s)
		if sum > maxDuration-piece {
			sum = maxDuration
			return true
		}
		sum += piece
		return false
	})
	return sum
}

// Breached reports whether a due time has passed at now: the SLA is
// breached only after the due instant, not at it. A zero due time (no due
// time could be computed) is never breached.
func (c Calendar) Breached(due, now time.Time) bool {
	return !due.IsZero() && now.After(due)
}

// Remaining returns the working time left from now until due, negative
// once due has passed (the working time it is overdue by): the SLA timer
// on a case.
func (c Calendar) Remaining(due, now time.Time) time.Duration {
	return c.WorkingBetween(now, due)
}
