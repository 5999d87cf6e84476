package report

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"

	"codeberg.org/go-pdf/fpdf"

	"otklik/internal/locale"
)

// Page geometry in millimetres (A4 portrait).
const (
	pageW        = 210.0
	pageH        = 297.0
	marginX      = 15.0
	marginTop    = 15.0
	contentW     = pageW - 2*marginX
	bottomMargin = 20.0 // the footer lives in here
	pageBottom   = pageH - bottomMargin
	runningTop   = 24.0 // where content starts below the running header
)

// maxComments caps the example comments, so a caller that passes a whole
// month's answers still gets a report, not a book.
const maxComments = 8

type rgb struct{ r, g, b int }

var (
	colInk       = rgb{33, 37, 41}
	colMuted     = rgb{98, 106, 114}
	colFaint     = rgb{158, 164, 170}
	colRule      = rgb{222, 226, 230}
	colPanel     = rgb{243, 246, 250}
	colStripe    = rgb{247, 248, 250}
	colAccent    = rgb{31, 95, 160}
	colPromoter  = rgb{46, 158, 91}
	colPassive   = rgb{240, 180, 41}
	colDetractor = rgb{214, 64, 69}
	colWarnBg    = rgb{255, 244, 214}
	colWarnInk   = rgb{122, 84, 0}
	colBand      = rgb{197, 228, 207}
	colBandEdge  = rgb{120, 190, 145}
	colTrack     = rgb{233, 236, 239}
)

// renderer carries one report through layout. build makes a fresh
// document each time it is called; everything else is read-only.
type renderer struct {
	d     Data
	loc   *locale.Localizer
	fonts *fontSet
	pdf   *fpdf.Fpdf

	business string // cleaned
	title    string // «Отчёт за март 2026»
	chart    []byte // PNG of the trend, nil when there is no trend to draw
	total    int    // page count for the footer; 0 in the counting pass
}

func newRenderer(d Data, loc *locale.Localizer, fonts *fontSet) *renderer {
	r := &renderer{d: d, loc: loc, fonts: fonts}
	r.business = fonts.clean(d.Business, maxNameRunes)
	r.title = loc.T("report.untitled")
	if p, ok := r.periodWords(); ok {
		r.title = loc.T("report.doc_title", map[string]any{"Period": p})
	}
	return r
}

func (r *renderer) prepareChart() error {
	png, err := r.trendChart()
	if err != nil {
		return err
	}
	r.chart = png
	return nil
}

// build lays the whole report out on a new document. total is the page
// count printed in the footer.
func (r *renderer) build(total int) (*fpdf.Fpdf, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	r.pdf, r.total = pdf, total
	pdf.SetMargins(marginX, marginTop, marginX)
	pdf.SetAutoPageBreak(true, bottomMargin)
	pdf.SetCellMargin(0)
	pdf.AddUTF8FontFromBytes(fontFamily, "", r.fonts.regular)
	pdf.AddUTF8FontFromBytes(fontFamily, "B", r.fonts.bold)
	pdf.SetLang(r.loc.Lang())
	docTitle := r.title
	if r.business != "" {
		docTitle += " — " + r.business
	}
	pdf.SetTitle(docTitle, true)
	pdf.SetSubject(r.loc.T("report.doc_subject"), true)
	pdf.SetCreator(r.loc.T("app.name"), true)
	pdf.SetAuthor(r.loc.T("app.name"), true)
	// A report for the same figures (Generated included) is the same file,
	// byte for byte. fpdf writes the dates without a zone, so they are
	// given in the business's. A zero Generated becomes the current time.
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(r.inZone(r.d.Generated))
	pdf.SetModificationDate(r.inZone(r.d.Generated))
	pdf.SetHeaderFunc(r.runningHeader)
	pdf.SetFooterFunc(r.footer)

	if r.chart != nil {
		pdf.RegisterImageOptionsReader("trend", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(r.chart))
	}

	pdf.AddPage()
	r.header()
	if r.d.NPS.N <= 0 {
		r.empty()
	} else {
		r.headline()
		r.smallSample()
		r.benchmark()
		r.mix()
	}
	r.trend()
	r.breakdown()
	r.scores()
	r.drivers()
	r.comments()

	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("report: lay out: %w", err)
	}
	return pdf, nil
}

// --- drawing helpers -------------------------------------------------------

