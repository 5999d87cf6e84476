// Package webhook is the HTTP half of outgoing webhooks: the envelope an
// event travels in, its signature, the subscriber URL rules, one delivery
// attempt (Sender.Deliver) and the retry and auto-disable rules as pure
// functions. Queueing, retrying and recording deliveries is the job
// runner's business (River); this package never sleeps and keeps no state.
//
// A delivery is a POST of the JSON envelope with three headers:
//
//	Otklik-Webhook-Id:        the envelope's id (the same on every retry, so the receiver can de-duplicate)
//	Otklik-Webhook-Timestamp: unix seconds when this attempt was signed
//	Otklik-Signature:         t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
//
// The scheme is Stripe's: a receiver checks the signature over the exact
// bytes it received and refuses a timestamp far from its clock, which stops
// replays. Each retry is signed afresh, so a late retry still carries a
// current timestamp.
package webhook

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"time"

	"otklik"
)

// Event types sent to subscribers.
const (
	EventResponseCreated = "response.created"
	EventInvitationSent  = "invitation.sent"
	EventCaseOpened      = "case.opened"
	EventCaseResolved    = "case.resolved"
)

// Headers of a delivery.
const (
	HeaderID        = "Otklik-Webhook-Id"
	HeaderTimestamp = "Otklik-Webhook-Timestamp"
	HeaderSignature = "Otklik-Signature"
)

// MaxURLLength bounds a subscriber URL; longer ones are refused by
// ValidateURL (and by many proxies on the way anyway).
const MaxURLLength = 2000

// SecretPrefix starts every secret made by NewSecret, so a secret pasted
// into the wrong place is recognisable.
const SecretPrefix = "whsec_"

// Envelope is what a subscriber receives: the event's id (stable across
// retries), its type, when it happened and its type-specific data.
type Envelope struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	CreatedAt time.Time       `json:"created_at"`
	Data      json.RawMessage `json:"data"`
}

// MarshalJSON writes the envelope with created_at in UTC, as every instant
// in the API is. Data must be valid JSON; nil is sent as null.
func (e Envelope) MarshalJSON() ([]byte, error) {
	type plain Envelope // no methods: no recursion
	p := plain(e)
	p.CreatedAt = p.CreatedAt.UTC()
	return json.Marshal(p)
}

// NewSecret returns a fresh signing secret: "whsec_" and 32 random bytes
// in standard base64. The whole string, prefix included, is the HMAC key
// (as with Stripe), so a receiver uses it exactly as shown without decoding
// anything.
func NewSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand since Go 1.24)
	return SecretPrefix + base64.StdEncoding.EncodeToString(b[:])
}

// ValidateURL checks a subscriber URL: absolute http or https, a host, no
// user:password part (credentials belong in the signature, not in a URL that
// ends up in delivery logs) and at most MaxURLLength characters.
//
// Private and loopback addresses are allowed on purpose: Otklik is
// self-hosted and its subscribers are often the business's own CRM or
// n8n on the same network; the URL is set by a workspace admin.
func ValidateURL(raw string) error {
	var p otklik.Problems
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		p.Add("url", "is required")
	case len(raw) > MaxURLLength:
		p.Add("url", "is longer than %d characters", MaxURLLength)
	case err != nil || u.Opaque != "" || (u.Scheme != "http" && u.Scheme != "https"):
		p.Add("url", "must be an absolute http or https URL")
	case u.User != nil:
		p.Add("url", "must not contain a user name or password")
	case u.Hostname() == "":
		p.Add("url", "has no host")
	}
	return p.Err("the webhook URL is not valid")
}
