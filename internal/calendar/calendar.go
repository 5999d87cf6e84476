// Package calendar is the business calendar: working hours per weekday (with
// breaks), public holidays, moved working days and a time zone, and the
// arithmetic on it that SLAs need — is the business open now, when does it
// open next, what instant is "4 working hours" or "3 working days" after a
// moment, how much working time lies between two moments. It also holds the
// quiet hours that keep invitations away from a customer's night.
//
// The package is pure: no I/O, no clock (every function takes the instants it
// needs), standard library only. Instants go in and come out as time.Time in
// whatever location the caller used; all wall-clock reasoning happens in the
// calendar's own Location, so a 09:00–18:00 day stays 09:00–18:00 local across
// a daylight-saving change.
package calendar

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"
)

// MinutesPerDay is the largest clock value: "24:00", the end of a day.
const MinutesPerDay = 24 * 60

// DateLayout is the form of the keys of Holidays and ExtraWorkdays.
const DateLayout = "2006-01-02"

// Interval is one stretch of working hours within a local day, as minutes
// since local midnight, half-open: open at Open, closed again at Close.
// 0 <= Open < Close <= 1440. In JSON: {"open": "09:00", "close": "18:00"}.
type Interval struct {
	Open  int
	Close int
}

// DayHours is the working hours of one day, in order and not overlapping:
// one interval ({09:00–18:00}), two around a lunch break ({09:00–13:00,
// 14:00–18:00}), or none for a closed day.
type DayHours []Interval

// Calendar is a business calendar.
//
// Days is indexed by time.Weekday (Days[time.Monday] … Days[time.Sunday]);
// in JSON the weekdays are ISO numbers, 1 = Monday … 7 = Sunday:
//
//	{"time_zone": "Europe/Moscow",
//	 "days": {"1": [{"open": "09:00", "close": "13:00"}, {"open": "14:00", "close": "18:00"}], …, "7": []},
//	 "holidays": ["2026-01-01", …],
//	 "extra_workdays": {"2025-11-01": [{"open": "09:00", "close": "18:00"}]}}
//
// Holidays (keys YYYY-MM-DD, value true) are closed whatever their weekday.
// ExtraWorkdays gives the hours of particular dates and wins over both the
// weekday and Holidays: a Saturday made a working day by a government
// decree, or a shortened day before a holiday. A date may not be in both.
//
// A nil Location is treated as UTC by the methods; Validate rejects it.
type Calendar struct {
	Location      *time.Location
	Days          [7]DayHours
	Holidays      map[string]bool
	ExtraWorkdays map[string]DayHours
}

// Default is the calendar a Russian business starts with: Europe/Moscow,
// Monday to Friday 09:00–18:00, the official non-working days of 2025–2027
// from RussianHolidays, and the working Saturdays of RussianWorkingWeekends
// (09:00–18:00).
func Default() Calendar {
	day := func() DayHours { return DayHours{{Open: 9 * 60, Close: 18 * 60}} }
	c := Calendar{Location: Moscow(), Holidays: map[string]bool{}, ExtraWorkdays: map[string]DayHours{}}
	for wd := time.Monday; wd <= time.Friday; wd++ {
		c.Days[wd] = day()
	}
	for year := 2025; year <= 2027; year++ {
		for _, d := range RussianHolidays(year) {
			c.Holidays[d] = true
		}
		for _, d := range RussianWorkingWeekends(year) {
			c.ExtraWorkdays[d] = day()
		}
	}
	return c
}

// Moscow returns the Europe/Moscow zone from the zone database, or, where
// there is none, a fixed UTC+3 zone of the same name — Moscow's offset, with
// no daylight saving, since 26 October 2014.
func Moscow() *time.Location {
	if loc, err := time.LoadLocation("Europe/Moscow"); err == nil {
		return loc
	}
	return time.FixedZone("Europe/Moscow", 3*60*60)
}

// Clone returns a copy that shares no map or slice with c.
func (c Calendar) Clone() Calendar {
	out := Calendar{Location: c.Location}
	for i, h := range c.Days {
		out.Days[i] = slices.Clone(h)
	}
	if c.Holidays != nil {
		out.Holidays = maps.Clone(c.Holidays)
	}
	if c.ExtraWorkdays != nil {
		out.ExtraWorkdays = make(map[string]DayHours, len(c.ExtraWorkdays))
		for k, h := range c.ExtraWorkdays {
			out.ExtraWorkdays[k] = slices.Clone(h)
		}
	}
	return out
}

// FieldError names one bad field (its path in the JSON form, e.g.
// "days.1[0].close", "extra_workdays.2025-11-01[1].open", "time_zone") and
// why it is bad. Its shape matches otklik.FieldError.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError lists every problem found in a calendar or quiet hours.
type ValidationError struct {
	Problems []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Field + ": " + p.Message
	}
	return "calendar: invalid: " + strings.Join(parts, "; ")
}

type problems []FieldError

