package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"otklik"
	"otklik/internal/locale"
)

// datetimeLocal is the value format of <input type="datetime-local">.
const datetimeLocal = "2006-01-02T15:04"

// caseForms holds what was typed into the case page's forms when one of
// them came back with errors, so nothing typed is lost.
type caseForms struct {
	Failed  string            // note, contact or resolve
	Errors  map[string]string // "contact.at" → the message, in the reader's language
	Note    string
	Contact contactForm
	Resolve resolveForm
}

type contactForm struct {
	Outcome, At, Note string
}

type resolveForm struct {
	RootCause, Decision, Action string
	Told                        bool
}

// slaLine is one deadline of a case as its page shows it.
type slaLine struct {
	Label string    // a message id
	Due   time.Time // zero: no deadline
	State string    // in words
	Class string    // ok, late, over, soon, running
}

// eventView is one entry of a case's timeline, in the reader's language.
type eventView struct {
	At     time.Time
	Kind   string
	Author string
	Title  string
	Body   string   // a person's words: shown as text
	Lines  []string // details: what was decided, whom it was sent to
}

type casePageData struct {
	C           *otklik.Case
	Survey      string // the survey's title
	Group       string
	SLA         slaView
	Lines       []slaLine
	Timeline    []eventView
	Owner       string
	Rule        string // the rule that opened the case, by name
	Watchers    []string
	CanWork     bool
	CanCustomer bool // the reader may open the customer's card
	Forms       caseForms
	Outcomes    []string
	Causes      []string
	Now         string // the call-back form's default time
}

// caseIDParam reads {id}; a malformed id names no case.
func caseIDParam(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, otklik.Errorf(otklik.ENOTFOUND, "no such case")
	}
	return id, nil
}

// caseDone are the notices a form's redirect may ask for.
var caseDone = map[string]string{
	"note": "loop.case.done_note", "contact": "loop.case.done_contact",
	"resolve": "loop.case.done_resolve", "close": "loop.case.done_close",
}

func (s *Server) casePage(w http.ResponseWriter, r *http.Request) {
	if _, err := viewerOf(r).user.Actor().Scope(otklik.ReadCases); err != nil {
		s.errorPage(w, r, err)
		return
	}
	id, err := caseIDParam(r)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.renderCase(w, r, http.StatusOK, id, caseForms{}, caseDone[r.URL.Query().Get("done")])
}

// renderCase shows case id as the reader may see it; a case outside their
// reach does not exist (404).
func (s *Server) renderCase(w http.ResponseWriter, r *http.Request, status int, id int64, forms caseForms, notice string) {
	actor := viewerOf(r).user.Actor()
	scope, err := actor.Scope(otklik.ReadCases)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	ctx := r.Context()
	c, err := s.db.Case(ctx, scope, id)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	surveys, err := s.db.Surveys(ctx)
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
	l := s.localizer(r)
	now := s.cfg.Now()
	d := casePageData{C: c, Survey: c.Survey, SLA: slaOf(c, cal, now), Owner: nameOr(names, c.Owner), Rule: ruleName(l, c.Rule),
		CanWork: actor.Can(otklik.WorkCases), CanCustomer: actor.Can(otklik.ReadCustomers),
		Forms: forms, Outcomes: otklik.ContactOutcomes, Causes: otklik.RootCauses,
		Now: now.In(s.cfg.Location).Format(datetimeLocal)}
	for _, sv := range surveys {
		if sv.Key == c.Survey {
			d.Survey, d.Group = sv.Title.In(l.Lang()), scoreGroup(sv.Kind, c.Score)
		}
	}
	for _, m := range c.Watchers {
		d.Watchers = append(d.Watchers, nameOr(names, m))
	}
	if d.Forms.Errors == nil {
		d.Forms.Errors = map[string]string{}
	}
	if d.Forms.Contact.At == "" {
		d.Forms.Contact.At = d.Now
	}
	if d.Forms.Contact.Outcome == "" {
		d.Forms.Contact.Outcome = "reached"
	}
	d.Lines = s.slaLines(l, c, d.SLA)
	for _, e := range c.Events {
		d.Timeline = append(d.Timeline, s.eventOf(l, e, names))
	}
	title := "loop.case.title"
	if c.Kind == otklik.CaseThanks {
		title = "loop.case.title_thanks"
	}
	s.render(w, r, status, "cases_case", page{Title: title, Nav: "cases", Notice: notice, Data: d})
}

