package web

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"otklik"
	"otklik/internal/cube"
	"otklik/internal/locale"
	"otklik/internal/metric"
	"otklik/internal/store"
)

// Action plans per survey wave: the list of a team's plans, the form of a
// new one, and the plan page with the wave's figures beside the next
// wave's, the actions with their owners and due dates, and the forms that
// change them. Leads write their team's plans (ManagePlans); an action's
// owner may mark it done; everyone who reads the board reads the plans.

// PlanReminderDays is the reminder window: an open action due within this
// many days (today included) is "due soon" on the pages, and what the
// app's reminder should list (store.DuePlanItems through today + this).
const PlanReminderDays = 7

// planRow is a plan in the list.
type planRow struct {
	P                  *otklik.Plan
	Survey             string // the survey's title
	Open, Done         int
	Overdue, Soon      int
	NextFrom, NextTill otklik.Date
}

// dueRow is one of the reader's own actions due soon or overdue.
type dueRow struct {
	store.DueItem
	State string // otklik.DueOverdue or otklik.DueSoon
}

type plansData struct {
	Rows      []planRow
	Mine      []dueRow // the reader's open actions due within the window
	Teams     []string // the team filter; empty for a lead
	Statuses  []string
	Team      string
	Status    string
	CanManage bool
	Days      int
}

