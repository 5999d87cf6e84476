package api

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"strconv"

	"otklik"
	"otklik/internal/auth"
	"otklik/internal/crm"
	"otklik/internal/dispatch"
	"otklik/internal/locale"
	"otklik/internal/outreach"
	"otklik/internal/store"
)

// createEvents answers POST /events: one event, or a JSON array of them
// (one result per item, in order). A known id changes nothing.
func (s *Server) createEvents(w http.ResponseWriter, r *http.Request) {
	if _, err := actorOf(r).Scope(otklik.SendEvents); err != nil {
		s.writeError(w, r, err)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, crm.MaxBatchBody))
	if err != nil {
		s.writeError(w, r, otklik.Errorf(otklik.ETOOLARGE, "the body is larger than %d bytes", crm.MaxBatchBody))
		return
	}
	now := s.now()
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '[' {
		items, err := crm.ParseEvents(body, now)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		out := make([]dispatch.EventResult, len(items))
		for i, it := range items {
			out[i] = dispatch.EventResult{Event: it.Event}
			if it.Err != nil {
				out[i].Error = otklik.ErrorMessage(it.Err)
				continue
			}
			res, err := s.recordEvent(r, it.Event)
			if err != nil && (otklik.ErrorCode(err) == "" || otklik.ErrorCode(err) == otklik.EINTERNAL) {
				s.writeError(w, r, err)
				return
			}
			out[i] = res
			if err != nil {
				out[i].Error = otklik.ErrorMessage(err)
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"items": out})
		return
	}
	ev, err := crm.ParseEvent(body, now)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.recordEvent(r, ev)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusCreated
	if !res.Created {
		status = http.StatusOK // a retry of a known event
	}
	writeJSON(w, status, res)
}

func (s *Server) recordEvent(r *http.Request, ev crm.Event) (dispatch.EventResult, error) {
	_, created, planned, err := s.outreach.RecordEvent(r.Context(), ev, "api")
	return dispatch.EventResult{Event: ev, Created: created, Planned: planned}, err
}

// integrationWebhook answers a CRM's webhook: the secret in the path is its
// credential; failures are rate-limited per client address like bad tokens.
func (s *Server) integrationWebhook(handle func(*dispatch.Engine, *http.Request, dispatch.Integrations, []byte) ([]dispatch.EventResult, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ip := auth.ClientIP(r)
		if s.failures.Blocked(ip) || !s.webhooks.Allow(ip) {
			w.Header().Set("Retry-After", "60")
			writeProblem(w, r, http.StatusTooManyRequests, otklik.ERATELIMIT, "too many requests; try again later", nil)
			return
		}
		in, ok, err := s.outreach.CheckSecret(r.Context(), r.PathValue("secret"))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !ok {
			s.failures.Allow(ip) // a wrong secret counts as a failed credential
			writeProblem(w, r, http.StatusNotFound, otklik.ENOTFOUND, "no such integration", nil)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, crm.MaxBody))
		if err != nil {
			s.writeError(w, r, otklik.Errorf(otklik.ETOOLARGE, "the body is larger than %d bytes", crm.MaxBody))
			return
		}
		res, err := handle(s.outreach, r, in, body)
		if err != nil {
			s.log.Warn("api: CRM webhook refused", "path", r.URL.Path, "err", err)
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"items": res})
	}
}

func amoWebhook(e *dispatch.Engine, r *http.Request, in dispatch.Integrations, body []byte) ([]dispatch.EventResult, error) {
	return e.AmoCRM(r.Context(), in, body)
}

func bitrixWebhook(e *dispatch.Engine, r *http.Request, in dispatch.Integrations, body []byte) ([]dispatch.EventResult, error) {
	return e.Bitrix24(r.Context(), in, body)
}

func (s *Server) getIntegrations(w http.ResponseWriter, r *http.Request) {
	if _, err := actorOf(r).Scope(otklik.ManageOutreach); err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := s.outreach.Integrations(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, in)
}

