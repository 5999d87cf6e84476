package referral

import (
	"strings"
	"testing"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func TestLinkTokenHandComputed(t *testing.T) {
	// Computed outside Go:
	//   hmac.new(key, b"otklik-referral-link-v1:c42", sha256).digest()[:16],
	//   both parts in unpadded URL-safe base64.
	const want = "YzQy.dhTcv5RuO2rNa4IoaP0H5g"
	if got := LinkToken("c42", testKey); got != want {
		t.Fatalf("LinkToken = %q, want %q", got, want)
	}
	if ref, ok := ParseLinkToken(want, testKey); !ok || ref != "c42" {
		t.Fatalf("ParseLinkToken = %q, %v", ref, ok)
	}
}

func TestLinkTokenRoundTrip(t *testing.T) {
	for _, ref := range []string{"1", "cust_01HZX", "crm:amo/4711", "клиент-7", strings.Repeat("r", MaxRefLength)} {
		tok := LinkToken(ref, testKey)
		if strings.ContainsAny(tok, "+/=?&# ") {
			t.Errorf("token %q is not URL-safe", tok)
		}
		if got, ok := ParseLinkToken(tok, testKey); !ok || got != ref {
			t.Errorf("%q: round trip gave %q, %v", ref, got, ok)
		}
	}
}

func TestParseLinkTokenRefuses(t *testing.T) {
	good := LinkToken("c42", testKey)
	other := LinkToken("c43", testKey)
	refPart, sigPart, _ := strings.Cut(good, ".")
	otherRef, _, _ := strings.Cut(other, ".")
	tests := map[string]string{
		"another key":             LinkToken("c42", []byte("another key another key another k")),
		"ref swapped":             otherRef + "." + sigPart,
		"non-canonical signature": refPart + "." + sigPart[:len(sigPart)-1] + "h", // same bytes, other trailing bits
		"signature cut":           refPart + "." + sigPart[:len(sigPart)-2],
		"no dot":                  refPart + sigPart,
		"empty":                   "",
		"dot only":                ".",
		"empty ref":               LinkToken("", testKey),
		"padding":                 refPart + "." + sigPart + "==",
		"standard base64":         "YzQy.dhTcv5RuO2rNa4IoaP0H5g+",
		"too long ref":            LinkToken(strings.Repeat("r", MaxRefLength+1), testKey),
		"invalid UTF-8 ref":       LinkToken("\xff\xfe", testKey),
		"very long":               strings.Repeat("A", 5000) + "." + sigPart,
		"second dot":              good + ".x",
		"garbage":                 "%%%.%%%",
		"newline inside":          refPart + "." + sigPart[:5] + "\n" + sigPart[5:], // base64 decoding skips it
		"CR inside":               refPart[:2] + "\r" + refPart[2:] + "." + sigPart,
	}
	for name, tok := range tests {
		if ref, ok := ParseLinkToken(tok, testKey); ok {
			t.Errorf("%s: %q accepted as %q", name, tok, ref)
		}
	}
}

// FuzzParseLinkToken: a token is accepted only in the one spelling
// LinkToken gives its reference.
func FuzzParseLinkToken(f *testing.F) {
	f.Add(LinkToken("c42", testKey))
	f.Add("YzQy.dhTcv5RuO2rNa4IoaP0H5h")
	f.Add(".")
	f.Fuzz(func(t *testing.T, tok string) {
		ref, ok := ParseLinkToken(tok, testKey)
		if ok && (ref == "" || LinkToken(ref, testKey) != tok) {
			t.Fatalf("%q accepted as %q", tok, ref)
		}
	})
}