func (s *Server) plansList(w http.ResponseWriter, r *http.Request) {
	actor := viewerOf(r).user.Actor()
	scope, err := actor.Scope(otklik.ReadInsights)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	d := plansData{Team: q.Get("team"), Status: q.Get("status"), Statuses: otklik.PlanStatuses,
		CanManage: actor.Can(otklik.ManagePlans), Days: PlanReminderDays}
	if !slices.Contains(d.Statuses, d.Status) {
		d.Status = ""
	}
	plans, err := s.db.Plans(ctx, scope, store.PlanFilter{Team: d.Team, Status: d.Status, Limit: 200})
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	titles, err := s.planSurveyTitles(r)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	today := otklik.Today(s.cfg.Now(), s.cfg.Location)
	for _, p := range plans {
		row := planRow{P: p, Survey: orElse(titles[p.Survey], p.Survey)}
		row.NextFrom, row.NextTill = p.NextWaveDays()
		for _, it := range p.Items {
			switch it.DueState(today, PlanReminderDays) {
			case otklik.DueDone:
				row.Done++
			case otklik.DueOverdue:
				row.Overdue++
			case otklik.DueSoon:
				row.Soon++
			}
		}
		row.Open = len(p.Items) - row.Done
		d.Rows = append(d.Rows, row)
	}
	mine, err := s.db.DuePlanItems(ctx, scope, store.DueFilter{Through: otklik.Date{Time: today.AddDate(0, 0, PlanReminderDays)},
		Owner: actor.Email, Limit: 50})
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	for _, it := range mine {
		d.Mine = append(d.Mine, dueRow{DueItem: it, State: it.DueState(today, PlanReminderDays)})
	}
	if scope.Reach == otklik.ReachAll {
		if d.Teams, err = s.db.Teams(ctx); err != nil {
			s.errorPage(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "plans", page{Title: "plans.title", Nav: "plans", Data: d})
}

// planForm is what was typed into a plan's form.
type planForm struct {
	Survey, Team, From, To, Title, Problems, Status, Results string
}

type planNewData struct {
	Form     planForm
	Errors   map[string]string
	Surveys  []*otklik.Survey
	Teams    []string // the teams the writer may choose; one for a lead
	Statuses []string
}

// newPlanForm shows the form of a new plan. The wave defaults to last
// calendar month; ?survey=&from=&to=&team= fill it (a link from the
// figures of a wave).
func (s *Server) newPlanForm(w http.ResponseWriter, r *http.Request) {
	if _, err := viewerOf(r).user.Actor().Scope(otklik.ManagePlans); err != nil {
		s.errorPage(w, r, err)
		return
	}
	q := r.URL.Query()
	today := otklik.Today(s.cfg.Now(), s.cfg.Location)
	first := today.AddDate(0, 0, 1-today.Day()) // this month's first day
	f := planForm{Survey: q.Get("survey"), Team: q.Get("team"), From: q.Get("from"), To: q.Get("to"), Status: otklik.PlanDraft}
	if f.From == "" && f.To == "" {
		f.From, f.To = first.AddDate(0, -1, 0).Format(time.DateOnly), first.AddDate(0, 0, -1).Format(time.DateOnly)
	}
	s.renderNewPlan(w, r, http.StatusOK, f, nil, "")
}

func (s *Server) renderNewPlan(w http.ResponseWriter, r *http.Request, status int, f planForm, errs map[string]string, notice string) {
	ctx := r.Context()
	scope, _ := viewerOf(r).user.Actor().Scope(otklik.ManagePlans)
	d := planNewData{Form: f, Errors: errs, Statuses: otklik.PlanStatuses}
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	var err error
	if d.Surveys, err = s.db.Surveys(ctx); err != nil {
		s.errorPage(w, r, err)
		return
	}
	if d.Teams, err = s.planTeams(r, scope); err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.render(w, r, status, "plans_new", page{Title: "plans.new.title", Nav: "plans", Notice: notice, Data: d})
}

// planTeams are the teams a writer of plans may write for: a lead's own,
// any team for an administrator.
func (s *Server) planTeams(r *http.Request, scope otklik.Scope) ([]string, error) {
	if scope.Reach != otklik.ReachAll {
		return []string{scope.Team}, nil
	}
	return s.db.Teams(r.Context())
}

func (s *Server) createPlan(w http.ResponseWriter, r *http.Request) {
	actor := viewerOf(r).user.Actor()
	scope, err := actor.Scope(otklik.ManagePlans)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	f := planForm{Survey: r.PostFormValue("survey"), Team: r.PostFormValue("team"), From: r.PostFormValue("from"),
		To: r.PostFormValue("to"), Title: r.PostFormValue("title"), Problems: r.PostFormValue("problems"),
		Status: r.PostFormValue("status")}
	if scope.Reach != otklik.ReachAll {
		f.Team = scope.Team // a lead writes for their own team, whatever was posted
	}
	p := &otklik.Plan{Survey: f.Survey, Team: f.Team, Title: f.Title, Problems: f.Problems, Status: f.Status, Author: actor.Email}
	var bad otklik.Problems
	p.From = parseDay(&bad, "from", f.From)
	p.To = parseDay(&bad, "to", f.To)
	p.Normalize()
	if p.Status == otklik.PlanDone {
		bad.Add("status", "must be one of %s, %s", otklik.PlanDraft, otklik.PlanActive) // a new plan has no results yet
	}
	teams, err := s.planTeams(r, scope)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	if p.Team != "" && !slices.Contains(teams, p.Team) {
		bad.Add("team", "is not a team")
	}
	bad = append(bad, otklik.ErrorFields(p.Validate())...)
	err = bad.Err("the plan is not valid")
	if err == nil {
		err = s.db.CreatePlan(r.Context(), p)
	}
	switch otklik.ErrorCode(err) {
	case "":
		http.Redirect(w, r, planURL(p.ID, "created"), http.StatusSeeOther)
	case otklik.EINVALID:
		s.renderNewPlan(w, r, http.StatusUnprocessableEntity, f, s.fieldErrors(r, "", err), "error.invalid_form")
	case otklik.ECONFLICT:
		s.renderNewPlan(w, r, http.StatusConflict, f, nil, "plans.new.conflict")
	default:
		s.errorPage(w, r, err)
	}
}

// parseDay reads a date field; a bad one is reported under field.
func parseDay(p *otklik.Problems, field, v string) otklik.Date {
	if strings.TrimSpace(v) == "" {
		return otklik.Date{}
	}
	d, err := otklik.ParseDate(v)
	if err != nil {
		p.Add(field, "is not a date")
	}
	return d
}

// waveFigure is a survey's figure over one wave, in the team.
type waveFigure struct {
	From, To otklik.Date
	Kind     otklik.Kind
	N        int
	NPS      metric.NPSResult
	CSAT     metric.CSATResult
	CES      metric.CESResult
	State    string // "" (over), "running" (ends after today), "future" (not started)
	Link     string // the answers behind it
}

// waveChange compares the next wave with the plan's.
type waveChange struct {
	Has         bool
	Delta       float64 // NPS points, or the share of top/easy answers in points
	Significant bool
	Small       bool
}

type planItemView struct {
	otklik.PlanItem
	State   string // otklik.DueDone, DueOverdue, DueSoon, DueLater
	Owner   string // the owner's name, or e-mail
	CanDone bool   // the reader may mark it done or open
}

type planPageData struct {
	P          *otklik.Plan
	Survey     *otklik.Survey
	SurveyName string
	Wave, Next *waveFigure // nil: the reader has no figures
	Change     waveChange
	OwnOnly    bool // the figures cover the reader's own customers only
	Items      []planItemView
	Users      []*otklik.User // owners to choose from
	CanManage  bool
	Statuses   []string
	Forms      planPageForms
	Days       int
}

// planPageForms holds what was typed into the plan page's forms when one of
// them came back with errors.
type planPageForms struct {
	Failed string            // plan, item, edit-<id>, done-<id>
	Errors map[string]string // "item.owner" → the message
	Plan   planForm
	Item   itemForm
}

type itemForm struct {
	What, Owner, Due, Note string
}

func planIDParam(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, otklik.Errorf(otklik.ENOTFOUND, "no such plan")
	}
	return id, nil
}

var planDone = map[string]string{
	"created": "plans.done.created", "plan": "plans.done.plan", "item": "plans.done.item",
	"edit": "plans.done.edit", "done": "plans.done.done", "reopen": "plans.done.reopen",
}

func (s *Server) planPage(w http.ResponseWriter, r *http.Request) {
	if _, err := viewerOf(r).user.Actor().Scope(otklik.ReadInsights); err != nil {
		s.errorPage(w, r, err)
		return
	}
	id, err := planIDParam(r, "id")
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.renderPlan(w, r, http.StatusOK, id, planPageForms{}, planDone[r.URL.Query().Get("done")])
}

// renderPlan shows plan id as the reader may see it; a plan outside their
// reach does not exist (404).
func (s *Server) renderPlan(w http.ResponseWriter, r *http.Request, status int, id int64, forms planPageForms, notice string) {
	actor := viewerOf(r).user.Actor()
	scope, err := actor.Scope(otklik.ReadInsights)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	ctx := r.Context()
	p, err := s.db.Plan(ctx, scope, id)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	sv, err := s.db.Survey(ctx, p.Survey)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	users, err := s.db.Users(ctx)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	l := s.localizer(r)
	d := planPageData{P: p, Survey: sv, SurveyName: sv.Title.In(l.Lang()), Statuses: otklik.PlanStatuses, Forms: forms,
		Days: PlanReminderDays}
	if d.Forms.Errors == nil {
		d.Forms.Errors = map[string]string{}
	}
	if d.Forms.Failed != "plan" {
		d.Forms.Plan = planForm{Title: p.Title, Problems: p.Problems, Status: p.Status, Results: p.Results}
	}
	if manage, err := actor.Scope(otklik.ManagePlans); err == nil {
		_, err := s.db.Plan(ctx, manage, id)
		d.CanManage = err == nil
	}
	names := map[string]string{}
	for _, u := range users {
		names[u.Email] = u.Name
		if !u.Disabled {
			d.Users = append(d.Users, u)
		}
	}
	today := otklik.Today(s.cfg.Now(), s.cfg.Location)
	for _, it := range p.Items {
		d.Items = append(d.Items, planItemView{PlanItem: it, State: it.DueState(today, PlanReminderDays),
			Owner: nameOr(names, it.Owner), CanDone: d.CanManage || it.Owner == actor.Email})
	}
	if err := s.planFigures(r, &d, today); err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.render(w, r, status, "plans_plan", page{Title: "plans.plan.title", Nav: "plans", Notice: notice, Data: d})
}

// planFigures puts the wave's figures and the next wave's beside the plan:
// the same survey in the same team over the following period of equal
// length, from the analytics index, within the reader's reach.
func (s *Server) planFigures(r *http.Request, d *planPageData, today otklik.Date) error {
	scope, err := viewerOf(r).user.Actor().Scope(otklik.ReadMetrics)
	if err != nil || s.cfg.Analytics == nil {
		return nil // no figures for this reader: the plan itself still shows
	}
	if err := s.cfg.Analytics.Fresh(r.Context()); err != nil {
		return err
	}
	d.OwnOnly = scope.Reach == otklik.ReachOwn
	c := s.cfg.Analytics.Cube()
	p := d.P
	figure := func(first, last otklik.Date, from, to time.Time) *waveFigure {
		res := c.Query(cube.Query{Surveys: []int64{p.SurveyID}, From: from, To: to, Scope: scope,
			Filter: map[cube.Dim]string{cube.DimTeam: p.Team}})
		f := &waveFigure{From: first, To: last, Kind: d.Survey.Kind, N: res.Overall.N(), NPS: res.Overall.NPS(),
			CSAT: res.Overall.CSAT(), CES: res.Overall.CES()}
		switch {
		case first.After(today.Time):
			f.State = "future"
		case !last.Before(today.Time):
			f.State = "running"
		}
		f.Link = "/answers?" + url.Values{"survey": {p.Survey}, "team": {p.Team}, "from": {first.String()}, "to": {last.String()}}.Encode()
		return f
	}
	from, to := p.Wave(s.cfg.Location)
	d.Wave = figure(p.From, p.To, from, to)
	first, last := p.NextWaveDays()
	from, to = p.NextWave(s.cfg.Location)
	d.Next = figure(first, last, from, to)
	if d.Wave.N == 0 || d.Next.N == 0 {
		return nil
	}
	d.Change.Has = true
	switch d.Survey.Kind {
	case otklik.KindNPS:
		cmp := metric.CompareNPS(d.Wave.NPS, d.Next.NPS)
		d.Change.Delta, d.Change.Significant, d.Change.Small = cmp.Delta, cmp.Significant && !cmp.SmallSample, cmp.SmallSample
	case otklik.KindCSAT:
		cmp := metric.CompareShares(d.Wave.CSAT.ShareTop, d.Wave.CSAT.N, d.Next.CSAT.ShareTop, d.Next.CSAT.N)
		d.Change.Delta, d.Change.Significant, d.Change.Small = 100*cmp.Delta, cmp.Significant && !cmp.SmallSample, cmp.SmallSample
	case otklik.KindCES:
		cmp := metric.CompareShares(d.Wave.CES.ShareEasy, d.Wave.CES.N, d.Next.CES.ShareEasy, d.Next.CES.N)
		d.Change.Delta, d.Change.Significant, d.Change.Small = 100*cmp.Delta, cmp.Significant && !cmp.SmallSample, cmp.SmallSample
	default:
		d.Change.Has = false
	}
	return nil
}

// managePlan starts every form that changes a plan: the reader's scope for
// writing plans (403 for a role that may not) and the plan's id.
func (s *Server) managePlan(w http.ResponseWriter, r *http.Request) (otklik.Actor, otklik.Scope, int64, bool) {
	actor := viewerOf(r).user.Actor()
	scope, err := actor.Scope(otklik.ManagePlans)
	if err == nil {
		var id int64
		if id, err = planIDParam(r, "id"); err == nil {
			return actor, scope, id, true
		}
	}
	s.errorPage(w, r, err)
	return actor, scope, 0, false
}

// planFormFailed shows the plan again with the form's errors (422), or
// gives the error page.
func (s *Server) planFormFailed(w http.ResponseWriter, r *http.Request, id int64, forms planPageForms, err error) {
	if otklik.ErrorCode(err) != otklik.EINVALID {
		s.errorPage(w, r, err)
		return
	}
	prefix := forms.Failed
	if strings.Contains(prefix, "-") {
		prefix = "row" // an item's own form: one at a time
	}
	forms.Errors = s.fieldErrors(r, prefix+".", err)
	s.renderPlan(w, r, http.StatusUnprocessableEntity, id, forms, "error.invalid_form")
}

func (s *Server) updatePlan(w http.ResponseWriter, r *http.Request) {
	_, scope, id, ok := s.managePlan(w, r)
	if !ok {
		return
	}
	f := planForm{Title: r.PostFormValue("title"), Problems: r.PostFormValue("problems"), Status: r.PostFormValue("status"),
		Results: r.PostFormValue("results")}
	p, err := s.db.Plan(r.Context(), scope, id)
	if err == nil {
		p.Title, p.Problems, p.Status, p.Results = f.Title, f.Problems, f.Status, f.Results
		p.Normalize()
		if err = p.Validate(); err == nil {
			err = s.db.UpdatePlan(r.Context(), scope, p)
		}
	}
	if err != nil {
		s.planFormFailed(w, r, id, planPageForms{Failed: "plan", Plan: f}, err)
		return
	}
	http.Redirect(w, r, planURL(id, "plan"), http.StatusSeeOther)
}

// readItem reads an action's form; the owner must be a user who can sign in.
func (s *Server) readItem(r *http.Request) (itemForm, *otklik.PlanItem, error) {
	f := itemForm{What: r.PostFormValue("what"), Owner: r.PostFormValue("owner"), Due: r.PostFormValue("due")}
	it := &otklik.PlanItem{What: f.What, Owner: f.Owner}
	var bad otklik.Problems
	it.Due = parseDay(&bad, "due", f.Due)
	it.Normalize()
	if err := bad.Err("the action is not valid"); err != nil {
		return f, nil, err
	}
	if err := it.Validate(); err != nil {
		return f, nil, err
	}
	if u, err := s.db.UserByEmail(r.Context(), it.Owner); otklik.ErrorCode(err) == otklik.ENOTFOUND || err == nil && u.Disabled {
		bad.Add("owner", "is not a user")
		return f, nil, bad.Err("the action is not valid")
	} else if err != nil {
		return f, nil, err
	}
	return f, it, nil
}

func (s *Server) addPlanItem(w http.ResponseWriter, r *http.Request) {
	_, scope, id, ok := s.managePlan(w, r)
	if !ok {
		return
	}
	f, it, err := s.readItem(r)
	if err == nil {
		err = s.db.AddPlanItem(r.Context(), scope, id, it)
	}
	if err != nil {
		s.planFormFailed(w, r, id, planPageForms{Failed: "item", Item: f}, err)
		return
	}
	http.Redirect(w, r, planURL(id, "item"), http.StatusSeeOther)
}

func (s *Server) editPlanItem(w http.ResponseWriter, r *http.Request) {
	_, scope, id, ok := s.managePlan(w, r)
	if !ok {
		return
	}
	itemID, err := planIDParam(r, "item")
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	f, it, err := s.readItem(r)
	if err == nil {
		it.ID = itemID
		err = s.db.UpdatePlanItem(r.Context(), scope, id, it)
	}
	if err != nil {
		s.planFormFailed(w, r, id, planPageForms{Failed: "edit-" + strconv.FormatInt(itemID, 10), Item: f}, err)
		return
	}
	http.Redirect(w, r, planURL(id, "edit"), http.StatusSeeOther)
}

// completePlanItem marks an action done with a note, or open again
// (reopen=1). The team's lead may, and so may the action's owner.
func (s *Server) completePlanItem(w http.ResponseWriter, r *http.Request) {
	actor := viewerOf(r).user.Actor()
	read, err := actor.Scope(otklik.ReadInsights)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	manage, _ := actor.Scope(otklik.ManagePlans) // none: only the owner may
	id, err := planIDParam(r, "id")
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	itemID, err := planIDParam(r, "item")
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	done := r.PostFormValue("reopen") != "1"
	f := itemForm{Note: r.PostFormValue("note")}
	note := strings.TrimSpace(f.Note)
	var bad otklik.Problems
	if !utf8.ValidString(note) {
		bad.Add("note", "is not valid UTF-8")
	} else if utf8.RuneCountInString(note) > otklik.MaxDoneNoteLength {
		bad.Add("note", "is longer than %d characters", otklik.MaxDoneNoteLength)
	}
	err = bad.Err("the note is not valid")
	if err == nil {
		err = s.db.CompletePlanItem(r.Context(), manage, read, id, itemID, actor.Email, done, note)
	}
	if err != nil {
		s.planFormFailed(w, r, id, planPageForms{Failed: "done-" + strconv.FormatInt(itemID, 10), Item: f}, err)
		return
	}
	notice := "done"
	if !done {
		notice = "reopen"
	}
	http.Redirect(w, r, planURL(id, notice), http.StatusSeeOther)
}

func planURL(id int64, done string) string {
	return "/plans/" + strconv.FormatInt(id, 10) + "?done=" + done
}

// planSurveyTitles maps each survey's key to its title in the reader's
// language.
func (s *Server) planSurveyTitles(r *http.Request) (map[string]string, error) {
	surveys, err := s.db.Surveys(r.Context())
	if err != nil {
		return nil, err
	}
	lang := s.localizer(r).Lang()
	out := make(map[string]string, len(surveys))
	for _, sv := range surveys {
		out[sv.Key] = sv.Title.In(lang)
	}
	return out, nil
}

// orElse returns a, or b when a is empty.
func orElse(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// insightMessages translate the validation messages of plans and the board
// that the closed loop's table (fieldMessage) does not know.
var insightMessages = []struct {
	re *regexp.Regexp
	id string
}{
	{regexp.MustCompile(`^is required when the plan is done$`), "plans.err.results_required"},
	{regexp.MustCompile(`^must not be before from$`), "plans.err.before_from"},
	{regexp.MustCompile(`^must be at most (\d+) days after from$`), "plans.err.wave_too_long"},
	{regexp.MustCompile(`^is not a date$`), "plans.err.date"},
	{regexp.MustCompile(`^is not a user$`), "plans.err.not_user"},
	{regexp.MustCompile(`^is not a team$`), "plans.err.not_team"},
	{regexp.MustCompile(`^is not a survey$`), "plans.err.not_survey"},
	{regexp.MustCompile(`^is required$`), "plans.err.required"},
	{regexp.MustCompile(`^is longer than (\d+) characters$`), "plans.err.too_long"},
	{regexp.MustCompile(`^is not an e-mail address$`), "plans.err.email"},
	{regexp.MustCompile(`^must be one of `), "plans.err.choose"},
	{regexp.MustCompile(`^must be at most (\d+)$`), "plans.err.too_many"},
	{regexp.MustCompile(`^is not valid UTF-8$`), "plans.err.utf8"},
}

// insightMessage translates one validation message.
func insightMessage(l *locale.Localizer, msg string) string {
	for _, m := range insightMessages {
		if sub := m.re.FindStringSubmatch(msg); sub != nil {
			data := map[string]any{}
			for i, v := range sub[1:] {
				data[string(rune('A'+i))] = v
			}
			return l.T(m.id, data)
		}
	}
	return msg
}

// fieldErrors maps each bad field of err, under prefix, to its message in
// the reader's language.
func (s *Server) fieldErrors(r *http.Request, prefix string, err error) map[string]string {
	l := s.localizer(r)
	out := map[string]string{}
	for _, f := range otklik.ErrorFields(err) {
		if _, ok := out[prefix+f.Field]; !ok {
			out[prefix+f.Field] = insightMessage(l, f.Message)
		}
	}
	return out
}