func (r *renderer) font(style string, size float64) { r.pdf.SetFont(fontFamily, style, size) }
func (r *renderer) text(c rgb)                      { r.pdf.SetTextColor(c.r, c.g, c.b) }
func (r *renderer) fill(c rgb)                      { r.pdf.SetFillColor(c.r, c.g, c.b) }
func (r *renderer) draw(c rgb)                      { r.pdf.SetDrawColor(c.r, c.g, c.b) }

// lineH is a comfortable line height in mm for a font size in points.
func lineH(size float64) float64 { return size * 0.3528 * 1.35 }

// ensure starts a new page unless h millimetres still fit on this one.
func (r *renderer) ensure(h float64) {
	if r.pdf.GetY()+h > pageBottom {
		r.pdf.AddPage()
	}
}

// para sets wrapped text across width w from the current position.
func (r *renderer) para(s string, style string, size float64, c rgb, w float64) {
	r.font(style, size)
	r.text(c)
	r.pdf.MultiCell(w, lineH(size), s, "", "L", false)
}

// paraHeight is the height para would take.
func (r *renderer) paraHeight(s string, style string, size float64, w float64) float64 {
	r.font(style, size)
	return float64(len(r.pdf.SplitText(s, w))) * lineH(size)
}

// fit cuts s with «…» so that it is at most w wide in the current font.
func (r *renderer) fit(s string, w float64) string {
	if r.pdf.GetStringWidth(s) <= w {
		return s
	}
	runes := []rune(s)
	for len(runes) > 0 {
		runes = runes[:len(runes)-1]
		t := strings.TrimRight(string(runes), " ") + "…"
		if r.pdf.GetStringWidth(t) <= w {
			return t
		}
	}
	return "…"
}

// cell writes one line of text into a box, cut to fit.
func (r *renderer) cell(x, y, w, h float64, s, align string) {
	r.pdf.SetXY(x, y)
	r.pdf.CellFormat(w, h, r.fit(s, w), "", 0, align, false, 0, "")
}

// section starts a titled block, keeping at least need millimetres of it
// on the same page as the title.
func (r *renderer) section(title string, need float64) {
	r.pdf.Ln(5)
	r.ensure(10 + need)
	r.font("B", 12.5)
	r.text(colInk)
	r.pdf.SetX(marginX)
	r.pdf.CellFormat(contentW, 7, title, "", 1, "L", false, 0, "")
	r.pdf.Ln(1)
}

// note sets small grey explanatory text.
func (r *renderer) note(s string) {
	r.pdf.SetX(marginX)
	r.para(s, "", 7.5, colMuted, contentW)
}

// --- page furniture --------------------------------------------------------

// header is the first page's title block.
func (r *renderer) header() {
	pdf := r.pdf
	r.font("", 8.5)
	r.text(colAccent)
	pdf.SetXY(marginX, marginTop)
	pdf.CellFormat(contentW, 4, strings.ToUpper(r.loc.T("app.name")), "", 1, "L", false, 0, "")
	pdf.Ln(1.5)

	r.para(r.title, "B", 20, colInk, contentW)
	if r.business != "" {
		pdf.Ln(0.5)
		r.para(r.business, "", 13, colInk, contentW)
	}
	pdf.Ln(1)
	var meta []string
	if !r.d.From.IsZero() && r.d.To.After(r.d.From) {
		from := r.inZone(r.d.From)
		last := r.inZone(r.d.To.Add(-1)) // To is exclusive
		meta = append(meta, r.loc.T("report.period_range", map[string]any{
			"From": r.loc.Date(from), "To": r.loc.Date(last),
		}))
	}
	if !r.d.Generated.IsZero() {
		meta = append(meta, r.loc.T("report.generated", map[string]any{
			"Date": r.loc.DateTime(r.d.Generated, r.d.Location),
		}))
	}
	if len(meta) > 0 {
		r.para(strings.Join(meta, "   ·   "), "", 8.5, colMuted, contentW)
	}
	pdf.Ln(2)
	r.rule()
}

func (r *renderer) rule() {
	r.draw(colRule)
	r.pdf.SetLineWidth(0.3)
	y := r.pdf.GetY()
	r.pdf.Line(marginX, y, marginX+contentW, y)
	r.pdf.Ln(2)
}

