package otklik

import "time"

// Invitation statuses.
const (
	InvitationPlanned  = "planned"  // waiting for its moment
	InvitationDeferred = "deferred" // its moment was moved (cap, quiet hours, …); see the reason
	InvitationQueued   = "queued"   // decided: a send job carries it
	InvitationSending  = "sending"  // claimed by one sender
	InvitationSent     = "sent"
	InvitationAnswered = "answered" // the customer answered the survey, on any channel
	InvitationSkipped  = "skipped"  // never sent; the reason says why
	InvitationFailed   = "failed"   // the channel refused it for good
)

// InvitationStatuses lists every status.
var InvitationStatuses = []string{InvitationPlanned, InvitationDeferred, InvitationQueued, InvitationSending,
	InvitationSent, InvitationAnswered, InvitationSkipped, InvitationFailed}

// Invitation is one request to one customer to answer one survey, from
// the moment it is planned to its answer, with every decision about it.
type Invitation struct {
	ID           int64             `json:"id"`
	Customer     string            `json:"customer"`
	Survey       string            `json:"survey"`
	Source       string            `json:"source"` // loop, event, lifetime, marketing
	Ref          string            `json:"ref"`
	Label        string            `json:"label"`
	Channels     []Channel         `json:"channels"`
	Channel      Channel           `json:"channel"`
	Status       string            `json:"status"`
	EarliestAt   time.Time         `json:"earliest_at"`
	LatestAt     time.Time         `json:"latest_at"`
	NextAt       *time.Time        `json:"next_at"`
	SentAt       *time.Time        `json:"sent_at"`
	Reminders    int               `json:"reminders"`
	RemindedAt   *time.Time        `json:"reminded_at"`
	AnsweredAt   *time.Time        `json:"answered_at"`
	ResponseID   *int64            `json:"response_id"`
	Reason       string            `json:"reason"`
	ReasonParams map[string]string `json:"reason_params"`
	// Explanation is Reason in words, in the reader's language.
	Explanation string          `json:"explanation,omitempty"`
	CreatedAt   time.Time       `json:"created_at"`
	Log         []InvitationLog `json:"log,omitempty"`

	CustomerID int64     `json:"-"`
	SurveyID   int64     `json:"-"`
	UpdatedAt  time.Time `json:"-"` // when its status last changed
}

// InvitationLog is one decision about an invitation: planned, deferred,
// sent, skipped, reminded, answered, failed — and why.
type InvitationLog struct {
	At           time.Time         `json:"at"`
	Action       string            `json:"action"`
	Channel      Channel           `json:"channel,omitempty"`
	Reason       string            `json:"reason"`
	ReasonParams map[string]string `json:"reason_params,omitempty"`
	Explanation  string            `json:"explanation,omitempty"`
}

// Event is a business event about a customer that may cause invitations.
type Event struct {
	ID         int64             `json:"-"`
	ExternalID string            `json:"id"`
	Type       string            `json:"type"`
	Customer   string            `json:"customer"`
	OccurredAt time.Time         `json:"occurred_at"`
	Attributes map[string]string `json:"attributes"`
	Source     string            `json:"source"`
	ReceivedAt time.Time         `json:"received_at"`

	CustomerID int64 `json:"-"`
}
