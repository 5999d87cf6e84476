package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"otklik/internal/auth"
	"strings"
	"time"

	"otklik"
)

const (
	sessionCookie = "otklik_session"
	signinCookie  = "otklik_signin" // the CSRF token of the sign-in form, before there is a session
	sessionTTL    = 14 * 24 * time.Hour
)

func hashID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: s.secureCk,
		SameSite: http.SameSiteLaxMode, MaxAge: int(maxAge.Seconds())})
}

// signedIn lets a request through with its viewer, or sends the browser to
// the sign-in page. A session is extended at most once a day, so reading
// pages does not write to the database.
func (s *Server) signedIn(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil || c.Value == "" {
			s.toSignIn(w, r)
			return
		}
		idHash := hashID(c.Value)
		sess, err := s.db.SessionByHash(r.Context(), idHash)
		if otklik.ErrorCode(err) == otklik.EUNAUTHORIZED {
			s.toSignIn(w, r)
			return
		} else if err != nil {
			s.errorPage(w, r, err)
			return
		}
		now := s.cfg.Now()
		if sess.ExpiresAt.Sub(now) < sessionTTL-24*time.Hour {
			if err := s.db.ExtendSession(r.Context(), idHash, now.Add(sessionTTL)); err == nil {
				s.setCookie(w, sessionCookie, c.Value, sessionTTL)
			}
		}
		v := &viewer{user: sess.User, csrf: sess.CSRF, idHash: idHash}
		r = r.WithContext(withViewer(r.Context(), v))
		if r.Method == http.MethodPost && !sameToken(formToken(r), v.csrf) {
			s.csrfRefused(w, r)
			return
		}
		next(w, r)
	})
}

// formToken is the CSRF token a request carries: a form field, or the header
// htmx sends.
func formToken(r *http.Request) string {
	if t := r.Header.Get("X-CSRF-Token"); t != "" {
		return t
	}
	// Multipart bodies (file uploads) are parsed by their handler with a
	// size limit; the token then comes in the query string.
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return r.URL.Query().Get("_csrf")
	}
	r.Body = http.MaxBytesReader(nil, r.Body, 1<<20)
	return r.PostFormValue("_csrf")
}

func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func (s *Server) csrfRefused(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusForbidden, "error", page{Title: "error.csrf", Data: errorData{Message: "error.csrf"}})
}

func (s *Server) toSignIn(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", "/signin")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	next := ""
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		next = "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, "/signin"+next, http.StatusSeeOther)
}

// safeNext accepts only a local path to return to after signing in.
func safeNext(next string) string {
	// Browsers drop tabs and line breaks from URLs and read \ as /, so
	// "/\t/evil.example" would leave the site: refuse them outright.
	if strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) ||
		!strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	return next
}

type signinData struct {
	Email, Next, Error string
}

func (s *Server) signinForm(w http.ResponseWriter, r *http.Request) {
	token := randomToken()
	s.setCookie(w, signinCookie, token, time.Hour)
	s.render(w, r, http.StatusOK, "signin", page{Title: "signin.title", CSRF: token,
		Data: signinData{Next: safeNext(r.URL.Query().Get("next"))}})
}

func (s *Server) signin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	password := r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	again := func(status int, msg string) {
		token := randomToken()
		s.setCookie(w, signinCookie, token, time.Hour)
		s.render(w, r, status, "signin", page{Title: "signin.title", CSRF: token, Data: signinData{Email: email, Next: next, Error: msg}})
	}
	c, err := r.Cookie(signinCookie)
	if err != nil || !sameToken(r.PostFormValue("_csrf"), c.Value) {
		again(http.StatusForbidden, "error.csrf")
		return
	}
	if s.signins.Blocked(auth.ClientIP(r)) || s.accounts.Blocked(email) {
		again(http.StatusTooManyRequests, "signin.too_many_attempts")
		return
	}
	u, err := s.db.UserByEmail(r.Context(), email)
	if err != nil && otklik.ErrorCode(err) != otklik.ENOTFOUND {
		s.errorPage(w, r, err)
		return
	}
	if u == nil || u.Disabled || !checkPassword(u.PasswordHash, password) {
		s.signins.Allow(auth.ClientIP(r))
		s.accounts.Allow(email)
		again(http.StatusUnauthorized, "signin.wrong_credentials")
		return
	}
	id := randomToken()
	if err := s.db.CreateSession(r.Context(), hashID(id), u.ID, randomToken(), s.cfg.Now().Add(sessionTTL)); err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.setCookie(w, sessionCookie, id, sessionTTL)
	s.setCookie(w, signinCookie, "", -time.Second)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) signout(w http.ResponseWriter, r *http.Request) {
	if err := s.db.DeleteSession(r.Context(), viewerOf(r).idHash); err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.setCookie(w, sessionCookie, "", -time.Second)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}