// runningHeader repeats the title on every page after the first.
func (r *renderer) runningHeader() {
	pdf := r.pdf
	if pdf.PageNo() == 1 {
		return
	}
	r.font("", 8)
	r.text(colMuted)
	left := r.title
	if r.business != "" {
		left += " · " + r.business
	}
	r.cell(marginX, 11, contentW, 4, left, "L")
	r.draw(colRule)
	pdf.SetLineWidth(0.3)
	pdf.Line(marginX, 16.5, marginX+contentW, 16.5)
	pdf.SetXY(marginX, runningTop)
}

func (r *renderer) footer() {
	pdf := r.pdf
	y := pageH - 13
	r.draw(colRule)
	pdf.SetLineWidth(0.3)
	pdf.Line(marginX, y, marginX+contentW, y)
	r.font("", 8)
	r.text(colMuted)
	page := r.loc.T("report.page_of", map[string]any{"Page": pdf.PageNo(), "Total": max(r.total, pdf.PageNo())})
	pw := pdf.GetStringWidth(page) + 2
	left := r.loc.T("app.name")
	if r.business != "" {
		left += " · " + r.business
	}
	r.cell(marginX, y+2, contentW-pw-6, 4, left, "L")
	r.cell(marginX+contentW-pw, y+2, pw, 4, page, "R")
}

// --- sections --------------------------------------------------------------

// empty replaces the figures when the month has no answers.
func (r *renderer) empty() {
	pdf := r.pdf
	pdf.Ln(4)
	y := pdf.GetY()
	msg := r.loc.T("report.nothing_yet")
	if p, ok := r.periodWords(); ok {
		msg = r.loc.T("report.no_answers", map[string]any{"Period": p})
	}
	hint := r.loc.T("report.empty_hint")
	h := 8 + r.paraHeight(msg, "B", 14, contentW-12) + 2 + r.paraHeight(hint, "", 10, contentW-12)
	r.fill(colPanel)
	pdf.RoundedRect(marginX, y, contentW, h, 2, "1234", "F")
	pdf.SetXY(marginX+6, y+4)
	r.para(msg, "B", 14, colInk, contentW-12)
	pdf.Ln(2)
	pdf.SetX(marginX + 6)
	r.para(hint, "", 10, colMuted, contentW-12)
	pdf.SetY(y + h)
}

// headline shows NPS, its margin and n, the change and the weighted NPS.
func (r *renderer) headline() {
	pdf := r.pdf
	n := r.d.NPS
	pdf.Ln(4)
	y := pdf.GetY()
	const cardW, gap = 62.0, 6.0
	rx, rw := marginX+cardW+gap, contentW-cardW-gap

	// The right column is laid out first, to size the card beside it.
	pdf.SetXY(rx, y+1)
	r.para(r.loc.T("report.nps_heading"), "B", 11, colInk, rw)
	pdf.Ln(1)
	if n.Previous != nil {
		pdf.SetX(rx)
		r.para(r.loc.T("report.change", map[string]any{
			"Delta": r.signed(n.Delta), "Value": r.num(*n.Previous),
		}), "", 10, colInk, rw)
		verdict, c := r.loc.T("report.not_significant"), colMuted
		if n.Significant {
			verdict, c = r.loc.T("report.significant"), colPromoter
			if n.Delta < 0 {
				c = colDetractor
			}
		}
		pdf.SetX(rx)
		r.font("B", 10)
		r.text(c)
		pdf.CellFormat(pdf.GetStringWidth(verdict)+1.5, lineH(10), verdict, "", 0, "L", false, 0, "")
		r.font("", 9)
		r.text(colMuted)
		pdf.CellFormat(rw-pdf.GetStringWidth(verdict)-1.5, lineH(10), "· "+r.pValue(n.PValue), "", 1, "L", false, 0, "")
	} else {
		pdf.SetX(rx)
		r.para(r.loc.T("report.no_previous"), "", 10, colMuted, rw)
	}
	if n.WeightedN > 0 {
		pdf.Ln(1.5)
		pdf.SetX(rx)
		r.para(r.loc.T("report.weighted", map[string]any{
			"Value": r.num(n.WeightedNPS), "N": r.count(n.WeightedN),
		}), "", 10, colInk, rw)
	}
	pdf.Ln(1.5)
	notes := []string{"±" + r.num(n.MOE95) + " — " + r.loc.T("report.margin_note") + "."}
	if n.Previous != nil {
		notes = append(notes, r.loc.T("report.significance_note"))
	}
	if n.WeightedN > 0 {
		notes = append(notes, r.loc.T("report.weighting_note"))
	}
	for _, s := range notes {
		pdf.SetX(rx)
		r.para(s, "", 7.5, colMuted, rw)
	}
	bottom := pdf.GetY()

	// The card: NPS in large type, then ± and n.
	h := max(bottom-y, 36)
	r.fill(colPanel)
	pdf.RoundedRect(marginX, y, cardW, h, 2, "1234", "F")
	r.font("", 9)
	r.text(colMuted)
	r.cell(marginX+5, y+4, cardW-10, 4, r.loc.T("metric.nps"), "L")
	r.font("B", 34)
	r.text(colAccent)
	r.cell(marginX+5, y+9, cardW-10, 14, r.num(n.NPS), "L")
	r.font("", 10.5)
	r.text(colInk)
	r.cell(marginX+5, y+24, cardW-10, 5, r.loc.T("metric.margin", map[string]any{"Margin": r.num(n.MOE95)})+"   ·   "+r.loc.N("count.answers", n.N), "L")
	pdf.SetXY(marginX, y+h)
}

