package otklik

import "time"

// Webhook is an outside system's subscription to Otklik's events: each
// event of a type it names is POSTed to URL, signed with its secret, and
// retried while the subscriber is down. A subscription that keeps failing
// is switched off (Enabled false, DisabledAt set); switching it back on
// starts its failure count afresh.
type Webhook struct {
	ID  int64  `json:"id"`
	URL string `json:"url"`
	// Events are the event types delivered ("case.opened", …); "*" is all.
	Events  []string `json:"events"`
	Enabled bool     `json:"enabled"`
	// Failures counts the events given up on in a row since the last
	// successful delivery, the first of which failed at FirstFailureAt.
	Failures       int        `json:"failures"`
	FirstFailureAt *time.Time `json:"first_failure_at"`
	DisabledAt     *time.Time `json:"disabled_at"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	// Secret signs every delivery. It is shown to the admin once, when the
	// webhook is created, and never encoded: a response that must show it
	// adds it explicitly. Lists leave it empty.
	Secret string `json:"-"`
}

// Subscribes reports whether the webhook takes events of eventType.
func (w *Webhook) Subscribes(eventType string) bool {
	for _, e := range w.Events {
		if e == "*" || e == eventType {
			return true
		}
	}
	return false
}

// WebhookDelivery is one attempt to deliver one event to a webhook, as the
// delivery log shows it to the admin who has to find out why a subscriber
// misses events.
type WebhookDelivery struct {
	ID        int64     `json:"id"`
	WebhookID int64     `json:"webhook_id"`
	EventID   string    `json:"event_id"` // the same on every attempt at one event
	Type      string    `json:"type"`
	At        time.Time `json:"at"`
	Attempt   int       `json:"attempt"` // 1 for the first
	// Status is the subscriber's HTTP status; 0 when no reply came.
	Status     int   `json:"status"`
	DurationMS int64 `json:"duration_ms"`
	// Error is empty exactly when the subscriber accepted the event.
	Error string `json:"error"`
	// Response is the start of the subscriber's reply.
	Response string `json:"response"`
}
