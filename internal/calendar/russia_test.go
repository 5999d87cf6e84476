package calendar

import (
	"slices"
	"testing"
	"time"
)

func TestRussianHolidays(t *testing.T) {
	want := map[int][]string{
		// Decree No. 1335 of 4 Oct 2024.
		2025: {"2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04", "2025-01-05", "2025-01-06", "2025-01-07", "2025-01-08",
			"2025-02-23", "2025-03-08", "2025-05-01", "2025-05-02", "2025-05-08", "2025-05-09", "2025-06-12", "2025-06-13",
			"2025-11-03", "2025-11-04", "2025-12-31"},
		// Decree of 24 Sep 2025, plus the Labour Code's own moves of 8 March and 9 May.
		2026: {"2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04", "2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08",
			"2026-01-09", "2026-02-23", "2026-03-08", "2026-03-09", "2026-05-01", "2026-05-09", "2026-05-11", "2026-06-12",
			"2026-11-04", "2026-12-31"},
		// No decree encoded: the fixed holidays only.
		2027: {"2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04", "2027-01-05", "2027-01-06", "2027-01-07", "2027-01-08",
			"2027-02-23", "2027-03-08", "2027-05-01", "2027-05-09", "2027-06-12", "2027-11-04"},
	}
	for year, w := range want {
		if got := RussianHolidays(year); !slices.Equal(got, w) {
			t.Errorf("RussianHolidays(%d) =\n%v\nwant\n%v", year, got, w)
		}
	}
	if got := RussianHolidays(2024); got != nil {
		t.Errorf("RussianHolidays(2024) = %v, want nil (not encoded)", got)
	}
	if got := RussianHolidays(2027); !slices.Equal(got, RussianFixedHolidays(2027)) {
		t.Errorf("2027 is not the fixed list: %v", got)
	}
	if got := RussianWorkingWeekends(2025); !slices.Equal(got, []string{"2025-11-01"}) {
		t.Errorf("RussianWorkingWeekends(2025) = %v", got)
	}
	if got := RussianWorkingWeekends(2026); len(got) != 0 {
		t.Errorf("RussianWorkingWeekends(2026) = %v", got)
	}
}

// Each moved day falls on the weekday the decree names, so a typo in a
// date would show here.
func TestRussianTransfersFallWhereDecreed(t *testing.T) {
	for date, wd := range map[string]time.Weekday{
		"2025-01-04": time.Saturday, "2025-05-02": time.Friday, // 4 Jan → 2 May
		"2025-01-05": time.Sunday, "2025-12-31": time.Wednesday, // 5 Jan → 31 Dec
		"2025-02-23": time.Sunday, "2025-05-08": time.Thursday, // 23 Feb → 8 May
		"2025-03-08": time.Saturday, "2025-06-13": time.Friday, // 8 Mar → 13 Jun
		"2025-11-01": time.Saturday, "2025-11-03": time.Monday, // 1 Nov → 3 Nov
		"2026-01-03": time.Saturday, "2026-01-09": time.Friday, // 3 Jan → 9 Jan
		"2026-01-04": time.Sunday, "2026-12-31": time.Thursday, // 4 Jan → 31 Dec
		"2026-03-08": time.Sunday, "2026-03-09": time.Monday, // art. 112
		"2026-05-09": time.Saturday, "2026-05-11": time.Monday, // art. 112
		"2026-11-04": time.Wednesday,
	} {
		d, _ := time.Parse(DateLayout, date)
		if d.Weekday() != wd {
			t.Errorf("%s is a %s, not a %s", date, d.Weekday(), wd)
		}
	}
}

// The official production calendars: 247 working days and 118 days off in
// both 2025 and 2026.
func TestRussianWorkingDayCounts(t *testing.T) {
	c := Default()
	for _, year := range []int{2025, 2026} {
		working := 0
		days := 0
		for d := at(msk, year, 1, 1, 12, 0); d.Year() == year; d = d.AddDate(0, 0, 1) {
			days++
			if c.IsWorkingDay(d) {
				working++
			}
		}
		if working != 247 || days-working != 118 {
			t.Errorf("%d: %d working days, %d days off; want 247 and 118", year, working, days-working)
		}
	}
	// The moved Saturday of 2025 is open, the moved Monday closed.
	if !c.IsOpen(at(msk, 2025, 11, 1, 10, 0)) || c.IsOpen(at(msk, 2025, 11, 3, 10, 0)) {
		t.Error("1 and 3 November 2025 are the wrong way round")
	}
}