// smallSample warns that the month's NPS rests on too few answers.
func (r *renderer) smallSample() {
	if !r.d.NPS.SmallSample {
		return
	}
	pdf := r.pdf
	pdf.Ln(3)
	msg := "⚠  " + r.loc.T("metric.small_n", map[string]any{"N": r.count(r.d.NPS.N)})
	h := r.paraHeight(msg, "B", 9.5, contentW-8) + 5
	r.ensure(h)
	y := pdf.GetY()
	r.fill(colWarnBg)
	pdf.RoundedRect(marginX, y, contentW, h, 1.5, "1234", "F")
	pdf.SetXY(marginX+4, y+2.5)
	r.para(msg, "B", 9.5, colWarnInk, contentW-8)
	pdf.SetY(y + h)
}

// figure writes a range bound or benchmark figure: whole numbers without
// decimals («25»), anything else with one («27,5»).
func (r *renderer) figure(x float64) string {
	if x == math.Trunc(x) {
		return r.loc.Number(x, 0)
	}
	return r.num(x)
}

// benchmark places the NPS against the industry's usual range on a
// −100…100 scale.
func (r *renderer) benchmark() {
	b := r.d.Benchmark
	if b == nil || !finite(b.Low) || !finite(b.High) {
		return
	}
	pdf := r.pdf
	n := r.d.NPS
	low, high := min(b.Low, b.High), max(b.Low, b.High)
	id := "report.bench_within"
	switch {
	case n.NPS < low:
		id = "report.bench_below"
	case n.NPS > high:
		id = "report.bench_above"
	}
	industry := r.fonts.clean(b.Industry, maxNameRunes)
	r.section(r.loc.T("report.bench_heading"), 30)
	r.para(r.loc.T(id, map[string]any{"Low": r.figure(low), "High": r.figure(high), "Name": industry}), "", 10, colInk, contentW)
	pdf.Ln(7)

	// The scale: a grey track, the industry band, NPS ± margin.
	y := pdf.GetY()
	const barH = 4.0
	x := func(v float64) float64 { return marginX + (clamp(v, -100, 100)+100)/200*contentW }
	r.fill(colTrack)
	pdf.Rect(marginX, y, contentW, barH, "F")
	r.fill(colBand)
	r.draw(colBandEdge)
	pdf.SetLineWidth(0.3)
	pdf.Rect(x(low), y, max(x(high)-x(low), 0.6), barH, "FD")
	// ticks and their labels
	r.font("", 7)
	r.text(colMuted)
	r.draw(colFaint)
	pdf.SetLineWidth(0.2)
	for _, v := range []float64{-100, -50, 0, 50, 100} {
		pdf.Line(x(v), y+barH, x(v), y+barH+1.2)
		label := r.loc.Number(v, 0)
		w := pdf.GetStringWidth(label)
		lx := clamp(x(v)-w/2, marginX, marginX+contentW-w)
		pdf.Text(lx, y+barH+4.2, label)
	}
	// NPS with its margin as a whisker
	r.draw(colAccent)
	pdf.SetLineWidth(0.5)
	cx := x(n.NPS)
	pdf.Line(x(n.NPS-n.MOE95), y+barH/2, x(n.NPS+n.MOE95), y+barH/2)
	pdf.Line(x(n.NPS-n.MOE95), y+0.6, x(n.NPS-n.MOE95), y+barH-0.6)
	pdf.Line(x(n.NPS+n.MOE95), y+0.6, x(n.NPS+n.MOE95), y+barH-0.6)
	r.fill(colAccent)
	pdf.Circle(cx, y+barH/2, 1.3, "F")
	r.font("B", 8)
	r.text(colAccent)
	label := r.loc.T("metric.nps") + " " + r.num(n.NPS)
	w := pdf.GetStringWidth(label)
	pdf.Text(clamp(cx-w/2, marginX, marginX+contentW-w), y-1.5, label)
	pdf.SetY(y + barH + 6)
	if src := r.fonts.clean(b.Source, maxSourceRunes); src != "" {
		r.note(r.loc.T("report.bench_source", map[string]any{"Name": src}))
	}
}

