package locale

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// ruMonths are in the genitive case, the form a Russian date takes after
// the day number: «2 марта», never «2 март».
var ruMonths = [12]string{
	"января", "февраля", "марта", "апреля", "мая", "июня",
	"июля", "августа", "сентября", "октября", "ноября", "декабря",
}

// nbsp separates thousands in Russian (CLDR's group symbol for ru). A plain
// space would let the browser break «1 234» across two lines.
const nbsp = "\u00a0"

// Date writes the calendar date of t in t's own location:
// ru «2 марта 2026», en «Mar 2, 2026».
func (l *Localizer) Date(t time.Time) string {
	if l.lang == English {
		return t.Format("Jan 2, 2006")
	}
	return strconv.Itoa(t.Day()) + " " + ruMonths[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// DateTime writes t as seen in loc: ru «2 марта 2026, 14:05» (24-hour
// clock), en «Mar 2, 2026, 2:05 PM». Instants are stored in UTC, so callers
// pass the business's or the viewer's zone; a nil loc keeps t's location.
func (l *Localizer) DateTime(t time.Time, loc *time.Location) string {
	if loc != nil {
		t = t.In(loc)
	}
	if l.lang == English {
		return t.Format("Jan 2, 2006, 3:04 PM")
	}
	return l.Date(t) + ", " + t.Format("15:04")
}

// Number writes x rounded to decimals places (negative means 0) with the
// language's separators: ru «1 234,5» (no-break space, decimal comma),
// en «1,234.5». The sign is the ASCII hyphen-minus for both, as in CLDR.
// NaN and infinities, which an empty sample can produce, are shown as a
// dash rather than as Go's «NaN».
func (l *Localizer) Number(x float64, decimals int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "—"
	}
	decimals = max(decimals, 0)
	s := strconv.FormatFloat(math.Abs(x), 'f', decimals, 64)
	intPart, frac, _ := strings.Cut(s, ".")

	group, point := ",", "."
	if l.lang != English {
		group, point = nbsp, ","
	}

	var b strings.Builder
	// Rounding can turn a tiny negative into zero; «-0» would read as a
	// real negative value on a dashboard, so the sign is dropped then.
	if x < 0 && strings.Trim(s, "0.") != "" {
		b.WriteByte('-')
	}
	for i, d := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(d)
	}
	if frac != "" {
		b.WriteString(point)
		b.WriteString(frac)
	}
	return b.String()
}

// Percent writes a fraction (0.455) as a percentage with decimals places:
// ru «45,5 %» (Russian puts a no-break space before the sign), en «45.5%».
// Shares travel as fractions 0–1 everywhere else in Otklik, so the
// multiplication by 100 happens here, once.
func (l *Localizer) Percent(fraction float64, decimals int) string {
	n := l.Number(fraction*100, decimals)
	if n == "—" {
		return n // no value, so no unit either
	}
	if l.lang == English {
		return n + "%"
	}
	return n + nbsp + "%"
}
