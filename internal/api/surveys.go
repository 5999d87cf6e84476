package api

import (
	"net/http"
	"time"

	"otklik"
	"otklik/internal/surveylink"
)

func (s *Server) createSurvey(w http.ResponseWriter, r *http.Request) {
	if _, err := actorOf(r).Scope(otklik.WriteSurveys); err != nil {
		s.writeError(w, r, err)
		return
	}
	var sv otklik.Survey
	if err := decode(w, r, maxBody, &sv); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.db.CreateSurvey(r.Context(), &sv); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.intake.Forget(sv.Key)
	w.Header().Set("Location", "/api/v1/surveys/"+sv.Key)
	writeJSON(w, http.StatusCreated, &sv)
}

func (s *Server) listSurveys(w http.ResponseWriter, r *http.Request) {
	if _, err := actorOf(r).Scope(otklik.ReadSurveys); err != nil {
		s.writeError(w, r, err)
		return
	}
	items, err := s.db.Surveys(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if items == nil {
		items = []*otklik.Survey{}
	}
	writeJSON(w, http.StatusOK, list[*otklik.Survey]{Items: items})
}

func (s *Server) getSurvey(w http.ResponseWriter, r *http.Request) {
	if _, err := actorOf(r).Scope(otklik.ReadSurveys); err != nil {
		s.writeError(w, r, err)
		return
	}
	sv, err := s.db.Survey(r.Context(), r.PathValue("key"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sv)
}

// surveyLink returns a customer's personal link to the survey page. Whoever
// may record an answer for the customer may hand them the link.
func (s *Server) surveyLink(w http.ResponseWriter, r *http.Request) {
	scope, err := actorOf(r).Scope(otklik.WriteResponses)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sv, err := s.intake.Survey(r.Context(), r.PathValue("key"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ext := r.URL.Query().Get("customer")
	if ext == "" {
		s.writeError(w, r, badParam("customer", "is required: the customer's external id"))
		return
	}
	c, err := s.db.Customer(r.Context(), scope, ext)
	if otklik.ErrorCode(err) == otklik.ENOTFOUND {
		s.writeError(w, r, badParam("customer", "no customer with external id "+ext))
		return
	} else if err != nil {
		s.writeError(w, r, err)
		return
	}
	expires := s.now().Add(s.linkTTL).UTC().Truncate(time.Second)
	token := s.links.Sign(surveylink.Link{Survey: sv.Key, Customer: c.ExternalID, Expires: expires})
	writeJSON(w, http.StatusOK, surveyLinkOutput{URL: s.baseURL + "/s/" + token, ExpiresAt: expires})
}

type surveyLinkOutput struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}
