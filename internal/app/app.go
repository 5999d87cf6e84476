// Package app assembles Otklik from its parts: it opens and migrates the
// database, creates the first administrator, and serves the API, the health
// checks and the Prometheus metrics on one HTTP handler. cmd/otklik and the
// load benchmarks start it the same way.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"otklik"
	"otklik/internal/api"
	"otklik/internal/auth"
	"otklik/internal/intake"
	"otklik/internal/store"
)

// Config is Otklik's configuration, from OTKLIK_* variables and flags.
type Config struct {
	DatabaseURL string `env:"OTKLIK_DATABASE_URL"` // postgres://…; empty means SQLite
	DB          string `env:"OTKLIK_DB" envDefault:"./otklik.db"`
	Addr        string `env:"OTKLIK_ADDR" envDefault:":8080"`
	BaseURL     string `env:"OTKLIK_BASE_URL" envDefault:"http://localhost:8080"`
	TimeZone    string `env:"OTKLIK_TIMEZONE" envDefault:"Europe/Moscow"`
	AdminEmail  string `env:"OTKLIK_ADMIN_EMAIL" envDefault:"admin@otklik.local"`
}

// App is a running Otklik.
type App struct {
	Config   Config
	DB       *store.DB
	Intake   *intake.Service
	Location *time.Location
	Now      func() time.Time
	Log      *slog.Logger
	registry *prometheus.Registry
}

// Open connects to the configured database and migrates it.
func Open(ctx context.Context, cfg Config, now func() time.Time, log *slog.Logger) (*App, error) {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("app: time zone %q: %w", cfg.TimeZone, err)
	}
	db, err := store.Open(ctx, store.Config{URL: cfg.DatabaseURL, Path: cfg.DB, Now: now})
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return &App{Config: cfg, DB: db, Intake: intake.New(db, now, loc), Location: loc, Now: now, Log: log, registry: reg}, nil
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }

// Bootstrap creates the first administrator on an empty database and
// writes its one-time password to out. It does nothing when users exist.
func (a *App) Bootstrap(ctx context.Context, out io.Writer) error {
	n, err := a.DB.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	password := auth.GeneratePassword()
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	u := &otklik.User{Email: a.Config.AdminEmail, Name: "Administrator", Role: otklik.RoleAdmin, PasswordHash: hash}
	if err := a.DB.CreateUser(ctx, u); err != nil {
		if otklik.ErrorCode(err) == otklik.ECONFLICT {
			return nil // another replica created it first
		}
		return err
	}
	fmt.Fprintf(out, "First administrator: %s\nOne-time password:   %s\n(shown once; change it after signing in)\n", u.Email, password)
	return nil
}

// Handler returns every route Otklik serves.
func (a *App) Handler() http.Handler {
	apiServer := api.New(api.Config{DB: a.DB, Intake: a.Intake, Now: a.Now, Location: a.Location, Logger: a.Log, Registry: a.registry})
	mux := http.NewServeMux()
	mux.Handle("/api/", apiServer.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := a.DB.Ping(ctx); err != nil {
			a.Log.Warn("app: database not ready", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "database unreachable\n")
			return
		}
		io.WriteString(w, "ready\n")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "Otklik is running. API: /api/v1/ (OpenAPI document at /api/v1/openapi.yaml)\n")
	})
	return securityHeaders(mux)
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// Serve answers HTTP on ln until ctx ends, then shuts down gracefully.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
