package web

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"otklik"
	"otklik/internal/store"
)

// casesPageSize is how many cases the board lists at a time.
const casesPageSize = 50

// caseQuery is the board's filter as the URL carries it. Without a period
// the store filters and pages (newest first, by id); with one — the links
// from the loop's figures — the cases opened in the period are filtered
// here, so that every figure's own filter (in SLA, won back, root cause)
// lists exactly the cases it counted.
type caseQuery struct {
	Status  string // "active" (open or contacted), "all", or one status
	Kind    string
	Owner   string // an e-mail; "-" in a period: cases without an owner
	Team    string
	Overdue bool
	After   int64

	Period    bool
	From, To  string
	FromT     time.Time
	ToT       time.Time
	RootCause string // in a period: a root cause, "-" for not resolved yet
	SLA       string // in a period: contacted_in_sla or resolved_in_sla
	WonBack   string // in a period: passive, promoter or answered
	Invalid   bool
}

// readCaseQuery reads the board's filter; values it does not know are
// dropped rather than refused, so an old bookmark still opens the board.
func readCaseQuery(q url.Values, loc *time.Location) caseQuery {
	c := caseQuery{Status: q.Get("status"), Kind: q.Get("kind"), Owner: strings.ToLower(strings.TrimSpace(q.Get("owner"))),
		Team: strings.TrimSpace(q.Get("team")), Overdue: q.Get("overdue") == "1",
		From: q.Get("from"), To: q.Get("to"), RootCause: q.Get("root_cause"), SLA: q.Get("sla"), WonBack: q.Get("won_back")}
	c.Period = c.From != "" || c.To != ""
	if c.Status != "all" && c.Status != "active" && !slices.Contains(otklik.CaseStatuses, c.Status) {
		c.Status = "active"
		if c.Period {
			c.Status = "all" // the figures count every case opened in the period
		}
	}
	if c.Kind != otklik.CaseDetractor && c.Kind != otklik.CaseThanks {
		c.Kind = ""
	}
	if after, err := strconv.ParseInt(q.Get("after"), 10, 64); err == nil && after > 0 {
		c.After = after
	}
	if c.RootCause != "-" && !slices.Contains(otklik.RootCauses, c.RootCause) {
		c.RootCause = ""
	}
	if c.SLA != "contacted_in_sla" && c.SLA != "resolved_in_sla" {
		c.SLA = ""
	}
	if c.WonBack != "passive" && c.WonBack != "promoter" && c.WonBack != "answered" {
		c.WonBack = ""
	}
	if c.Period {
		from, to, err := otklik.ParsePeriod(c.From, c.To, loc)
		if err != nil || from.IsZero() || to.IsZero() {
			c.Invalid, c.Period = true, false
		}
		c.FromT, c.ToT = from, to
	}
	return c
}

// storeFilter is the part of the query the store applies.
func (c caseQuery) storeFilter() store.CaseFilter {
	f := store.CaseFilter{Kind: c.Kind, Owner: c.Owner, Team: c.Team, Breached: c.Overdue, After: c.After, Limit: casesPageSize}
	switch c.Status {
	case "active":
		f.Open = true
	case "all":
	default:
		f.Status = c.Status
	}
	return f
}

// matches applies the whole query to one case, as the figures of
// casework.Summarize count it.
func (c caseQuery) matches(k *otklik.Case) bool {
	sameOrNone := func(want, got string) bool { return want == "" || want == got || want == "-" && got == "" }
	switch {
	case c.Status == "active" && k.Status != otklik.CaseOpen && k.Status != otklik.CaseContacted,
		c.Status != "active" && c.Status != "all" && k.Status != c.Status,
		c.Kind != "" && k.Kind != c.Kind,
		!sameOrNone(c.Owner, k.Owner), !sameOrNone(c.Team, k.Team), !sameOrNone(c.RootCause, k.RootCause),
		c.Overdue && k.FirstContactBreach == nil && k.ResolutionBreach == nil,
		c.After > 0 && k.ID >= c.After:
		return false
	}
	switch c.SLA {
	case "contacted_in_sla":
		if k.ContactedAt == nil || k.FirstContactDue != nil && k.ContactedAt.After(*k.FirstContactDue) {
			return false
		}
	case "resolved_in_sla":
		if k.ResolvedAt == nil || k.ResolutionDue != nil && k.ResolvedAt.After(*k.ResolutionDue) {
			return false
		}
	}
	switch c.WonBack {
	case "passive", "promoter":
		return k.WonBack == c.WonBack
	case "answered":
		return k.WonBack != ""
	}
	return true
}

// encode writes the query back, with after set to the next page's start.
func (c caseQuery) encode(after int64) string {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("status", c.Status)
	set("kind", c.Kind)
	set("owner", c.Owner)
	set("team", c.Team)
	if c.Overdue {
		v.Set("overdue", "1")
	}
	if c.Period {
		set("from", c.From)
		set("to", c.To)
		set("root_cause", c.RootCause)
		set("sla", c.SLA)
		set("won_back", c.WonBack)
	}
	if after > 0 {
		v.Set("after", strconv.FormatInt(after, 10))
	}
	return v.Encode()
}

