package surveylink

import (
	"strings"
	"testing"
	"time"
)

func TestSignAndVerify(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	tok := s.Sign(Link{Survey: "nps", Customer: "crm.1/ä", Expires: now.Add(time.Hour)})
	l, err := s.Verify(tok, now)
	if err != nil || l.Survey != "nps" || l.Customer != "crm.1/ä" || !l.Expires.Equal(now.Add(time.Hour)) {
		t.Fatalf("verify: %+v %v", l, err)
	}
	if _, err := s.Verify(tok, now.Add(time.Hour)); err != ErrInvalid {
		t.Fatalf("expired link accepted: %v", err)
	}
	other := NewSigner([]byte("another key another key another k"))
	if _, err := other.Verify(tok, now); err != ErrInvalid {
		t.Fatal("a link signed with another key accepted")
	}
	// Changing the customer inside the payload breaks the signature.
	forged := s.Sign(Link{Survey: "nps", Customer: "crm-2", Expires: now.Add(time.Hour)})
	p1, _, _ := strings.Cut(forged, ".")
	_, sig, _ := strings.Cut(tok, ".")
	for _, bad := range []string{p1 + "." + sig, "", "abc", tok + "x", "." + sig, strings.Repeat("a", 2000)} {
		if _, err := s.Verify(bad, now); err != ErrInvalid {
			t.Fatalf("token %q accepted", bad)
		}
	}
	if Key(tok) == Key(forged) || !strings.HasPrefix(Key(tok), "link:") {
		t.Fatal("keys of different links collide")
	}
}

func FuzzVerify(f *testing.F) {
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	f.Add(s.Sign(Link{Survey: "nps", Customer: "c1", Expires: now.Add(time.Hour)}))
	f.Add("e30.AAAA")
	f.Fuzz(func(t *testing.T, tok string) {
		l, err := s.Verify(tok, now)
		if err == nil && (l.Survey == "" || l.Customer == "" || !l.Expires.After(now)) {
			t.Fatalf("accepted an empty or expired link: %+v", l)
		}
	})
}

func TestUnsubscribeToken(t *testing.T) {
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	tok := s.SignUnsubscribe("C-1", "email")
	c, ch, err := s.VerifyUnsubscribe(tok)
	if err != nil || c != "C-1" || ch != "email" {
		t.Fatalf("VerifyUnsubscribe = %q, %q, %v", c, ch, err)
	}
	other := NewSigner([]byte("another key, another installation"))
	if _, _, err := other.VerifyUnsubscribe(tok); err == nil {
		t.Error("a token of another key was accepted")
	}
	// A survey link's token is not an unsubscribe token, nor the reverse.
	link := s.Sign(Link{Survey: "nps", Customer: "C-1", Expires: time.Now().Add(time.Hour)})
	if _, _, err := s.VerifyUnsubscribe(link); err == nil {
		t.Error("a survey link was accepted as an unsubscribe token")
	}
	if _, err := s.Verify(tok, time.Now()); err == nil {
		t.Error("an unsubscribe token was accepted as a survey link")
	}
	for _, bad := range []string{"", ".", "x.y", tok + "x", strings.Replace(tok, ".", "", 1)} {
		if _, _, err := s.VerifyUnsubscribe(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestLineBreakInTokenRefused: base64 decoding skips \r and \n, so a token
// with one inserted must be refused rather than verify under another Key.
func TestLineBreakInTokenRefused(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	tok := s.Sign(Link{Survey: "nps", Customer: "C-1", Expires: now.Add(time.Hour)})
	for _, bad := range []string{tok[:5] + "\n" + tok[5:], tok + "\r", tok[:3] + " " + tok[3:]} {
		if _, err := s.Verify(bad, now); err == nil {
			t.Errorf("%q verified", bad)
		}
	}
	if _, err := s.Verify(tok, now); err != nil {
		t.Fatal(err)
	}
}
