package api

import (
	"net/http"
	"sort"

	"otklik"
	"otklik/internal/analysis"
	"otklik/internal/cube"
	"otklik/internal/metric"
)

// cohortCell is one cell of the cohort table.
type cohortCell struct {
	N     int     `json:"n"`
	Value float64 `json:"value"`
	MOE95 float64 `json:"moe95"`
}

type cohortRow struct {
	Cohort string                `json:"cohort"` // the month the customers started, "2025-11"; "" unknown
	Cells  map[string]cohortCell `json:"cells"`  // tenure band → figure
}

type cohortsOutput struct {
	Metric string      `json:"metric"`
	Bands  []string    `json:"bands"`
	Rows   []cohortRow `json:"rows"`
}

// cohorts answers GET /metrics/cohorts?survey=&metric=nps|csat|ces: rows are
// acquisition months, columns the months since start, in bands.
func (s *Server) cohorts(w http.ResponseWriter, r *http.Request) {
	kind := otklik.Kind(r.URL.Query().Get("metric"))
	if kind == "" {
		kind = otklik.KindNPS
	}
	if kind != otklik.KindNPS && kind != otklik.KindCSAT && kind != otklik.KindCES {
		s.writeError(w, r, badParam("metric", "must be nps, csat or ces"))
		return
	}
	c, err := s.parseCut(r, kind)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	table := s.analytics.Cube().Cohorts(c.query)
	out := cohortsOutput{Metric: string(kind), Bands: metric.TenureBands(), Rows: []cohortRow{}}
	keys := make([]string, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		row := cohortRow{Cohort: k, Cells: map[string]cohortCell{}}
		for band, cell := range table[k] {
			row.Cells[band] = cohortValue(kind, &cell)
		}
		out.Rows = append(out.Rows, row)
	}
	writeJSON(w, http.StatusOK, out)
}

func cohortValue(kind otklik.Kind, cell *cube.Cell) cohortCell {
	switch kind {
	case otklik.KindCSAT:
		res := cell.CSAT()
		return cohortCell{N: res.N, Value: res.Mean, MOE95: res.MeanCI95}
	case otklik.KindCES:
		res := cell.CES()
		return cohortCell{N: res.N, Value: res.Mean, MOE95: res.MeanCI95}
	}
	res := cell.NPS()
	return cohortCell{N: res.N, Value: res.NPS, MOE95: res.MOE95}
}

// drivers answers GET /metrics/drivers?survey=&from=&to=&group_by=manager|team:
// each driver's mean among promoters, passives and detractors and its
// importance for the score (Johnson's relative weights); with group_by, the
// ratings per manager or team (the per-manager ratings).
func (s *Server) drivers(w http.ResponseWriter, r *http.Request) {
	scope, err := actorOf(r).Scope(otklik.ReadMetrics)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	key := q.Get("survey")
	if key == "" {
		s.writeError(w, r, badParam("survey", "is required: the survey whose driver questions to analyse"))
		return
	}
	sv, err := s.intake.Survey(r.Context(), key)
	if otklik.ErrorCode(err) == otklik.ENOTFOUND {
		s.writeError(w, r, badParam("survey", "no survey with key "+key))
		return
	} else if err != nil {
		s.writeError(w, r, err)
		return
	}
	groupBy := q.Get("group_by")
	if groupBy != "" && groupBy != "manager" && groupBy != "team" {
		s.writeError(w, r, badParam("group_by", "must be manager or team"))
		return
	}
	from, to, err := s.period(q.Get("from"), q.Get("to"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rows, err := s.db.DriverRows(r.Context(), scope, sv.ID, from, to)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := analysis.AnalyseDrivers(sv, rows, groupBy)
	writeJSON(w, http.StatusOK, out)
}

type benchmarkOutput struct {
	metric.Benchmark
	NPS         float64 `json:"nps"`
	MOE95       float64 `json:"moe95"`
	N           int     `json:"n"`
	SmallSample bool    `json:"small_sample"`
	Position    string  `json:"position"` // below, within or above the industry's range
}

// benchmark answers GET /metrics/benchmark?survey=&from=&to=&industry=:
// where the NPS stands against the industry's typical range.
func (s *Server) benchmark(w http.ResponseWriter, r *http.Request) {
	industry := r.URL.Query().Get("industry")
	if industry == "" {
		industry = s.industry
	}
	b, ok := metric.BenchmarkFor(industry)
	if !ok {
		s.writeError(w, r, badParam("industry", "is not a known industry"))
		return
	}
	c, err := s.parseCut(r, otklik.KindNPS)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c.query.GroupBy = cube.DimNone
	overall := s.analytics.Cube().Query(c.query).Overall
	res := overall.NPS()
	out := benchmarkOutput{Benchmark: b, NPS: res.NPS, MOE95: res.MOE95, N: res.N, SmallSample: res.SmallSample}
	if res.N > 0 {
		out.Position = b.Position(res.NPS)
	}
	writeJSON(w, http.StatusOK, out)
}
