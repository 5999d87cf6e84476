package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultTolerance is how far a signature's timestamp may be from the
// receiver's clock when Verify is given no tolerance: Stripe's and the
// Standard Webhooks' five minutes.
const DefaultTolerance = 5 * time.Minute

// Limits of the signature header Verify reads. A sender signs with at most
// two or three secrets at once (during a rotation); the limits only keep a
// hostile header from costing more than a few HMAC comparisons.
const (
	maxHeaderLength  = 1024
	maxSignatures    = 8
	maxTimestampDigs = 12 // well past year 33658
)

// Errors of Verify, to tell a receiver's log why a delivery was refused.
var (
	ErrMalformedHeader = errors.New("webhook: malformed signature header")
	ErrStale           = errors.New("webhook: signature timestamp outside the tolerance")
	ErrNoMatch         = errors.New("webhook: no signature matches")
)

// Sign returns the Otklik-Signature header value for body sent at t:
// "t=<unix>,v1=<hex HMAC-SHA256(secret, "<unix>.<body>")>".
func Sign(secret []byte, t time.Time, body []byte) string {
	return SignAll([][]byte{secret}, t, body)
}

// SignAll signs with several secrets, one v1 entry each: while a secret is
// being rotated the old and the new one both sign, so the subscriber can
// switch at its own pace.
func SignAll(secrets [][]byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	var b strings.Builder
	b.WriteString("t=")
	b.WriteString(ts)
	for _, s := range secrets {
		b.WriteString(",v1=")
		b.WriteString(hex.EncodeToString(mac(s, ts, body)))
	}
	return b.String()
}

// Verify checks an Otklik-Signature header against the body received, as a
// subscriber does: the header must be well formed (one t, at least one v1),
// its timestamp within tolerance of now in either direction (tolerance ≤ 0
// means DefaultTolerance), and one of its v1 values must equal the HMAC of
// "<t>.<body>" under secret, compared in constant time. Entries with other
// keys (a future v2) are ignored.
func Verify(secret []byte, header string, body []byte, now time.Time, tolerance time.Duration) error {
	ts, sigs, err := parseHeader(header)
	if err != nil {
		return err
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	t, _ := strconv.ParseInt(ts, 10, 64) // parseHeader checked the digits
	if age := now.Sub(time.Unix(t, 0)); age > tolerance || age < -tolerance {
		return fmt.Errorf("%w: signed at %d, %v from now", ErrStale, t, age.Round(time.Second))
	}
	want := mac(secret, ts, body)
	match := false
	for _, s := range sigs {
		// Every candidate is compared, matched or not, so timing says
		// nothing about which one matched.
		if hmac.Equal(s, want) {
			match = true
		}
	}
	if !match {
		return ErrNoMatch
	}
	return nil
}

// parseHeader splits "t=123,v1=ab…,v1=cd…" into the timestamp digits and
// the decoded v1 signatures. Spaces around entries are tolerated.
func parseHeader(h string) (ts string, sigs [][]byte, err error) {
	if h == "" {
		return "", nil, fmt.Errorf("%w: empty", ErrMalformedHeader)
	}
	if len(h) > maxHeaderLength {
		return "", nil, fmt.Errorf("%w: longer than %d bytes", ErrMalformedHeader, maxHeaderLength)
	}
	seenT := false
	for item := range strings.SplitSeq(h, ",") {
		key, value, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			return "", nil, fmt.Errorf("%w: entry %q is not key=value", ErrMalformedHeader, item)
		}
		switch key {
		case "t":
			if seenT {
				return "", nil, fmt.Errorf("%w: more than one t", ErrMalformedHeader)
			}
			if !isDigits(value) || len(value) > maxTimestampDigs {
				return "", nil, fmt.Errorf("%w: t is not unix seconds", ErrMalformedHeader)
			}
			ts, seenT = value, true
		case "v1":
			if len(sigs) == maxSignatures {
				return "", nil, fmt.Errorf("%w: more than %d signatures", ErrMalformedHeader, maxSignatures)
			}
			s, err := hex.DecodeString(value)
			if err != nil || len(s) != sha256.Size {
				return "", nil, fmt.Errorf("%w: v1 is not a hex SHA-256 HMAC", ErrMalformedHeader)
			}
			sigs = append(sigs, s)
		}
	}
	if !seenT {
		return "", nil, fmt.Errorf("%w: no t", ErrMalformedHeader)
	}
	if len(sigs) == 0 {
		return "", nil, fmt.Errorf("%w: no v1 signature", ErrMalformedHeader)
	}
	return ts, sigs, nil
}

func mac(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
