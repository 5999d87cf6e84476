package dispatch

// Outgoing webhooks. An event is emitted inside the transaction of the
// change it reports (a case opened, an invitation sent): one River job per
// subscriber is inserted there, so the event exists exactly when the change
// commits and is lost neither by a crash nor by a full buffer. The job
// delivers with internal/channel/webhook, writes every attempt to the
// delivery log, retries a subscriber that is down on the webhook schedule
// (30 s … 12 h, about 31 h in all, or longer when the subscriber asks with
// Retry-After), and switches off a subscription that answers 410 Gone or
// keeps failing.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	mathrand "math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"otklik"
	"otklik/internal/channel/webhook"
)

// WebhookTimeout bounds one delivery attempt: subscribers are expected to
// answer at once and do their work afterwards.
const WebhookTimeout = 10 * time.Second

// WebhookEventTypes returns the event types a subscription may name
// (besides "*", every type).
func WebhookEventTypes() []string {
	return []string{webhook.EventResponseCreated, webhook.EventInvitationSent, webhook.EventCaseOpened, webhook.EventCaseResolved}
}

// CreateWebhook validates a subscription (an absolute http(s) URL without
// credentials; known event types or "*", at least one) and stores it with a
// fresh signing secret. The returned webhook's Secret is the only time the
// secret is shown; it is not encoded to JSON, so the response that shows it
// adds it explicitly.
func (e *Engine) CreateWebhook(ctx context.Context, rawURL string, events []string) (*otklik.Webhook, error) {
	rawURL = strings.TrimSpace(rawURL)
	var p otklik.Problems
	for _, f := range otklik.ErrorFields(webhook.ValidateURL(rawURL)) {
		p.Add(f.Field, "%s", f.Message)
	}
	events, bad := normalizeEvents(events)
	if len(events) == 0 && len(bad) == 0 {
		p.Add("events", "name at least one event type, or * for all")
	}
	for _, i := range bad {
		p.Add(fmt.Sprintf("events[%d]", i), "must be one of %s or *", strings.Join(WebhookEventTypes(), ", "))
	}
	if err := p.Err("the webhook is not valid"); err != nil {
		return nil, err
	}
	return e.cfg.DB.CreateWebhook(ctx, rawURL, webhook.NewSecret(), events)
}

// normalizeEvents trims and de-duplicates event types, keeping their order,
// and returns the positions of the unknown ones.
func normalizeEvents(in []string) (out []string, bad []int) {
	known := WebhookEventTypes()
	out = []string{}
	for i, ev := range in {
		ev = strings.TrimSpace(ev)
		switch {
		case ev != "*" && !slices.Contains(known, ev):
			bad = append(bad, i)
		case !slices.Contains(out, ev):
			out = append(out, ev)
		}
	}
	return out, bad
}

// DeliverArgs delivers one event to one subscriber. EventID is the same on
// every attempt (and for every subscriber of the event), so a receiver that
// got an event twice can tell.
type DeliverArgs struct {
	WebhookID int64           `json:"webhook_id"`
	EventID   string          `json:"event_id"`
	Type      string          `json:"type"`
	CreatedAt time.Time       `json:"created_at"`
	Data      json.RawMessage `json:"data"`
}

