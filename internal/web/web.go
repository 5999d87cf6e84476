// Package web serves the team's workspace and the public survey pages:
// server-rendered html/template pages that work without JavaScript, htmx
// where it makes a page quicker, and every string from the locale catalogue.
// All routes are listed in routes.go; each handler reads top to bottom:
// parse → authorize → store → render.
package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net/http"
	"time"

	"otklik"
	"otklik/internal/auth"
	"otklik/internal/casework"
	"otklik/internal/dispatch"
	"otklik/internal/intake"
	"otklik/internal/locale"
	"otklik/internal/referrals"
	"otklik/internal/store"
)

// Config is what the web UI needs from the application.
type Config struct {
	DB           *store.DB
	Intake       *intake.Service
	Catalog      *locale.Catalog
	Now          func() time.Time
	Location     *time.Location
	BaseURL      string // absolute links that leave the system
	BusinessName string
	LogoURL      string // shown on the survey page instead of the initial
	Logger       *slog.Logger
	LinkKey      []byte        // signs survey links
	LinkTTL      time.Duration // how long a survey link works
	// CredentialsChanged is called after a token is revoked or a user
	// changed, so caches of credentials elsewhere in the process drop them.
	CredentialsChanged func()
	// Analytics is where the figures of the analytics page come from.
	Analytics Analytics
	// Industry is the NPS benchmark the business compares itself with.
	Industry string
	// Cases is the closed loop's engine (rules, calendar, resolution).
	Cases *casework.Engine
	// Outreach is the invitations' engine (Telegram deep links).
	Outreach *dispatch.Engine
	// Referrals is the promoters' referral programme (nil: its pages say so).
	Referrals *referrals.Engine
}

// Server handles the web UI's requests.
type Server struct {
	cfg       Config
	db        *store.DB
	cat       *locale.Catalog
	log       *slog.Logger
	pages     *pages
	signins   *auth.Limiter // sign-in attempts per client address
	accounts  *auth.Limiter // sign-in attempts per e-mail
	public    *auth.Limiter // public survey requests per client address
	secureCk  bool
	staticTag string
}

// New parses the templates and returns the web server.
func New(cfg Config) (*Server, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.LinkTTL == 0 {
		cfg.LinkTTL = 30 * 24 * time.Hour
	}
	if cfg.CredentialsChanged == nil {
		cfg.CredentialsChanged = func() {}
	}
	if cfg.BusinessName == "" {
		cfg.BusinessName = "Otklik"
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	return &Server{
		cfg: cfg, db: cfg.DB, cat: cfg.Catalog, log: cfg.Logger, pages: p,
		signins:   auth.NewLimiter(10, 10, nil),
		accounts:  auth.NewLimiter(5, 5, nil),
		public:    auth.NewLimiter(120, 60, nil),
		secureCk:  len(cfg.BaseURL) > 8 && cfg.BaseURL[:8] == "https://",
		staticTag: staticVersion(),
	}, nil
}

// Handler returns every route of the web UI.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes(mux)
	return s.recover(mux)
}

func (s *Server) recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("web: panic", "path", r.URL.Path, "panic", v)
				s.errorPage(w, r, otklik.Errorf(otklik.EINTERNAL, "panic"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

type ctxKey int

const sessionKey ctxKey = iota

// viewer is the signed-in user of a request and their session.
type viewer struct {
	user   *otklik.User
	csrf   string
	idHash string
}

func viewerOf(r *http.Request) *viewer {
	v, _ := r.Context().Value(sessionKey).(*viewer)
	return v
}

func withViewer(ctx context.Context, v *viewer) context.Context {
	return context.WithValue(ctx, sessionKey, v)
}
