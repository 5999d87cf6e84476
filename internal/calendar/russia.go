package calendar

import (
	"fmt"
	"slices"
)

// RussianFixedHolidays returns the non-working public holidays of the
// Russian Labour Code, art. 112 part 1, for year (the list in force since
// 2013): 1–6 and 8 January (New Year holidays), 7 January (Christmas),
// 23 February, 8 March, 1 May, 9 May, 12 June and 4 November. It leaves out
// every transfer, so on its own it is not the year's calendar.
func RussianFixedHolidays(year int) []string {
	mmdd := []string{"01-01", "01-02", "01-03", "01-04", "01-05", "01-06", "01-07", "01-08",
		"02-23", "03-08", "05-01", "05-09", "06-12", "11-04"}
	out := make([]string, len(mmdd))
	for i, md := range mmdd {
		out[i] = fmt.Sprintf("%04d-%s", year, md)
	}
	return out
}

// russianTransfers are the weekdays made non-working, beyond the fixed
// holidays, in the years whose calendar is known:
//
// 2025 — Government decree No. 1335 of 4 October 2024 «О переносе выходных
// дней в 2025 году»: Saturday 4 January → Friday 2 May; Sunday 5 January →
// Wednesday 31 December; Sunday 23 February → Thursday 8 May; Saturday
// 8 March → Friday 13 June; Saturday 1 November → Monday 3 November (so
// Saturday 1 November 2025 is a working day, see RussianWorkingWeekends).
// 118 days off, 247 working days.
//
// 2026 — Government decree of 24 September 2025 on moving days off in 2026
// (No. 1466 as reported): Saturday 3 January → Friday 9 January; Sunday
// 4 January → Thursday 31 December. By the Labour Code itself (art. 112
// part 2: a holiday on a day off moves to the next working day) Sunday
// 8 March gives Monday 9 March and Saturday 9 May gives Monday 11 May.
// No working Saturdays. 118 days off, 247 working days.
//
// 2027 — no decree is encoded: when this was written we could not confirm
// the 2027 decree, so RussianHolidays(2027) holds only the fixed holidays.
// Expect transfers for Saturday 2 and Sunday 3 January, Saturday 1 May,
// Sunday 9 May and Saturday 12 June; add them to Calendar.Holidays (and any
// working Saturday to ExtraWorkdays) once the decree is published.
var russianTransfers = map[int][]string{
	2025: {"2025-05-02", "2025-05-08", "2025-06-13", "2025-11-03", "2025-12-31"},
	2026: {"2026-01-09", "2026-03-09", "2026-05-11", "2026-12-31"},
	2027: nil,
}

// russianWorkingWeekends are the Saturdays and Sundays the decrees above
// make working days.
var russianWorkingWeekends = map[int][]string{
	2025: {"2025-11-01"},
}

// RussianHolidays returns, sorted, the official non-working days of a year
// as YYYY-MM-DD: the fixed public holidays (including those that fall on a
// weekend) and the days off the government decree moved onto weekdays. It
// knows 2025 and 2026 in full and 2027 without transfers (see the notes on
// russianTransfers); for any other year it returns nil.
func RussianHolidays(year int) []string {
	transfers, ok := russianTransfers[year]
	if !ok {
		return nil
	}
	out := append(RussianFixedHolidays(year), transfers...)
	slices.Sort(out)
	return out
}

// RussianWorkingWeekends returns the Saturdays and Sundays that a decree
// makes working days in year (for Calendar.ExtraWorkdays): 2025-11-01 in
// 2025, none in 2026, none known for 2027 or other years.
func RussianWorkingWeekends(year int) []string {
	return slices.Clone(russianWorkingWeekends[year])
}
