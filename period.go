package otklik

import "time"

// ParsePeriod reads the from/to bounds of a report or a list. A date
// YYYY-MM-DD is a whole day in loc, the business's time zone, and to is
// inclusive of that day; an RFC 3339 instant is taken as it is, and to is
// exclusive. Either may be empty (unbounded). The result is [from, to).
func ParsePeriod(fromS, toS string, loc *time.Location) (from, to time.Time, err error) {
	var p Problems
	from, _, ok := parseBound(fromS, loc)
	if !ok {
		p.Add("from", "must be a date YYYY-MM-DD or an RFC 3339 instant")
	}
	to, toDate, ok := parseBound(toS, loc)
	if !ok {
		p.Add("to", "must be a date YYYY-MM-DD or an RFC 3339 instant")
	}
	if toDate {
		to = to.AddDate(0, 0, 1) // through the end of the last day
	}
	if len(p) == 0 && !from.IsZero() && !to.IsZero() && !to.After(from) {
		p.Add("to", "must be after from")
	}
	if err := p.Err("the period is not valid"); err != nil {
		return time.Time{}, time.Time{}, err
	}
	return from, to, nil
}

func parseBound(v string, loc *time.Location) (t time.Time, isDate, ok bool) {
	if v == "" {
		return time.Time{}, false, true
	}
	if d, err := time.ParseInLocation(time.DateOnly, v, loc); err == nil {
		return d, true, true
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, false, true
	}
	return time.Time{}, false, false
}