// slaLines describes both deadlines: when each is due, and whether it was
// met, missed, or how long is left.
func (s *Server) slaLines(l *locale.Localizer, c *otklik.Case, timer slaView) []slaLine {
	loc := s.cfg.Location
	line := func(which string, due, done *time.Time, running bool) slaLine {
		ln := slaLine{Label: "loop.case." + which + "_due"}
		if due == nil {
			ln.State, ln.Class = l.T("loop.sla.no_deadline"), "running"
			return ln
		}
		ln.Due = *due
		switch {
		case done != nil && done.After(*due):
			ln.State, ln.Class = l.T("loop.case.sla_late_"+which, map[string]any{"At": l.DateTime(*done, loc)}), "late"
		case done != nil:
			ln.State, ln.Class = l.T("loop.case.sla_met_"+which, map[string]any{"At": l.DateTime(*done, loc)}), "ok"
		case running:
			ln.State, ln.Class = timer.Text(l), timer.Class()
		case c.Status == otklik.CaseClosed:
			ln.State, ln.Class = l.T("loop.case.sla_closed"), "running"
		default:
			ln.State, ln.Class = l.T("loop.case.sla_waiting"), "running"
		}
		return ln
	}
	return []slaLine{
		line("first", c.FirstContactDue, c.ContactedAt, timer.Which == "first_contact"),
		line("resolution", c.ResolutionDue, c.ResolvedAt, timer.Which == "resolution"),
	}
}

// eventOf words one timeline entry. The Data of an event is written by the
// store and the engine; what cannot be read is left out, never guessed.
func (s *Server) eventOf(l *locale.Localizer, e otklik.CaseEvent, names map[string]string) eventView {
	v := eventView{At: e.At, Kind: e.Kind, Author: nameOr(names, e.Author), Title: l.T("loop.event." + e.Kind)}
	if v.Title == "loop.event."+e.Kind {
		v.Title = e.Kind // a kind this page does not know yet
	}
	switch e.Kind {
	case "opened":
		if e.Body != "" {
			v.Lines = append(v.Lines, l.T("loop.event.by_rule", map[string]any{"Rule": ruleName(l, e.Body)}))
		}
	case "note":
		v.Body = e.Body
	case "contact":
		var data struct {
			Outcome string    `json:"outcome"`
			At      time.Time `json:"at"`
		}
		if json.Unmarshal(e.Data, &data) == nil && data.Outcome != "" {
			v.Title = l.T("loop.event.contact_outcome", map[string]any{"Outcome": l.T("loop.outcome." + data.Outcome)})
			if !data.At.IsZero() {
				v.Lines = append(v.Lines, l.T("loop.event.call_at", map[string]any{"At": l.DateTime(data.At, s.cfg.Location)}))
			}
		}
		v.Body = e.Body
	case "breach":
		v.Title = l.T("loop.event.breach_" + e.Body)
	case "notified":
		var data struct {
			To string `json:"to"`
		}
		event, _, _ := strings.Cut(e.Body, ":")
		if json.Unmarshal(e.Data, &data) == nil && data.To != "" {
			v.Lines = append(v.Lines, l.T("loop.event.notified_to", map[string]any{"To": nameOr(names, data.To),
				"Event": l.T("loop.event.about_" + strings.TrimPrefix(event, "breach_"))}))
		}
	case "resolved":
		var res otklik.Resolution
		if json.Unmarshal(e.Data, &res) == nil && res.RootCause != "" {
			v.Lines = append(v.Lines, l.T("loop.case.root_cause")+": "+l.T("loop.cause."+res.RootCause))
			if res.Action != "" {
				v.Lines = append(v.Lines, l.T("loop.case.action")+": "+res.Action)
			}
			told := "loop.case.told_no"
			if res.CustomerTold {
				told = "loop.case.told_yes"
			}
			v.Lines = append(v.Lines, l.T(told))
		}
		if e.Body != "" {
			v.Body = e.Body
		}
	case "won_back":
		v.Title = l.T("loop.event.won_back_" + e.Body)
	default:
		v.Body = e.Body
	}
	return v
}

// workCase is the start of every form on a case: the reader's scope for
// working cases (403 for a role that only reads) and the case's id.
func (s *Server) workCase(w http.ResponseWriter, r *http.Request) (otklik.Actor, otklik.Scope, int64, bool) {
	actor := viewerOf(r).user.Actor()
	scope, err := actor.Scope(otklik.WorkCases)
	if err != nil {
		s.errorPage(w, r, err)
		return actor, scope, 0, false
	}
	id, err := caseIDParam(r)
	if err != nil {
		s.errorPage(w, r, err)
		return actor, scope, 0, false
	}
	return actor, scope, id, true
}

