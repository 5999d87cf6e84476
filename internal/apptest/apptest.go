// Package apptest starts a whole Otklik for tests: a fresh database of one
// dialect (internal/storetest), the app on it with a settable clock, and a
// real HTTP server on loopback.
package apptest

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"otklik/internal/app"
	"otklik/internal/storetest"
)

// T0 is the instant every test clock starts at: a Monday morning in March.
var T0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// Site is a running Otklik.
type Site struct {
	App   *app.App
	Srv   *httptest.Server
	Clock *storetest.Clock
}

// Start runs Otklik on a fresh database of dialect; edit may change the
// configuration first. Everything is closed when the test ends.
func Start(t testing.TB, dialect string, edit func(*app.Config)) *Site {
	t.Helper()
	clock := storetest.NewClock(T0)
	sc := storetest.Config(t, dialect, clock.Now)
	cfg := app.Config{DatabaseURL: sc.URL, DB: sc.Path, TimeZone: "Europe/Moscow", AdminEmail: "admin@otklik.local",
		BaseURL: "http://otklik.test", Business: "Otklik", LinkTTL: 30 * 24 * time.Hour}
	if edit != nil {
		edit(&cfg)
	}
	a, err := app.Open(context.Background(), cfg, clock.Now, nil)
	if err != nil {
		t.Fatalf("apptest: open app: %v", err)
	}
	h, err := a.Handler()
	if err != nil {
		a.Close()
		t.Fatalf("apptest: handler: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); a.Close() })
	return &Site{App: a, Srv: srv, Clock: clock}
}

// Replica opens another Otklik on the same database and clock, as a
// second `otklik serve` would: for tests of work shared between replicas.
func (s *Site) Replica(t testing.TB) *Site {
	t.Helper()
	a, err := app.Open(context.Background(), s.App.Config, s.Clock.Now, nil)
	if err != nil {
		t.Fatalf("apptest: open replica: %v", err)
	}
	h, err := a.Handler()
	if err != nil {
		a.Close()
		t.Fatalf("apptest: handler: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); a.Close() })
	return &Site{App: a, Srv: srv, Clock: s.Clock}
}

// Background starts the site's background work (the job queue, the
// analytics sync, the closed loop's scan) until the test ends.
func (s *Site) Background(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.App.Start(ctx); err != nil {
		cancel()
		t.Fatalf("apptest: start background work: %v", err)
	}
	// Cleanups run last-in first-out: this stops the work before the
	// site's own cleanup closes the database.
	t.Cleanup(cancel)
}
