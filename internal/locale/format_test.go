package locale

import (
	"math"
	"testing"
	"time"
)

func TestDate(t *testing.T) {
	c := newCatalog(t)
	ru, en := c.For("ru"), c.For("en")
	tests := []struct {
		t      time.Time
		ru, en string
	}{
		{time.Date(2026, 3, 2, 14, 5, 0, 0, time.UTC), "2 марта 2026", "Mar 2, 2026"},
		{time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), "31 января 2026", "Jan 31, 2026"},
		{time.Date(2025, 5, 9, 0, 0, 0, 0, time.UTC), "9 мая 2025", "May 9, 2025"},
		{time.Date(2025, 12, 25, 0, 0, 0, 0, time.UTC), "25 декабря 2025", "Dec 25, 2025"},
	}
	for _, tt := range tests {
		if got := ru.Date(tt.t); got != tt.ru {
			t.Errorf("ru Date(%v) = %q, want %q", tt.t, got, tt.ru)
		}
		if got := en.Date(tt.t); got != tt.en {
			t.Errorf("en Date(%v) = %q, want %q", tt.t, got, tt.en)
		}
	}
}

func TestDateTime(t *testing.T) {
	c := newCatalog(t)
	ru, en := c.For("ru"), c.For("en")
	moscow := time.FixedZone("MSK", 3*60*60) // fixed, so the test needs no tzdata
	at := time.Date(2026, 3, 2, 11, 5, 0, 0, time.UTC)

	if got, want := ru.DateTime(at, moscow), "2 марта 2026, 14:05"; got != want {
		t.Errorf("ru = %q, want %q", got, want)
	}
	if got, want := en.DateTime(at, moscow), "Mar 2, 2026, 2:05 PM"; got != want {
		t.Errorf("en = %q, want %q", got, want)
	}
	// nil keeps t's location.
	if got, want := ru.DateTime(at, nil), "2 марта 2026, 11:05"; got != want {
		t.Errorf("ru nil loc = %q, want %q", got, want)
	}
	// The zone can move the date: 22:30 UTC on 31 Dec is already 1 Jan in Moscow.
	late := time.Date(2025, 12, 31, 22, 30, 0, 0, time.UTC)
	if got, want := ru.DateTime(late, moscow), "1 января 2026, 01:30"; got != want {
		t.Errorf("ru across midnight = %q, want %q", got, want)
	}
	if got, want := en.DateTime(late, moscow), "Jan 1, 2026, 1:30 AM"; got != want {
		t.Errorf("en across midnight = %q, want %q", got, want)
	}
}

func TestNumber(t *testing.T) {
	c := newCatalog(t)
	ru, en := c.For("ru"), c.For("en")
	tests := []struct {
		x      float64
		d      int
		ru, en string
	}{
		{1234.5, 1, "1\u00a0234,5", "1,234.5"},
		{1234.5, 0, "1\u00a0234", "1,234"}, // round half to even on exact binary halves
		{1234.56, 1, "1\u00a0234,6", "1,234.6"},
		{0, 0, "0", "0"},
		{0.5, 2, "0,50", "0.50"},
		{999, 0, "999", "999"},
		{1000, 0, "1\u00a0000", "1,000"},
		{1234567.891, 2, "1\u00a0234\u00a0567,89", "1,234,567.89"},
		{-12, 0, "-12", "-12"},
		{-1234.5, 1, "-1\u00a0234,5", "-1,234.5"},
		{-0.04, 1, "0,0", "0.0"}, // no «-0,0» on a dashboard
		{42, -1, "42", "42"},
		{math.NaN(), 1, "—", "—"},
		{math.Inf(1), 1, "—", "—"},
	}
	for _, tt := range tests {
		if got := ru.Number(tt.x, tt.d); got != tt.ru {
			t.Errorf("ru Number(%v, %d) = %q, want %q", tt.x, tt.d, got, tt.ru)
		}
		if got := en.Number(tt.x, tt.d); got != tt.en {
			t.Errorf("en Number(%v, %d) = %q, want %q", tt.x, tt.d, got, tt.en)
		}
	}
}

func TestPercent(t *testing.T) {
	c := newCatalog(t)
	ru, en := c.For("ru"), c.For("en")
	tests := []struct {
		f      float64
		d      int
		ru, en string
	}{
		{0.455, 1, "45,5\u00a0%", "45.5%"},
		{0.7, 0, "70\u00a0%", "70%"},
		{1, 0, "100\u00a0%", "100%"},
		{0, 1, "0,0\u00a0%", "0.0%"},
		{math.NaN(), 0, "—", "—"},
	}
	for _, tt := range tests {
		if got := ru.Percent(tt.f, tt.d); got != tt.ru {
			t.Errorf("ru Percent(%v, %d) = %q, want %q", tt.f, tt.d, got, tt.ru)
		}
		if got := en.Percent(tt.f, tt.d); got != tt.en {
			t.Errorf("en Percent(%v, %d) = %q, want %q", tt.f, tt.d, got, tt.en)
		}
	}
}
