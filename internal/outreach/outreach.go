// Package outreach decides when, and whether, to invite a customer to a
// survey: after an event (a deal closed, an order delivered, a support chat
// finished) within the trigger's delay window, at the months of the
// customer's lifetime a schedule names, or when the closed loop asks again.
// Every invitation competes with the others for the customer's patience:
// the frequency caps (survey fatigue), the customer's own agreed contact
// period, quiet hours, business days and public holidays all apply, and a
// more important invitation wins over a less important one.
//
// The package is pure: no I/O and no clock — the caller passes now, the
// customer as a Person, the pending Requests and the customer's history of
// Contacts, and gets a Decision per request. The store keeps triggers,
// schedules, the policy and invitations, and calls Plan to decide. Every
// Decision — send, defer or skip — carries a Reason that Explain renders in
// the reader's language, so a manager always learns why a customer was or
// was not asked («пропущено: клиенту уже писали 02.03.2026 (NPS после
// сделки); лимит для новых клиентов — 1 раз в 30 дней»).
package outreach

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"otklik"
)

// Sources of a Request: why the invitation exists. Policy.Priorities ranks
// them when several requests for one customer compete.
const (
	// SourceLoop: the closed loop re-surveys a customer after a case.
	SourceLoop = "loop"
	// SourceEvent: an event trigger (deal won, order delivered, …).
	SourceEvent = "event"
	// SourceLifetime: a lifetime schedule (months 3, 6, 9, 12).
	SourceLifetime = "lifetime"
	// SourceMarketing: a one-off wave sent by hand.
	SourceMarketing = "marketing"
)

// Sources lists every request source, in the default priority order.
func Sources() []string {
	return []string{SourceLoop, SourceEvent, SourceLifetime, SourceMarketing}
}

var sendChannels = []otklik.Channel{otklik.ChannelEmail, otklik.ChannelTelegram}

// SendChannels lists the channels an invitation can go out on: e-mail and
// Telegram.
func SendChannels() []otklik.Channel { return slices.Clone(sendChannels) }

// Limits on triggers and schedules.
const (
	MaxNameLength = 200
	// MaxDelay bounds every delay and validity: an invitation about
	// something that happened more than a year ago is no longer feedback.
	MaxDelay = Duration(366 * day)
)

var (
	slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	// eventPattern is crm.ValidType's rule, so a trigger can name every
	// event type that can arrive, and only those.
	eventPattern = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,63}$`)
)

// Person is what the planner knows of a customer.
type Person struct {
	ID           int64
	StartedAt    *otklik.Date
	Segment      string
	Services     []string
	Email        string
	TelegramChat string
	Consent      map[otklik.Channel]otklik.Consent
	// ContactPeriodDays is the customer's own agreed periodicity: at most
	// one invitation per this many days. It overrides the policy's caps.
	ContactPeriodDays *int
	// Location is the customer's time zone for quiet hours and business
	// days; nil means the policy's zone. Setting it to the policy's zone
	// (Policy.Zone) when planning many customers saves loading the zone on
	// every Decide.
	Location *time.Location
	Erased   bool
}

// PersonFrom takes from a customer what the planner needs. Location is left
// nil (the policy's zone): a customer has a region, not a time zone.
func PersonFrom(c *otklik.Customer) Person {
	return Person{
		ID:                c.ID,
		StartedAt:         c.StartedAt,
		Segment:           c.Segment,
		Services:          c.Services,
		Email:             c.Email,
		TelegramChat:      c.TelegramChat,
		Consent:           c.Consent,
		ContactPeriodDays: c.ContactPeriod,
		Erased:            c.ErasedAt != nil,
	}
}

// hasService reports whether p has service s (case-insensitively: CRMs
// and spreadsheets disagree on capitals).
func (p Person) hasService(s string) bool {
	return slices.ContainsFunc(p.Services, func(x string) bool { return strings.EqualFold(x, s) })
}

// Contact is an invitation already sent to the customer: the history the
// caps count.
type Contact struct {
	At     time.Time `json:"at"`
	Source string    `json:"source"`
	Survey string    `json:"survey"`
	Label  string    `json:"label"`
	Ref    string    `json:"ref"`
}

// Request is an invitation waiting to be sent.
//
// Ref is unique per customer and names what caused it —
// "event:<event id>:<trigger id>", "lifetime:<schedule id>:<month>",
// "case:<case id>" —, so a request is never sent twice. Earliest is when it
// may go at the soonest (the event's time plus the trigger's minimum
// delay, the lifetime milestone); Latest is the end of its validity: after
// it the invitation is stale and skipped.
type Request struct {
	Source   string           `json:"source"`
	Ref      string           `json:"ref"`
	Survey   string           `json:"survey"`
	Label    string           `json:"label"`
	Channels []otklik.Channel `json:"channels"`
	Earliest time.Time        `json:"earliest"`
	Latest   time.Time        `json:"latest"`
}

// validateChannels checks an ordered list of channels to send on.
func validateChannels(p *otklik.Problems, chs []otklik.Channel) {
	if len(chs) == 0 {
		p.Add("channels", "needs at least one channel (email, telegram)")
	}
	for i, ch := range chs {
		switch {
		case !slices.Contains(sendChannels, ch):
			p.Add(fieldIndex("channels", i), "%q is not a channel invitations go out on (email, telegram)", ch)
		case slices.Index(chs, ch) < i:
			p.Add(fieldIndex("channels", i), "repeats %q", ch)
		}
	}
}

// validateFilter checks a list of segments or services to match.
func validateFilter(p *otklik.Problems, field string, values []string) {
	for i, v := range values {
		switch {
		case strings.TrimSpace(v) == "":
			p.Add(fieldIndex(field, i), "is empty")
		case len(v) > MaxNameLength:
			p.Add(fieldIndex(field, i), "is longer than %d characters", MaxNameLength)
		}
	}
}

// strictUnmarshal decodes JSON refusing unknown fields: a misspelt
// "delay_maks" must be an error, not a trigger without its delay.
func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one JSON value")
	}
	return nil
}

func validateName(p *otklik.Problems, name string) {
	switch {
	case strings.TrimSpace(name) == "":
		p.Add("name", "is required")
	case utf8.RuneCountInString(name) > MaxNameLength:
		p.Add("name", "is longer than %d characters", MaxNameLength)
	}
}

func validateSurvey(p *otklik.Problems, key string) {
	if !slugPattern.MatchString(key) {
		p.Add("survey", "must be a survey key: lowercase letters, digits, - and _, up to 64")
	}
}

func fieldIndex(field string, i int) string {
	return field + "[" + strconv.Itoa(i) + "]"
}

// emptyNil returns nil for an empty slice, so a decoded [] and an absent
// list compare equal.
func emptyNil[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

// orEmpty returns a non-nil slice, so JSON says [] rather than null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