// mix is the promoter/passive/detractor bar.
func (r *renderer) mix() {
	pdf := r.pdf
	n := r.d.NPS
	total := max(n.Promoters, 0) + max(n.Passives, 0) + max(n.Detractors, 0)
	if total == 0 {
		return
	}
	r.section(r.loc.T("report.mix_heading"), 20)
	parts := []struct {
		id    string
		count int
		c     rgb
	}{
		{"report.mix_promoters", max(n.Promoters, 0), colPromoter},
		{"report.mix_passives", max(n.Passives, 0), colPassive},
		{"report.mix_detractors", max(n.Detractors, 0), colDetractor},
	}
	pct := wholePercents([]int{parts[0].count, parts[1].count, parts[2].count})
	y := pdf.GetY()
	const barH = 9.0
	x := marginX
	r.font("B", 9)
	for i, p := range parts {
		if p.count == 0 {
			continue
		}
		w := float64(p.count) / float64(total) * contentW
		r.fill(p.c)
		pdf.Rect(x, y, w, barH, "F")
		label := r.loc.Percent(float64(pct[i])/100, 0)
		if pdf.GetStringWidth(label)+3 <= w {
			r.text(rgb{255, 255, 255})
			if p.c == colPassive {
				r.text(colInk)
			}
			r.cell(x, y, w, barH, label, "C")
		}
		x += w
	}
	// legend: colour, group, count and share
	ly := y + barH + 3
	colW := contentW / 3
	for i, p := range parts {
		lx := marginX + float64(i)*colW
		r.fill(p.c)
		pdf.Rect(lx, ly+0.8, 3, 3, "F")
		r.font("", 8.5)
		r.text(colInk)
		s := r.loc.T(p.id) + ": " + r.count(p.count) + " (" + r.loc.Percent(float64(pct[i])/100, 0) + ")"
		r.cell(lx+4.5, ly, colW-6, 4.6, s, "L")
	}
	pdf.SetXY(marginX, ly+6)
}

