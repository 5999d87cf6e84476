package transfer

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"otklik"
)

// formulaStarts are the first characters that make a spreadsheet treat a
// cell as a formula (or, for tab and CR, shift it into one) — OWASP's list.
const formulaStarts = "=+-@\t\r"

// Neutralize makes a text cell inert in Excel by prefixing a quote, the way
// Excel itself marks "this is text". Comments are written by customers, and
// an export opened by a manager must not run their formulas.
func Neutralize(s string) string {
	if s != "" && strings.IndexByte(formulaStarts, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// cleanCell trims a cell and undoes neutralize, so that exporting and
// importing a file gives back the same text.
func cleanCell(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 1 && s[0] == '\'' && strings.IndexByte(formulaStarts, s[1]) >= 0 {
		s = s[1:]
	}
	return s
}

// rowCells reads the cells of one row and collects its problems.
type rowCells struct {
	l        *layout
	cells    []string
	excel    bool
	date1904 bool
	p        otklik.Problems
}

// text returns the cleaned cell i ("" when absent). Text that is not UTF-8
// or holds NUL is a problem, not a value: databases refuse it, and a row
// half-stored with replacement characters is worse than a clear error.
func (rc *rowCells) text(i int, field string) string {
	if i < 0 || i >= len(rc.cells) {
		return ""
	}
	s := cleanCell(rc.cells[i])
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		rc.p.Add(field, "is not valid UTF-8 text: save the file as CSV UTF-8")
		return ""
	}
	return s
}

// get returns the cleaned cell of a known column.
func (rc *rowCells) get(name string) string { return rc.text(rc.l.col(name), name) }

// number reports whether s is a plain decimal a workbook would store,
// rejecting what strconv.ParseFloat also takes (hex, Inf, NaN, "1_0").
func number(s string) (float64, bool) {
	if s == "" || strings.Trim(s, "0123456789.eE+-") != "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// parseInt reads a whole number; "9.0" passes because some tools export
// every number as a float.
func parseInt(s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return n, true
	}
	f, ok := number(s)
	if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int(f), true
}

// parseBool reads yes/no in the spellings of English and Russian sheets.
func parseBool(s string) (granted, ok bool) {
	switch strings.ToLower(s) {
	case "yes", "y", "true", "1", "да", "д":
		return true, true
	case "no", "n", "false", "0", "нет", "н":
		return false, true
	}
	return false, false
}

// currencySuffixes are what a CSV saved from a currency-formatted column
// carries after the number.
var currencySuffixes = []string{"₽", "руб.", "руб", "р.", "rub", "rur"}

// parseAmount reads money: "150 000,50", "150000.5", "150 000 ₽", and in a
// workbook the stored double, whose binary noise (1234.5599999999999) is
// rounded to kopecks.
func parseAmount(s string, excel bool) (otklik.Amount, bool) {
	t := s
	for _, suf := range currencySuffixes {
		if len(t) >= len(suf) && strings.EqualFold(t[len(t)-len(suf):], suf) {
			t = strings.TrimSpace(t[:len(t)-len(suf)])
			break
		}
	}
	if a, err := otklik.ParseAmount(t); err == nil {
		return a, true
	}
	if !excel {
		return 0, false
	}
	f, ok := number(t)
	if !ok || math.Abs(f) >= 1e13 { // beyond, a double no longer holds kopecks exactly
		return 0, false
	}
	cents := math.Round(f * 100)
	if math.Abs(f*100-cents) > 1e-6*math.Max(1, math.Abs(cents)) {
		return 0, false // really more than two decimals
	}
	return otklik.Amount(cents), true
}

// maxSerial is 9999-12-31 as an Excel serial date.
const maxSerial = 2958466

// serialTime turns an Excel serial date (days since 1900, fraction = time of
// day) into the wall clock it shows, in UTC fields.
func serialTime(s string, date1904 bool) (time.Time, bool) {
	f, ok := number(s)
	if !ok || f < 1 || f >= maxSerial {
		return time.Time{}, false
	}
	t, err := excelize.ExcelDateToTime(f, date1904)
	return t, err == nil
}

// parseDate reads a calendar day: YYYY-MM-DD, DD.MM.YYYY (also with single
// digits, as Excel writes 5.1.2024), a date cell of a workbook, or a
// date-time whose time part is dropped.
func (rc *rowCells) parseDate(s string) (otklik.Date, bool) {
	if d, err := otklik.ParseDate(s); err == nil {
		return d, true
	}
	if t, err := time.Parse("2.1.2006", s); err == nil {
		return otklik.Date{Time: t}, true
	}
	if rc.excel {
		if t, ok := serialTime(s, rc.date1904); ok {
			y, m, d := t.Date()
			return otklik.Date{Time: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}, true
		}
	}
	if day, rest, ok := strings.Cut(s, " "); ok && rest != "" {
		if _, ok := parseLocal(rest, "15:04:05", "15:04"); ok {
			return rc.parseDate(day)
		}
	}
	return otklik.Date{}, false
}

// zonedLayouts carry their own offset; localLayouts are read in the
// business's zone. Go accepts fractional seconds after "05" when parsing.
var (
	zonedLayouts = []string{time.RFC3339, "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04Z07:00"}
	localLayouts = []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05",
		"2006-01-02 15:04", "2.1.2006 15:04:05", "2.1.2006 15:04", "2006-01-02", "2.1.2006"}
)

func parseLocal(s string, layouts ...string) (time.Time, bool) {
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseTime reads an instant and returns it in UTC. Without a zone the
// wall clock is taken in loc: a sheet from Moscow says "10:00" meaning
// Moscow's ten o'clock.
func (rc *rowCells) parseTime(s string, loc *time.Location) (time.Time, bool) {
	for _, l := range zonedLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	t, ok := parseLocal(s, localLayouts...)
	if !ok && rc.excel {
		t, ok = serialTime(s, rc.date1904)
	}
	if !ok {
		return time.Time{}, false
	}
	y, mo, d := t.Date()
	h, mi, sec := t.Clock()
	return time.Date(y, mo, d, h, mi, sec, t.Nanosecond(), loc).UTC(), true
}
