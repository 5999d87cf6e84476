package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"otklik"
)

// Limits of the delivery log.
const (
	// DefaultDeliveries is how many attempts Deliveries returns when asked
	// for none in particular; MaxDeliveries the most it returns at once.
	DefaultDeliveries = 50
	MaxDeliveries     = 500
	// maxDeliveryError bounds the error text kept per attempt: a transport
	// error is a line, but nothing stops a proxy from writing a page.
	maxDeliveryError = 1000
)

const webhookColumns = `id, url, events, enabled, failures, first_failure_at, disabled_at, created_at, updated_at`

// CreateWebhook stores a subscription, enabled, with its secret as given
// (the caller generates and validates both: see dispatch.CreateWebhook).
// The returned webhook carries the secret, for the one response that shows it.
func (db *DB) CreateWebhook(ctx context.Context, url, secret string, events []string) (*otklik.Webhook, error) {
	if events == nil {
		events = []string{}
	}
	evs, err := json.Marshal(events)
	if err != nil {
		return nil, fmt.Errorf("store: create webhook: %w", err)
	}
	now := db.now()
	w := &otklik.Webhook{URL: url, Secret: secret, Events: events, Enabled: true, CreatedAt: now, UpdatedAt: now}
	w.ID, err = db.insertID(ctx, db.write, `INSERT INTO webhooks (url, secret, events, enabled, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)`, url, secret, string(evs), true, db.ts(now), db.ts(now))
	if err != nil {
		return nil, fmt.Errorf("store: create webhook: %w", err)
	}
	return w, nil
}

func scanWebhook(row interface{ Scan(...any) error }, secret *string) (*otklik.Webhook, error) {
	var w otklik.Webhook
	var events string
	var firstFailure, disabled, created, updated instant
	dest := []any{&w.ID, &w.URL, &events, &w.Enabled, &w.Failures, &firstFailure, &disabled, &created, &updated}
	if secret != nil {
		dest = append(dest, secret)
	}
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(events), &w.Events); err != nil {
		return nil, fmt.Errorf("events of webhook %d: %w", w.ID, err)
	}
	if w.Events == nil {
		w.Events = []string{}
	}
	w.FirstFailureAt, w.DisabledAt = firstFailure.ptr(), disabled.ptr()
	w.CreatedAt, w.UpdatedAt = created.Time, updated.Time
	return &w, nil
}

// webhooksWhere lists the webhooks matching cond, by id, without secrets.
func (db *DB) webhooksWhere(ctx context.Context, q querier, cond string, args ...any) ([]*otklik.Webhook, error) {
	rows, err := db.query(ctx, q, "SELECT "+webhookColumns+" FROM webhooks WHERE "+cond+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*otklik.Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// Webhooks lists every subscription by id. Secrets are left out.
func (db *DB) Webhooks(ctx context.Context) ([]*otklik.Webhook, error) {
	out, err := db.webhooksWhere(ctx, db.read, "1 = 1")
	if err != nil {
		return nil, fmt.Errorf("store: webhooks: %w", err)
	}
	return out, nil
}

// Webhook returns one subscription with its secret, for the worker that
// signs its deliveries; ENOTFOUND when there is none.
func (db *DB) Webhook(ctx context.Context, id int64) (*otklik.Webhook, error) {
	var secret string
	w, err := scanWebhook(db.queryRow(ctx, db.read, "SELECT "+webhookColumns+", secret FROM webhooks WHERE id = ?", id), &secret)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, otklik.Errorf(otklik.ENOTFOUND, "no webhook %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: webhook %d: %w", id, err)
	}
	w.Secret = secret
	return w, nil
}

// DeleteWebhook removes a subscription and its delivery log. Events still
// queued for it deliver nothing.
func (db *DB) DeleteWebhook(ctx context.Context, id int64) error {
	res, err := db.exec(ctx, db.write, "DELETE FROM webhooks WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("store: delete webhook %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return otklik.Errorf(otklik.ENOTFOUND, "no webhook %d", id)
	}
	return nil
}

// SetWebhookEnabled switches a subscription on or off by hand and returns
// it (without its secret). Switching it on forgets its failures, so a
// subscriber fixed after an automatic switch-off gets a full allowance again.
func (db *DB) SetWebhookEnabled(ctx context.Context, id int64, enabled bool) (*otklik.Webhook, error) {
	now := db.ts(db.now())
	q := "UPDATE webhooks SET enabled = ?, failures = 0, first_failure_at = NULL, disabled_at = NULL, updated_at = ? WHERE id = ?"
	args := []any{true, now, id}
	if !enabled {
		// disabled_at keeps the first switch-off: turning off what is off
		// changes nothing.
		q = "UPDATE webhooks SET enabled = ?, disabled_at = COALESCE(disabled_at, ?), updated_at = ? WHERE id = ?"
		args = []any{false, now, now, id}
	}
	var w *otklik.Webhook
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, q, args...); err != nil {
			return err
		}
		out, err := db.webhooksWhere(ctx, tx, "id = ?", id)
		if err != nil {
			return err
		}
		if len(out) == 0 {
			return otklik.Errorf(otklik.ENOTFOUND, "no webhook %d", id)
		}
		w = out[0]
		return nil
	})
	if err != nil {
		if otklik.ErrorCode(err) == otklik.ENOTFOUND {
			return nil, err
		}
		return nil, fmt.Errorf("store: enable webhook %d: %w", id, err)
	}
	return w, nil
}

