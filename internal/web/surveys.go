package web

import (
	"net/http"
	"strings"

	"otklik"
)

type surveyFormData struct {
	S       *otklik.Survey
	New     bool
	Drivers string // one "key: ru | en" per line
	Errors  map[string]string
	Kinds   []otklik.Kind
	Preview publicSurvey
}

func (s *Server) surveys(w http.ResponseWriter, r *http.Request) {
	if _, err := viewerOf(r).user.Actor().Scope(otklik.ReadSurveys); err != nil {
		s.errorPage(w, r, err)
		return
	}
	items, err := s.db.Surveys(r.Context())
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "surveys", page{Title: "nav.surveys", Nav: "surveys", Data: items})
}

func (s *Server) surveyForm(w http.ResponseWriter, r *http.Request) {
	if _, err := viewerOf(r).user.Actor().Scope(otklik.WriteSurveys); err != nil {
		s.errorPage(w, r, err)
		return
	}
	d := surveyFormData{New: true, Kinds: []otklik.Kind{otklik.KindNPS, otklik.KindCSAT, otklik.KindCES}}
	if key := r.PathValue("key"); key != "" {
		sv, err := s.db.Survey(r.Context(), key)
		if err != nil {
			s.errorPage(w, r, err)
			return
		}
		d.S, d.New = sv, false
	} else {
		d.S = &otklik.Survey{Kind: otklik.KindNPS, ScorePosition: otklik.PositionFirst}
	}
	d.Drivers = formatDrivers(d.S.Drivers)
	s.renderSurveyForm(w, r, http.StatusOK, d)
}

func (s *Server) renderSurveyForm(w http.ResponseWriter, r *http.Request, status int, d surveyFormData) {
	d.S.Normalize()
	d.Preview = publicSurvey{Survey: d.S, Action: "#"}
	d.Preview.fill()
	s.render(w, r, status, "survey_edit", page{Title: "survey.edit", Nav: "surveys", Data: d})
}

// formatDrivers writes driver questions one per line: key: русский | English.
func formatDrivers(ds []otklik.Driver) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.Key + ": " + d.Text.RU + " | " + d.Text.EN + "\n")
	}
	return b.String()
}

// parseDrivers reads what formatDrivers writes; a line without a key gets
// one from its position.
func parseDrivers(text string) ([]otklik.Driver, bool) {
	var out []otklik.Driver
	ok := true
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		key, texts, found := strings.Cut(line, ":")
		if !found {
			ok = false
			continue
		}
		ru, en, _ := strings.Cut(texts, "|")
		out = append(out, otklik.Driver{Key: strings.TrimSpace(key), Text: otklik.Text{RU: strings.TrimSpace(ru), EN: strings.TrimSpace(en)}})
	}
	return out, ok
}

// surveyFromForm reads the editor's fields.
func surveyFromForm(r *http.Request) (*otklik.Survey, string, bool) {
	drivers := r.PostFormValue("drivers")
	ds, ok := parseDrivers(drivers)
	sv := &otklik.Survey{
		Key:           strings.TrimSpace(r.PostFormValue("key")),
		Kind:          otklik.Kind(r.PostFormValue("kind")),
		Title:         otklik.Text{RU: r.PostFormValue("title_ru"), EN: r.PostFormValue("title_en")},
		ScoreQuestion: otklik.Text{RU: r.PostFormValue("score_ru"), EN: r.PostFormValue("score_en")},
		WhyQuestion:   otklik.Text{RU: r.PostFormValue("why_ru"), EN: r.PostFormValue("why_en")},
		Drivers:       ds,
		ScorePosition: r.PostFormValue("score_position"),
	}
	return sv, drivers, ok
}

func (s *Server) saveSurvey(w http.ResponseWriter, r *http.Request) {
	if _, err := viewerOf(r).user.Actor().Scope(otklik.WriteSurveys); err != nil {
		s.errorPage(w, r, err)
		return
	}
	sv, drivers, driversOK := surveyFromForm(r)
	isNew := r.PostFormValue("new") == "1"
	d := surveyFormData{S: sv, New: isNew, Drivers: drivers, Errors: map[string]string{},
		Kinds: []otklik.Kind{otklik.KindNPS, otklik.KindCSAT, otklik.KindCES}}
	var err error
	if !driversOK {
		err = &otklik.Error{Code: otklik.EINVALID, Fields: []otklik.FieldError{{Field: "drivers", Message: "key: русский | English"}}}
	} else if isNew {
		err = s.db.CreateSurvey(r.Context(), sv)
	} else {
		err = s.db.UpdateSurvey(r.Context(), sv)
	}
	if code := otklik.ErrorCode(err); code == otklik.EINVALID || code == otklik.ECONFLICT {
		for _, f := range otklik.ErrorFields(err) {
			d.Errors[strings.SplitN(f.Field, "[", 2)[0]] = f.Message
		}
		s.renderSurveyForm(w, r, http.StatusUnprocessableEntity, d)
		return
	} else if err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.cfg.Intake.Forget(sv.Key)
	http.Redirect(w, r, "/surveys?saved="+sv.Key, http.StatusSeeOther)
}

// previewSurvey renders the public page for the editor's current fields,
// for htmx to swap in as the author types.
func (s *Server) previewSurvey(w http.ResponseWriter, r *http.Request) {
	if _, err := viewerOf(r).user.Actor().Scope(otklik.WriteSurveys); err != nil {
		s.errorPage(w, r, err)
		return
	}
	sv, _, _ := surveyFromForm(r)
	sv.Normalize()
	if sv.Kind != otklik.KindNPS && sv.Kind != otklik.KindCSAT && sv.Kind != otklik.KindCES {
		sv.Kind = otklik.KindNPS
	}
	sv.Scale = sv.Kind.DefaultScale()
	d := publicSurvey{Survey: sv, Action: "#"}
	d.fill()
	s.render(w, r, http.StatusOK, "frag_preview", page{Data: d})
}
