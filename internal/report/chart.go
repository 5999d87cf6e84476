package report

import (
	"fmt"
	"math"
	"strconv"

	charts "github.com/go-analyze/charts"
)

// The trend chart is drawn by go-analyze/charts into a PNG and placed on
// the page at chartW × chartH millimetres. It is rendered at chartPxPerMM
// pixels per millimetre (about 300 dpi), so it prints sharply.
const (
	chartW       = contentW
	chartH       = 72.0
	chartPxPerMM = 12.0
)

// chartPt converts a font size in PDF points into the size the chart
// renderer expects, so chart text matches the text around it: the renderer
// draws at 96 dpi, a point is 25.4/72 mm on the page.
func chartPt(pt float64) float64 {
	return pt * 25.4 / 72 * chartPxPerMM * 72 / 96
}

var (
	chartLine = charts.Color{R: 31, G: 95, B: 160, A: 255}
	chartBand = charts.Color{R: 90, G: 150, B: 215, A: 0}
	chartGrid = charts.Color{R: 208, G: 214, B: 221, A: 255}
	chartText = charts.Color{R: 90, G: 98, B: 106, A: 255}
)

// trendPoint is a month that has answers, as the chart plots it.
type trendPoint struct {
	label      string
	nps, moe95 float64
}

// chartPoints keeps the months that have answers, labelled with the short
// month name and, on the first point and on every January, the year. A
// trend longer than a year gets thinned labels (see xLabelCount), which
// could drop every January, so there each label carries its year.
// Months without answers have no NPS to plot and are skipped (the note
// under the chart says so) rather than drawn as zero.
func (r *renderer) chartPoints() []trendPoint {
	var pts []trendPoint
	valid := func(t TrendPoint) bool {
		return t.N > 0 && finite(t.NPS) && t.NPS >= -100 && t.NPS <= 100
	}
	n := 0
	for _, t := range r.d.Trend {
		if valid(t) {
			n++
		}
	}
	for _, t := range r.d.Trend {
		if !valid(t) {
			continue // no answers, or not an NPS at all
		}
		label := r.fonts.clean(t.Key, 12)
		if y, m, ok := parseMonth(t.Key); ok {
			label = r.loc.T(monIDs[m-1])
			if len(pts) == 0 || m == 1 || n > maxLabelledMonths {
				label += " " + strconv.Itoa(y)
			}
		}
		moe := t.MOE95
		if !finite(moe) || moe < 0 {
			moe = 0
		}
		pts = append(pts, trendPoint{label: label, nps: t.NPS, moe95: moe})
	}
	return pts
}