// SubscribersTx returns the enabled subscriptions that take events of
// eventType (by name or "*"), read in the caller's transaction so the
// deliveries are enqueued there too. Secrets are left out.
func (db *DB) SubscribersTx(ctx context.Context, tx *sql.Tx, eventType string) ([]*otklik.Webhook, error) {
	// An installation has a handful of subscriptions: the event lists are
	// matched here rather than in SQL, which would differ per dialect.
	all, err := db.webhooksWhere(ctx, tx, "enabled = ?", true)
	if err != nil {
		return nil, fmt.Errorf("store: subscribers of %s: %w", eventType, err)
	}
	out := all[:0]
	for _, w := range all {
		if w.Subscribes(eventType) {
			out = append(out, w)
		}
	}
	return out, nil
}

// RecordDelivery adds one attempt to the delivery log; d.At is set to now
// when zero and d.ID is filled in. An over-long error text is cut.
func (db *DB) RecordDelivery(ctx context.Context, d *otklik.WebhookDelivery) error {
	if d.At.IsZero() {
		d.At = db.now()
	}
	d.Error = cutText(d.Error, maxDeliveryError)
	id, err := db.insertID(ctx, db.write, `INSERT INTO webhook_deliveries (webhook_id, event_id, type, at, attempt, status,
		duration_ms, error, response) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.WebhookID, d.EventID, d.Type, db.ts(d.At), d.Attempt, d.Status, d.DurationMS, d.Error, d.Response)
	if err != nil {
		return fmt.Errorf("store: record delivery of %s to webhook %d: %w", d.EventID, d.WebhookID, err)
	}
	d.ID = id
	return nil
}

// cutText returns at most n bytes of s, not splitting a character.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 { // s[n] continues a character
		n--
	}
	return s[:n]
}

// Deliveries returns a webhook's latest delivery attempts, newest first:
// limit of them (DefaultDeliveries when ≤ 0, at most MaxDeliveries).
func (db *DB) Deliveries(ctx context.Context, webhookID int64, limit int) ([]otklik.WebhookDelivery, error) {
	if limit <= 0 {
		limit = DefaultDeliveries
	}
	limit = min(limit, MaxDeliveries)
	rows, err := db.query(ctx, db.read, `SELECT id, webhook_id, event_id, type, at, attempt, status, duration_ms, error, response
		FROM webhook_deliveries WHERE webhook_id = ? ORDER BY id DESC LIMIT ?`, webhookID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: deliveries of webhook %d: %w", webhookID, err)
	}
	defer rows.Close()
	out := []otklik.WebhookDelivery{}
	for rows.Next() {
		var d otklik.WebhookDelivery
		var at instant
		if err := rows.Scan(&d.ID, &d.WebhookID, &d.EventID, &d.Type, &at, &d.Attempt, &d.Status, &d.DurationMS,
			&d.Error, &d.Response); err != nil {
			return nil, fmt.Errorf("store: deliveries of webhook %d: %w", webhookID, err)
		}
		d.At = at.Time
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: deliveries of webhook %d: %w", webhookID, err)
	}
	return out, nil
}

// NoteFailure counts an event given up on (not a single failed attempt):
// the failures in a row go up by one, and the first of them is remembered
// as failing at now. It returns the new count and the first failure's
// time, which is what webhook.ShouldDisable decides on.
func (db *DB) NoteFailure(ctx context.Context, webhookID int64, now time.Time) (failures int, first time.Time, err error) {
	var at instant
	err = db.queryRow(ctx, db.write, `UPDATE webhooks SET failures = failures + 1, first_failure_at = COALESCE(first_failure_at, ?),
		updated_at = ? WHERE id = ? RETURNING failures, first_failure_at`,
		db.ts(now), db.ts(db.now()), webhookID).Scan(&failures, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, otklik.Errorf(otklik.ENOTFOUND, "no webhook %d", webhookID)
	}
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("store: webhook %d failure: %w", webhookID, err)
	}
	return failures, at.Time, nil
}

// NoteSuccess forgets a webhook's failures after a successful delivery. A
// webhook without failures is not written, so the usual success costs the
// single writer nothing.
func (db *DB) NoteSuccess(ctx context.Context, webhookID int64) error {
	_, err := db.exec(ctx, db.write, `UPDATE webhooks SET failures = 0, first_failure_at = NULL, updated_at = ?
		WHERE id = ? AND (failures > 0 OR first_failure_at IS NOT NULL)`, db.ts(db.now()), webhookID)
	if err != nil {
		return fmt.Errorf("store: webhook %d success: %w", webhookID, err)
	}
	return nil
}

// DisableWebhook switches a subscription off automatically (a 410 Gone, or
// too many failures), keeping its failure count for the admin to see. It
// reports whether this call switched it off, so only one caller tells.
func (db *DB) DisableWebhook(ctx context.Context, webhookID int64, now time.Time) (bool, error) {
	res, err := db.exec(ctx, db.write, "UPDATE webhooks SET enabled = ?, disabled_at = ?, updated_at = ? WHERE id = ? AND enabled = ?",
		false, db.ts(now), db.ts(db.now()), webhookID, true)
	if err != nil {
		return false, fmt.Errorf("store: disable webhook %d: %w", webhookID, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// CaseTx reads a case, whatever the scope, in the caller's transaction:
// the webhook of a case opened or resolved there describes it as it
// commits. The timeline is left out.
func (db *DB) CaseTx(ctx context.Context, tx *sql.Tx, id int64) (*otklik.Case, error) {
	return db.caseOn(ctx, tx, otklik.Scope{Reach: otklik.ReachAll}, id)
}

// MarkOnce records key in tx and reports whether this call was the first
// to do so: what one replica announced or mailed, another does not do
// again.
func (db *DB) MarkOnce(ctx context.Context, tx *sql.Tx, key string) (bool, error) {
	res, err := db.exec(ctx, tx, "INSERT INTO once_marks (key, at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", key, db.ts(db.now()))
	if err != nil {
		return false, fmt.Errorf("store: mark %s: %w", key, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// HasSubscribers reports whether an enabled webhook takes eventType, so a
// scan does no work for events nobody listens to.
func (db *DB) HasSubscribers(ctx context.Context, eventType string) (bool, error) {
	ws, err := db.webhooksWhere(ctx, db.read, "enabled = ?", true)
	if err != nil {
		return false, fmt.Errorf("store: subscribers of %s: %w", eventType, err)
	}
	for _, w := range ws {
		if w.Subscribes(eventType) {
			return true, nil
		}
	}
	return false, nil
}

// Forget deletes what is kept only for a while: webhook delivery attempts
// before deliveriesBefore and once-marks before marksBefore (their work is
// long done: an answer's announcement, a reminder — an action still open a
// week later is reminded again). It returns the rows deleted.
func (db *DB) Forget(ctx context.Context, deliveriesBefore, marksBefore time.Time) (int64, error) {
	var n int64
	for _, q := range []struct {
		sql    string
		before time.Time
	}{
		{"DELETE FROM webhook_deliveries WHERE at < ?", deliveriesBefore},
		{"DELETE FROM once_marks WHERE at < ?", marksBefore},
	} {
		res, err := db.exec(ctx, db.write, q.sql, db.ts(q.before))
		if err != nil {
			return n, fmt.Errorf("store: forget old rows: %w", err)
		}
		k, _ := res.RowsAffected()
		n += k
	}
	return n, nil
}
