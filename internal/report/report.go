// Package report renders the monthly customer-feedback report as a PDF.
//
// It draws from plain figures that the caller has already computed (the
// metrics engine and the store are not imported here), so the same Render
// serves the web download, a scheduled e-mail and tests. The PDF is A4
// portrait, set in an embedded DejaVu Sans so Russian reads correctly on any
// machine, with every word taken from the locale catalogue and every number
// and date formatted by the Localizer («1 234,5», «2 марта 2026»).
//
// Text that comes from customers or users (comments, names, the business
// name) is set as plain text only: control and formatting characters are
// dropped, characters the font cannot draw become «□», and over-long text
// is cut, so no input can break the layout or the document.
package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"otklik/internal/locale"
)

// Data is everything one monthly report shows. NPS and margins are points
// (−100…100), shares are fractions (0–1), as everywhere in Otklik. Zero
// values are safe: an empty Data renders a report saying there are no
// answers yet.
type Data struct {
	Business string // the business the report is for, shown in the header
	// Lang is "ru" or "en". It must agree with the Localizer passed to
	// Render; empty means the Localizer's language.
	Lang   string
	Period string // the month, "2026-03"
	// From and To bound the period as a half-open range [From, To), as
	// otklik.ParsePeriod returns it: To is the first instant after it.
	From, To  time.Time
	Generated time.Time // when the figures were taken; zero hides the line
	// Location is the business's time zone, in which dates are written. Nil
	// keeps each time in its own location.
	Location *time.Location

	NPS       NPSFigure
	Trend     []TrendPoint // by month, oldest first; months with N = 0 are gaps
	Breakdown []Row        // grouped by Dimension in the order given
	CSAT      *MeanFigure  // nil: no CSAT survey, the section is left out
	CES       *MeanFigure  // nil: no CES survey
	Benchmark *BenchmarkFigure
	Drivers   []DriverFigure
	Comments  []Comment // a few examples; at most maxComments are shown
}

// NPSFigure is the period's NPS with its margin, weighting and the change
// against the previous month.
type NPSFigure struct {
	N, Promoters, Passives, Detractors int
	NPS, MOE95                         float64
	SmallSample                        bool // n < 30
	WeightedNPS                        float64
	WeightedN                          int      // answers with a revenue; 0 hides the weighted figure
	Previous                           *float64 // the previous month's NPS; nil when it had no answers
	Delta                              float64  // NPS − Previous
	Significant                        bool
	PValue                             float64
}

// TrendPoint is one month of the NPS trend.
type TrendPoint struct {
	Key        string // "2025-04"
	N          int
	NPS, MOE95 float64
}

// Row is one line of the breakdown table.
type Row struct {
	Dimension   string // "team", "manager", "segment", "service", "channel", "region", "tenure", "survey" or any other name
	Key         string // the dimension's value: a team's name, "12-23" …
	N           int
	NPS, MOE95  float64
	SmallSample bool
	Significant bool    // the change against the previous month is significant
	Delta       float64 // change against the previous month, points
}

// MeanFigure summarises a CSAT (1–5) or CES (1–7) question. Share is the
// share of good answers (CSAT 4–5, CES 5–7) and Low the count of poor ones
// (1–3 on either scale).
type MeanFigure struct {
	N     int
	Mean  float64
	Share float64
	Low   int
}

// BenchmarkFigure is an industry's usual NPS range and where it comes from.
type BenchmarkFigure struct {
	Industry  string
	Low, High float64
	Source    string
}

// DriverFigure is one driver question: its share of importance for NPS
// (fractions summing to about 1 across drivers) and its mean rating among
// promoters, passives and detractors.
type DriverFigure struct {
	Key, Label                                  string
	Share                                       float64
	MeanPromoters, MeanPassives, MeanDetractors float64
}

// Comment is an example answer with its comment, shown verbatim as text.
type Comment struct {
	Score   int
	Text    string
	Manager string
}

// Render writes the PDF for d in loc's language to w. Nothing is written
// if the report cannot be built.
func Render(w io.Writer, d Data, loc *locale.Localizer) error {
	if loc == nil {
		return errors.New("report: no localizer")
	}
	if d.Lang != "" && d.Lang != loc.Lang() {
		return fmt.Errorf("report: data is for language %q but the localizer speaks %q", d.Lang, loc.Lang())
	}
	fonts, err := loadFonts()
	if err != nil {
		return err
	}
	r := newRenderer(d, loc, fonts)
	// The trend chart is drawn once and placed in both passes below.
	if err := r.prepareChart(); err != nil {
		return err
	}
	// «Страница 1 из N» needs N before the first page is finished. fpdf's
	// page-count alias would leave the footer measured for the alias text
	// rather than the number, so the document is laid out twice: the first
	// pass only counts pages. Layout never depends on the footer, so both
	// passes break pages at the same places.
	first, err := r.build(0)
	if err != nil {
		return err
	}
	pdf, err := r.build(first.PageCount())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return fmt.Errorf("report: write pdf: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("report: write pdf: %w", err)
	}
	return nil
}
