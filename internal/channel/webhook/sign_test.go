package webhook

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

var (
	testSecret = []byte("whsec_test")
	testNow    = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // unix 1772442000
)

// The expected value was computed outside Go:
//
//	printf '%s' '1772442000.{"id":"evt_1"}' | openssl dgst -sha256 -hmac whsec_test
const testSig = "58a127a24fe905b327df81e4529bf4d9ebb3032e3fcedf32d3e5d221f6848b33"

func TestSignKnownVector(t *testing.T) {
	got := Sign(testSecret, testNow, []byte(`{"id":"evt_1"}`))
	if want := "t=1772442000,v1=" + testSig; got != want {
		t.Fatalf("Sign = %q, want %q", got, want)
	}
	two := SignAll([][]byte{testSecret, []byte("whsec_new")}, testNow, []byte(`{"id":"evt_1"}`))
	if !strings.HasPrefix(two, "t=1772442000,v1="+testSig+",v1=") || len(two) != len(got)+4+64 {
		t.Fatalf("SignAll = %q", two)
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"id":"evt_1"}`)
	good := "t=1772442000,v1=" + testSig
	other := strings.Repeat("ab", 32) // a well-formed signature that matches nothing
	tests := []struct {
		name   string
		header string
		body   string
		now    time.Time
		want   error // nil: accepted
	}{
		{"valid", good, string(body), testNow, nil},
		{"spaces around entries", " t=1772442000 , v1=" + testSig + " ", string(body), testNow, nil},
		{"upper-case hex", "t=1772442000,v1=" + strings.ToUpper(testSig), string(body), testNow, nil},
		{"rotation: second v1 matches", "t=1772442000,v1=" + other + ",v1=" + testSig, string(body), testNow, nil},
		{"unknown scheme ignored", "t=1772442000,v0=zz,v1=" + testSig, string(body), testNow, nil},
		{"entries in any order", "v1=" + testSig + ",t=1772442000", string(body), testNow, nil},
		{"4m59s late", good, string(body), testNow.Add(5*time.Minute - time.Second), nil},
		{"exactly at the tolerance", good, string(body), testNow.Add(5 * time.Minute), nil},
		{"tampered body", good, `{"id":"evt_2"}`, testNow, ErrNoMatch},
		{"body with extra space", good, `{"id": "evt_1"}`, testNow, ErrNoMatch},
		{"only a foreign signature", "t=1772442000,v1=" + other, string(body), testNow, ErrNoMatch},
		{"timestamp changed", "t=1772442001,v1=" + testSig, string(body), testNow, ErrNoMatch},
		{"stale", good, string(body), testNow.Add(5*time.Minute + time.Second), ErrStale},
		{"from the future", good, string(body), testNow.Add(-6 * time.Minute), ErrStale},
		{"far future t", "t=999999999999,v1=" + testSig, string(body), testNow, ErrStale},
		{"empty", "", string(body), testNow, ErrMalformedHeader},
		{"garbage", "garbage", string(body), testNow, ErrMalformedHeader},
		{"no t", "v1=" + testSig, string(body), testNow, ErrMalformedHeader},
		{"no v1", "t=1772442000", string(body), testNow, ErrMalformedHeader},
		{"two t", "t=1772442000,t=1772442000,v1=" + testSig, string(body), testNow, ErrMalformedHeader},
		{"signed t", "t=+1772442000,v1=" + testSig, string(body), testNow, ErrMalformedHeader},
		{"negative t", "t=-1,v1=" + testSig, string(body), testNow, ErrMalformedHeader},
		{"t too long", "t=0001772442000,v1=" + testSig, string(body), testNow, ErrMalformedHeader},
		{"short v1", "t=1772442000,v1=" + testSig[:62], string(body), testNow, ErrMalformedHeader},
		{"non-hex v1", "t=1772442000,v1=" + strings.Repeat("zz", 32), string(body), testNow, ErrMalformedHeader},
		{"base64 v1", "t=1772442000,v1=" + base64.StdEncoding.EncodeToString(make([]byte, 32)), string(body), testNow, ErrMalformedHeader},
		{"empty entry", "t=1772442000,,v1=" + testSig, string(body), testNow, ErrMalformedHeader},
		{"too many v1", "t=1772442000" + strings.Repeat(",v1="+other, 9), string(body), testNow, ErrMalformedHeader},
		{"too long", "t=1772442000,v1=" + testSig + ",x=" + strings.Repeat("a", 1024), string(body), testNow, ErrMalformedHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(testSecret, tt.header, []byte(tt.body), tt.now, 0)
			if tt.want == nil && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestVerifyWrongSecretAndTolerance(t *testing.T) {
	body := []byte(`{"id":"evt_1"}`)
	h := Sign(testSecret, testNow, body)
	if err := Verify([]byte("whsec_other"), h, body, testNow, 0); !errors.Is(err, ErrNoMatch) {
		t.Fatalf("another secret: %v", err)
	}
	// A receiver may choose a wider window.
	if err := Verify(testSecret, h, body, testNow.Add(time.Hour), 2*time.Hour); err != nil {
		t.Fatalf("within a 2h tolerance: %v", err)
	}
	if err := Verify(testSecret, h, body, testNow.Add(time.Hour), 30*time.Minute); !errors.Is(err, ErrStale) {
		t.Fatalf("outside a 30m tolerance: %v", err)
	}
}

func TestNewSecret(t *testing.T) {
	a, b := NewSecret(), NewSecret()
	if a == b {
		t.Fatal("two secrets are equal")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(a, SecretPrefix))
	if !strings.HasPrefix(a, "whsec_") || err != nil || len(raw) != 32 {
		t.Fatalf("secret %q: %d bytes, %v", a, len(raw), err)
	}
	if len(a) != len("whsec_")+44 {
		t.Fatalf("secret length %d", len(a))
	}
}

// FuzzVerify feeds arbitrary headers to the parser. It must never panic,
// and whatever it accepts must carry the real signature and a timestamp
// within the tolerance.
func FuzzVerify(f *testing.F) {
	body := []byte(`{"id":"evt_1"}`)
	f.Add("t=1772442000,v1="+testSig, body)
	f.Add("t=1772442000,v1="+strings.Repeat("ab", 32)+",v1="+testSig, body)
	f.Add("v1=,t=", []byte{})
	f.Add("t=1,t=2,v1=zz", body)
	f.Add(",,,,", body)
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		err := Verify(testSecret, header, body, testNow, 0)
		if err == nil {
			ts, sigs, perr := parseHeader(header)
			if perr != nil {
				t.Fatalf("accepted %q that does not parse: %v", header, perr)
			}
			want := Sign(testSecret, time.Unix(mustInt(t, ts), 0), body)
			_, wantSig, _ := strings.Cut(want, ",v1=")
			found := false
			for _, s := range sigs {
				found = found || strings.EqualFold(hexString(s), wantSig)
			}
			if !found {
				t.Fatalf("accepted %q without the real signature", header)
			}
		} else if !errors.Is(err, ErrMalformedHeader) && !errors.Is(err, ErrStale) && !errors.Is(err, ErrNoMatch) {
			t.Fatalf("unexpected error kind: %v", err)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	body := []byte(strings.Repeat(`{"id":"evt_1","type":"response.created"}`, 25)) // ~1 KB
	h := SignAll([][]byte{[]byte("whsec_old"), testSecret}, testNow, body)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := Verify(testSecret, h, body, testNow, 0); err != nil {
			b.Fatal(err)
		}
	}
}
