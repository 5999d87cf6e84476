package api

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"otklik/internal/cube"
)

// periodStart is the first instant of the period of dim holding t, in loc.
func periodStart(dim cube.Dim, t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	switch dim {
	case cube.DimWeek:
		return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7)) // back to Monday
	case cube.DimMonth:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
	case cube.DimQuarter:
		return time.Date(t.Year(), t.Month()-(t.Month()-1)%3, 1, 0, 0, 0, 0, loc)
	}
	return day
}

// step moves a period start by n periods of dim.
func step(dim cube.Dim, start time.Time, n int) time.Time {
	switch dim {
	case cube.DimWeek:
		return start.AddDate(0, 0, 7*n)
	case cube.DimMonth:
		return start.AddDate(0, n, 0)
	case cube.DimQuarter:
		return start.AddDate(0, 3*n, 0)
	}
	return start.AddDate(0, 0, n)
}

// previousPeriodStart is the start of the period before the one holding
// from: a time breakdown's first group is compared with all of it.
func previousPeriodStart(dim cube.Dim, from time.Time, loc *time.Location) time.Time {
	if from.IsZero() {
		return from
	}
	return step(dim, periodStart(dim, from, loc), -1)
}

// previousKey is the key of the period before key ("2026-02" → "2026-01",
// "2026-W01" → "2025-W52", "2026-Q1" → "2025-Q4"), or "" for a key it cannot
// read.
func previousKey(dim cube.Dim, key string, loc *time.Location) string {
	start, ok := keyStart(dim, key, loc)
	if !ok {
		return ""
	}
	return periodKey(dim, step(dim, start, -1))
}

func keyStart(dim cube.Dim, key string, loc *time.Location) (time.Time, bool) {
	switch dim {
	case cube.DimDay:
		t, err := time.ParseInLocation(time.DateOnly, key, loc)
		return t, err == nil
	case cube.DimMonth:
		t, err := time.ParseInLocation("2006-01", key, loc)
		return t, err == nil
	case cube.DimQuarter:
		y, q, ok := strings.Cut(key, "-Q")
		year, err1 := strconv.Atoi(y)
		n, err2 := strconv.Atoi(q)
		if !ok || err1 != nil || err2 != nil || n < 1 || n > 4 {
			return time.Time{}, false
		}
		return time.Date(year, time.Month(3*n-2), 1, 0, 0, 0, 0, loc), true
	case cube.DimWeek:
		y, w, ok := strings.Cut(key, "-W")
		year, err1 := strconv.Atoi(y)
		n, err2 := strconv.Atoi(w)
		if !ok || err1 != nil || err2 != nil || n < 1 || n > 53 {
			return time.Time{}, false
		}
		// ISO week 1 holds 4 January.
		jan4 := time.Date(year, 1, 4, 0, 0, 0, 0, loc)
		return periodStart(cube.DimWeek, jan4, loc).AddDate(0, 0, 7*(n-1)), true
	}
	return time.Time{}, false
}

func periodKey(dim cube.Dim, t time.Time) string {
	switch dim {
	case cube.DimDay:
		return t.Format(time.DateOnly)
	case cube.DimMonth:
		return t.Format("2006-01")
	case cube.DimQuarter:
		return fmt.Sprintf("%d-Q%d", t.Year(), (int(t.Month())+2)/3)
	case cube.DimWeek:
		y, w := t.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	}
	return ""
}
