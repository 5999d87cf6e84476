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
	"strings"
	"time"
)

// Link is what a token says.
type Link struct {
	Survey   string    `json:"s"`
	Customer string    `json:"c"`
	Expires  time.Time `json:"-"`
	ExpUnix  int64     `json:"e"`
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
	if !ok || len(token) > 1024 {
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

// Key returns a stable identifier of a token's link, for the answer it
// records: visiting the same link again updates that answer.
func Key(token string) string {
	_, sig, _ := strings.Cut(token, ".")
	return "link:" + sig
}

func (s *Signer) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("otklik-survey-link-v1:"))
	m.Write([]byte(payload))
	return m.Sum(nil)[:18]
}
