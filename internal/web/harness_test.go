package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"otklik"
	"otklik/internal/app"
	"otklik/internal/apptest"
	"otklik/internal/auth"
	"otklik/internal/storetest"
)

// site is a whole Otklik on a fresh database, served over real HTTP.
type site struct {
	t     *testing.T
	app   *app.App
	srv   *httptest.Server
	clock *storetest.Clock
}

var t0 = apptest.T0

// testPassword is every test user's password.
const testPassword = "correct horse battery"

func newSite(t *testing.T, dialect string) *site {
	t.Helper()
	x := apptest.Start(t, dialect, func(c *app.Config) { c.Business = "Кредитный брокер «Ромашка»" })
	return &site{t: t, app: x.App, srv: x.Srv, clock: x.Clock}
}

var hashed = func() string {
	h, err := auth.HashPassword(testPassword)
	if err != nil {
		panic(err)
	}
	return h
}()

// user creates a user who can sign in with testPassword.
func (s *site) user(email string, role otklik.Role, team, locale string) *otklik.User {
	s.t.Helper()
	u := &otklik.User{Email: email, Role: role, Team: team, Locale: locale, PasswordHash: hashed}
	if err := s.app.DB.CreateUser(context.Background(), u); err != nil {
		s.t.Fatalf("create user: %v", err)
	}
	return u
}

// browser is an HTTP client with its own cookies that does not follow
// redirects, so tests see them.
type browser struct {
	s *site
	c *http.Client
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{s: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)

// page fetches path and returns the status and body.
func (b *browser) get(path string) (int, string) {
	b.s.t.Helper()
	resp, err := b.c.Get(b.s.srv.URL + path)
	if err != nil {
		b.s.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// post submits a form and returns the status, the Location header and the body.
func (b *browser) post(path string, form url.Values) (int, string, string) {
	b.s.t.Helper()
	resp, err := b.c.PostForm(b.s.srv.URL+path, form)
	if err != nil {
		b.s.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

// csrf returns the CSRF token of the page at path.
func (b *browser) csrf(path string) string {
	b.s.t.Helper()
	_, body := b.get(path)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		b.s.t.Fatalf("no CSRF token on %s", path)
	}
	return m[1]
}

// signIn signs the browser in as email and returns the session's CSRF token.
func (b *browser) signIn(email string) string {
	b.s.t.Helper()
	token := b.csrf("/signin")
	status, loc, body := b.post("/signin", url.Values{"_csrf": {token}, "email": {email}, "password": {testPassword}, "next": {"/surveys"}})
	if status != http.StatusSeeOther || loc != "/surveys" {
		b.s.t.Fatalf("sign in as %s: %d %q %s", email, status, loc, body)
	}
	return b.csrf("/password")
}

func has(body, s string) bool { return strings.Contains(body, s) }
