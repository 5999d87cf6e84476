package store_test

import (
	"context"
	"testing"
	"time"

	"otklik"
	"otklik/internal/storetest"
)

func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, clock := open(t, dialect)
		ctx := context.Background()
		u := &otklik.User{Email: "anna@example.com", Role: otklik.RoleManager}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateSession(ctx, "h1", u.ID, "csrf1", t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		db.CreateSession(ctx, "h2", u.ID, "csrf2", t0.Add(time.Hour))
		s, err := db.SessionByHash(ctx, "h1")
		if err != nil || s.User.ID != u.ID || s.CSRF != "csrf1" || !s.ExpiresAt.Equal(t0.Add(time.Hour)) {
			t.Fatalf("session: %+v %v", s, err)
		}
		if _, err := db.SessionByHash(ctx, "nope"); otklik.ErrorCode(err) != otklik.EUNAUTHORIZED {
			t.Fatalf("unknown session: %v", err)
		}
		if err := db.DeleteUserSessions(ctx, u.ID, "h1"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SessionByHash(ctx, "h2"); err == nil {
			t.Fatal("other session survived sign-out everywhere")
		}
		clock.Add(2 * time.Hour)
		if _, err := db.SessionByHash(ctx, "h1"); otklik.ErrorCode(err) != otklik.EUNAUTHORIZED {
			t.Fatalf("expired session: %v", err)
		}
		if n, err := db.DeleteExpiredSessions(ctx); err != nil || n != 1 {
			t.Fatalf("expired sessions removed: %d %v", n, err)
		}
		u.Disabled = true
		db.CreateSession(ctx, "h3", u.ID, "c", clock.Now().Add(time.Hour))
		db.UpdateUser(ctx, u)
		if _, err := db.SessionByHash(ctx, "h3"); err == nil {
			t.Fatal("a disabled user's session works")
		}
	})
}

func TestSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, _ := open(t, dialect)
		ctx := context.Background()
		v, err := db.Setting(ctx, "link_key", func() string { return "first" })
		if err != nil || v != "first" {
			t.Fatalf("setting: %q %v", v, err)
		}
		v, _ = db.Setting(ctx, "link_key", func() string { return "second" })
		if v != "first" {
			t.Fatalf("setting changed to %q", v)
		}
	})
}