// caseFormFailed shows the case again with the form's errors next to its
// fields (422), or, when the case's state refuses the action (already
// closed), with a notice (409). Other errors get the error page.
func (s *Server) caseFormFailed(w http.ResponseWriter, r *http.Request, id int64, forms caseForms, err error) {
	switch otklik.ErrorCode(err) {
	case otklik.EINVALID:
		l := s.localizer(r)
		forms.Errors = map[string]string{}
		for _, f := range otklik.ErrorFields(err) {
			forms.Errors[forms.Failed+"."+f.Field] = fieldMessage(l, f.Message)
		}
		s.renderCase(w, r, http.StatusUnprocessableEntity, id, forms, "error.invalid_form")
	case otklik.ECONFLICT:
		s.renderCase(w, r, http.StatusConflict, id, caseForms{}, "loop.case.conflict")
	default:
		s.errorPage(w, r, err)
	}
}

func (s *Server) caseNote(w http.ResponseWriter, r *http.Request) {
	actor, scope, id, ok := s.workCase(w, r)
	if !ok {
		return
	}
	forms := caseForms{Failed: "note", Note: r.PostFormValue("body")}
	body, err := otklik.ValidateNote(forms.Note)
	if err == nil {
		err = s.db.AddCaseNote(r.Context(), scope, id, actor.Email, body)
	}
	if err != nil {
		s.caseFormFailed(w, r, id, forms, err)
		return
	}
	http.Redirect(w, r, caseURL(id, "note"), http.StatusSeeOther)
}

func (s *Server) caseContact(w http.ResponseWriter, r *http.Request) {
	actor, scope, id, ok := s.workCase(w, r)
	if !ok {
		return
	}
	in := contactForm{Outcome: r.PostFormValue("outcome"), At: strings.TrimSpace(r.PostFormValue("at")), Note: r.PostFormValue("note")}
	forms := caseForms{Failed: "contact", Contact: in}
	ct := otklik.CaseContact{Outcome: in.Outcome, Note: in.Note}
	if in.At != "" {
		at, err := time.ParseInLocation(datetimeLocal, in.At, s.cfg.Location)
		if err != nil {
			s.caseFormFailed(w, r, id, forms, &otklik.Error{Code: otklik.EINVALID,
				Fields: []otklik.FieldError{{Field: "at", Message: "is not a date and time"}}})
			return
		}
		ct.At = at.UTC()
	}
	err := ct.Validate(s.cfg.Now())
	if err == nil {
		_, err = s.db.ContactCase(r.Context(), scope, id, actor.Email, ct)
	}
	if err != nil {
		s.caseFormFailed(w, r, id, forms, err)
		return
	}
	http.Redirect(w, r, caseURL(id, "contact"), http.StatusSeeOther)
}

// caseResolve records the resolution through the closed loop's engine, so
// the re-survey is planned and the watchers hear of it in the same
// transaction.
func (s *Server) caseResolve(w http.ResponseWriter, r *http.Request) {
	actor, _, id, ok := s.workCase(w, r)
	if !ok {
		return
	}
	in := resolveForm{RootCause: r.PostFormValue("root_cause"), Decision: r.PostFormValue("decision"),
		Action: r.PostFormValue("action"), Told: r.PostFormValue("customer_told") == "1"}
	forms := caseForms{Failed: "resolve", Resolve: in}
	if s.cfg.Cases == nil {
		s.errorPage(w, r, otklik.Errorf(otklik.EINTERNAL, "no closed-loop engine"))
		return
	}
	_, err := s.cfg.Cases.Resolve(r.Context(), actor, id, otklik.Resolution{RootCause: in.RootCause,
		Decision: in.Decision, Action: in.Action, CustomerTold: in.Told})
	if err != nil {
		s.caseFormFailed(w, r, id, forms, err)
		return
	}
	http.Redirect(w, r, caseURL(id, "resolve"), http.StatusSeeOther)
}

func (s *Server) caseClose(w http.ResponseWriter, r *http.Request) {
	actor, scope, id, ok := s.workCase(w, r)
	if !ok {
		return
	}
	if _, err := s.db.CloseCase(r.Context(), scope, id, actor.Email); err != nil {
		s.caseFormFailed(w, r, id, caseForms{}, err)
		return
	}
	http.Redirect(w, r, caseURL(id, "close"), http.StatusSeeOther)
}

func caseURL(id int64, done string) string {
	return "/cases/" + strconv.FormatInt(id, 10) + "?done=" + done
}
