package referrals

import (
	"errors"
	"testing"

	"otklik"
	"otklik/internal/referral"
)

// FuzzCodeBody feeds Redeem's reader of what a customer brought — typed
// codes, link tokens, whole URLs — anything at all: it must never panic,
// must answer either a canonical body (which NormalizeCode reads back to
// itself) or an EINVALID refusal on field "code", and must read a real
// link back to its code.
func FuzzCodeBody(f *testing.F) {
	e := New(Config{LinkKey: []byte("fuzz key fuzz key fuzz key fuzz!")})
	link := &otklik.ReferralCode{Code: "7NH87-P5U6S"}
	for _, s := range []string{
		"OTK-7NH87-P5U6S", "otk 7nh87 p5u6s", "ОТК-7NH87-P5U6S", "7NH87P5U6S", "", " ", "OTK-0NH87-P5U6S",
		e.LinkToken(link), "https://otklik.example/r/" + e.LinkToken(link) + "?utm=chat", "/r/", "a.b", "/r/%zz",
		"OTK-7NH87-P5U6S.", "\x00\xff", "ОТКОТКОТКОТКОТК-7NH87-P5U6S",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		body, err := e.codeBody(s)
		if err != nil {
			var r *Refusal
			if !errors.As(err, &r) || otklik.ErrorCode(err) != otklik.EINVALID {
				t.Fatalf("codeBody(%q): %v is not an EINVALID refusal", s, err)
			}
			if fs := otklik.ErrorFields(err); len(fs) == 0 || fs[0].Field != "code" {
				t.Fatalf("codeBody(%q): fields %v, want code", s, fs)
			}
			return
		}
		if len(body) != referral.BodyLength+1 || body[5] != '-' {
			t.Fatalf("codeBody(%q) = %q, not a body", s, body)
		}
		if again, err := referral.NormalizeCode(body); err != nil || again != body {
			t.Fatalf("codeBody(%q) = %q, which reads back as %q, %v", s, body, again, err)
		}
	})
}

func TestCodeBodyReadsLinks(t *testing.T) {
	e := New(Config{LinkKey: []byte("key")})
	link := &otklik.ReferralCode{Code: "7NH87-P5U6S"}
	for _, s := range []string{e.LinkToken(link), " https://x.example/r/" + e.LinkToken(link) + "#top ", "OTK-7NH87-P5U6S", "otk7nh87p5u6s"} {
		if body, err := e.codeBody(s); err != nil || body != "7NH87-P5U6S" {
			t.Errorf("codeBody(%q) = %q, %v; want 7NH87-P5U6S", s, body, err)
		}
	}
}
