package api

import (
	"net/http"
	"strings"
	"time"

	"otklik"
	"otklik/internal/cube"
	"otklik/internal/metric"
)

// cut is a parsed analytics request: what to count, over which answers, cut
// by what, compared with what.
type cut struct {
	loc     *time.Location
	kind    otklik.Kind
	survey  *otklik.Survey // nil: every survey of the kind
	query   cube.Query
	compare bool
	prev    cube.Query // the previous period, when compare
}

// parseCut reads ?survey=&from=&to=&group_by=&filter[dim]=&compare=previous
// for a metric of kind, within the caller's reach.
func (s *Server) parseCut(r *http.Request, kind otklik.Kind) (*cut, error) {
	scope, err := actorOf(r).Scope(otklik.ReadMetrics)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	c := &cut{kind: kind, loc: s.loc}
	var p otklik.Problems
	from, to, err := s.period(q.Get("from"), q.Get("to"))
	if err != nil {
		return nil, err
	}
	c.query = cube.Query{From: from, To: to, Scope: scope, Weighted: kind == otklik.KindNPS && q.Get("weighted") == "true"}
	if w := q.Get("weighted"); w != "" && w != "true" && w != "false" {
		p.Add("weighted", "must be true or false")
	}
	if g := cube.Dim(q.Get("group_by")); g != "" {
		if !g.Valid() || g == cube.DimCohort {
			p.Add("group_by", "must be one of day, week, month, quarter, segment, service, channel, manager, team, region, tenure")
		}
		c.query.GroupBy = g
	}
	for key, vals := range q {
		if !strings.HasPrefix(key, "filter[") || !strings.HasSuffix(key, "]") {
			continue
		}
		dim := cube.Dim(strings.TrimSuffix(strings.TrimPrefix(key, "filter["), "]"))
		if !dim.Valid() || dim == cube.DimCohort {
			p.Add(key, "is not a dimension to filter on")
			continue
		}
		if c.query.Filter == nil {
			c.query.Filter = map[cube.Dim]string{}
		}
		c.query.Filter[dim] = vals[0]
	}
	if key := q.Get("survey"); key != "" {
		sv, err := s.intake.Survey(r.Context(), key)
		switch {
		case otklik.ErrorCode(err) == otklik.ENOTFOUND:
			p.Add("survey", "no survey with key %s", key)
		case err != nil:
			return nil, err
		case sv.Kind != kind:
			p.Add("survey", "survey %s is %s, not %s", key, sv.Kind, kind)
		default:
			c.survey = sv
			c.query.Surveys = []int64{sv.ID}
		}
	} else if c.query.Surveys, err = s.surveyIDs(r, kind); err != nil {
		return nil, err
	}
	switch cmp := q.Get("compare"); {
	case cmp == "":
	case cmp != "previous":
		p.Add("compare", "must be previous")
	case from.IsZero() || to.IsZero():
		p.Add("compare", "needs a period: from and to")
	default:
		c.compare = true
		c.prev = c.query
		c.prev.From, c.prev.To = from.Add(-to.Sub(from)), from
	}
	if err := p.Err("the analytics request is not valid"); err != nil {
		return nil, err
	}
	if err := s.fresh(r); err != nil {
		return nil, err
	}
	return c, nil
}

// surveyIDs lists the surveys of kind: a metric without ?survey= covers them all.
func (s *Server) surveyIDs(r *http.Request, kind otklik.Kind) ([]int64, error) {
	all, err := s.db.Surveys(r.Context())
	if err != nil {
		return nil, err
	}
	ids := []int64{-1} // no survey of the kind yet: count nothing rather than everything
	for _, sv := range all {
		if sv.Kind == kind {
			ids = append(ids, sv.ID)
		}
	}
	return ids, nil
}

// fresh brings the analytics index up to date when this process wrote
// answers it has not seen; other replicas' answers arrive within seconds.
func (s *Server) fresh(r *http.Request) error {
	if s.analytics == nil {
		return otklik.Errorf(otklik.EINTERNAL, "analytics are not running")
	}
	return s.analytics.Fresh(r.Context())
}

// run executes the cut: the current period, and the previous one (for time
// groups, the current query widened back by one period, so that each group
// is compared with the one before it).
func (c *cut) run(cb *cube.Cube) (cur, prev cube.Result, prevOf func(i int) *cube.Cell) {
	if !c.compare {
		return cb.Query(c.query), cube.Result{}, func(int) *cube.Cell { return nil }
	}
	if c.query.GroupBy.IsTime() {
		// Each period is compared with the one just before it: widen the
		// query back to the whole period preceding the first, and look the
		// previous period up by its key (an empty period has no figure).
		wide := c.query
		wide.From = previousPeriodStart(c.query.GroupBy, c.query.From, c.loc)
		all := cb.Query(wide)
		cur = cb.Query(c.query)
		prevTotal := cb.Query(c.prev)
		byKey := map[string]*cube.Cell{}
		for i := range all.Groups {
			byKey[all.Groups[i].Key] = &all.Groups[i].Cell
		}
		return cur, prevTotal, func(i int) *cube.Cell {
			return byKey[previousKey(c.query.GroupBy, cur.Groups[i].Key, c.loc)]
		}
	}
	cur, prev = cb.Query(c.query), cb.Query(c.prev)
	byKey := map[string]*cube.Cell{}
	for i := range prev.Groups {
		byKey[prev.Groups[i].Key] = &prev.Groups[i].Cell
	}
	return cur, prev, func(i int) *cube.Cell { return byKey[cur.Groups[i].Key] }
}