// caseRow is one line of the board.
type caseRow struct {
	C       *otklik.Case
	Group   string // the score's colour
	Excerpt string
	SLA     slaView
	Owner   string // the owner's name, or e-mail
}

type casesData struct {
	Q        caseQuery
	Reach    otklik.Reach
	Team     string // the lead's team
	Rows     []caseRow
	Next     string         // the query of the next page
	Owners   []*otklik.User // the owner filter's choices; none for a manager, whose cases are all their own
	Teams    []string
	Statuses []string
	Reset    string
}

func (s *Server) casesBoard(w http.ResponseWriter, r *http.Request) {
	actor := viewerOf(r).user.Actor()
	scope, err := actor.Scope(otklik.ReadCases)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	ctx := r.Context()
	d := casesData{Q: readCaseQuery(r.URL.Query(), s.cfg.Location), Reach: scope.Reach,
		Statuses: append([]string{"active", "all"}, otklik.CaseStatuses...)}
	var cases []*otklik.Case
	if d.Q.Period {
		all, err := s.db.LoopCases(ctx, scope, d.Q.FromT, d.Q.ToT)
		if err != nil {
			s.errorPage(w, r, err)
			return
		}
		for _, c := range all {
			if d.Q.matches(c) {
				cases = append(cases, c)
			}
		}
		// Newest first, like the store's pages.
		slices.SortFunc(cases, func(a, b *otklik.Case) int { return cmp.Compare(b.ID, a.ID) })
		if len(cases) > casesPageSize {
			cases = cases[:casesPageSize]
			d.Next = d.Q.encode(cases[len(cases)-1].ID)
		}
	} else {
		if cases, err = s.db.Cases(ctx, scope, d.Q.storeFilter()); err != nil {
			s.errorPage(w, r, err)
			return
		}
		if len(cases) == casesPageSize {
			d.Next = d.Q.encode(cases[len(cases)-1].ID)
		}
	}
	kinds, err := s.surveyKinds(ctx)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	names, err := s.userNames(ctx)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	now := s.cfg.Now()
	for _, c := range cases {
		d.Rows = append(d.Rows, caseRow{C: c, Group: scoreGroup(kinds[c.Survey], c.Score), Excerpt: excerpt(c.Comment, 140),
			SLA: slaOf(c, cal, now), Owner: nameOr(names, c.Owner)})
	}
	if scope.Reach != otklik.ReachOwn {
		if d.Owners, err = s.caseOwners(r, scope); err != nil {
			s.errorPage(w, r, err)
			return
		}
	}
	if scope.Reach == otklik.ReachAll {
		if d.Teams, err = s.db.Teams(ctx); err != nil {
			s.errorPage(w, r, err)
			return
		}
	}
	title := "loop.cases.title_all"
	switch scope.Reach {
	case otklik.ReachOwn:
		title = "loop.cases.title_own"
	case otklik.ReachTeam:
		title, d.Team = "loop.cases.title_team", scope.Team
	}
	status := http.StatusOK
	notice := ""
	if d.Q.Invalid {
		status, notice = http.StatusUnprocessableEntity, "error.invalid_form"
	}
	s.render(w, r, status, "cases", page{Title: title, Nav: "cases", Notice: notice, Data: d})
}

// surveyKinds maps each survey's key to its kind, for the score's colour.
func (s *Server) surveyKinds(ctx context.Context) (map[string]otklik.Kind, error) {
	surveys, err := s.db.Surveys(ctx)
	if err != nil {
		return nil, err
	}
	kinds := map[string]otklik.Kind{}
	for _, sv := range surveys {
		kinds[sv.Key] = sv.Kind
	}
	return kinds, nil
}

// userNames maps the e-mail of each user who has a name to the name: the
// pages name people, the cases store their e-mails.
func (s *Server) userNames(ctx context.Context) (map[string]string, error) {
	users, err := s.db.Users(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, u := range users {
		if u.Name != "" {
			names[u.Email] = u.Name
		}
	}
	return names, nil
}

// caseOwners are the people who may own a case within scope: those whose
// role works cases, in the lead's team for a lead.
func (s *Server) caseOwners(r *http.Request, scope otklik.Scope) ([]*otklik.User, error) {
	users, err := s.db.Users(r.Context())
	if err != nil {
		return nil, err
	}
	var out []*otklik.User
	for _, u := range users {
		if u.Disabled || !u.Actor().Can(otklik.WorkCases) || scope.Reach == otklik.ReachTeam && u.Team != scope.Team {
			continue
		}
		out = append(out, u)
	}
	return out, nil
}

func nameOr(names map[string]string, email string) string {
	if n := names[email]; n != "" {
		return n
	}
	return email
}
