package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"otklik"
	"otklik/internal/auth"
	"otklik/internal/intake"
	"otklik/internal/locale"
	"otklik/internal/surveylink"
)

// surveyPageActor records answers from the public page: the signed link is
// the customer's authority, not a user's role.
var surveyPageActor = otklik.Actor{Email: "survey-page", Role: otklik.RoleAdmin}

// limited rate-limits a public page per client address.
func (s *Server) limited(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.public.Allow(auth.ClientIP(r)) {
			w.Header().Set("Retry-After", "60")
			s.render(w, r, http.StatusTooManyRequests, "public_message", page{Title: "public.too_many_title",
				Data: publicMessage{Title: "public.too_many_title", Text: "public.too_many"}})
			return
		}
		next(w, r)
	})
}

type publicMessage struct {
	Title, Text string // message ids
}

// publicSurvey is what the survey page shows.
type publicSurvey struct {
	Action   string // where the form posts
	Step     string // "", "why" or "thanks"
	Survey   *otklik.Survey
	Lang     string
	Scores   []int
	Chosen   *int
	Comment  string
	Answers  map[string]int
	Drivers  []otklik.Driver
	LowLabel string // message ids for the ends of the scale
	TopLabel string
}

// link checks the token and loads what it names. A forged, expired or
// erased link gets a friendly page, never an error.
func (s *Server) link(w http.ResponseWriter, r *http.Request) (surveylink.Link, *otklik.Customer, *otklik.Survey, bool) {
	token := r.PathValue("token")
	l, err := surveylink.NewSigner(s.cfg.LinkKey).Verify(token, s.cfg.Now())
	if err == nil {
		var c *otklik.Customer
		c, err = s.db.Customer(r.Context(), otklik.Scope{Reach: otklik.ReachAll}, l.Customer)
		if err == nil {
			var sv *otklik.Survey
			if sv, err = s.cfg.Intake.Survey(r.Context(), l.Survey); err == nil {
				return l, c, sv, true
			}
		}
	}
	if err != nil && !errors.Is(err, surveylink.ErrInvalid) && otklik.ErrorCode(err) != otklik.ENOTFOUND {
		s.log.Error("web: survey link", "err", err)
	}
	s.render(w, r, http.StatusNotFound, "public_message", page{Title: "public.link_invalid_title",
		Data: publicMessage{Title: "public.link_invalid_title", Text: "public.link_invalid"}})
	return l, nil, nil, false
}

// publicLocalizer speaks the customer's language.
func (s *Server) publicLocalizer(c *otklik.Customer, r *http.Request) *locale.Localizer {
	if c != nil && c.Locale != "" {
		return s.cat.For(c.Locale)
	}
	return s.cat.For(s.cat.Match(r.Header.Get("Accept-Language")))
}

func (s *Server) renderSurvey(w http.ResponseWriter, r *http.Request, status int, c *otklik.Customer, d publicSurvey) {
	l := s.publicLocalizer(c, r)
	d.Lang = l.Lang()
	d.fill()
	s.render(w, withLang(r, l.Lang()), status, "public_survey", page{Title: "public.thanks", Data: d})
}

// fill derives what the page shows from the survey: the scale's buttons,
// the words at its ends, the driver questions. The editor's preview uses it
// too, so the preview is the page.
func (d *publicSurvey) fill() {
	d.Scores = d.Scores[:0]
	for i := d.Survey.Scale.Min; i <= d.Survey.Scale.Max; i++ {
		d.Scores = append(d.Scores, i)
	}
	d.Drivers = d.Survey.Drivers
	d.LowLabel, d.TopLabel = "public.not_likely", "public.very_likely"
	if d.Survey.Kind != otklik.KindNPS {
		d.LowLabel, d.TopLabel = "public.scale_low", "public.scale_high"
	}
}

// withLang makes render pick lang for a request without a session.
func withLang(r *http.Request, lang string) *http.Request {
	r2 := r.Clone(r.Context())
	r2.Header.Del("Cookie")
	r2.AddCookie(&http.Cookie{Name: "otklik_lang", Value: lang})
	return r2
}

func (s *Server) surveyPage(w http.ResponseWriter, r *http.Request) {
	l, c, sv, ok := s.link(w, r)
	if !ok {
		return
	}
	token := r.PathValue("token")
	d := publicSurvey{Action: "/s/" + token, Step: r.URL.Query().Get("step"), Survey: sv}
	if prev, err := s.db.ResponseByKey(r.Context(), surveylink.AnswerKey(l, token)); err == nil {
		d.Chosen, d.Comment, d.Answers = &prev.Score, prev.Comment, prev.Answers
	} else if otklik.ErrorCode(err) != otklik.ENOTFOUND {
		s.errorPage(w, r, err)
		return
	}
	if d.Step != "thanks" && d.Step != "why" || d.Chosen == nil {
		d.Step = "" // no score yet: the first question first
	}
	s.renderSurvey(w, r, http.StatusOK, c, d)
}

