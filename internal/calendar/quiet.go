package calendar

import (
	"fmt"
	"slices"
	"time"
)

// Reason codes of Quiet.Allowed, for the outreach log to put into words
// («отложено: тихие часы клиента 21:00–09:00»).
const (
	// ReasonQuietHours: t falls within From–To in the customer's zone.
	ReasonQuietHours = "quiet_hours"
	// ReasonDayNotAllowed: t's weekday in the customer's zone is not in Days.
	ReasonDayNotAllowed = "day_not_allowed"
	// ReasonInvalid: the quiet hours do not parse, so nothing is allowed.
	ReasonInvalid = "invalid_quiet_hours"
)

// Quiet is when a customer may not be sent an invitation: a nightly window
// From–To (wall-clock "HH:MM" in Location, half-open, wrapping midnight when
// From is later than To: "21:00"–"09:00" is quiet from 21:00 to 08:59:59)
// and the ISO weekdays (1 = Monday … 7 = Sunday) on which sending is allowed
// at all. Days empty means every day; From and To both empty, or equal, mean
// no quiet hours. "24:00" is allowed as To. A nil Location is UTC.
//
// Days is checked against the weekday of the instant itself, so with
// Days = 1–5 and "21:00"–"09:00", Friday 22:00 is quiet hours and all of
// Saturday is a day not allowed; the next allowed moment is Monday 09:00.
type Quiet struct {
	From     string
	To       string
	Days     []int
	Location *time.Location
}

func (q Quiet) loc() *time.Location {
	if q.Location == nil {
		return time.UTC
	}
	return q.Location
}

// window returns From and To in minutes; from == to means no quiet hours.
func (q Quiet) window() (from, to int, err error) {
	if q.From == "" && q.To == "" {
		return 0, 0, nil
	}
	if from, err = ParseClock(q.From); err != nil {
		return 0, 0, err
	}
	if to, err = ParseClock(q.To); err != nil {
		return 0, 0, err
	}
	return from, to, nil
}

func quietAt(m, from, to int) bool {
	switch {
	case from == to:
		return false
	case from < to:
		return m >= from && m < to
	default: // wraps midnight
		return m >= from || m < to
	}
}

// Validate reports every problem with q as a *ValidationError naming the
// fields: times not in HH:MM, only one of from/to given, weekdays outside
// 1–7 or repeated, a missing time zone.
func (q Quiet) Validate() error {
	var p problems
	if (q.From == "") != (q.To == "") {
		if q.From == "" {
			p.add("from", "is required when to is given")
		} else {
			p.add("to", "is required when from is given")
		}
	}
	if q.From != "" {
		if m, err := ParseClock(q.From); err != nil || m == MinutesPerDay {
			p.add("from", "%q is not a time from 00:00 to 23:59 (HH:MM)", q.From)
		}
	}
	if q.To != "" {
		if _, err := ParseClock(q.To); err != nil {
			p.add("to", "%q is not a time from 00:00 to 24:00 (HH:MM)", q.To)
		}
	}
	seen := map[int]bool{}
	for i, d := range q.Days {
		switch {
		case d < 1 || d > 7:
			p.add(fmt.Sprintf("days[%d]", i), "%d is not an ISO weekday: use 1 (Monday) … 7 (Sunday)", d)
		case seen[d]:
			p.add(fmt.Sprintf("days[%d]", i), "weekday %d is listed twice", d)
		}
		seen[d] = true
	}
	if q.Location == nil {
		p.add("time_zone", "%s", errNoZone.Error())
	}
	return p.err()
}

// Allowed reports whether an invitation may go out at t, and if not, why:
// ReasonDayNotAllowed (checked first), ReasonQuietHours, or ReasonInvalid.
// The reason is "" when allowed. Only the wall-clock minute counts: with
// From "21:00", 20:59:59 is allowed and 21:00:00 is not.
func (q Quiet) Allowed(t time.Time) (bool, string) {
	from, to, err := q.window()
	if err != nil {
		return false, ReasonInvalid
	}
	lt := t.In(q.loc())
	if len(q.Days) > 0 && !slices.Contains(q.Days, ISOWeekday(lt.Weekday())) {
		return false, ReasonDayNotAllowed
	}
	if quietAt(lt.Hour()*60+lt.Minute(), from, to) {
		return false, ReasonQuietHours
	}
	return true, ""
}

// NextAllowed returns t when Allowed(t), else the earliest later moment that
// is allowed; the zero time when none is (see NextAllowedOK).
func (q Quiet) NextAllowed(t time.Time) time.Time {
	r, _ := q.NextAllowedOK(t)
	return r
}

// NextAllowedOK is NextAllowed that reports false, with the zero time, when
// nothing is ever allowed: no valid weekday in Days, quiet hours covering
// the whole day ("00:00"–"24:00"), or times that do not parse.
func (q Quiet) NextAllowedOK(t time.Time) (time.Time, bool) {
	if ok, _ := q.Allowed(t); ok {
		return t, true
	}
	_, to, err := q.window()
	if err != nil {
		return time.Time{}, false
	}
	// Allowed only changes at local midnight (a new weekday), at To (the end
	// of the quiet hours) or at a change of the zone's offset; the first of
	// these candidates after t that is allowed is the answer. A week and a
	// day covers every weekday.
	loc := q.loc()
	day := civil(t, loc)
	var cands []time.Time
	for i := 0; i <= 8; i++ {
		y, m, d := day.AddDate(0, 0, i).Date()
		cands = append(cands, time.Date(y, m, d, 0, 0, 0, 0, loc))
		if to > 0 && to < MinutesPerDay {
			cands = append(cands, time.Date(y, m, d, 0, to, 0, 0, loc))
		}
	}
	y, m, d := day.AddDate(0, 0, 9).Date()
	limit := time.Date(y, m, d, 0, 0, 0, 0, loc)
	for x, i := t.In(loc), 0; i < 64; i++ {
		_, end := x.ZoneBounds()
		if end.IsZero() || !end.After(x) || end.After(limit) {
			break
		}
		cands = append(cands, end)
		x = end
	}
	slices.SortFunc(cands, time.Time.Compare)
	for _, c := range cands {
		if !c.After(t) {
			continue
		}
		if ok, _ := q.Allowed(c); ok {
			return c, true
		}
	}
	return time.Time{}, false
}
