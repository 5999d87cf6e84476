package api

import (
	"net/http"

	"otklik"
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