// npsFigures is one cell's NPS as the API shows it.
type npsFigures struct {
	metric.NPSResult
	WeightedNPS *float64 `json:"weighted_nps,omitempty"`
	WeightedN   *int     `json:"weighted_n,omitempty"`
	PreviousNPS *float64 `json:"previous_nps,omitempty"`
	Delta       *float64 `json:"delta,omitempty"`
	PValue      *float64 `json:"p_value,omitempty"`
	Significant *bool    `json:"significant,omitempty"`
}

func npsOf(cell, prev *cube.Cell, compare, weighted bool) npsFigures {
	f := npsFigures{NPSResult: cell.NPS()}
	if weighted {
		nps, n := cell.WeightedNPS()
		f.WeightedNPS, f.WeightedN = &nps, &n
	}
	if compare {
		var p metric.NPSResult
		if prev != nil {
			p = prev.NPS()
		}
		cmp := metric.CompareNPS(p, f.NPSResult)
		f.PreviousNPS, f.Delta, f.PValue, f.Significant = &p.NPS, &cmp.Delta, &cmp.PValue, &cmp.Significant
	}
	return f
}

// npsOutput keeps the core's flat figures for the whole selection and adds
// the cut.
type npsOutput struct {
	npsFigures
	Overall npsFigures `json:"overall"`
	GroupBy cube.Dim   `json:"group_by,omitempty"`
	Groups  []npsGroup `json:"groups"`
}

// npsGroup is a group's figures; the key "" is the group of answers with no
// value in the dimension (no manager, no service, unknown tenure).
type npsGroup struct {
	Key string `json:"key"`
	npsFigures
}

func (s *Server) npsMetric(w http.ResponseWriter, r *http.Request) {
	c, err := s.parseCut(r, otklik.KindNPS)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cur, prev, prevOf := c.run(s.analytics.Cube())
	out := npsOutput{GroupBy: c.query.GroupBy, Groups: []npsGroup{}}
	out.Overall = npsOf(&cur.Overall, &prev.Overall, c.compare, c.query.Weighted)
	out.npsFigures = out.Overall
	for i := range cur.Groups {
		out.Groups = append(out.Groups, npsGroup{cur.Groups[i].Key, npsOf(&cur.Groups[i].Cell, prevOf(i), c.compare, c.query.Weighted)})
	}
	writeJSON(w, http.StatusOK, out)
}

// meanFigures is one cell's CSAT or CES as the API shows it.
type meanFigures struct {
	Key          string   `json:"key,omitempty"`
	N            int      `json:"n"`
	Mean         float64  `json:"mean"`
	MeanCI95     float64  `json:"mean_ci95"`
	ShareTop     *float64 `json:"share_top,omitempty"`  // CSAT: share of 4–5
	Low          *int     `json:"low,omitempty"`        // CSAT: answers below 4
	ShareEasy    *float64 `json:"share_easy,omitempty"` // CES: share of 5–7
	SmallSample  bool     `json:"small_sample"`
	PreviousMean *float64 `json:"previous_mean,omitempty"`
	Delta        *float64 `json:"delta,omitempty"`
	PValue       *float64 `json:"p_value,omitempty"`
	Significant  *bool    `json:"significant,omitempty"`
}

func meanOf(kind otklik.Kind, cell, prev *cube.Cell, compare bool) meanFigures {
	var f meanFigures
	var stats, prevStats metric.MeanStats
	if kind == otklik.KindCSAT {
		res := cell.CSAT()
		f.N, f.Mean, f.MeanCI95, f.ShareTop, f.Low = res.N, res.Mean, res.MeanCI95, &res.ShareTop, &res.Low
		stats = statsOf(kind, cell)
	} else {
		res := cell.CES()
		f.N, f.Mean, f.MeanCI95, f.ShareEasy = res.N, res.Mean, res.MeanCI95, &res.ShareEasy
		stats = statsOf(kind, cell)
	}
	f.SmallSample = f.N < metric.SmallSampleN
	if compare {
		if prev != nil {
			prevStats = statsOf(kind, prev)
		}
		cmp := metric.CompareMeans(prevStats, stats)
		f.PreviousMean, f.Delta, f.PValue, f.Significant = &prevStats.Mean, &cmp.Delta, &cmp.PValue, &cmp.Significant
	}
	return f
}

func statsOf(kind otklik.Kind, cell *cube.Cell) metric.MeanStats {
	if kind == otklik.KindCSAT {
		return cell.CSATCounts().Stats()
	}
	return cell.CESCounts().Stats()
}

type meanOutput struct {
	meanFigures
	Overall meanFigures `json:"overall"`
	GroupBy cube.Dim    `json:"group_by,omitempty"`
	Groups  []meanGroup `json:"groups"`
}

type meanGroup struct {
	Key string `json:"key"`
	meanFigures
}

func (s *Server) meanMetric(kind otklik.Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := s.parseCut(r, kind)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		cur, prev, prevOf := c.run(s.analytics.Cube())
		out := meanOutput{GroupBy: c.query.GroupBy, Groups: []meanGroup{}}
		out.Overall = meanOf(kind, &cur.Overall, &prev.Overall, c.compare)
		out.meanFigures = out.Overall
		for i := range cur.Groups {
			out.Groups = append(out.Groups, meanGroup{cur.Groups[i].Key, meanOf(kind, &cur.Groups[i].Cell, prevOf(i), c.compare)})
		}
		writeJSON(w, http.StatusOK, out)
	}
}
