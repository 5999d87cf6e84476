package api

import (
	"testing"
	"time"

	"otklik/internal/cube"
)

func TestPreviousPeriods(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	for _, c := range []struct {
		dim       cube.Dim
		key, want string
	}{
		{cube.DimMonth, "2026-01", "2025-12"},
		{cube.DimQuarter, "2026-Q1", "2025-Q4"},
		{cube.DimWeek, "2026-W01", "2025-W52"},
		{cube.DimWeek, "2021-W01", "2020-W53"},
		{cube.DimDay, "2026-03-01", "2026-02-28"},
		{cube.DimMonth, "garbage", ""},
	} {
		if got := previousKey(c.dim, c.key, msk); got != c.want {
			t.Errorf("previous %s of %s = %q, want %q", c.dim, c.key, got, c.want)
		}
	}
	from := time.Date(2026, 2, 10, 21, 0, 0, 0, time.UTC) // 11 February in Moscow
	if got := previousPeriodStart(cube.DimMonth, from, msk); !got.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, msk)) {
		t.Errorf("previous month start: %s", got)
	}
	if got := previousPeriodStart(cube.DimWeek, from, msk); !got.Equal(time.Date(2026, 2, 2, 0, 0, 0, 0, msk)) {
		t.Errorf("previous week start: %s", got)
	}
}
