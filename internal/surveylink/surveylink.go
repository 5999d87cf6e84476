// Package surveylink signs and checks the per-customer links to the public
// survey page: /s/{token}, where the token names a survey and a customer and
// expires. The token is HMAC-SHA256-signed with an installation key, so a
// link cannot be forged or changed to another customer.
package surveylink

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Link is what a token says.
type Link struct {
	Survey   string `json:"s"`
	Customer string `json:"c"`
	// Channel is where the link was sent (email, telegram); the answer is
	// recorded as given on it. Empty means the web page itself.
	Channel string `json:"ch,omitempty"`
	// Invitation is the invitation the link was sent with: every link of
	// one invitation records one answer.
	Invitation int64     `json:"i,omitempty"`
	Expires    time.Time `json:"-"`
	ExpUnix    int64     `json:"e"`
}

// ErrInvalid means a token is forged, damaged or expired.
var ErrInvalid = errors.New("surveylink: invalid or expired link")

// Signer makes and checks tokens with one key.
type Signer struct{ key []byte }

// NewSigner returns a Signer; key should hold at least 32 random bytes.
func NewSigner(key []byte) *Signer { return &Signer{key: key} }

// Sign returns the token for a link.
func (s *Signer) Sign(l Link) string {
	l.ExpUnix = l.Expires.Unix()
	payload, _ := json.Marshal(l)
	p := base64.RawURLEncoding.EncodeToString(payload)
	return p + "." + base64.RawURLEncoding.EncodeToString(s.mac(p))
}

// Verify checks a token's signature and expiry at now.
func (s *Signer) Verify(token string, now time.Time) (Link, error) {
	p, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > 1024 || !urlSafe(token) {
		return Link{}, ErrInvalid
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(p)) {
		return Link{}, ErrInvalid
	}
	payload, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return Link{}, ErrInvalid
	}
	var l Link
	if err := json.Unmarshal(payload, &l); err != nil || l.Survey == "" || l.Customer == "" {
		return Link{}, ErrInvalid
	}
	l.Expires = time.Unix(l.ExpUnix, 0).UTC()
	if !now.Before(l.Expires) {
		return Link{}, ErrInvalid
	}
	return l, nil
}

// AnswerKey is the idempotency key of the answer a link records: one
// answer per invitation when the link was sent with one (its e-mail's
// every score, its reminder, its Telegram buttons), else one per link.
func AnswerKey(l Link, token string) string {
	if l.Invitation > 0 {
		return InvitationKey(l.Invitation)
	}
	return Key(token)
}

// InvitationKey is the idempotency key of an invitation's answer.
func InvitationKey(id int64) string { return "inv:" + strconv.FormatInt(id, 10) }

// Key returns a stable identifier of a token's link, for the answer it
// records: visiting the same link again updates that answer.
func Key(token string) string {
	_, sig, _ := strings.Cut(token, ".")
	return "link:" + sig
}

// SignUnsubscribe returns a token that withdraws a customer's consent to be
// contacted on channel (the List-Unsubscribe link of RFC 8058). It does not
// expire: an old e-mail's unsubscribe link must keep working.
func (s *Signer) SignUnsubscribe(customer, channel string) string {
	p := base64.RawURLEncoding.EncodeToString([]byte(channel + "\x00" + customer))
	return p + "." + base64.RawURLEncoding.EncodeToString(s.unsubscribeMAC(p))
}

// VerifyUnsubscribe checks a token of SignUnsubscribe.
func (s *Signer) VerifyUnsubscribe(token string) (customer, channel string, err error) {
	p, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > 1024 || !urlSafe(token) {
		return "", "", ErrInvalid
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.unsubscribeMAC(p)) {
		return "", "", ErrInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return "", "", ErrInvalid
	}
	channel, customer, ok = strings.Cut(string(raw), "\x00")
	if !ok || customer == "" || channel == "" {
		return "", "", ErrInvalid
	}
	return customer, channel, nil
}

// urlSafe reports whether a token holds only what Sign writes: base64url
// and the dot. The base64 decoder skips \r and \n, so without this check a
// token with a line break inserted would verify yet give another Key — a
// second answer from one link.
func urlSafe(token string) bool {
	for i := 0; i < len(token); i++ {
		c := token[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func (s *Signer) unsubscribeMAC(payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("otklik-unsubscribe-v1:"))
	m.Write([]byte(payload))
	return m.Sum(nil)[:18]
}

func (s *Signer) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("otklik-survey-link-v1:"))
	m.Write([]byte(payload))
	return m.Sum(nil)[:18]
}
