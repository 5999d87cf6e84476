package api

import (
	"net/http"

	"otklik"
	"otklik/internal/metric"
)

// scoreCounts gathers the score histogram behind a metric request: one
// survey when ?survey= names it (it must be of kind), else every survey of
// kind; the period from ?from=&to=; the rows the caller may see.
func (s *Server) scoreCounts(r *http.Request, kind otklik.Kind) (map[int]int, error) {
	scope, err := actorOf(r).Scope(otklik.ReadMetrics)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	from, to, err := s.period(q.Get("from"), q.Get("to"))
	if err != nil {
		return nil, err
	}
	var ids []int64
	if key := q.Get("survey"); key != "" {
		sv, err := s.intake.Survey(r.Context(), key)
		if otklik.ErrorCode(err) == otklik.ENOTFOUND {
			return nil, badParam("survey", "no survey with key "+key)
		} else if err != nil {
			return nil, err
		}
		if sv.Kind != kind {
			return nil, badParam("survey", "survey "+key+" is "+string(sv.Kind)+", not "+string(kind))
		}
		ids = []int64{sv.ID}
	} else {
		all, err := s.db.Surveys(r.Context())
		if err != nil {
			return nil, err
		}
		for _, sv := range all {
			if sv.Kind == kind {
				ids = append(ids, sv.ID)
			}
		}
	}
	return s.db.ScoreCounts(r.Context(), scope, ids, from, to)
}

func (s *Server) npsMetric(w http.ResponseWriter, r *http.Request) {
	counts, err := s.scoreCounts(r, otklik.KindNPS)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var c metric.NPSCounts
	for score, n := range counts {
		c.AddN(score, n)
	}
	writeJSON(w, http.StatusOK, c.Result())
}

func (s *Server) csatMetric(w http.ResponseWriter, r *http.Request) {
	counts, err := s.scoreCounts(r, otklik.KindCSAT)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var c metric.CSATCounts
	for score, n := range counts {
		c.AddN(score, n)
	}
	writeJSON(w, http.StatusOK, c.Result())
}

func (s *Server) cesMetric(w http.ResponseWriter, r *http.Request) {
	counts, err := s.scoreCounts(r, otklik.KindCES)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var c metric.CESCounts
	for score, n := range counts {
		c.AddN(score, n)
	}
	writeJSON(w, http.StatusOK, c.Result())
}
