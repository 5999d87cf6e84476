package web

import (
	"net/http"
	"time"

	"otklik/internal/auth"
)

// switchLanguage remembers the choice: on the user for a signed-in person,
// in a cookie otherwise.
func (s *Server) switchLanguage(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	lang := r.PostFormValue("lang")
	if lang != "ru" && lang != "en" {
		lang = "ru"
	}
	back := safeNext(r.PostFormValue("back"))
	if c, err := r.Cookie(sessionCookie); err == nil {
		if sess, err := s.db.SessionByHash(r.Context(), hashID(c.Value)); err == nil {
			if !sameToken(r.PostFormValue("_csrf"), sess.CSRF) {
				s.csrfRefused(w, r)
				return
			}
			sess.User.Locale = lang
			if err := s.db.UpdateUser(r.Context(), sess.User); err != nil {
				s.errorPage(w, r, err)
				return
			}
		}
	}
	s.setCookie(w, "otklik_lang", lang, 365*24*time.Hour)
	http.Redirect(w, r, back, http.StatusSeeOther)
}

type passwordData struct {
	Error, Done string // message ids
	Min         int
	// Telegram is the bot's deep link that links the user's chat for case
	// notifications; Linked says a chat is linked already.
	Telegram string
	Linked   bool
}

func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request) {
	d := passwordData{Min: auth.MinPasswordLength}
	if s.cfg.Outreach != nil {
		u := viewerOf(r).user
		d.Telegram, d.Linked = s.cfg.Outreach.StaffLink(u), u.TelegramChat != ""
	}
	s.render(w, r, http.StatusOK, "password", page{Title: "password.change_title", Data: d})
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	fail := func(msg string) {
		s.render(w, r, http.StatusUnprocessableEntity, "password", page{Title: "password.change_title",
			Data: passwordData{Error: msg, Min: auth.MinPasswordLength}})
	}
	next, confirm := r.PostFormValue("new"), r.PostFormValue("confirm")
	switch {
	case !auth.CheckPassword(v.user.PasswordHash, r.PostFormValue("current")):
		fail("password.wrong_current")
		return
	case len(next) < auth.MinPasswordLength:
		fail("password.too_short")
		return
	case next != confirm:
		fail("password.mismatch")
		return
	}
	hash, err := auth.HashPassword(next)
	if err == nil {
		err = s.db.SetPassword(r.Context(), v.user.ID, hash)
	}
	if err == nil {
		// Everyone who knew the old password is signed out, but this browser.
		err = s.db.DeleteUserSessions(r.Context(), v.user.ID, v.idHash)
	}
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "password", page{Title: "password.change_title",
		Data: passwordData{Done: "password.changed", Min: auth.MinPasswordLength}})
}