func (p *problems) add(field, format string, args ...any) {
	*p = append(*p, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return &ValidationError{Problems: p}
}

// ISOWeekday converts a time.Weekday to ISO 8601 numbering (1 = Monday … 7 = Sunday).
func ISOWeekday(wd time.Weekday) int {
	if wd == time.Sunday {
		return 7
	}
	return int(wd)
}

// WeekdayFromISO converts an ISO weekday (1 = Monday … 7 = Sunday) to a time.Weekday.
func WeekdayFromISO(iso int) (time.Weekday, bool) {
	if iso < 1 || iso > 7 {
		return 0, false
	}
	return time.Weekday(iso % 7), true
}

// Validate reports every problem with c as a *ValidationError naming the
// fields: a missing time zone, intervals out of 00:00–24:00, closing before
// they open, out of order or overlapping, a week with no working hours at
// all, dates not in YYYY-MM-DD form, an extra workday without hours, and a
// date that is both a holiday and an extra workday.
func (c Calendar) Validate() error {
	var p problems
	if c.Location == nil {
		p.add("time_zone", "is required (an IANA name such as Europe/Moscow)")
	} else if c.Location.String() == "Local" {
		p.add("time_zone", "must be an IANA name such as Europe/Moscow, not the machine's local zone")
	}
	open := false
	for iso := 1; iso <= 7; iso++ {
		wd, _ := WeekdayFromISO(iso)
		h := c.Days[wd]
		validateHours(&p, fmt.Sprintf("days.%d", iso), h)
		if len(h) > 0 {
			open = true
		}
	}
	if !open {
		p.add("days", "no weekday has working hours: at least one day must be open")
	}
	for _, k := range slices.Sorted(maps.Keys(c.Holidays)) {
		if !isDate(k) {
			p.add("holidays", "%q is not a date in YYYY-MM-DD form", k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(c.ExtraWorkdays)) {
		field := "extra_workdays." + k
		if !isDate(k) {
			p.add(field, "%q is not a date in YYYY-MM-DD form", k)
		}
		if c.Holidays[k] {
			p.add(field, "%s is also listed as a holiday: a date is either closed or open", k)
		}
		if len(c.ExtraWorkdays[k]) == 0 {
			p.add(field, "has no hours: list the day's working hours, or make it a holiday")
		}
		validateHours(&p, field, c.ExtraWorkdays[k])
	}
	return p.err()
}

func validateHours(p *problems, field string, h DayHours) {
	for i, iv := range h {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case iv.Open < 0 || iv.Open >= MinutesPerDay:
			p.add(f+".open", "%d minutes is outside 00:00–23:59", iv.Open)
		case iv.Close <= 0 || iv.Close > MinutesPerDay:
			p.add(f+".close", "%d minutes is outside 00:01–24:00", iv.Close)
		case iv.Close <= iv.Open:
			p.add(f+".close", "closes at %s, not after it opens at %s", FormatClock(iv.Close), FormatClock(iv.Open))
		case i > 0 && iv.Open < h[i-1].Close:
			p.add(f+".open", "opens at %s, before the previous interval closes at %s: intervals must be in order and not overlap",
				FormatClock(iv.Open), FormatClock(h[i-1].Close))
		}
	}
}

func isDate(s string) bool {
	t, err := time.Parse(DateLayout, s)
	return err == nil && t.Format(DateLayout) == s
}

// ParseClock parses a wall-clock time "HH:MM" (00:00 … 24:00) into minutes
// since midnight.
func ParseClock(s string) (int, error) {
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("calendar: time %q is not in HH:MM form", s)
	}
	h, m := twoDigits(s[0:2]), twoDigits(s[3:5])
	if h < 0 || m < 0 {
		return 0, fmt.Errorf("calendar: time %q is not in HH:MM form", s)
	}
	if h > 24 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("calendar: time %q is out of range 00:00–24:00", s)
	}
	return h*60 + m, nil
}

func twoDigits(s string) int {
	if s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return -1
	}
	return int(s[0]-'0')*10 + int(s[1]-'0')
}

// FormatClock formats minutes since midnight as "HH:MM"; values outside
// 0–1440 are formatted as they come, for error messages.
func FormatClock(m int) string {
	if m < 0 || m > MinutesPerDay {
		return fmt.Sprintf("%d min", m)
	}
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

// ParseDayHours parses "09:00-13:00,14:00-18:00" (an en dash also works;
// "" or "closed" is a closed day). The result is not validated.
func ParseDayHours(s string) (DayHours, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "closed") {
		return nil, nil
	}
	var h DayHours
	for part := range strings.SplitSeq(s, ",") {
		part = strings.ReplaceAll(strings.TrimSpace(part), "–", "-")
		from, to, ok := strings.Cut(part, "-")
		if !ok {
			return nil, fmt.Errorf("calendar: interval %q is not HH:MM-HH:MM", part)
		}
		o, err := ParseClock(strings.TrimSpace(from))
		if err != nil {
			return nil, err
		}
		c, err := ParseClock(strings.TrimSpace(to))
		if err != nil {
			return nil, err
		}
		h = append(h, Interval{Open: o, Close: c})
	}
	return h, nil
}

// MustDayHours is ParseDayHours for literals known to be right; it panics on
// a malformed one.
func MustDayHours(s string) DayHours {
	h, err := ParseDayHours(s)
	if err != nil {
		panic(err)
	}
	return h
}

// String formats h as ParseDayHours reads it ("closed" for no hours).
func (h DayHours) String() string {
	if len(h) == 0 {
		return "closed"
	}
	parts := make([]string, len(h))
	for i, iv := range h {
		parts[i] = FormatClock(iv.Open) + "-" + FormatClock(iv.Close)
	}
	return strings.Join(parts, ",")
}

// errNoZone is returned when the JSON names no time zone.
var errNoZone = errors.New("is required (an IANA name such as Europe/Moscow)")

func sortedDates(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		if v {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