// MarshalJSON stores Data as a JSON string: River keeps job arguments in
// a jsonb column on PostgreSQL, which would reorder the keys of a nested
// object, and subscribers should get the data as it was emitted.
func (a DeliverArgs) MarshalJSON() ([]byte, error) {
	type plain DeliverArgs // no methods: no recursion
	return json.Marshal(struct {
		plain
		Data string `json:"data"` // shadows plain.Data
	}{plain(a), string(a.Data)})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (a *DeliverArgs) UnmarshalJSON(b []byte) error {
	type plain DeliverArgs
	var v struct {
		plain
		Data string `json:"data"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*a = DeliverArgs(v.plain)
	a.Data = json.RawMessage(v.Data)
	return nil
}

// Kind names the job for River.
func (DeliverArgs) Kind() string { return "webhook_deliver" }

// InsertOpts: River gives up after the webhook schedule's last attempt.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: webhook.MaxAttempts}
}

// Emit reports an event to its subscribers from inside tx, the transaction
// of the change it describes: one delivery job per enabled subscription
// that takes eventType, committed or rolled back with tx. data is encoded
// to JSON once, as the envelope's data. Without subscribers it writes
// nothing.
func (e *Engine) Emit(ctx context.Context, tx *sql.Tx, eventType string, data any) error {
	subs, err := e.cfg.DB.SubscribersTx(ctx, tx, eventType)
	if err != nil || len(subs) == 0 {
		return err
	}
	return e.emit(ctx, tx, eventType, subs, data)
}

// EmitCase is Emit for the closed loop (casework.Config.Event): kind is
// case.opened or case.resolved, and the data is the case as the API shows
// it (without its timeline) with a link to its page, read in tx so it is
// the case as it commits.
func (e *Engine) EmitCase(ctx context.Context, tx *sql.Tx, kind string, c *otklik.Case) error {
	subs, err := e.cfg.DB.SubscribersTx(ctx, tx, kind)
	if err != nil || len(subs) == 0 {
		return err
	}
	full, err := e.cfg.DB.CaseTx(ctx, tx, c.ID)
	if err != nil {
		return fmt.Errorf("dispatch: %s: %w", kind, err)
	}
	return e.emit(ctx, tx, kind, subs, casePayload{Case: full, URL: e.cfg.BaseURL + "/cases/" + strconv.FormatInt(full.ID, 10)})
}

// casePayload is a case's webhook data: the case and its page.
type casePayload struct {
	*otklik.Case
	URL string `json:"url"`
}

func (e *Engine) emit(ctx context.Context, tx *sql.Tx, eventType string, subs []*otklik.Webhook, data any) error {
	if e.jobs == nil {
		return errors.New("dispatch: emit: no job queue")
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("dispatch: emit %s: %w", eventType, err)
	}
	id, now := newEventID(), e.now()
	params := make([]river.InsertManyParams, len(subs))
	for i, w := range subs {
		params[i] = river.InsertManyParams{Args: DeliverArgs{WebhookID: w.ID, EventID: id, Type: eventType, CreatedAt: now, Data: raw}}
	}
	if _, err := e.jobs.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("dispatch: emit %s: %w", eventType, err)
	}
	return nil
}

// newEventID returns a random event id: "evt_" and 26 base32 characters
// (128 bits), unguessable and unique without asking the database.
func newEventID() string { return "evt_" + rand.Text() }

// deliverWorker delivers events. River's NextRetry sees the job but not how
// its attempt ended, so Work leaves the wait it computed (which honours the
// subscriber's Retry-After) for NextRetry, by job id, in delays.
type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	e      *Engine
	sender *webhook.Sender

	mu     sync.Mutex
	delays map[int64]time.Duration
}

// webhookWorker returns the worker Register adds.
func (e *Engine) webhookWorker() *deliverWorker {
	return &deliverWorker{e: e, sender: &webhook.Sender{Now: e.cfg.Now, Timeout: WebhookTimeout},
		delays: map[int64]time.Duration{}}
}

// Work makes one delivery attempt and records it. A subscription deleted or
// switched off since the event was emitted gets nothing. 2xx forgets the
// subscription's failures; 410 Gone switches it off; a permanent refusal,
// or a temporary one on the last attempt, gives the event up and counts one
// failure towards switching it off; any other temporary failure returns an
// error so River tries again after NextRetry.
func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	e, a := w.e, job.Args
	hook, err := e.cfg.DB.Webhook(ctx, a.WebhookID)
	if otklik.ErrorCode(err) == otklik.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if !hook.Enabled {
		e.cfg.Log.Debug("webhook: not delivered, the subscription is off", "webhook", hook.ID, "event", a.EventID)
		return nil
	}
	r := w.sender.Deliver(ctx, hook.URL, []byte(hook.Secret), webhook.Envelope{ID: a.EventID, Type: a.Type, CreatedAt: a.CreatedAt, Data: a.Data})
	d := &otklik.WebhookDelivery{WebhookID: hook.ID, EventID: a.EventID, Type: a.Type, Attempt: job.Attempt,
		Status: r.Status, DurationMS: r.Duration.Milliseconds(), Response: r.Body}
	if r.Err != nil {
		d.Error = r.Err.Error()
	}
	// The attempt happened whatever the log says: a failure to write it is
	// reported, not retried (a retry would deliver the event again).
	if err := e.cfg.DB.RecordDelivery(ctx, d); err != nil {
		e.cfg.Log.Warn("webhook: delivery log", "webhook", hook.ID, "event", a.EventID, "err", err)
	}

	switch delay, again := e.webhookRetry(job.Attempt, r); {
	case r.OK():
		if err := e.cfg.DB.NoteSuccess(ctx, hook.ID); err != nil {
			e.cfg.Log.Warn("webhook: note success", "webhook", hook.ID, "err", err)
		}
	case r.Gone():
		w.disable(ctx, hook, "the subscriber answered 410 Gone")
	case ctx.Err() != nil:
		return ctx.Err() // cut short (shutting down): River runs it again
	case again && job.Attempt < job.MaxAttempts:
		w.mu.Lock()
		w.delays[job.ID] = delay
		w.mu.Unlock()
		return r.Err
	default:
		e.cfg.Log.Warn("webhook: event given up", "webhook", hook.ID, "event", a.EventID, "type", a.Type,
			"attempt", job.Attempt, "err", r.Err)
		now := e.now()
		failures, first, err := e.cfg.DB.NoteFailure(ctx, hook.ID, now)
		if err != nil {
			e.cfg.Log.Warn("webhook: note failure", "webhook", hook.ID, "err", err)
		} else if webhook.ShouldDisable(failures, first, now) {
			w.disable(ctx, hook, fmt.Sprintf("%d events failed in a row since %s", failures, first.Format(time.RFC3339)))
		}
	}
	return nil
}

// disable switches a subscription off and says so once.
func (w *deliverWorker) disable(ctx context.Context, hook *otklik.Webhook, why string) {
	off, err := w.e.cfg.DB.DisableWebhook(ctx, hook.ID, w.e.now())
	if err != nil {
		w.e.cfg.Log.Warn("webhook: disable", "webhook", hook.ID, "err", err)
	} else if off {
		// The URL is left out: its query often holds the subscriber's token.
		w.e.cfg.Log.Warn("webhook: subscription switched off", "webhook", hook.ID, "why", why)
	}
}

// NextRetry is the wait Work computed for the attempt that just failed, or
// the plain schedule when the attempt failed before a delivery (the
// database was unreachable).
func (w *deliverWorker) NextRetry(job *river.Job[DeliverArgs]) time.Time {
	w.mu.Lock()
	d, ok := w.delays[job.ID]
	delete(w.delays, job.ID)
	w.mu.Unlock()
	if !ok {
		d = w.e.webhookBackoff(job.Attempt)
	}
	return time.Now().Add(d)
}

// webhookRetry says whether an event whose attempt-th attempt ended with r
// is tried again, and after how long (webhook.NextRetry).
//
// The engine's RetryDelay, when the caller set one (tests set a few
// milliseconds), replaces the webhook schedule: one setting speeds up
// every retry. The subscriber's Retry-After is honoured either way.
func (e *Engine) webhookRetry(attempt int, r webhook.Result) (time.Duration, bool) {
	d, again := webhook.NextRetry(attempt, r, mathrand.Float64())
	if !again {
		return 0, false
	}
	if e.customRetry {
		d = max(e.cfg.RetryDelay(attempt), r.RetryAfter)
	}
	return d, true
}

// webhookBackoff is webhookRetry's wait without a reply to go by.
func (e *Engine) webhookBackoff(attempt int) time.Duration {
	if e.customRetry {
		return e.cfg.RetryDelay(attempt)
	}
	return webhook.Backoff(attempt, mathrand.Float64())
}