// submitScore records the score on the first click; a later click on the
// same link corrects it.
func (s *Server) submitScore(w http.ResponseWriter, r *http.Request) {
	l, c, sv, ok := s.link(w, r)
	if !ok {
		return
	}
	token := r.PathValue("token")
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	score, err := strconv.Atoi(r.PostFormValue("score"))
	if err != nil || !sv.Scale.Contains(score) {
		s.renderSurvey(w, r, http.StatusUnprocessableEntity, c, publicSurvey{Action: "/s/" + token, Survey: sv})
		return
	}
	if err := s.recordScore(r, c.ExternalID, sv, score, linkChannel(l), surveylink.AnswerKey(l, token)); err != nil {
		s.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/s/"+token+"?step=why", http.StatusSeeOther)
}

// linkChannel is the channel an answer through a link arrived on: the one
// the link was sent on (an e-mail's scale), else the web page.
func linkChannel(l surveylink.Link) otklik.Channel {
	if l.Channel != "" && slices.Contains(otklik.ResponseChannels, otklik.Channel(l.Channel)) {
		return otklik.Channel(l.Channel)
	}
	return otklik.ChannelWeb
}

func (s *Server) recordScore(r *http.Request, customer string, sv *otklik.Survey, score int, ch otklik.Channel, key string) error {
	resp, created, err := s.cfg.Intake.Record(r.Context(), surveyPageActor, intake.Answer{
		Survey: sv.Key, Customer: customer, Score: &score, Channel: ch, Key: key})
	if err != nil || created || resp.Score == score {
		return err
	}
	resp.Score = score
	return s.db.ReviseResponse(r.Context(), resp)
}

// submitWhy adds the comment and driver answers to the recorded score.
func (s *Server) submitWhy(w http.ResponseWriter, r *http.Request) {
	l, c, sv, ok := s.link(w, r)
	if !ok {
		return
	}
	token := r.PathValue("token")
	prev, err := s.db.ResponseByKey(r.Context(), surveylink.AnswerKey(l, token))
	if otklik.ErrorCode(err) == otklik.ENOTFOUND {
		http.Redirect(w, r, "/s/"+token, http.StatusSeeOther)
		return
	} else if err != nil {
		s.errorPage(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 128<<10)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, otklik.Errorf(otklik.EINVALID, "form too large"))
		return
	}
	prev.Comment = strings.TrimSpace(r.PostFormValue("comment"))
	prev.Answers = map[string]int{}
	for _, d := range sv.Drivers {
		if v, err := strconv.Atoi(r.PostFormValue("d_" + d.Key)); err == nil {
			prev.Answers[d.Key] = v
		}
	}
	if err := prev.Validate(sv, s.cfg.Now()); err != nil {
		s.renderSurvey(w, r, http.StatusUnprocessableEntity, c, publicSurvey{Action: "/s/" + token, Step: "why",
			Survey: sv, Chosen: &prev.Score, Comment: prev.Comment, Answers: prev.Answers})
		return
	}
	if err := s.db.ReviseResponse(r.Context(), prev); err != nil {
		s.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/s/"+token+"?step=thanks", http.StatusSeeOther)
}

// openSurvey serves a survey to anyone with the link, for a website or a
// receipt: the score creates an anonymous customer, then the visitor goes on
// with a signed link of their own.
func (s *Server) openSurvey(w http.ResponseWriter, r *http.Request) {
	sv, err := s.cfg.Intake.Survey(r.Context(), r.PathValue("key"))
	if err != nil {
		s.render(w, r, http.StatusNotFound, "public_message", page{Title: "public.link_invalid_title",
			Data: publicMessage{Title: "public.link_invalid_title", Text: "public.link_invalid"}})
		return
	}
	s.renderSurvey(w, r, http.StatusOK, nil, publicSurvey{Action: "/s/open/" + sv.Key + "/score", Survey: sv})
}

func (s *Server) submitOpenScore(w http.ResponseWriter, r *http.Request) {
	sv, err := s.cfg.Intake.Survey(r.Context(), r.PathValue("key"))
	if err != nil {
		s.notFound(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	score, err := strconv.Atoi(r.PostFormValue("score"))
	if err != nil || !sv.Scale.Contains(score) {
		s.renderSurvey(w, r, http.StatusUnprocessableEntity, nil, publicSurvey{Action: "/s/open/" + sv.Key + "/score", Survey: sv})
		return
	}
	lang := s.cat.Match(r.Header.Get("Accept-Language"))
	ext := "anon-" + randomToken()[:16]
	if _, _, err := s.db.UpsertCustomer(r.Context(), otklik.Scope{Reach: otklik.ReachAll}, ext, func(c *otklik.Customer) {
		c.Segment, c.Locale = "anonymous", lang
	}); err != nil {
		s.errorPage(w, r, err)
		return
	}
	token := surveylink.NewSigner(s.cfg.LinkKey).Sign(surveylink.Link{Survey: sv.Key, Customer: ext, Expires: s.cfg.Now().Add(s.cfg.LinkTTL)})
	if err := s.recordScore(r, ext, sv, score, otklik.ChannelWeb, surveylink.Key(token)); err != nil {
		s.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/s/"+token+"?step=why", http.StatusSeeOther)
}
