package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"otklik"
	"otklik/internal/locale"
	"otklik/internal/store"
)

// feedbackLimit is how many praises and how many detractors the page shows;
// the answers feed behind each heading has the rest.
const feedbackLimit = 50

// caseSlack is how long after the period's end a case may have been opened
// for an answer inside it: the loop opens cases within seconds, but an
// answer imported late may wait for the next scan.
const caseSlack = 31 * 24 * time.Hour

// praiseCard is a promoter's answer shown to the manager it was about.
type praiseCard struct {
	R    *otklik.Response
	Name string       // the customer's name, when a case knows it
	Case *otklik.Case // the thank-you task, when one was opened
}

// coachCard is a detractor's answer with the coaching checklist: what a
// lead goes through with the manager, each point answered from the case
// where the case knows.
type coachCard struct {
	R      *otklik.Response
	Name   string
	Case   *otklik.Case
	Checks []checkItem
}

type checkItem struct {
	Question string // a message id
	State    string // done, missed, todo
	Answer   string
}

type feedbackData struct {
	Period   period
	Manager  string // the manager filter of a lead or an administrator
	Managers []*otklik.User
	Praise   []praiseCard
	Coaching []coachCard
	Links    map[string]string // the answers feed behind each section
}

// feedbackPage shows each manager the answers about their own work: praise
// for the promoters, a coaching checklist for the detractors. A manager
// sees their own (the answers whose snapshot names them), a lead the
// team's, an administrator everyone's.
func (s *Server) feedbackPage(w http.ResponseWriter, r *http.Request) {
	actor := viewerOf(r).user.Actor()
	scope, err := actor.Scope(otklik.ReadResponses)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	d := feedbackData{Period: s.readPeriodDefault(q, 90), Links: map[string]string{}}
	title := "loop.feedback.title_all"
	switch scope.Reach {
	case otklik.ReachOwn:
		title = "loop.feedback.title_own"
	case otklik.ReachTeam:
		title = "loop.feedback.title_team"
	}
	if scope.Reach != otklik.ReachOwn {
		d.Manager = strings.ToLower(strings.TrimSpace(q.Get("manager")))
		users, err := s.db.Users(ctx)
		if err != nil {
			s.errorPage(w, r, err)
			return
		}
		for _, u := range users {
			if u.Role == otklik.RoleManager && !u.Disabled && scope.Covers(u.Email, u.Team) {
				d.Managers = append(d.Managers, u)
			}
		}
	}
	if d.Period.Invalid {
		s.render(w, r, http.StatusUnprocessableEntity, "feedback", page{Title: title, Nav: "feedback", Notice: "error.invalid_form", Data: d})
		return
	}
	nine, six := 9, 6
	base := store.ResponseFilter{Kind: otklik.KindNPS, Manager: d.Manager, From: d.Period.FromT, To: d.Period.ToT,
		Limit: feedbackLimit, Descending: true}
	promoters, detractors := base, base
	promoters.ScoreMin, detractors.ScoreMax = &nine, &six
	praise, err := s.db.Responses(ctx, scope, promoters)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	unhappy, err := s.db.Responses(ctx, scope, detractors)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	// The cases opened for these answers, where the reader may see them.
	byAnswer := map[int64]*otklik.Case{}
	if caseScope, err := actor.Scope(otklik.ReadCases); err == nil {
		cases, err := s.db.LoopCases(ctx, caseScope, d.Period.FromT, d.Period.ToT.Add(caseSlack))
		if err != nil {
			s.errorPage(w, r, err)
			return
		}
		for _, c := range cases {
			byAnswer[c.ResponseID] = c
		}
	}
	l := s.localizer(r)
	now := s.cfg.Now()
	for _, a := range praise {
		c := byAnswer[a.ID]
		d.Praise = append(d.Praise, praiseCard{R: a, Case: c, Name: caseName(c)})
	}
	for _, a := range unhappy {
		c := byAnswer[a.ID]
		d.Coaching = append(d.Coaching, coachCard{R: a, Case: c, Name: caseName(c), Checks: s.checklist(l, a, c, now)})
	}
	link := func(group string) string {
		v := url.Values{"kind": {string(otklik.KindNPS)}, "group": {group}, "from": {d.Period.From}, "to": {d.Period.To}}
		if d.Manager != "" {
			v.Set("manager", d.Manager)
		}
		return "/answers?" + v.Encode()
	}
	d.Links["promoter"], d.Links["detractor"] = link("promoter"), link("detractor")
	s.render(w, r, http.StatusOK, "feedback", page{Title: title, Nav: "feedback", Data: d})
}

func caseName(c *otklik.Case) string {
	if c == nil {
		return ""
	}
	return c.CustomerName
}

// checklist answers the coaching questions for one detractor: did we call
// back the same day, what was promised, what will change.
func (s *Server) checklist(l *locale.Localizer, a *otklik.Response, c *otklik.Case, now time.Time) []checkItem {
	loc := s.cfg.Location
	day := func(t time.Time) string { return t.In(loc).Format(time.DateOnly) }
	call := checkItem{Question: "loop.feedback.q_same_day"}
	switch {
	case c == nil:
		call.State, call.Answer = "todo", l.T("loop.feedback.no_case")
	case c.ContactedAt != nil && day(*c.ContactedAt) == day(a.AnsweredAt):
		call.State, call.Answer = "done", l.T("loop.feedback.called_same_day", map[string]any{"At": c.ContactedAt.In(loc).Format("15:04")})
	case c.ContactedAt != nil:
		call.State, call.Answer = "missed", l.T("loop.feedback.called_later", map[string]any{"At": l.DateTime(*c.ContactedAt, loc)})
	case day(now) != day(a.AnsweredAt):
		call.State, call.Answer = "missed", l.T("loop.feedback.not_called")
	default:
		call.State, call.Answer = "todo", l.T("loop.feedback.call_today")
	}
	promise := checkItem{Question: "loop.feedback.q_promised", State: "todo", Answer: l.T("loop.feedback.promise_missing")}
	if c != nil && c.Decision != "" {
		promise.State, promise.Answer = "done", c.Decision
		if c.Action != "" {
			promise.Answer += " — " + c.Action
		}
	}
	change := checkItem{Question: "loop.feedback.q_change", State: "todo", Answer: l.T("loop.feedback.change_prompt")}
	if c != nil && c.RootCause != "" {
		change.State = "done"
		change.Answer = l.T("loop.feedback.change_cause", map[string]any{"Cause": l.T("loop.cause." + c.RootCause)})
	}
	return []checkItem{call, promise, change}
}
