package web

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"otklik"
	"otklik/internal/cube"
	"otklik/internal/metric"
	"otklik/internal/report"
	"otklik/internal/store"
	"otklik/internal/transfer"
)

// analyticsExport downloads the breakdown table the page shows, as CSV or XLSX.
func (s *Server) analyticsExport(w http.ResponseWriter, r *http.Request) {
	d, err := s.analyticsView(r)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	header := []string{string(d.GroupBy), "n", "nps", "moe95", "weighted_nps", "weighted_n", "delta", "significant", "small_sample"}
	rows := [][]string{header}
	for _, row := range d.Rows {
		delta := ""
		if row.HasPrevious {
			delta = strconv.FormatFloat(row.Delta, 'f', 2, 64)
		}
		rows = append(rows, []string{transfer.Neutralize(row.Key), strconv.Itoa(row.N), strconv.FormatFloat(row.NPS, 'f', 2, 64),
			strconv.FormatFloat(row.MOE, 'f', 2, 64), strconv.FormatFloat(row.Weighted, 'f', 2, 64), strconv.Itoa(row.WeightedN),
			delta, strconv.FormatBool(row.Significant), strconv.FormatBool(row.Small)})
	}
	var buf bytes.Buffer
	name := "otklik-nps-by-" + string(d.GroupBy) + "-" + d.Period.From + "_" + d.Period.To
	if r.URL.Query().Get("format") == "xlsx" {
		f := excelize.NewFile()
		defer f.Close()
		for i, row := range rows {
			cells := make([]any, len(row))
			for j, v := range row {
				cells[j] = v
				if num, err := strconv.ParseFloat(v, 64); err == nil && i > 0 && j > 0 {
					cells[j] = num
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow("Sheet1", cell, &cells); err != nil {
				s.errorPage(w, r, err)
				return
			}
		}
		if err := f.Write(&buf); err != nil {
			s.errorPage(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		name += ".xlsx"
	} else {
		buf.WriteString("\ufeff") // Excel reads UTF-8 with a BOM
		cw := csv.NewWriter(&buf)
		cw.WriteAll(rows)
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		name += ".csv"
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(buf.Bytes())
}

// monthlyReport renders the PDF report of one month (?month=2026-03, the
// last full month by default) in the viewer's language.
func (s *Server) monthlyReport(w http.ResponseWriter, r *http.Request) {
	actor := viewerOf(r).user.Actor()
	scope, err := actor.Scope(otklik.ReadMetrics)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	if err := s.cfg.Analytics.Fresh(r.Context()); err != nil {
		s.errorPage(w, r, err)
		return
	}
	loc := s.cfg.Location
	now := s.cfg.Now().In(loc)
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc).AddDate(0, -1, 0)
	if m := r.URL.Query().Get("month"); m != "" {
		if start, err = time.ParseInLocation("2006-01", m, loc); err != nil {
			s.errorPage(w, r, otklik.Errorf(otklik.EINVALID, "bad month"))
			return
		}
	}
	end := start.AddDate(0, 1, 0)
	surveys, err := s.db.Surveys(r.Context())
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	l := s.localizer(r)
	d := report.Data{Business: s.cfg.BusinessName, Lang: l.Lang(), Period: start.Format("2006-01"), From: start, To: end,
		Generated: s.cfg.Now(), Location: loc}
	c := s.cfg.Analytics.Cube()
	kinds := map[otklik.Kind][]int64{}
	var nps *otklik.Survey
	for _, sv := range surveys {
		kinds[sv.Kind] = append(kinds[sv.Kind], sv.ID)
		if sv.Kind == otklik.KindNPS && nps == nil {
			nps = sv
		}
	}
	if nps != nil {
		q := cube.Query{Surveys: []int64{nps.ID}, From: start, To: end, Scope: scope, Weighted: true}
		cur := c.Query(q)
		prevQ := q
		prevQ.From, prevQ.To = start.AddDate(0, -1, 0), start
		prev := c.Query(prevQ).Overall
		n, p := cur.Overall.NPS(), prev.NPS()
		d.NPS = report.NPSFigure{N: n.N, Promoters: n.Promoters, Passives: n.Passives, Detractors: n.Detractors,
			NPS: n.NPS, MOE95: n.MOE95, SmallSample: n.SmallSample}
		d.NPS.WeightedNPS, d.NPS.WeightedN = cur.Overall.WeightedNPS()
		if p.N > 0 {
			cmp := metric.CompareNPS(p, n)
			d.NPS.Previous, d.NPS.Delta, d.NPS.Significant, d.NPS.PValue = &p.NPS, cmp.Delta, cmp.Significant, cmp.PValue
		}
		trendQ := q
		trendQ.From, trendQ.GroupBy = start.AddDate(0, -11, 0), cube.DimMonth
		for _, g := range c.Query(trendQ).Groups {
			t := g.NPS()
			d.Trend = append(d.Trend, report.TrendPoint{Key: g.Key, N: t.N, NPS: t.NPS, MOE95: t.MOE95})
		}
		for _, dim := range []cube.Dim{cube.DimTeam, cube.DimManager} {
			byDim, before := q, prevQ
			byDim.GroupBy, before.GroupBy = dim, dim
			prevByKey := map[string]metric.NPSResult{}
			for _, g := range c.Query(before).Groups {
				prevByKey[g.Key] = g.NPS()
			}
			for _, g := range c.Query(byDim).Groups {
				t := g.NPS()
				row := report.Row{Dimension: string(dim), Key: g.Key, N: t.N, NPS: t.NPS, MOE95: t.MOE95, SmallSample: t.SmallSample}
				if pv, ok := prevByKey[g.Key]; ok {
					cmp := metric.CompareNPS(pv, t)
					row.Delta, row.Significant = cmp.Delta, cmp.Significant && !cmp.SmallSample
				}
				d.Breakdown = append(d.Breakdown, row)
			}
		}
		if b, ok := metric.BenchmarkFor(s.cfg.Industry); ok {
			d.Benchmark = &report.BenchmarkFigure{Industry: b.Industry, Low: b.Low, High: b.High, Source: b.Source}
		}
		rows, err := s.db.DriverRows(r.Context(), scope, nps.ID, start, end)
		if err != nil {
			s.errorPage(w, r, err)
			return
		}
		d.Drivers = analysisDrivers(nps, rows, l.Lang())
		latest, err := s.db.Responses(r.Context(), scope, store.ResponseFilter{Survey: nps.Key, From: start, To: end, Limit: 60, Descending: true})
		if err != nil {
			s.errorPage(w, r, err)
			return
		}
		for _, a := range latest {
			if a.Comment != "" && len(d.Comments) < 6 {
				d.Comments = append(d.Comments, report.Comment{Score: a.Score, Text: a.Comment, Manager: a.Snapshot.Manager})
			}
		}
	}
	for kind, target := range map[otklik.Kind]**report.MeanFigure{otklik.KindCSAT: &d.CSAT, otklik.KindCES: &d.CES} {
		if len(kinds[kind]) == 0 {
			continue
		}
		cell := c.Query(cube.Query{Surveys: kinds[kind], From: start, To: end, Scope: scope}).Overall
		if kind == otklik.KindCSAT {
			res := cell.CSAT()
			*target = &report.MeanFigure{N: res.N, Mean: res.Mean, Share: res.ShareTop, Low: res.Low}
		} else {
			res := cell.CES()
			*target = &report.MeanFigure{N: res.N, Mean: res.Mean, Share: res.ShareEasy, Low: int(cell.Hist[1] + cell.Hist[2] + cell.Hist[3])}
		}
	}
	var buf bytes.Buffer
	if err := report.Render(&buf, d, l); err != nil {
		s.errorPage(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="otklik-report-`+d.Period+`.pdf"`)
	w.Write(buf.Bytes())
}
