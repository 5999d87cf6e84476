package report

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Limits on text from customers and users, in characters. They keep one
// hostile or careless value from taking over a page.
const (
	maxNameRunes    = 120 // business, team, manager, driver and industry names
	maxSourceRunes  = 300
	maxCommentRunes = 700
)

// missingGlyph stands in for characters the font cannot draw (emoji, rare
// scripts), so the reader sees that something was there.
const missingGlyph = '□'

// clean turns untrusted text into a single line the font can set: invalid
// UTF-8, control and invisible formatting characters (bidi overrides,
// zero-width joiners, variation selectors) are removed, any run of white
// space becomes one space, runs of characters missing from the font become
// one «□», and the result is cut to limit characters with «…».
//
// The text is composed (NFC) first, so «й» or «é» typed as a letter plus a
// combining mark become one character; combining marks left over after that
// are dropped. They are rare in real text, stack into an unreadable smear
// in "Zalgo" text, and fpdf's line breaking miscounts their width.
func (f *fontSet) clean(s string, limit int) string {
	s = norm.NFC.String(strings.ToValidUTF8(s, ""))
	var b strings.Builder
	b.Grow(min(len(s), 4*limit+8))
	n := 0
	space, missing := false, false
	for _, r := range s {
		if n >= limit {
			return strings.TrimRight(b.String(), " ") + "…"
		}
		switch {
		case r == utf8.RuneError:
			continue
		case r == '\u00a0' || r == '\u202f':
			// A no-break space is kept: it binds «1 234» or «ст. 5».
		case unicode.IsSpace(r):
			space = n > 0
			continue
		case unicode.IsControl(r), unicode.In(r, unicode.Cf, unicode.Mn, unicode.Me, unicode.Co, unicode.Cs),
			unicode.Is(unicode.Variation_Selector, r):
			continue
		}
		if !f.has(r) {
			if missing {
				continue
			}
			r, missing = missingGlyph, true
		} else {
			missing = false
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// monthIDs are the catalogue ids of the month names, nominative («март»):
// the report title reads «Отчёт за март 2026».
var monthIDs = [12]string{
	"report.month_jan", "report.month_feb", "report.month_mar", "report.month_apr",
	"report.month_may", "report.month_jun", "report.month_jul", "report.month_aug",
	"report.month_sep", "report.month_oct", "report.month_nov", "report.month_dec",
}

// monIDs are the short month names for the chart's axis.
var monIDs = [12]string{
	"report.mon_jan", "report.mon_feb", "report.mon_mar", "report.mon_apr",
	"report.mon_may", "report.mon_jun", "report.mon_jul", "report.mon_aug",
	"report.mon_sep", "report.mon_oct", "report.mon_nov", "report.mon_dec",
}

// parseMonth reads a "2026-03" key.
func parseMonth(key string) (year int, month time.Month, ok bool) {
	t, err := time.Parse("2006-01", strings.TrimSpace(key))
	if err != nil {
		return 0, 0, false
	}
	return t.Year(), t.Month(), true
}

// monthWords writes a month in words: «март 2026», "March 2026".
func (r *renderer) monthWords(year int, month time.Month) string {
	return r.loc.T(monthIDs[month-1]) + " " + strconv.Itoa(year)
}

// periodWords names the report's month. The Period key wins; without a
// readable key the month of From is used, and failing that the key as
// given. ok is false when there is nothing to name.
func (r *renderer) periodWords() (words string, ok bool) {
	if y, m, ok := parseMonth(r.d.Period); ok {
		return r.monthWords(y, m), true
	}
	if !r.d.From.IsZero() {
		from := r.inZone(r.d.From)
		return r.monthWords(from.Year(), from.Month()), true
	}
	if p := r.fonts.clean(r.d.Period, 40); p != "" {
		return p, true
	}
	return "", false
}

// inZone moves t into the business's zone, when one is given.
func (r *renderer) inZone(t time.Time) time.Time {
	if r.d.Location != nil {
		return t.In(r.d.Location)
	}
	return t
}

// num writes a figure with one decimal, the precision of NPS everywhere in
// Otklik: ru «32,5», en "32.5".
func (r *renderer) num(x float64) string { return r.loc.Number(x, 1) }

// signed writes a change with its sign: «+4,2», «-3,0», «0,0».
func (r *renderer) signed(x float64) string {
	s := r.loc.Number(x, 1)
	if x > 0 && strings.Trim(s, "0.,") != "" {
		return "+" + s
	}
	return s
}

// count writes a whole number with the language's thousands separator.
func (r *renderer) count(n int) string { return r.loc.Number(float64(n), 0) }

// pValue writes a p-value to three decimals, or «< 0,001» below that.
func (r *renderer) pValue(p float64) string {
	if p < 0.001 && p >= 0 {
		return r.loc.T("report.p_below", map[string]any{"Value": r.loc.Number(0.001, 3)})
	}
	return r.loc.T("report.p_value", map[string]any{"Value": r.loc.Number(p, 3)})
}
