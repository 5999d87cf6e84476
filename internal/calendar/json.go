package calendar

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

type intervalJSON struct {
	Open  string `json:"open"`
	Close string `json:"close"`
}

type calendarJSON struct {
	TimeZone      string                    `json:"time_zone"`
	Days          map[string][]intervalJSON `json:"days"`
	Holidays      []string                  `json:"holidays"`
	ExtraWorkdays map[string][]intervalJSON `json:"extra_workdays"`
}

// MarshalJSON writes {"open": "09:00", "close": "18:00"}.
func (iv Interval) MarshalJSON() ([]byte, error) {
	return json.Marshal(intervalJSON{Open: FormatClock(iv.Open), Close: FormatClock(iv.Close)})
}

// UnmarshalJSON reads {"open": "09:00", "close": "18:00"}.
func (iv *Interval) UnmarshalJSON(b []byte) error {
	var w intervalJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	var p problems
	*iv = parseInterval(&p, "", w)
	return p.err()
}

func parseInterval(p *problems, field string, w intervalJSON) Interval {
	prefix := field
	if prefix != "" {
		prefix += "."
	}
	o, err := ParseClock(w.Open)
	if err != nil {
		p.add(prefix+"open", "%q is not a time from 00:00 to 24:00 (HH:MM)", w.Open)
	}
	c, err := ParseClock(w.Close)
	if err != nil {
		p.add(prefix+"close", "%q is not a time from 00:00 to 24:00 (HH:MM)", w.Close)
	}
	return Interval{Open: o, Close: c}
}

func hoursJSON(h DayHours) []intervalJSON {
	out := make([]intervalJSON, len(h))
	for i, iv := range h {
		out[i] = intervalJSON{Open: FormatClock(iv.Open), Close: FormatClock(iv.Close)}
	}
	return out
}

func parseHours(p *problems, field string, ws []intervalJSON) DayHours {
	if len(ws) == 0 {
		return nil
	}
	h := make(DayHours, len(ws))
	for i, w := range ws {
		h[i] = parseInterval(p, fmt.Sprintf("%s[%d]", field, i), w)
	}
	return h
}

// MarshalJSON writes the calendar in its API form (see Calendar): every
// weekday 1–7 is present, a closed one as [], holidays sorted.
func (c Calendar) MarshalJSON() ([]byte, error) {
	w := calendarJSON{
		Days:          make(map[string][]intervalJSON, 7),
		Holidays:      sortedDates(c.Holidays),
		ExtraWorkdays: make(map[string][]intervalJSON, len(c.ExtraWorkdays)),
	}
	if c.Location != nil {
		w.TimeZone = c.Location.String()
	}
	for iso := 1; iso <= 7; iso++ {
		wd, _ := WeekdayFromISO(iso)
		w.Days[fmt.Sprint(iso)] = hoursJSON(c.Days[wd])
	}
	for k, h := range c.ExtraWorkdays {
		w.ExtraWorkdays[k] = hoursJSON(h)
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads the API form and validates it: on any problem it
// returns a *ValidationError naming every bad field and leaves c unchanged.
// A weekday missing from "days" (or given as null or []) is closed.
func (c *Calendar) UnmarshalJSON(b []byte) error {
	var w calendarJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	var p problems
	var out Calendar
	out.Location = parseZone(&p, w.TimeZone)
	for key, ws := range w.Days {
		iso, err := strconv.Atoi(key)
		if err != nil || strconv.Itoa(iso) != key {
			iso = 0
		}
		wd, ok := WeekdayFromISO(iso)
		if !ok {
			p.add("days."+key, "is not an ISO weekday: use 1 (Monday) … 7 (Sunday)")
			continue
		}
		out.Days[wd] = parseHours(&p, "days."+key, ws)
	}
	if len(w.Holidays) > 0 {
		out.Holidays = make(map[string]bool, len(w.Holidays))
	}
	for i, d := range w.Holidays {
		if !isDate(d) {
			p.add(fmt.Sprintf("holidays[%d]", i), "%q is not a date in YYYY-MM-DD form", d)
			continue
		}
		out.Holidays[d] = true
	}
	if len(w.ExtraWorkdays) > 0 {
		out.ExtraWorkdays = make(map[string]DayHours, len(w.ExtraWorkdays))
	}
	for d, ws := range w.ExtraWorkdays {
		if !isDate(d) {
			p.add("extra_workdays."+d, "%q is not a date in YYYY-MM-DD form", d)
			continue
		}
		out.ExtraWorkdays[d] = parseHours(&p, "extra_workdays."+d, ws)
	}
	if err := merge(p, out.Validate()); err != nil {
		return err
	}
	*c = out
	return nil
}

// merge adds to the parse problems p those of a Validate error that are not
// about a field group (the path up to its first '[') already named by p — a
// value that did not parse is not reported a second time as out of range.
func merge(p problems, err error) error {
	if ve, ok := err.(*ValidationError); ok {
		seen := map[string]bool{}
		for _, f := range p {
			seen[fieldGroup(f.Field)] = true
		}
		for _, f := range ve.Problems {
			if !seen[fieldGroup(f.Field)] {
				p = append(p, f)
			}
		}
	}
	sortProblems(p)
	return p.err()
}

func fieldGroup(field string) string {
	if i := strings.IndexByte(field, '['); i >= 0 {
		return field[:i]
	}
	return field
}

func parseZone(p *problems, name string) *time.Location {
	if name == "" {
		p.add("time_zone", "%s", errNoZone.Error())
		return nil
	}
	if name == "Local" {
		p.add("time_zone", "%q is not an IANA time zone name", name)
		return nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		p.add("time_zone", "%q is not a known IANA time zone name", name)
		return nil
	}
	return loc
}

// sortProblems puts problems found while walking maps in a stable order.
func sortProblems(p problems) {
	for i := 1; i < len(p); i++ {
		for j := i; j > 0 && p[j].Field < p[j-1].Field; j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
}

type quietJSON struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Days     []int  `json:"days"`
	TimeZone string `json:"time_zone"`
}

// MarshalJSON writes {"from": "21:00", "to": "09:00", "days": [1, 2, 3, 4, 5],
// "time_zone": "Europe/Moscow"}; "days": [] means every day.
func (q Quiet) MarshalJSON() ([]byte, error) {
	w := quietJSON{From: q.From, To: q.To, Days: q.Days}
	if w.Days == nil {
		w.Days = []int{}
	}
	if q.Location != nil {
		w.TimeZone = q.Location.String()
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads the form MarshalJSON writes and validates it: on any
// problem it returns a *ValidationError and leaves q unchanged.
func (q *Quiet) UnmarshalJSON(b []byte) error {
	var w quietJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	var p problems
	out := Quiet{From: w.From, To: w.To, Days: w.Days, Location: parseZone(&p, w.TimeZone)}
	if len(out.Days) == 0 {
		out.Days = nil
	}
	if err := merge(p, out.Validate()); err != nil {
		return err
	}
	*q = out
	return nil
}
