package web

import (
	"net/http"
	"strconv"

	"otklik"
	"otklik/internal/surveylink"
)

// scoreLink answers a score clicked in an invitation e-mail. A GET changes
// nothing (mail scanners open every link of a message, which would record
// eleven scores): it shows a page whose script posts the score at once —
// the customer's one click records it — and whose button does the same
// without JavaScript. The POST records the score and opens "why?"; every
// link of one invitation records, and corrects, one answer.
func (s *Server) scoreLink(w http.ResponseWriter, r *http.Request) {
	_, c, sv, ok := s.link(w, r)
	if !ok {
		return
	}
	token := r.PathValue("token")
	score, err := strconv.Atoi(r.PathValue("score"))
	if err != nil || !sv.Scale.Contains(score) {
		http.Redirect(w, r, "/s/"+token, http.StatusSeeOther)
		return
	}
	l := s.publicLocalizer(c, r)
	s.render(w, withLang(r, l.Lang()), http.StatusOK, "public_score", page{Title: "public.thanks",
		Data: scoreConfirm{Token: token, Score: score}})
}

// scoreConfirm is what the score link's page posts.
type scoreConfirm struct {
	Token string
	Score int
}

// unsubscribeData is what the unsubscribe page shows.
type unsubscribeData struct {
	Token   string
	Done    bool
	Invalid bool
}

// unsubscribePage asks to confirm (a GET must not change anything: mail
// scanners open links).
func (s *Server) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	ext, _, err := surveylink.NewSigner(s.cfg.LinkKey).VerifyUnsubscribe(token)
	d := unsubscribeData{Token: token, Invalid: err != nil}
	status := http.StatusOK
	if err != nil {
		status = http.StatusNotFound
	}
	s.renderUnsubscribe(w, r, status, ext, d)
}

// unsubscribe withdraws the consent the token names: the page's button, or
// a mail client's one-click POST (RFC 8058), which carries no session and
// no CSRF token — the signed token is the credential.
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	ext, ch, err := surveylink.NewSigner(s.cfg.LinkKey).VerifyUnsubscribe(token)
	if err != nil {
		s.renderUnsubscribe(w, r, http.StatusNotFound, "", unsubscribeData{Invalid: true})
		return
	}
	c, err := s.db.Customer(r.Context(), otklik.Scope{Reach: otklik.ReachAll}, ext)
	if err == nil {
		err = s.db.WithdrawConsent(r.Context(), c, otklik.Channel(ch), "unsubscribe_link")
	}
	if err != nil && otklik.ErrorCode(err) != otklik.ENOTFOUND {
		s.errorPage(w, r, err)
		return
	}
	s.renderUnsubscribe(w, r, http.StatusOK, ext, unsubscribeData{Done: true})
}

func (s *Server) renderUnsubscribe(w http.ResponseWriter, r *http.Request, status int, ext string, d unsubscribeData) {
	var c *otklik.Customer
	if ext != "" {
		c, _ = s.db.Customer(r.Context(), otklik.Scope{Reach: otklik.ReachAll}, ext)
	}
	l := s.publicLocalizer(c, r)
	s.render(w, withLang(r, l.Lang()), status, "public_unsubscribe", page{Title: "invite.unsubscribe.title", Data: d})
}
