package web

import (
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"otklik"
	"otklik/internal/analysis"
	"otklik/internal/cube"
	"otklik/internal/metric"
	"otklik/internal/report"
	"otklik/internal/store"
)

// Analytics is the live in-memory index of answers the figures come from.
type Analytics interface {
	Fresh(ctx context.Context) error
	Cube() *cube.Cube
}

// breakdowns are the dimensions the analytics page can cut by.
var breakdowns = []cube.Dim{cube.DimTeam, cube.DimManager, cube.DimSegment, cube.DimService, cube.DimChannel,
	cube.DimRegion, cube.DimTenure, cube.DimQuarter, cube.DimMonth}

type trendPoint struct {
	Key                            string
	N                              int
	NPS, MOE                       float64
	Promoters, Passives, Detractor float64 // shares 0–1
	Link                           string
}

type breakdownRow struct {
	Key                      string
	N                        int
	NPS, MOE, Weighted       float64
	WeightedN                int
	Delta                    float64
	HasPrevious, Significant bool
	Small                    bool
	Link                     string
}

type cohortView struct {
	Cohort string
	Cells  []cohortCellView
}

type cohortCellView struct {
	N     int
	Value float64
	Heat  int // 0–4: the colour bucket
	Link  string
}

type analyticsData struct {
	Period    period
	Surveys   []*otklik.Survey
	Survey    *otklik.Survey
	GroupBy   cube.Dim
	Dims      []cube.Dim
	Overall   metric.NPSResult
	Weighted  metric.WeightedNPSResult
	Trend     []trendPoint
	TrendJSON template.JS // for the chart; the table below shows the same without JavaScript
	Rows      []breakdownRow
	Bands     []string
	Cohorts   []cohortView
	Drivers   analysis.Drivers
	Benchmark metric.Benchmark
	Position  string
	Query     string // the page's own query, for the export links
}

func (s *Server) analyticsPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.analyticsView(r)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "analytics", page{Title: "analytics.title", Nav: "analytics", Data: d})
}

// analyticsView gathers the page's figures; the export uses it too.
func (s *Server) analyticsView(r *http.Request) (*analyticsData, error) {
	scope, err := viewerOf(r).user.Actor().Scope(otklik.ReadMetrics)
	if err != nil {
		return nil, err
	}
	if err := s.cfg.Analytics.Fresh(r.Context()); err != nil {
		return nil, err
	}
	q := r.URL.Query()
	d := &analyticsData{GroupBy: cube.Dim(q.Get("group_by")), Dims: breakdowns, Bands: metric.TenureBands(), Query: q.Encode()}
	d.Period = s.readPeriodDefault(q, 365)
	if d.Period.Invalid {
		return nil, otklik.Errorf(otklik.EINVALID, "bad period")
	}
	if d.GroupBy == "" || !d.GroupBy.Valid() || d.GroupBy == cube.DimCohort {
		d.GroupBy = cube.DimTeam
	}
	if d.Surveys, err = s.db.Surveys(r.Context()); err != nil {
		return nil, err
	}
	for _, sv := range d.Surveys {
		if sv.Kind == otklik.KindNPS && (d.Survey == nil && q.Get("survey") == "" || sv.Key == q.Get("survey")) {
			d.Survey = sv
		}
	}
	d.Benchmark, _ = metric.BenchmarkFor(s.cfg.Industry)
	if d.Survey == nil {
		return d, nil
	}
	c := s.cfg.Analytics.Cube()
	base := cube.Query{Surveys: []int64{d.Survey.ID}, From: d.Period.FromT, To: d.Period.ToT, Scope: scope, Weighted: true}
	link := func(extra ...string) string {
		v := url.Values{"survey": {d.Survey.Key}, "from": {d.Period.From}, "to": {d.Period.To}}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return "/answers?" + v.Encode()
	}

	monthly := base
	monthly.GroupBy = cube.DimMonth
	res := c.Query(monthly)
	d.Overall, d.Weighted = res.Overall.NPS(), res.Overall.Weighted()
	d.Position = ""
	if d.Overall.N > 0 {
		d.Position = d.Benchmark.Position(d.Overall.NPS)
	}
	for _, g := range res.Groups {
		n := g.NPS()
		p := trendPoint{Key: g.Key, N: n.N, NPS: n.NPS, MOE: n.MOE95, Link: periodLink(link, g.Key, s.cfg.Location)}
		if n.N > 0 {
			p.Promoters, p.Passives, p.Detractor = float64(n.Promoters)/float64(n.N), float64(n.Passives)/float64(n.N), float64(n.Detractors)/float64(n.N)
		}
		d.Trend = append(d.Trend, p)
	}
	trend, _ := json.Marshal(d.Trend)
	d.TrendJSON = template.JS(trend)

	cut := base
	cut.GroupBy = d.GroupBy
	prev := cut
	prev.From, prev.To = d.Period.FromT.Add(-d.Period.ToT.Sub(d.Period.FromT)), d.Period.FromT
	cur, before := c.Query(cut), c.Query(prev)
	previous := map[string]metric.NPSResult{}
	for _, g := range before.Groups {
		previous[g.Key] = g.NPS()
	}
	for _, g := range cur.Groups {
		n := g.NPS()
		wn, wcount := g.WeightedNPS()
		row := breakdownRow{Key: g.Key, N: n.N, NPS: n.NPS, MOE: n.MOE95, Weighted: wn, WeightedN: wcount, Small: n.SmallSample,
			Link: link(drillParam(d.GroupBy), g.Key)}
		if d.GroupBy.IsTime() {
			row.Link = periodLink(link, g.Key, s.cfg.Location)
		}
		if p, ok := previous[g.Key]; ok && !d.GroupBy.IsTime() {
			cmp := metric.CompareNPS(p, n)
			row.HasPrevious, row.Delta, row.Significant = true, cmp.Delta, cmp.Significant && !cmp.SmallSample
		}
		d.Rows = append(d.Rows, row)
	}

	table := c.Cohorts(base)
	keys := make([]string, 0, len(table))
	for k := range table {
		if k != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		row := cohortView{Cohort: k}
		for _, band := range d.Bands {
			cell := table[k][band]
			n := cell.NPS()
			row.Cells = append(row.Cells, cohortCellView{N: n.N, Value: n.NPS, Heat: heat(n),
				Link: link("cohort", k, "tenure", band)})
		}
		d.Cohorts = append(d.Cohorts, row)
	}

	rows, err := s.db.DriverRows(r.Context(), scope, d.Survey.ID, d.Period.FromT, d.Period.ToT)
	if err != nil {
		return nil, err
	}
	d.Drivers = analysis.AnalyseDrivers(d.Survey, rows, "")
	return d, nil
}

