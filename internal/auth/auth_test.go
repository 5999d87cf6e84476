package auth

import (
	"strings"
	"testing"
	"time"
)

func TestPasswordHashing(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=1$") {
		t.Fatalf("hash format: %s", h)
	}
	if !CheckPassword(h, "correct horse battery") {
		t.Fatal("right password rejected")
	}
	for _, wrong := range []string{"", "correct horse batter", "Correct horse battery"} {
		if CheckPassword(h, wrong) {
			t.Fatalf("wrong password %q accepted", wrong)
		}
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	for _, bad := range []string{"", "$argon2id$", "$argon2i$v=19$m=65536,t=3,p=1$AAAA$AAAA", "$argon2id$v=19$m=99999999,t=3,p=1$AAAA$AAAA"} {
		if CheckPassword(bad, "x") {
			t.Fatalf("malformed hash %q matched", bad)
		}
	}
	if _, err := HashPassword("short"); err == nil {
		t.Fatal("short password accepted")
	}
}

func TestTokens(t *testing.T) {
	tok, prefix, hash := NewToken()
	if !strings.HasPrefix(tok, "otk_") || !strings.HasPrefix(tok, prefix) || len(tok) < 40 {
		t.Fatalf("token %q prefix %q", tok, prefix)
	}
	if HashToken(tok) != hash || strings.Contains(hash, tok) {
		t.Fatal("hash does not match the token")
	}
	tok2, _, _ := NewToken()
	if tok == tok2 {
		t.Fatal("tokens repeat")
	}
	got, err := BearerToken("Bearer " + tok)
	if err != nil || got != tok {
		t.Fatalf("bearer: %q %v", got, err)
	}
	for _, h := range []string{"", "Basic abc", "Bearer ", tok} {
		if _, err := BearerToken(h); err == nil {
			t.Fatalf("header %q accepted", h)
		}
	}
	if p := GeneratePassword(); len(p) != 20 || strings.ContainsAny(p, "0O1lI") {
		t.Fatalf("generated password %q", p)
	}
}

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewLimiter(6, 3, func() time.Time { return now }) // one every 10 s, bursts of 3
	for i := range 3 {
		if !l.Allow("a") {
			t.Fatalf("event %d refused within the burst", i)
		}
	}
	if l.Allow("a") {
		t.Fatal("fourth event allowed")
	}
	if !l.Allow("b") {
		t.Fatal("another key shares the bucket")
	}
	now = now.Add(10 * time.Second)
	if !l.Allow("a") {
		t.Fatal("bucket did not refill")
	}
	now = now.Add(2 * time.Minute)
	l.Allow("c")
	if len(l.buckets) != 1 {
		t.Fatalf("idle buckets kept: %d", len(l.buckets))
	}
}
