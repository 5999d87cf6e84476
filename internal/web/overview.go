package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"otklik"
	"otklik/internal/cube"
	"otklik/internal/metric"
	"otklik/internal/store"
)

// period is the from/to of a page, as typed in its form (dates in the
// business's time zone, to inclusive) and as instants.
type period struct {
	From, To   string
	FromT, ToT time.Time
	Invalid    bool
}

// readPeriod takes ?from=&to=, defaulting to the last 90 days.
func (s *Server) readPeriod(q url.Values) period { return s.readPeriodDefault(q, 90) }

// readPeriodDefault takes ?from=&to=, defaulting to the last days days.
func (s *Server) readPeriodDefault(q url.Values, days int) period {
	p := period{From: q.Get("from"), To: q.Get("to")}
	if p.From == "" && p.To == "" {
		today := s.cfg.Now().In(s.cfg.Location)
		p.From, p.To = today.AddDate(0, 0, 1-days).Format(time.DateOnly), today.Format(time.DateOnly)
	}
	from, to, err := otklik.ParsePeriod(p.From, p.To, s.cfg.Location)
	if err != nil {
		p.Invalid = true
		return p
	}
	p.FromT, p.ToT = from, to
	return p
}

type overviewData struct {
	Period  period
	Surveys []*otklik.Survey
	Survey  *otklik.Survey // the NPS survey shown; nil when none
	NPS     metric.NPSResult
	CSAT    metric.CSATResult
	CES     metric.CESResult
	Latest  []*otklik.Response
	Links   map[string]string // figure → the answers behind it
	Kinds   map[string]otklik.Kind
	CanRead bool
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request) {
	actor := viewerOf(r).user.Actor()
	q := r.URL.Query()
	d := overviewData{Period: s.readPeriod(q), Links: map[string]string{}, Kinds: map[string]otklik.Kind{}}
	scope, err := actor.Scope(otklik.ReadMetrics)
	if err != nil {
		// Roles without figures (agents, interviewers, reviewers) start at
		// the page of their work.
		to := "/surveys"
		if actor.Can(otklik.ReadCustomers) {
			to = "/customers"
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
		return
	}
	d.CanRead = true
	if d.Surveys, err = s.db.Surveys(r.Context()); err != nil {
		s.errorPage(w, r, err)
		return
	}
	key := q.Get("survey")
	byKind := map[otklik.Kind][]int64{}
	for _, sv := range d.Surveys {
		byKind[sv.Kind] = append(byKind[sv.Kind], sv.ID)
		d.Kinds[sv.Key] = sv.Kind
		if sv.Kind == otklik.KindNPS && (d.Survey == nil && key == "" || sv.Key == key) {
			d.Survey = sv
		}
	}
	if d.Period.Invalid {
		s.render(w, r, http.StatusUnprocessableEntity, "overview", page{Title: "overview.title", Nav: "overview", Notice: "error.invalid_form", Data: d})
		return
	}
	// The figures come from the analytics index, as on the analytics page
	// and in the API, so every screen agrees.
	if err := s.cfg.Analytics.Fresh(r.Context()); err != nil {
		s.errorPage(w, r, err)
		return
	}
	cell := func(ids []int64) cube.Cell {
		if len(ids) == 0 {
			return cube.Cell{}
		}
		return s.cfg.Analytics.Cube().Query(cube.Query{Surveys: ids, From: d.Period.FromT, To: d.Period.ToT, Scope: scope}).Overall
	}
	if d.Survey != nil {
		c := cell([]int64{d.Survey.ID})
		d.NPS = c.NPS()
	}
	csat, ces := cell(byKind[otklik.KindCSAT]), cell(byKind[otklik.KindCES])
	d.CSAT, d.CES = csat.CSAT(), ces.CES()
	f := store.ResponseFilter{From: d.Period.FromT, To: d.Period.ToT, Limit: 10, Descending: true}
	if d.Latest, err = s.db.Responses(r.Context(), scope, f); err != nil {
		s.errorPage(w, r, err)
		return
	}
	base := url.Values{"from": {d.Period.From}, "to": {d.Period.To}}
	link := func(extra ...string) string {
		v := url.Values{}
		for k, vs := range base {
			v[k] = vs
		}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return "/answers?" + v.Encode()
	}
	if d.Survey != nil {
		for _, g := range []string{"", "promoter", "passive", "detractor"} {
			d.Links["nps"+g] = link("survey", d.Survey.Key, "group", g)
		}
	}
	d.Links["csat"] = link("kind", "csat")
	d.Links["csat_low"] = link("kind", "csat", "group", "low")
	d.Links["ces"] = link("kind", "ces")
	s.render(w, r, http.StatusOK, "overview", page{Title: "overview.title", Nav: "overview", Data: d})
}

var groupKind = map[string]otklik.Kind{
	"promoter": otklik.KindNPS, "passive": otklik.KindNPS, "detractor": otklik.KindNPS,
	"low": otklik.KindCSAT, "top": otklik.KindCSAT, "easy": otklik.KindCES, "hard": otklik.KindCES,
}

// scoreRange turns a score group into bounds for a survey kind.
func scoreRange(group string, kind otklik.Kind) (lo, hi *int) {
	p := func(v int) *int { return &v }
	switch {
	case kind == otklik.KindNPS && group == "promoter":
		return p(9), p(10)
	case kind == otklik.KindNPS && group == "passive":
		return p(7), p(8)
	case kind == otklik.KindNPS && group == "detractor":
		return p(0), p(6)
	case kind == otklik.KindCSAT && group == "low":
		return p(1), p(3)
	case kind == otklik.KindCSAT && group == "top":
		return p(4), p(5)
	case kind == otklik.KindCES && group == "easy":
		return p(5), p(7)
	case kind == otklik.KindCES && group == "hard":
		return p(1), p(3)
	}
	return nil, nil
}

type answersData struct {
	Period   period
	Surveys  []*otklik.Survey
	Q        url.Values
	Items    []*otklik.Response
	Kinds    map[string]otklik.Kind // survey key → kind
	Channels []otklik.Channel
	Groups   []string
	Next     string   // the query of the next page
	Hidden   []string // drill-down filters the form keeps without showing them
}

func (s *Server) answers(w http.ResponseWriter, r *http.Request) {
	scope, err := viewerOf(r).user.Actor().Scope(otklik.ReadResponses)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	q := r.URL.Query()
	d := answersData{Period: s.readPeriod(q), Q: q, Kinds: map[string]otklik.Kind{}, Channels: otklik.ResponseChannels,
		Groups: []string{"promoter", "passive", "detractor", "low", "top", "easy", "hard"},
		Hidden: []string{"kind", "team", "region", "service", "tenure", "cohort"}}
	if d.Surveys, err = s.db.Surveys(r.Context()); err != nil {
		s.errorPage(w, r, err)
		return
	}
	for _, sv := range d.Surveys {
		d.Kinds[sv.Key] = sv.Kind
	}
	f := store.ResponseFilter{Survey: q.Get("survey"), Channel: otklik.Channel(q.Get("channel")), Manager: q.Get("manager"),
		Segment: q.Get("segment"), Team: q.Get("team"), Region: q.Get("region"), Service: q.Get("service"),
		StartedIn: q.Get("cohort"), Text: q.Get("q"), From: d.Period.FromT, To: d.Period.ToT, Limit: 50, Descending: true}
	f.TenureMin, f.TenureMax = tenureRange(q.Get("tenure"))
	kind := d.Kinds[f.Survey]
	if kind == "" {
		kind = otklik.Kind(q.Get("kind"))
	}
	if kind == "" {
		// A group names its kind: detractors are NPS answers, "low" CSAT ones.
		kind = groupKind[q.Get("group")]
		if f.Survey == "" {
			f.Kind = kind
		}
	}
	f.ScoreMin, f.ScoreMax = scoreRange(q.Get("group"), kind)
	if after := q.Get("after"); after != "" {
		if ns, id, ok := cutCursor(after); ok {
			f.AfterTime, f.AfterID = time.Unix(0, ns).UTC(), id
		}
	}
	if d.Period.Invalid {
		s.render(w, r, http.StatusUnprocessableEntity, "answers", page{Title: "feed.title", Nav: "answers", Notice: "error.invalid_form", Data: d})
		return
	}
	if f.Survey == "" && q.Get("kind") != "" {
		f.Kind = otklik.Kind(q.Get("kind"))
	}
	items, err := s.db.Responses(r.Context(), scope, f)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	d.Items = items
	if len(items) == f.Limit {
		last := items[len(items)-1]
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("after", strconv.FormatInt(last.AnsweredAt.UnixNano(), 10)+"-"+strconv.FormatInt(last.ID, 10))
		d.Next = next.Encode()
	}
	s.render(w, r, http.StatusOK, "answers", page{Title: "feed.title", Nav: "answers", Data: d})
}

// tenureRange turns a tenure band ("3-5", "24+") into inclusive bounds.
func tenureRange(band string) (lo, hi *int) {
	a, b, found := strings.Cut(strings.TrimSuffix(band, "+"), "-")
	x, err := strconv.Atoi(a)
	if err != nil {
		return nil, nil
	}
	lo = &x
	if found {
		if y, err := strconv.Atoi(b); err == nil {
			hi = &y
		}
	}
	return lo, hi
}

func cutCursor(c string) (int64, int64, bool) {
	for i := len(c) - 1; i > 0; i-- {
		if c[i] == '-' {
			ns, err1 := strconv.ParseInt(c[:i], 10, 64)
			id, err2 := strconv.ParseInt(c[i+1:], 10, 64)
			return ns, id, err1 == nil && err2 == nil
		}
	}
	return 0, 0, false
}