// drillParam names the answers-page filter for a breakdown dimension (the
// answers page filters on the same names).
func drillParam(dim cube.Dim) string { return string(dim) }

// periodLink lists the answers of one month ("2026-03") or quarter ("2026-Q1").
func periodLink(link func(...string) string, key string, loc *time.Location) string {
	var start time.Time
	months := 1
	if y, q, ok := strings.Cut(key, "-Q"); ok {
		year, err1 := strconv.Atoi(y)
		quarter, err2 := strconv.Atoi(q)
		if err1 != nil || err2 != nil || quarter < 1 || quarter > 4 {
			return link()
		}
		start, months = time.Date(year, time.Month(3*quarter-2), 1, 0, 0, 0, 0, loc), 3
	} else {
		var err error
		if start, err = time.ParseInLocation("2006-01", key, loc); err != nil {
			return link()
		}
	}
	return link("from", start.Format(time.DateOnly), "to", start.AddDate(0, months, -1).Format(time.DateOnly))
}

// heat buckets an NPS for the heat-map; small samples stay neutral.
func heat(n metric.NPSResult) int {
	switch {
	case n.N == 0 || n.SmallSample:
		return 0
	case n.NPS < 0:
		return 1
	case n.NPS < 20:
		return 2
	case n.NPS < 40:
		return 3
	}
	return 4
}

// analysisDrivers turns the driver analysis into the report's rows.
func analysisDrivers(sv *otklik.Survey, rows []store.DriverRow, lang string) []report.DriverFigure {
	var out []report.DriverFigure
	for _, d := range analysis.AnalyseDrivers(sv, rows, "").Drivers {
		f := report.DriverFigure{Key: d.Key, Label: d.Text.In(lang), Share: d.Importance}
		for _, m := range []struct {
			dst *float64
			src *float64
		}{{&f.MeanPromoters, d.MeanPromoters}, {&f.MeanPassives, d.MeanPassives}, {&f.MeanDetractors, d.MeanDetractors}} {
			if m.src != nil {
				*m.dst = *m.src
			}
		}
		out = append(out, f)
	}
	return out
}
