package api

import (
	"net/http"
	"strconv"

	"otklik"
)

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) {
	if _, err := actorOf(r).Scope(otklik.ManageOutreach); err != nil {
		s.writeError(w, r, err)
		return
	}
	ws, err := s.db.Webhooks(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if ws == nil {
		ws = []*otklik.Webhook{}
	}
	writeJSON(w, http.StatusOK, list[*otklik.Webhook]{Items: ws})
}

// createWebhook answers POST /webhooks: the subscription and, this once,
// its signing secret.
func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) {
	if _, err := actorOf(r).Scope(otklik.ManageOutreach); err != nil {
		s.writeError(w, r, err)
		return
	}
	var in struct {
		URL    string   `json:"url"`
		Events []string `json:"events"`
	}
	if err := decode(w, r, 16<<10, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	wh, err := s.outreach.CreateWebhook(r.Context(), in.URL, in.Events)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, struct {
		*otklik.Webhook
		Secret string `json:"secret"`
	}{wh, wh.Secret})
}

// updateWebhook answers PUT /webhooks/{id} {"enabled": bool}: switching a
// subscription off, or back on (its failure count starts afresh).
func (s *Server) updateWebhook(w http.ResponseWriter, r *http.Request) {
	if _, err := actorOf(r).Scope(otklik.ManageOutreach); err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := pathID(r, "webhook")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in struct {
		Enabled *bool `json:"enabled"`
	}
	if err := decode(w, r, 4<<10, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Enabled == nil {
		var p otklik.Problems
		p.Add("enabled", "is required")
		s.writeError(w, r, p.Err("nothing to change"))
		return
	}
	wh, err := s.db.SetWebhookEnabled(r.Context(), id, *in.Enabled)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wh)
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) {
	if _, err := actorOf(r).Scope(otklik.ManageOutreach); err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := pathID(r, "webhook")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.db.DeleteWebhook(r.Context(), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// webhookDeliveries answers GET /webhooks/{id}/deliveries: the delivery
// log, newest first.
func (s *Server) webhookDeliveries(w http.ResponseWriter, r *http.Request) {
	if _, err := actorOf(r).Scope(otklik.ManageOutreach); err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := pathID(r, "webhook")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := s.db.Webhook(r.Context(), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	limit := 50
	if v := r.URL.Query().Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 500 {
			s.writeError(w, r, badParam("limit", "must be a number from 1 to 500"))
			return
		}
	}
	ds, err := s.db.Deliveries(r.Context(), id, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if ds == nil {
		ds = []otklik.WebhookDelivery{}
	}
	writeJSON(w, http.StatusOK, list[otklik.WebhookDelivery]{Items: ds})
}
