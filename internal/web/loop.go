package web

import (
	"math"
	"net/http"
	"net/url"
	"time"

	"otklik"
	"otklik/internal/casework"
	"otklik/internal/locale"
)

// loopFigure is one row of the loop's figures with the links to the cases
// behind each number.
type loopFigure struct {
	casework.Figures
	Label string
	Links map[string]string // opened, contacted, resolved, passive, promoter, answered
}

// ContactedShare is the share of cases contacted in SLA; NaN (shown as a
// dash) when none was opened.
func (f loopFigure) ContactedShare() float64 { return share(f.ContactedInSLA, f.Opened) }

// ResolvedShare is the share of cases resolved in SLA.
func (f loopFigure) ResolvedShare() float64 { return share(f.ResolvedInSLA, f.Opened) }

// WonBackShare is the won-back rate, NaN when nobody answered again.
func (f loopFigure) WonBackShare() float64 {
	if f.WonBackRate == nil {
		return math.NaN()
	}
	return *f.WonBackRate
}

// Median writes the median time to first contact («1 ч 5 мин»), or a dash.
func (f loopFigure) Median(l *locale.Localizer) string {
	if f.MedianFirstContactMinutes == nil {
		return "—"
	}
	return workingText(l, time.Duration(math.Round(*f.MedianFirstContactMinutes))*time.Minute)
}

func share(n, of int) float64 {
	if of == 0 {
		return math.NaN()
	}
	return float64(n) / float64(of)
}

// loopGroup is one cut of the figures: per owner, team, root cause, month.
type loopGroup struct {
	By   string
	Rows []loopFigure
}

type loopData struct {
	Period  period
	Overall loopFigure
	Groups  []loopGroup
	Thanks  struct{ Opened, Done int } // the promoters' thank-you tasks
	CanEdit bool
}

// loopCuts are the cuts the dashboard shows, in order.
var loopCuts = []string{"owner", "team", "root_cause", "month"}

// loopDashboard shows casework.Summarize's figures for a period, overall
// and per cut; every number links to the board filtered to its cases.
func (s *Server) loopDashboard(w http.ResponseWriter, r *http.Request) {
	actor := viewerOf(r).user.Actor()
	scope, err := actor.Scope(otklik.ReadCases)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	d := loopData{Period: s.readPeriodDefault(r.URL.Query(), 90), CanEdit: actor.Can(otklik.ManageLoop)}
	if d.Period.Invalid {
		s.render(w, r, http.StatusUnprocessableEntity, "loop", page{Title: "loop.dash.title", Nav: "loop", Notice: "error.invalid_form", Data: d})
		return
	}
	cases, err := s.db.LoopCases(r.Context(), scope, d.Period.FromT, d.Period.ToT)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	names, err := s.userNames(r.Context())
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	l := s.localizer(r)
	loc := s.cfg.Location
	base := url.Values{"from": {d.Period.From}, "to": {d.Period.To}, "kind": {otklik.CaseDetractor}, "status": {"all"}}
	figure := func(f casework.Figures, label string, extra url.Values) loopFigure {
		link := func(k, v string) string {
			q := url.Values{}
			for key, vs := range base {
				q[key] = vs
			}
			for key, vs := range extra {
				q[key] = vs
			}
			if k != "" {
				q.Set(k, v)
			}
			return "/cases?" + q.Encode()
		}
		return loopFigure{Figures: f, Label: label, Links: map[string]string{
			"opened": link("", ""), "contacted": link("sla", "contacted_in_sla"), "resolved": link("sla", "resolved_in_sla"),
			"passive": link("won_back", "passive"), "promoter": link("won_back", "promoter"), "answered": link("won_back", "answered"),
		}}
	}
	d.Overall = figure(casework.Summarize(cases, "", loc)[0], "", nil)
	for _, by := range loopCuts {
		g := loopGroup{By: by}
		for _, f := range casework.Summarize(cases, by, loc) {
			label, extra := s.loopCut(l, by, f.Key, names, d.Period)
			g.Rows = append(g.Rows, figure(f, label, extra))
		}
		d.Groups = append(d.Groups, g)
	}
	for _, c := range cases {
		if c.Kind == otklik.CaseThanks {
			d.Thanks.Opened++
			if c.ContactedAt != nil || c.Status == otklik.CaseClosed {
				d.Thanks.Done++
			}
		}
	}
	s.render(w, r, http.StatusOK, "loop", page{Title: "loop.dash.title", Nav: "loop", Data: d})
}

// loopCut names a group of a cut and the board's filter for its cases. An
// empty key (no owner, no team, not resolved yet) filters on "-".
func (s *Server) loopCut(l *locale.Localizer, by, key string, names map[string]string, p period) (string, url.Values) {
	filterKey := key
	if filterKey == "" {
		filterKey = "-"
	}
	switch by {
	case "owner":
		if key == "" {
			return l.T("loop.dash.no_owner"), url.Values{"owner": {filterKey}}
		}
		return nameOr(names, key), url.Values{"owner": {filterKey}}
	case "team":
		if key == "" {
			return l.T("loop.dash.no_team"), url.Values{"team": {filterKey}}
		}
		return key, url.Values{"team": {filterKey}}
	case "root_cause":
		if key == "" {
			return l.T("loop.cause.none"), url.Values{"root_cause": {filterKey}}
		}
		return l.T("loop.cause." + key), url.Values{"root_cause": {filterKey}}
	case "month":
		// The month's own days, within the period.
		start, err := time.ParseInLocation("2006-01", key, s.cfg.Location)
		if err != nil {
			return key, nil
		}
		end := start.AddDate(0, 1, 0)
		from, to := maxTime(start, p.FromT), minTime(end, p.ToT)
		label := key
		if l.Lang() == locale.Russian {
			label = ruMonthNames[start.Month()-1] + " " + start.Format("2006")
		} else {
			label = start.Format("January 2006")
		}
		return label, url.Values{"from": {from.In(s.cfg.Location).Format(time.DateOnly)}, "to": {to.Add(-time.Nanosecond).In(s.cfg.Location).Format(time.DateOnly)}}
	}
	return key, nil
}

// ruMonthNames are the months in the nominative, as a heading names them.
var ruMonthNames = [12]string{"Январь", "Февраль", "Март", "Апрель", "Май", "Июнь", "Июль", "Август", "Сентябрь", "Октябрь", "Ноябрь", "Декабрь"}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
