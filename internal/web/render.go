package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"otklik"
	"otklik/internal/auth"
	"otklik/internal/locale"
	"otklik/internal/web/static"
)

//go:embed all:templates
var templateFS embed.FS

// pages holds every page parsed at start-up, each with the layout it uses.
type pages struct {
	byName map[string]*template.Template
}

// funcs are the few helpers templates need beyond the localizer's methods.
var funcs = template.FuncMap{
	"add": func(a, b int) int { return a + b },
	"seq": func(lo, hi int) []int {
		var out []int
		for i := lo; i <= hi; i++ {
			out = append(out, i)
		}
		return out
	},
	"role": func(r otklik.Role) string { return "role." + string(r) },
	// path escapes one segment of a URL path: external ids may hold / # ?.
	"path":    url.PathEscape,
	"channel": func(c otklik.Channel) string { return "channel." + string(c) },
	"kind":    func(k otklik.Kind) string { return "kind." + string(k) },
	"group": func(score int, kind any) string {
		switch {
		case fmt.Sprint(kind) != string(otklik.KindNPS):
			return ""
		case score >= 9:
			return "promoter"
		case score >= 7:
			return "passive"
		}
		return "detractor"
	},
	// Figures drawn as SVG shapes: sizes are attributes, never inline
	// styles, so the Content-Security-Policy needs no 'unsafe-inline'.
	"pct":  func(share float64) float64 { return 100 * share },
	"addf": func(a, b float64) float64 { return a + b },
	"subf": func(a, b float64) float64 { return a - b },
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			k, _ := kv[i].(string)
			m[k] = kv[i+1]
		}
		return m
	},
	"deref": func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	},
}

func parsePages() (*pages, error) {
	p := &pages{byName: map[string]*template.Template{}}
	entries, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, path := range entries {
		name := strings.TrimSuffix(strings.TrimPrefix(path, "templates/"), ".html")
		if strings.HasPrefix(name, "_") {
			continue // layouts and partials
		}
		layout := "templates/_layout.html"
		if strings.HasPrefix(name, "public_") {
			layout = "templates/_public.html"
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, layout, "templates/_partials.html", path)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// page is what every template receives.
type page struct {
	L        *locale.Localizer
	User     *otklik.User
	CSRF     string
	Title    string // a message id
	Nav      string // the active section
	Business string
	Logo     string
	Static   string // the versioned prefix of static files
	Notice   string // a message id shown once at the top
	Loc      *time.Location
	Path     string // the page's own path and query, to come back to
	Data     any
}

// localizer picks the language: the user's, else the language cookie, else
// the browser's.
func (s *Server) localizer(r *http.Request) *locale.Localizer {
	if v := viewerOf(r); v != nil {
		return s.cat.For(v.user.Locale)
	}
	if c, err := r.Cookie("otklik_lang"); err == nil && (c.Value == "ru" || c.Value == "en") {
		return s.cat.For(c.Value)
	}
	return s.cat.For(s.cat.Match(r.Header.Get("Accept-Language")))
}

// render writes a page. It renders into a buffer first so that a template
// error becomes a clean error page, never half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	t, ok := s.pages.byName[name]
	if !ok {
		s.log.Error("web: no template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	p.L = s.localizer(r)
	if v := viewerOf(r); v != nil {
		p.User, p.CSRF = v.user, v.csrf
	}
	p.Business, p.Logo, p.Static, p.Loc = s.cfg.BusinessName, s.cfg.LogoURL, "/static/"+s.staticTag, s.cfg.Location
	if r.Method == http.MethodGet {
		p.Path = r.URL.RequestURI()
	}
	var buf bytes.Buffer
	layout := "layout"
	switch {
	case strings.HasPrefix(name, "public_"):
		layout = "public"
	case strings.HasPrefix(name, "frag_"):
		layout = "fragment" // a piece of a page, for htmx to swap in
	case r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Target") == "main":
		layout = "content"
	}
	if err := t.ExecuteTemplate(&buf, layout, p); err != nil {
		s.log.Error("web: render", "name", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	// Survey pages may show the business's logo from its own site.
	img := "'self' data:"
	if layout == "public" {
		img += " https:"
	}
	h.Set("Content-Security-Policy", "default-src 'self'; img-src "+img+"; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

type errorData struct {
	Message string // a message id
}

// errorPage shows a readable page for err; only coded errors say more than
// "something went wrong".
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusInternalServerError, "error.internal"
	switch otklik.ErrorCode(err) {
	case otklik.ENOTFOUND:
		status, msg = http.StatusNotFound, "error.not_found"
	case otklik.EFORBIDDEN:
		status, msg = http.StatusForbidden, "error.forbidden"
	case otklik.EINVALID, otklik.EMALFORMED:
		status, msg = http.StatusUnprocessableEntity, "error.invalid_form"
	default:
		s.log.Error("web: request failed", "path", r.URL.Path, "err", err)
	}
	s.render(w, r, status, "error", page{Title: msg, Data: errorData{Message: msg}})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, otklik.Errorf(otklik.ENOTFOUND, "no page"))
}

// staticVersion is a short hash of every static file, so their URLs change
// when they do and can be cached for a year.
func staticVersion() string {
	h := sha256.New()
	fs.WalkDir(static.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(static.FS, path)
			h.Write([]byte(path))
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("version") != s.staticTag {
		// An old page asking for old files: serve the current ones, uncached.
		w.Header().Set("Cache-Control", "no-cache")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	}
	http.StripPrefix("/static/"+r.PathValue("version"), http.FileServerFS(static.FS)).ServeHTTP(w, r)
}

// checkPassword compares in constant time; an account without a password
// (or no account) still costs one hash, so timing does not reveal which
// e-mails exist.
func checkPassword(hash, password string) bool {
	if hash == "" {
		auth.CheckPassword(dummyHash, password)
		return false
	}
	return auth.CheckPassword(hash, password)
}

// dummyHash is a valid argon2id hash of nothing anyone can type.
const dummyHash = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHRzYWx0c2FsdA$W2d0KxV6ZrQm1mZz0Gf5y0m5xQbC7tW0d3y9hC5x7pA"
