package otklik

import (
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"
)

// Case kinds: what an answer asks the team to do.
const (
	CaseDetractor = "detractor" // an unhappy answer: call back, fix, tell, re-survey
	CaseThanks    = "thanks"    // a promoter: thank them and ask whom they would recommend
)

// Case statuses, in the order a case moves through them.
const (
	CaseOpen      = "open"
	CaseContacted = "contacted"
	CaseResolved  = "resolved"
	CaseClosed    = "closed"
)

// CaseStatuses lists the statuses in order.
var CaseStatuses = []string{CaseOpen, CaseContacted, CaseResolved, CaseClosed}

// RootCauses are the categories a resolved case is filed under; the UI
// offers them, the API accepts them.
var RootCauses = []string{"service_quality", "speed", "communication", "price", "product", "manager", "process", "other"}

// Case is the work an answer caused: who owns it, by when, and what was done.
type Case struct {
	ID           int64    `json:"id"`
	Kind         string   `json:"kind"`
	ResponseID   int64    `json:"response_id"`
	Customer     string   `json:"customer"`
	CustomerName string   `json:"customer_name"`
	Survey       string   `json:"survey"`
	Score        int      `json:"score"`
	Comment      string   `json:"comment"`
	Channel      Channel  `json:"channel"`
	Rule         string   `json:"rule"`
	Owner        string   `json:"owner"`
	Watchers     []string `json:"watchers"`
	Manager      string   `json:"manager"`
	Team         string   `json:"team"`
	Segment      string   `json:"segment"`
	Status       string   `json:"status"`

	AnsweredAt         time.Time  `json:"answered_at"`
	OpenedAt           time.Time  `json:"opened_at"`
	FirstContactDue    *time.Time `json:"first_contact_due"`
	ResolutionDue      *time.Time `json:"resolution_due"`
	ContactedAt        *time.Time `json:"contacted_at"`
	ResolvedAt         *time.Time `json:"resolved_at"`
	ClosedAt           *time.Time `json:"closed_at"`
	FirstContactBreach *time.Time `json:"first_contact_breached_at"`
	ResolutionBreach   *time.Time `json:"resolution_breached_at"`

	CallbackAt      *time.Time `json:"callback_at"`
	CallbackOutcome string     `json:"callback_outcome"`
	RootCause       string     `json:"root_cause"`
	Decision        string     `json:"decision"`
	Action          string     `json:"action"`
	CustomerTold    bool       `json:"customer_told"`
	ResurveyDays    int        `json:"resurvey_days"`
	ResurveyAt      *time.Time `json:"resurvey_at"`
	// WonBack is "" until the customer answers again, then passive,
	// promoter or none.
	WonBack   string     `json:"won_back"`
	WonBackAt *time.Time `json:"won_back_at"`

	Events []CaseEvent `json:"events,omitempty"`

	CustomerID int64 `json:"-"`
	SurveyID   int64 `json:"-"`
}

// CaseEvent is one entry on a case's timeline.
type CaseEvent struct {
	ID     int64           `json:"id"`
	At     time.Time       `json:"at"`
	Author string          `json:"author"`
	Kind   string          `json:"kind"` // opened, note, contact, resolved, closed, breach, notified, resurvey, won_back
	Body   string          `json:"body"`
	Data   json.RawMessage `json:"data,omitempty"`
}

// Limits on what people type into a case.
const (
	MaxNoteLength     = 5000
	MaxCaseTextLength = 2000
)

// CaseContact is a call-back: when it happened and how it went.
type CaseContact struct {
	At      time.Time `json:"at"`
	Outcome string    `json:"outcome"` // reached, no_answer, callback_requested, refused
	Note    string    `json:"note"`
}

// ContactOutcomes are the outcomes of a call-back.
var ContactOutcomes = []string{"reached", "no_answer", "callback_requested", "refused"}

// Validate checks a call-back; now bounds its time.
func (c *CaseContact) Validate(now time.Time) error {
	var p Problems
	c.Note = strings.TrimSpace(c.Note)
	if c.At.IsZero() {
		c.At = now
	}
	if c.At.After(now.Add(5 * time.Minute)) {
		p.Add("at", "is in the future")
	}
	if !contains(ContactOutcomes, c.Outcome) {
		p.Add("outcome", "must be one of %s", strings.Join(ContactOutcomes, ", "))
	}
	checkLength(&p, "note", c.Note, MaxNoteLength)
	return p.Err("the call-back is not valid")
}

// Resolution is what was found and done, recorded when a case is resolved.
type Resolution struct {
	RootCause    string `json:"root_cause"`
	Decision     string `json:"decision"`
	Action       string `json:"action"`
	CustomerTold bool   `json:"customer_told"`
}

// Validate checks a resolution.
func (r *Resolution) Validate() error {
	var p Problems
	r.Decision = strings.TrimSpace(r.Decision)
	r.Action = strings.TrimSpace(r.Action)
	if !contains(RootCauses, r.RootCause) {
		p.Add("root_cause", "must be one of %s", strings.Join(RootCauses, ", "))
	}
	if r.Decision == "" {
		p.Add("decision", "is required")
	}
	checkLength(&p, "decision", r.Decision, MaxCaseTextLength)
	checkLength(&p, "action", r.Action, MaxCaseTextLength)
	return p.Err("the resolution is not valid")
}

// ValidateNote checks a note's text.
func ValidateNote(text string) (string, error) {
	var p Problems
	text = strings.TrimSpace(text)
	if text == "" {
		p.Add("body", "is required")
	}
	checkLength(&p, "body", text, MaxNoteLength)
	return text, p.Err("the note is not valid")
}

func checkLength(p *Problems, field, s string, limit int) {
	if !utf8.ValidString(s) {
		p.Add(field, "is not valid UTF-8")
	} else if utf8.RuneCountInString(s) > limit {
		p.Add(field, "is longer than %d characters", limit)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
