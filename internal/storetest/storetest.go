// Package storetest gives tests a fresh, migrated database of each dialect:
// SQLite always, and PostgreSQL when OTKLIK_TEST_DATABASE_URL is set. With
// CI=true a missing PostgreSQL URL fails the test instead of skipping it.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"otklik/internal/store"
)

// EnvURL names the variable holding the PostgreSQL server for tests.
const EnvURL = "OTKLIK_TEST_DATABASE_URL"

// Dialects returns the dialects to test: "sqlite", and "postgres" when a
// server is configured.
func Dialects(t testing.TB) []string {
	t.Helper()
	if os.Getenv(EnvURL) != "" {
		return []string{"sqlite", "postgres"}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set: CI must run the store tests on PostgreSQL too", EnvURL)
	}
	return []string{"sqlite"}
}

// Each runs fn as a subtest per dialect.
func Each(t *testing.T, fn func(t *testing.T, dialect string)) {
	t.Helper()
	for _, d := range Dialects(t) {
		t.Run(d, func(t *testing.T) { fn(t, d) })
	}
}

// Config returns a store configuration for an empty database of dialect:
// a temporary SQLite file, or a new PostgreSQL schema dropped after the test.
func Config(t testing.TB, dialect string, now func() time.Time) store.Config {
	t.Helper()
	if dialect == "sqlite" {
		return store.Config{Path: filepath.Join(t.TempDir(), "otklik.db"), Now: now}
	}
	base := os.Getenv(EnvURL)
	if base == "" {
		t.Fatalf("%s is not set", EnvURL)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("storetest: create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: %s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return store.Config{URL: u.String(), Now: now}
}

// Open returns a migrated, empty database of dialect, closed after the test.
func Open(t testing.TB, dialect string, now func() time.Time) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), Config(t, dialect, now))
	if err != nil {
		t.Fatalf("storetest: open %s: %v", dialect, err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("storetest: migrate %s: %v", dialect, err)
	}
	return db
}

// Clock is a settable clock for tests, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock on.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