// trend places the chart drawn in chart.go.
func (r *renderer) trend() {
	pdf := r.pdf
	if r.chart == nil {
		// A trend with a single month says nothing; with none, the empty
		// notice has said it already.
		if r.d.NPS.N > 0 {
			r.section(r.loc.T("report.trend_heading"), 6)
			r.note(r.loc.T("report.trend_too_short"))
		}
		return
	}
	r.section(r.loc.T("report.trend_heading"), chartH+8)
	y := pdf.GetY()
	pdf.ImageOptions("trend", marginX, y, chartW, chartH, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	pdf.SetY(y + chartH + 1)
	r.note(r.loc.T("report.trend_note"))
}

// dimensionIDs maps the dimensions the metrics API groups by to the
// column header and the heading of their table.
var dimensionIDs = map[string][2]string{
	"team":    {"report.dim_team", "report.by_team"},
	"manager": {"report.dim_manager", "report.by_manager"},
	"segment": {"report.dim_segment", "report.by_segment"},
	"service": {"report.dim_service", "report.by_service"},
	"channel": {"report.dim_channel", "report.by_channel"},
	"region":  {"report.dim_region", "report.by_region"},
	"tenure":  {"report.dim_tenure", "report.by_tenure"},
	"survey":  {"report.dim_survey", "report.by_survey"},
}

// breakdown writes one table per dimension. A table that runs past the
// page continues on the next with its heading and header row repeated.
func (r *renderer) breakdown() {
	if len(r.d.Breakdown) == 0 {
		return
	}
	var order []string
	groups := make(map[string][]Row)
	for _, row := range r.d.Breakdown {
		if _, ok := groups[row.Dimension]; !ok {
			order = append(order, row.Dimension)
		}
		groups[row.Dimension] = append(groups[row.Dimension], row)
	}
	r.section(r.loc.T("report.breakdown_heading"), 30)
	r.note(r.loc.T("report.breakdown_note"))
	for _, dim := range order {
		column, heading := r.dimensionNames(dim)
		r.table(heading, column, groups[dim])
	}
}

func (r *renderer) dimensionNames(dim string) (column, heading string) {
	if ids, ok := dimensionIDs[dim]; ok {
		return r.loc.T(ids[0]), r.loc.T(ids[1])
	}
	name := r.fonts.clean(dim, 40)
	if name == "" {
		name = "—"
	}
	return name, name
}

// Breakdown table columns, in mm; they add up to contentW.
var tableCols = [6]float64{72, 20, 18, 16, 22, 32}

const rowH = 6.4

func (r *renderer) table(heading, column string, rows []Row) {
	pdf := r.pdf
	pdf.Ln(3)
	// Keep the heading, the header row and two rows together.
	r.ensure(7 + 2*rowH + rowH*float64(min(len(rows), 2)))
	r.tableHeading(heading, false)
	r.tableHeader(column)
	for i, row := range rows {
		if pdf.GetY()+rowH > pageBottom {
			pdf.AddPage()
			r.tableHeading(heading, true)
			r.tableHeader(column)
		}
		r.tableRow(row, i%2 == 1)
	}
}

func (r *renderer) tableHeading(heading string, continued bool) {
	if continued {
		heading += " " + r.loc.T("report.continued")
	}
	r.font("B", 10)
	r.text(colInk)
	r.pdf.SetX(marginX)
	r.pdf.CellFormat(contentW, 6, r.fit(heading, contentW), "", 1, "L", false, 0, "")
}

func (r *renderer) tableHeader(column string) {
	pdf := r.pdf
	y := pdf.GetY()
	r.font("B", 8)
	r.text(colMuted)
	heads := []string{column, r.loc.T("report.col_answers"), r.loc.T("metric.nps"),
		r.loc.T("report.col_margin"), r.loc.T("report.col_change"), r.loc.T("report.col_significance")}
	x := marginX
	for i, h := range heads {
		align := "R"
		if i == 0 || i == 5 {
			align = "L"
		}
		if i == 5 {
			x += 4 // air between the figures and the verdict
			r.cell(x, y, tableCols[i]-4, rowH, h, align)
			x += tableCols[i] - 4
			continue
		}
		r.cell(x, y, tableCols[i], rowH, h, align)
		x += tableCols[i]
	}
	r.draw(colFaint)
	pdf.SetLineWidth(0.3)
	pdf.Line(marginX, y+rowH, marginX+contentW, y+rowH)
	pdf.SetXY(marginX, y+rowH)
}

func (r *renderer) tableRow(row Row, stripe bool) {
	pdf := r.pdf
	y := pdf.GetY()
	if stripe {
		r.fill(colStripe)
		pdf.Rect(marginX, y, contentW, rowH, "F")
	}
	ink := colInk
	if row.SmallSample {
		ink = colFaint
	}
	key := r.fonts.clean(row.Key, maxNameRunes)
	if row.Dimension == "tenure" {
		key = strings.Replace(key, "-", "–", 1) // the band «3–5» takes an en dash
	}
	if key == "" {
		key = "—"
	}
	cells := []string{key, r.count(row.N), r.num(row.NPS), "±" + r.num(row.MOE95), r.signed(row.Delta)}
	x := marginX
	r.font("", 9)
	r.text(ink)
	for i, s := range cells {
		align := "R"
		if i == 0 {
			align = "L"
		}
		r.cell(x, y, tableCols[i], rowH, s, align)
		x += tableCols[i]
	}
	x += 4
	switch {
	case row.SmallSample:
		r.font("", 8.5)
		r.text(colFaint)
		r.cell(x, y, tableCols[5]-4, rowH, r.loc.T("report.few_answers"), "L")
	case row.Significant:
		c := colPromoter
		if row.Delta < 0 {
			c = colDetractor
		}
		r.font("B", 8.5)
		r.text(c)
		r.cell(x, y, tableCols[5]-4, rowH, r.loc.T("report.significant"), "L")
	default:
		r.font("", 8.5)
		r.text(colMuted)
		r.cell(x, y, tableCols[5]-4, rowH, r.loc.T("report.not_significant"), "L")
	}
	pdf.SetXY(marginX, y+rowH)
}

// scores shows CSAT and CES side by side.
func (r *renderer) scores() {
	type card struct {
		heading, mean, share, low string
		f                         *MeanFigure
	}
	var cards []card
	if r.d.CSAT != nil {
		cards = append(cards, card{"report.csat_heading", "report.csat_mean", "report.csat_share", "report.csat_low", r.d.CSAT})
	}
	if r.d.CES != nil {
		cards = append(cards, card{"report.ces_heading", "report.ces_mean", "report.ces_share", "report.ces_low", r.d.CES})
	}
	if len(cards) == 0 {
		return
	}
	const h, gap = 34.0, 6.0
	r.section(r.loc.T("report.scores_heading"), h)
	pdf := r.pdf
	y := pdf.GetY()
	w := (contentW - gap) / 2
	for i, c := range cards {
		x := marginX + float64(i)*(w+gap)
		r.fill(colPanel)
		pdf.RoundedRect(x, y, w, h, 2, "1234", "F")
		r.font("B", 10)
		r.text(colInk)
		r.cell(x+5, y+4, w-10, 5, r.loc.T(c.heading), "L")
		if c.f.N <= 0 {
			r.font("", 10)
			r.text(colMuted)
			r.cell(x+5, y+13, w-10, 6, r.loc.T("report.scale_empty"), "L")
			continue
		}
		r.font("B", 22)
		r.text(colAccent)
		mean := r.num(c.f.Mean)
		r.cell(x+5, y+10, w-10, 10, mean, "L")
		mw := pdf.GetStringWidth(mean)
		r.font("", 9)
		r.text(colMuted)
		r.cell(x+5+mw+2, y+14, w-12-mw, 5, r.loc.T(c.mean), "L")
		r.font("", 9)
		r.text(colInk)
		r.cell(x+5, y+21.5, w-10, 4.5, r.loc.T(c.share, map[string]any{"Value": r.loc.Percent(c.f.Share, 0)}), "L")
		line := r.loc.T(c.low, map[string]any{"N": r.count(c.f.Low)}) + "   ·   " +
			r.loc.T("report.scale_n", map[string]any{"N": r.count(c.f.N)})
		r.cell(x+5, y+26.5, w-10, 4.5, line, "L")
	}
	pdf.SetXY(marginX, y+h)
}

// Driver table columns, in mm; they add up to contentW.
var driverCols = [5]float64{60, 48, 24, 24, 24}

// drivers shows each factor's importance as a bar, most important first.
func (r *renderer) drivers() {
	if len(r.d.Drivers) == 0 {
		return
	}
	ds := slices.Clone(r.d.Drivers)
	slices.SortStableFunc(ds, func(a, b DriverFigure) int {
		return cmpDesc(a.Share, b.Share)
	})
	top := 0.0
	for _, d := range ds {
		if finite(d.Share) {
			top = max(top, d.Share)
		}
	}
	pdf := r.pdf
	r.section(r.loc.T("report.drivers_heading"), 12+3*rowH)
	r.note(r.loc.T("report.drivers_note"))
	pdf.Ln(2)
	header := func() {
		y := pdf.GetY()
		r.font("B", 8)
		r.text(colMuted)
		heads := []string{r.loc.T("report.col_driver"), r.loc.T("report.col_importance"),
			r.loc.T("metric.promoters"), r.loc.T("metric.passives"), r.loc.T("metric.detractors")}
		x := marginX
		for i, h := range heads {
			align := "R"
			if i < 2 {
				align = "L"
			}
			r.cell(x, y, driverCols[i], rowH, h, align)
			x += driverCols[i]
		}
		r.draw(colFaint)
		pdf.SetLineWidth(0.3)
		pdf.Line(marginX, y+rowH, marginX+contentW, y+rowH)
		pdf.SetXY(marginX, y+rowH)
	}
	header()
	const dRowH = 7.0
	for _, d := range ds {
		if pdf.GetY()+dRowH > pageBottom {
			pdf.AddPage()
			r.tableHeading(r.loc.T("report.drivers_heading"), true)
			header()
		}
		y := pdf.GetY()
		label := r.fonts.clean(d.Label, maxNameRunes)
		if label == "" {
			label = r.fonts.clean(d.Key, maxNameRunes)
		}
		r.font("", 9)
		r.text(colInk)
		r.cell(marginX, y, driverCols[0]-3, dRowH, label, "L")
		// importance bar, scaled to the most important factor
		bx := marginX + driverCols[0]
		share := d.Share
		if !finite(share) || share < 0 {
			share = 0
		}
		pct := r.loc.Percent(share, 0)
		r.font("B", 8.5)
		pw := pdf.GetStringWidth(pct)
		maxBar := driverCols[1] - pw - 4
		bw := 0.0
		if top > 0 {
			bw = share / top * maxBar
		}
		r.fill(colAccent)
		if bw > 0 {
			pdf.Rect(bx, y+1.6, bw, dRowH-3.2, "F")
		}
		r.text(colAccent)
		r.cell(bx+bw+1.5, y, pw+1, dRowH, pct, "L")
		x := bx + driverCols[1]
		r.font("", 9)
		r.text(colInk)
		for i, v := range []float64{d.MeanPromoters, d.MeanPassives, d.MeanDetractors} {
			r.cell(x, y, driverCols[2+i], dRowH, r.num(v), "R")
			x += driverCols[2+i]
		}
		r.draw(colRule)
		pdf.SetLineWidth(0.2)
		pdf.Line(marginX, y+dRowH, marginX+contentW, y+dRowH)
		pdf.SetXY(marginX, y+dRowH)
	}
}

func cmpDesc(a, b float64) int {
	switch {
	case !finite(a) && !finite(b):
		return 0
	case !finite(a):
		return 1
	case !finite(b):
		return -1
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// comments shows example comments, each with its score and manager.
func (r *renderer) comments() {
	cs := r.d.Comments
	if len(cs) == 0 {
		return
	}
	cs = cs[:min(len(cs), maxComments)]
	pdf := r.pdf
	const textX = marginX + 5
	const textW = contentW - 5
	first := true
	for _, c := range cs {
		text := r.fonts.clean(c.Text, maxCommentRunes)
		if text == "" {
			text = r.loc.T("report.comment_empty")
		}
		meta := r.loc.T("report.comment_score", map[string]any{"Value": r.loc.Number(float64(c.Score), 0)})
		if m := r.fonts.clean(c.Manager, maxNameRunes); m != "" {
			meta += "   ·   " + r.loc.T("report.comment_manager", map[string]any{"Name": m})
		}
		h := lineH(8) + 0.8 + r.paraHeight(text, "", 9.5, textW)
		if first {
			r.section(r.loc.T("report.comments_heading"), h)
			first = false
		} else {
			pdf.Ln(3.5)
			r.ensure(h)
		}
		y := pdf.GetY()
		r.fill(scoreColour(c.Score))
		pdf.Rect(marginX, y+0.5, 1.4, h-0.5, "F")
		pdf.SetXY(textX, y)
		r.font("B", 8)
		r.text(colMuted)
		pdf.CellFormat(textW, lineH(8), r.fit(meta, textW), "", 1, "L", false, 0, "")
		pdf.Ln(0.8)
		pdf.SetX(textX)
		r.para(text, "", 9.5, colInk, textW)
	}
}

// wholePercents rounds the shares of counts to whole percentages that add
// up to exactly 100 (largest remainder), so the bar never reads 53 + 28 +
// 20 = 101 %. Counts must not be negative; all zero gives all zero.
func wholePercents(counts []int) []int {
	total := 0
	for _, c := range counts {
		total += c
	}
	out := make([]int, len(counts))
	if total <= 0 {
		return out
	}
	rem := make([]int, len(counts)) // remainders in units of 1/total percent
	given := 0
	for i, c := range counts {
		out[i] = c * 100 / total
		rem[i] = c * 100 % total
		given += out[i]
	}
	for ; given < 100; given++ {
		best := 0
		for i := range rem {
			if rem[i] > rem[best] {
				best = i
			}
		}
		out[best]++
		rem[best] = -1
	}
	return out
}

func scoreColour(score int) rgb {
	switch {
	case score >= 9 && score <= 10:
		return colPromoter
	case score >= 7 && score <= 8:
		return colPassive
	case score >= 0 && score <= 6:
		return colDetractor
	}
	return colFaint
}
