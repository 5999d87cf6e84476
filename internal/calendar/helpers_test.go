package calendar

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones the tests use, whatever the machine has
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

var (
	msk = mustZone("Europe/Moscow")    // UTC+3, no DST
	nyc = mustZone("America/New_York") // EST/EDT; 2026: spring forward 8 March, fall back 1 November
)

// at is a wall-clock instant in loc.
func at(loc *time.Location, y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, loc)
}

// weekdays returns a calendar in loc open Monday to Friday with hours h.
func weekdays(loc *time.Location, h string) Calendar {
	c := Calendar{Location: loc}
	for wd := time.Monday; wd <= time.Friday; wd++ {
		c.Days[wd] = MustDayHours(h)
	}
	return c
}

// everyDay returns a calendar in loc open all seven days with hours h.
func everyDay(loc *time.Location, h string) Calendar {
	c := Calendar{Location: loc}
	for wd := range c.Days {
		c.Days[wd] = MustDayHours(h)
	}
	return c
}

func sameInstant(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %s, want %s", what, got.In(want.Location()).Format(time.RFC3339+" Mon"), want.Format(time.RFC3339+" Mon"))
	}
}