// trendChart draws the NPS trend with its 95 % margin-of-error band. The
// band is two stacked series on the first axis: an invisible one up to the
// lower bound and the band's width above it, filled; the NPS line sits on a
// hidden second axis with the same scale, so it is neither stacked nor
// filled. go-analyze/charts widens a stacked axis to hold every raw value,
// the band's width included, so all values are plotted relative to the
// axis minimum (which keeps them within [0, span]) and the labels add it
// back. It returns nil when fewer than two months have answers: one point
// makes no trend.
func (r *renderer) trendChart() ([]byte, error) {
	pts := r.chartPoints()
	if len(pts) < 2 {
		return nil, nil
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range pts {
		lo = min(lo, clamp(p.nps-p.moe95, -100, 100), p.nps)
		hi = max(hi, clamp(p.nps+p.moe95, -100, 100), p.nps)
	}
	axisMin, axisMax, step := axisRange(lo, hi)
	lower := make([]float64, len(pts))
	width := make([]float64, len(pts))
	line := make([]float64, len(pts))
	labels := make([]string, len(pts))
	for i, p := range pts {
		l := clamp(p.nps-p.moe95, -100, 100)
		u := clamp(p.nps+p.moe95, -100, 100)
		lower[i], width[i], line[i], labels[i] = l-axisMin, u-l, p.nps-axisMin, p.label
	}

	font := r.fonts.face
	axisFont := charts.FontStyle{FontSize: chartPt(7.5), FontColor: chartText, Font: font}
	theme := charts.MakeTheme(charts.ThemeOption{
		AxisStrokeColor:    chartGrid,
		AxisSplitLineColor: chartGrid,
		BackgroundColor:    charts.ColorWhite,
		TextColor:          chartText,
		// Series 0 and 1 are fully transparent, so their outlines vanish;
		// their fills take FillOpacity as alpha instead. Series 0 fills white
		// on white from the axis up to the band's lower edge, series 1 is
		// the band.
		SeriesColors: []charts.Color{{R: 255, G: 255, B: 255, A: 0}, chartBand, chartLine},
	})
	yAxis := charts.YAxisOption{
		Min:                 charts.Ptr(0.0),
		Max:                 charts.Ptr(axisMax - axisMin),
		LabelCount:          int(math.Round((axisMax-axisMin)/step)) + 1,
		PreferNiceIntervals: charts.Ptr(false),
		LabelFontStyle:      axisFont,
		ValueFormatter:      func(v float64) string { return r.loc.Number(v+axisMin, 0) },
	}
	hidden := yAxis
	hidden.Show = charts.Ptr(false)

	labelStyle := &charts.LabelStyle{BackgroundColor: charts.Color{R: 255, G: 255, B: 255, A: 220}, CornerRadius: 8}
	opt := charts.LineChartOption{
		Theme:   theme,
		Padding: charts.NewBox(int(4*chartPxPerMM), int(6*chartPxPerMM), int(8*chartPxPerMM), int(2*chartPxPerMM)),
		SeriesList: charts.LineSeriesList{
			{Values: lower, Symbol: charts.Symbol{Shape: charts.SymbolNone}},
			{Values: width, Symbol: charts.Symbol{Shape: charts.SymbolNone}},
			{
				Values:     line,
				YAxisIndex: 1,
				Symbol:     charts.Symbol{Shape: charts.SymbolDot, Size: 0.9 * chartPxPerMM},
				Label: charts.SeriesLabel{
					Show: charts.Ptr(len(pts) <= maxLabelledMonths),
					LabelFormatter: func(_ int, _ string, v float64) (string, *charts.LabelStyle) {
						return r.num(v + axisMin), labelStyle
					},
					FontStyle: charts.FontStyle{
						FontSize: chartPt(7.5), FontColor: chartLine, Font: r.fonts.boldFace,
					},
					Distance: int(chartPxPerMM),
				},
			},
		},
		StackSeries:     charts.Ptr(true),
		FillOpacity:     70,
		LineStrokeWidth: 0.6 * chartPxPerMM,
		XAxis: charts.XAxisOption{
			Labels:         labels,
			BoundaryGap:    charts.Ptr(true),
			LabelFontStyle: axisFont,
			LabelCount:     xLabelCount(len(labels)),
		},
		YAxis: []charts.YAxisOption{yAxis, hidden},
	}
	p := charts.NewPainter(charts.PainterOptions{
		OutputFormat: charts.ChartOutputPNG,
		Width:        int(chartW * chartPxPerMM),
		Height:       int(chartH * chartPxPerMM),
		Font:         font,
		Theme:        theme,
	})
	if err := p.LineChart(opt); err != nil {
		return nil, fmt.Errorf("report: draw trend chart: %w", err)
	}
	png, err := p.Bytes()
	if err != nil {
		return nil, fmt.Errorf("report: encode trend chart: %w", err)
	}
	return png, nil
}

// axisRange picks round bounds, multiples of the step, that contain
// [lo, hi] within −100…100 with a little headroom above the highest value,
// and a step that gives a handful of grid lines.
func axisRange(lo, hi float64) (axisMin, axisMax, step float64) {
	span := hi - lo
	step = 10
	switch {
	case span > 120:
		step = 50
	case span > 60:
		step = 20
	case span < 15:
		step = 5
	}
	axisMin = math.Floor(lo/step) * step
	axisMax = math.Ceil((hi+step/3)/step) * step
	if axisMax-axisMin < 2*step {
		axisMax = axisMin + 2*step
	}
	return max(axisMin, -100), min(axisMax, 100), step
}

// maxLabelledMonths is the longest trend whose every month is labelled,
// and whose every point shows its value: 13 months fit across the page.
const maxLabelledMonths = 13

// xLabelCount labels every month of a trend up to maxLabelledMonths; a
// longer one is left to the chart library, which thins the labels so they
// do not collide.
func xLabelCount(n int) int {
	if n <= maxLabelledMonths {
		return n
	}
	return 0
}

func clamp(x, lo, hi float64) float64 { return max(lo, min(hi, x)) }

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