func (s *Server) putIntegrations(w http.ResponseWriter, r *http.Request) {
	if _, err := actorOf(r).Scope(otklik.ManageOutreach); err != nil {
		s.writeError(w, r, err)
		return
	}
	var in dispatch.Integrations
	if err := decode(w, r, 64<<10, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.outreach.SetIntegrations(r.Context(), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getPolicy(w http.ResponseWriter, r *http.Request) {
	if _, err := actorOf(r).Scope(otklik.ManageOutreach); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.outreach.Policy(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) putPolicy(w http.ResponseWriter, r *http.Request) {
	if _, err := actorOf(r).Scope(otklik.ManageOutreach); err != nil {
		s.writeError(w, r, err)
		return
	}
	p := outreach.DefaultPolicy() // what the body leaves out takes the default
	if err := decode(w, r, 64<<10, &p); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.outreach.SetPolicy(r.Context(), p); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) listTriggers(w http.ResponseWriter, r *http.Request) {
	if _, err := actorOf(r).Scope(otklik.ManageOutreach); err != nil {
		s.writeError(w, r, err)
		return
	}
	ts, err := s.outreach.Triggers(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if ts == nil {
		ts = []outreach.Trigger{}
	}
	writeJSON(w, http.StatusOK, list[outreach.Trigger]{Items: ts})
}

// saveTrigger answers POST /outreach/triggers (create) and PUT …/{id}.
func (s *Server) saveTrigger(w http.ResponseWriter, r *http.Request) {
	if _, err := actorOf(r).Scope(otklik.ManageOutreach); err != nil {
		s.writeError(w, r, err)
		return
	}
	var t outreach.Trigger
	if err := decode(w, r, 64<<10, &t); err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusCreated
	t.ID = 0
	if r.Method == http.MethodPut {
		id, err := pathID(r, "trigger")
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		t.ID, status = id, http.StatusOK
	}
	t, err := s.outreach.SaveTrigger(r.Context(), t)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, t)
}

func (s *Server) deleteTrigger(w http.ResponseWriter, r *http.Request) {
	s.deleteDefinition(w, r, "trigger")
}

func (s *Server) deleteSchedule(w http.ResponseWriter, r *http.Request) {
	s.deleteDefinition(w, r, "schedule")
}

func (s *Server) deleteDefinition(w http.ResponseWriter, r *http.Request, kind string) {
	if _, err := actorOf(r).Scope(otklik.ManageOutreach); err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := pathID(r, kind)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.db.DeleteDefinition(r.Context(), kind, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listSchedules(w http.ResponseWriter, r *http.Request) {
	if _, err := actorOf(r).Scope(otklik.ManageOutreach); err != nil {
		s.writeError(w, r, err)
		return
	}
	ss, err := s.outreach.Schedules(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if ss == nil {
		ss = []outreach.Schedule{}
	}
	writeJSON(w, http.StatusOK, list[outreach.Schedule]{Items: ss})
}

// saveSchedule answers POST /outreach/schedules and PUT …/{id}.
func (s *Server) saveSchedule(w http.ResponseWriter, r *http.Request) {
	if _, err := actorOf(r).Scope(otklik.ManageOutreach); err != nil {
		s.writeError(w, r, err)
		return
	}
	var sc outreach.Schedule
	if err := decode(w, r, 64<<10, &sc); err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusCreated
	sc.ID = 0
	if r.Method == http.MethodPut {
		id, err := pathID(r, "schedule")
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		sc.ID, status = id, http.StatusOK
	}
	sc, err := s.outreach.SaveSchedule(r.Context(), sc)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, sc)
}

func pathID(r *http.Request, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, otklik.Errorf(otklik.ENOTFOUND, "no such %s", what)
	}
	return id, nil
}

// listInvitations answers GET /invitations?customer=&status= and
// GET /customers/{external_id}/outreach: invitations newest first, each with
// its log, every reason also in words in the reader's language.
func (s *Server) listInvitations(w http.ResponseWriter, r *http.Request) {
	actor := actorOf(r)
	scope, err := actor.Scope(otklik.ReadOutreach)
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
	f := store.InvitationFilter{Customer: q.Get("customer"), Status: q.Get("status"), Limit: limit, WithLog: true}
	if ext := r.PathValue("external_id"); ext != "" {
		if _, err := s.db.Customer(r.Context(), scope, ext); err != nil {
			s.writeError(w, r, err)
			return
		}
		f.Customer = ext
	}
	if f.Status != "" && !slices.Contains(otklik.InvitationStatuses, f.Status) {
		s.writeError(w, r, badParam("status", "must be one of planned, deferred, queued, sending, sent, answered, skipped, failed"))
		return
	}
	if c := q.Get("cursor"); c != "" {
		if f.After, err = strconv.ParseInt(c, 10, 64); err != nil || f.After <= 0 {
			s.writeError(w, r, badParam("cursor", "is not a cursor this API gave"))
			return
		}
	}
	items, err := s.db.Invitations(r.Context(), scope, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	l := s.catalog.For(actor.Locale)
	for _, inv := range items {
		s.explain(l, inv)
	}
	out := list[*otklik.Invitation]{Items: items}
	if items == nil {
		out.Items = []*otklik.Invitation{}
	}
	if len(items) == limit {
		out.NextCursor = strconv.FormatInt(items[len(items)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, out)
}

// explain fills the invitation's and its log's explanations.
func (s *Server) explain(l *locale.Localizer, inv *otklik.Invitation) {
	if inv.Reason != "" {
		inv.Explanation = outreach.Explain(l, outreach.Reason{Code: inv.Reason, Params: inv.ReasonParams}, s.loc)
	}
	for i := range inv.Log {
		e := &inv.Log[i]
		e.Explanation = dispatch.ExplainLog(l, *e, inv, s.loc)
	}
}
