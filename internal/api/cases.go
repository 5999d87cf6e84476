package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"otklik"
	"otklik/internal/calendar"
	"otklik/internal/casework"
	"otklik/internal/loop"
	"otklik/internal/store"
)

func (s *Server) listCases(w http.ResponseWriter, r *http.Request) {
	scope, err := actorOf(r).Scope(otklik.ReadCases)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	limit, err := parseLimit(q.Get("limit"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f := store.CaseFilter{Status: q.Get("status"), Kind: q.Get("kind"), Owner: strings.ToLower(q.Get("owner")),
		Team: q.Get("team"), Customer: q.Get("customer"), Breached: q.Get("breached") == "true", Limit: limit}
	if f.Status != "" && !slices.Contains(otklik.CaseStatuses, f.Status) {
		s.writeError(w, r, badParam("status", "must be one of open, contacted, resolved, closed"))
		return
	}
	if f.Kind != "" && f.Kind != otklik.CaseDetractor && f.Kind != otklik.CaseThanks {
		s.writeError(w, r, badParam("kind", "must be detractor or thanks"))
		return
	}
	if c := q.Get("cursor"); c != "" {
		if f.After, err = strconv.ParseInt(c, 10, 64); err != nil || f.After <= 0 {
			s.writeError(w, r, badParam("cursor", "is not a cursor this API gave"))
			return
		}
	}
	items, err := s.db.Cases(r.Context(), scope, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := list[*otklik.Case]{Items: items}
	if items == nil {
		out.Items = []*otklik.Case{}
	}
	if len(items) == limit {
		out.NextCursor = strconv.FormatInt(items[len(items)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, out)
}

// caseRequest is what every handler of one case starts with: the actor,
// their scope for action (403 when the role may not), and the case's id
// from the path (404 when it names no case).
func caseRequest(r *http.Request, action otklik.Action) (otklik.Actor, otklik.Scope, int64, error) {
	actor := actorOf(r)
	scope, err := actor.Scope(action)
	if err != nil {
		return actor, scope, 0, err
	}
	id, err := pathID(r, "case")
	return actor, scope, id, err
}

func (s *Server) getCase(w http.ResponseWriter, r *http.Request) {
	_, scope, id, err := caseRequest(r, otklik.ReadCases)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.db.Case(r.Context(), scope, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) addCaseNote(w http.ResponseWriter, r *http.Request) {
	actor, scope, id, err := caseRequest(r, otklik.WorkCases)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in struct {
		Body string `json:"body"`
	}
	if err := decode(w, r, 64<<10, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	body, err := otklik.ValidateNote(in.Body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.db.AddCaseNote(r.Context(), scope, id, actor.Email, body); err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.db.Case(r.Context(), scope, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

func (s *Server) contactCase(w http.ResponseWriter, r *http.Request) {
	actor, scope, id, err := caseRequest(r, otklik.WorkCases)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in otklik.CaseContact
	if err := decode(w, r, 64<<10, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := in.Validate(s.now()); err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.db.ContactCase(r.Context(), scope, id, actor.Email, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) resolveCase(w http.ResponseWriter, r *http.Request) {
	actor, _, id, err := caseRequest(r, otklik.WorkCases)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in otklik.Resolution
	if err := decode(w, r, 64<<10, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.cases.Resolve(r.Context(), actor, id, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) closeCase(w http.ResponseWriter, r *http.Request) {
	actor, scope, id, err := caseRequest(r, otklik.WorkCases)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.db.CloseCase(r.Context(), scope, id, actor.Email)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// loopMetric answers GET /metrics/loop: the figures of the detractor cases
// opened in the period, overall or per group.
func (s *Server) loopMetric(w http.ResponseWriter, r *http.Request) {
	scope, err := actorOf(r).Scope(otklik.ReadCases)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	from, to, err := s.period(q.Get("from"), q.Get("to"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	groupBy := q.Get("group_by")
	if groupBy != "" && !slices.Contains(casework.GroupBys, groupBy) {
		s.writeError(w, r, badParam("group_by", "must be one of "+strings.Join(casework.GroupBys, ", ")))
		return
	}
	if to.IsZero() { // open-ended: up to now
		to = s.now()
	}
	cs, err := s.db.LoopCases(r.Context(), scope, from, to)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	figs := casework.Summarize(cs, groupBy, s.loc)
	out := map[string]any{"from": from.UTC(), "to": to.UTC()}
	if groupBy == "" {
		out["figures"] = figs[0]
	} else {
		out["group_by"], out["groups"] = groupBy, figs
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getLoopRules(w http.ResponseWriter, r *http.Request) {
	if _, err := actorOf(r).Scope(otklik.ManageLoop); err != nil {
		s.writeError(w, r, err)
		return
	}
	rules, err := s.cases.Rules(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": rules})
}

func (s *Server) putLoopRules(w http.ResponseWriter, r *http.Request) {
	if _, err := actorOf(r).Scope(otklik.ManageLoop); err != nil {
		s.writeError(w, r, err)
		return
	}
	var in struct {
		Items []loop.Rule `json:"items"`
	}
	if err := decode(w, r, 1<<20, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Items == nil {
		var p otklik.Problems
		p.Add("items", "is required: the ordered rules ([] turns the loop off)")
		s.writeError(w, r, p.Err("the routing rules are not valid"))
		return
	}
	rules, err := s.cases.SetRules(r.Context(), in.Items)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": rules})
}

func (s *Server) getLoopCalendar(w http.ResponseWriter, r *http.Request) {
	if _, err := actorOf(r).Scope(otklik.ManageLoop); err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.cases.Calendar(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) putLoopCalendar(w http.ResponseWriter, r *http.Request) {
	if _, err := actorOf(r).Scope(otklik.ManageLoop); err != nil {
		s.writeError(w, r, err)
		return
	}
	// Decoded in two steps so the calendar's own validation error, with
	// its field names, reaches the client.
	var raw json.RawMessage
	if err := decode(w, r, 1<<20, &raw); err != nil {
		s.writeError(w, r, err)
		return
	}
	var c calendar.Calendar
	if err := json.Unmarshal(raw, &c); err != nil {
		s.writeError(w, r, calendarError(err))
		return
	}
	if err := s.cases.SetCalendar(r.Context(), c); err != nil {
		s.writeError(w, r, calendarError(err))
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// calendarError turns the calendar package's validation error into a coded
// one with its fields.
func calendarError(err error) error {
	var ve *calendar.ValidationError
	if !errors.As(err, &ve) {
		return otklik.Errorf(otklik.EMALFORMED, "the calendar is not valid JSON: %v", err)
	}
	var p otklik.Problems
	for _, f := range ve.Problems {
		p.Add(f.Field, "%s", f.Message)
	}
	return p.Err("the calendar is not valid")
}
