package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"otklik"
)

// AddEvent stores a business event unless one with its external id exists
// (then created is false and nothing is written: a retried webhook). plan
// runs in the same transaction with the new event, to insert the
// invitations it causes.
func (db *DB) AddEvent(ctx context.Context, ev *otklik.Event, plan func(tx *sql.Tx) error) (created bool, err error) {
	attrs, _ := json.Marshal(ev.Attributes)
	if ev.Attributes == nil {
		attrs = []byte("{}")
	}
	ev.ReceivedAt = db.now()
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		err := db.queryRow(ctx, tx, `INSERT INTO events (external_id, type, customer_id, occurred_at, attributes, source, received_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (external_id) DO NOTHING RETURNING id`,
			ev.ExternalID, ev.Type, ev.CustomerID, db.ts(ev.OccurredAt), string(attrs), ev.Source, db.ts(ev.ReceivedAt)).Scan(&ev.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		created = true
		if plan != nil {
			return plan(tx)
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: add event %s: %w", ev.ExternalID, err)
	}
	return created, nil
}

// Definition is a stored trigger or schedule: its JSON and the columns
// queries select on.
type Definition struct {
	ID        int64
	EventType string // triggers only
	Enabled   bool
	JSON      []byte
}

func defTable(kind string) (string, error) {
	switch kind {
	case "trigger":
		return "outreach_triggers", nil
	case "schedule":
		return "outreach_schedules", nil
	}
	return "", fmt.Errorf("store: no definitions of kind %q", kind)
}

// Definitions lists the triggers or schedules (kind "trigger" or
// "schedule") by id.
func (db *DB) Definitions(ctx context.Context, kind string) ([]Definition, error) {
	table, err := defTable(kind)
	if err != nil {
		return nil, err
	}
	cols := "id, '', enabled, definition"
	if kind == "trigger" {
		cols = "id, event_type, enabled, definition"
	}
	rows, err := db.query(ctx, db.read, "SELECT "+cols+" FROM "+table+" ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("store: %s definitions: %w", kind, err)
	}
	defer rows.Close()
	var out []Definition
	for rows.Next() {
		var d Definition
		var js string
		if err := rows.Scan(&d.ID, &d.EventType, &d.Enabled, &js); err != nil {
			return nil, fmt.Errorf("store: %s definitions: %w", kind, err)
		}
		d.JSON = []byte(js)
		out = append(out, d)
	}
	return out, rows.Err()
}

// SaveDefinition creates (ID 0) or replaces a trigger or schedule. encode
// gets the id (new or given) and returns the JSON to store, so the stored
// definition carries its own id.
func (db *DB) SaveDefinition(ctx context.Context, kind string, d Definition, encode func(id int64) ([]byte, error)) (int64, error) {
	table, err := defTable(kind)
	if err != nil {
		return 0, err
	}
	now := db.ts(db.now())
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if d.ID == 0 {
			if kind == "trigger" {
				d.ID, err = db.insertID(ctx, tx, "INSERT INTO "+table+" (event_type, enabled, definition, created_at, updated_at) VALUES (?, ?, '{}', ?, ?)",
					d.EventType, d.Enabled, now, now)
			} else {
				d.ID, err = db.insertID(ctx, tx, "INSERT INTO "+table+" (enabled, definition, created_at, updated_at) VALUES (?, '{}', ?, ?)",
					d.Enabled, now, now)
			}
			if err != nil {
				return err
			}
		}
		js, err := encode(d.ID)
		if err != nil {
			return err
		}
		set, args := "enabled = ?, definition = ?, updated_at = ?", []any{d.Enabled, string(js), now}
		if kind == "trigger" {
			set, args = "event_type = ?, "+set, append([]any{d.EventType}, args...)
		}
		res, err := db.exec(ctx, tx, "UPDATE "+table+" SET "+set+" WHERE id = ?", append(args, d.ID)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return otklik.Errorf(otklik.ENOTFOUND, "no %s %d", kind, d.ID)
		}
		return nil
	})
	if err != nil {
		if otklik.ErrorCode(err) != "" {
			return 0, err
		}
		return 0, fmt.Errorf("store: save %s: %w", kind, err)
	}
	return d.ID, nil
}

// DeleteDefinition removes a trigger or schedule; invitations it planned stay.
func (db *DB) DeleteDefinition(ctx context.Context, kind string, id int64) error {
	table, err := defTable(kind)
	if err != nil {
		return err
	}
	res, err := db.exec(ctx, db.write, "DELETE FROM "+table+" WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("store: delete %s %d: %w", kind, id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return otklik.Errorf(otklik.ENOTFOUND, "no %s %d", kind, id)
	}
	return nil
}

// PlanInvitation inserts a planned invitation in tx unless the customer
// already has one with the same ref; created says which.
func (db *DB) PlanInvitation(ctx context.Context, tx *sql.Tx, inv *otklik.Invitation) (created bool, err error) {
	chs, _ := json.Marshal(inv.Channels)
	now := db.now()
	inv.Status, inv.CreatedAt = otklik.InvitationPlanned, now
	next := inv.EarliestAt
	inv.NextAt = &next
	err = db.queryRow(ctx, tx, `INSERT INTO invitations (customer_id, survey_id, source, ref, label, channels, status,
		earliest_at, latest_at, next_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (customer_id, ref) DO NOTHING RETURNING id`,
		inv.CustomerID, inv.SurveyID, inv.Source, inv.Ref, inv.Label, string(chs), inv.Status, db.ts(inv.EarliestAt),
		db.ts(inv.LatestAt), db.ts(next), db.ts(now), db.ts(now)).Scan(&inv.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: plan invitation %s: %w", inv.Ref, err)
	}
	return true, db.logInvitation(ctx, tx, inv.ID, now, "planned", "", "", nil)
}

func (db *DB) logInvitation(ctx context.Context, q querier, id int64, at time.Time, action string, ch otklik.Channel, reason string, params map[string]string) error {
	p := "{}"
	if len(params) > 0 {
		b, _ := json.Marshal(params)
		p = string(b)
	}
	_, err := db.exec(ctx, q, "INSERT INTO invitation_log (invitation_id, at, action, channel, reason, reason_params) VALUES (?, ?, ?, ?, ?, ?)",
		id, db.ts(at), action, string(ch), reason, p)
	return err
}

const invitationColumns = `i.id, c.external_id, s.key, i.source, i.ref, i.label, i.channels, i.channel, i.status, i.earliest_at,
	i.latest_at, i.next_at, i.sent_at, i.reminders, i.reminded_at, i.answered_at, i.response_id, i.reason, i.reason_params,
	i.created_at, i.customer_id, i.survey_id, i.updated_at`

const invitationFrom = ` FROM invitations i JOIN customers c ON c.id = i.customer_id JOIN surveys s ON s.id = i.survey_id`

func scanInvitation(row interface{ Scan(...any) error }) (*otklik.Invitation, error) {
	var inv otklik.Invitation
	var chs, params string
	var earliest, latest, next, sent, reminded, answered, created, updated instant
	var resp sql.NullInt64
	if err := row.Scan(&inv.ID, &inv.Customer, &inv.Survey, &inv.Source, &inv.Ref, &inv.Label, &chs, &inv.Channel,
		&inv.Status, &earliest, &latest, &next, &sent, &inv.Reminders, &reminded, &answered, &resp, &inv.Reason,
		&params, &created, &inv.CustomerID, &inv.SurveyID, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(chs), &inv.Channels); err != nil {
		return nil, fmt.Errorf("channels of invitation %d: %w", inv.ID, err)
	}
	if params != "{}" && params != "" {
		if err := json.Unmarshal([]byte(params), &inv.ReasonParams); err != nil {
			return nil, fmt.Errorf("reason of invitation %d: %w", inv.ID, err)
		}
	}
	inv.EarliestAt, inv.LatestAt, inv.CreatedAt, inv.UpdatedAt = earliest.Time, latest.Time, created.Time, updated.Time
	inv.NextAt, inv.SentAt, inv.RemindedAt, inv.AnsweredAt = next.ptr(), sent.ptr(), reminded.ptr(), answered.ptr()
	if resp.Valid {
		inv.ResponseID = &resp.Int64
	}
	return &inv, nil
}

func (db *DB) invitationsWhere(ctx context.Context, q querier, cond string, args ...any) ([]*otklik.Invitation, error) {
	rows, err := db.query(ctx, q, "SELECT "+invitationColumns+invitationFrom+" WHERE "+cond, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*otklik.Invitation
	for rows.Next() {
		inv, err := scanInvitation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, inv)
	}
	return out, rows.Err()
}

// DueCustomers returns the customers with an invitation waiting whose
// moment has come (next_at ≤ now), the most overdue first. The query uses
// the partial index on next_at: it reads only the waiting invitations that
// are due.
func (db *DB) DueCustomers(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	rows, err := db.query(ctx, db.read, `SELECT customer_id, MIN(next_at) FROM invitations WHERE next_at IS NOT NULL AND next_at <= ?
		GROUP BY customer_id ORDER BY MIN(next_at), customer_id LIMIT ?`, db.ts(now), limit)
	if err != nil {
		return nil, fmt.Errorf("store: due customers: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		var at instant
		if err := rows.Scan(&id, &at); err != nil {
			return nil, fmt.Errorf("store: due customers: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// OutreachState is what the planner needs of one customer: the customer,
// the invitations waiting (planned or deferred), and the history of
// invitations sent or on their way since `since`.
type OutreachState struct {
	Customer *otklik.Customer
	Waiting  []*otklik.Invitation
	History  []*otklik.Invitation
}

// OutreachStateOf reads a customer's outreach state in tx, so the
// decisions written from it are made on what the transaction sees.
func (db *DB) OutreachStateOf(ctx context.Context, tx *sql.Tx, customerID int64, since time.Time) (*OutreachState, error) {
	if db.postgres {
		// Two planners of one customer (two events at once) take turns:
		// each decides on what the other committed, so caps hold.
		if _, err := db.exec(ctx, tx, "SELECT id FROM customers WHERE id = ? FOR UPDATE", customerID); err != nil {
			return nil, err
		}
	}
	c, err := db.customerBy(ctx, tx, "id = ?", customerID)
	if err != nil {
		return nil, err // ENOTFOUND: erased
	}
	st := &OutreachState{Customer: c}
	if st.Waiting, err = db.invitationsWhere(ctx, tx, "i.customer_id = ? AND i.next_at IS NOT NULL ORDER BY i.id", customerID); err != nil {
		return nil, fmt.Errorf("store: waiting invitations: %w", err)
	}
	if st.History, err = db.invitationsWhere(ctx, tx, `i.customer_id = ? AND (i.sent_at >= ? OR i.status IN (?, ?))
		ORDER BY i.id`, customerID, db.ts(since), otklik.InvitationQueued, otklik.InvitationSending); err != nil {
		return nil, fmt.Errorf("store: invitation history: %w", err)
	}
	return st, nil
}

// Decide records a planner's decision about a waiting invitation in tx:
// action send (queued for a sender, on channel), defer (wait until at) or
// skip. The log gains an entry unless the invitation was already deferred
// for the same reason (the planner looks again at every deferral's end).
// applied is false when another planner decided it first.
func (db *DB) Decide(ctx context.Context, tx *sql.Tx, inv *otklik.Invitation, action string, at time.Time, ch otklik.Channel,
	reason string, params map[string]string) (applied bool, err error) {
	now := db.now()
	p := "{}"
	if len(params) > 0 {
		b, _ := json.Marshal(params)
		p = string(b)
	}
	var status string
	var next any
	switch action {
	case "send":
		status = otklik.InvitationQueued
	case "defer":
		status, next = otklik.InvitationDeferred, db.ts(at)
	case "skip":
		status = otklik.InvitationSkipped
	default:
		return false, fmt.Errorf("store: decide: unknown action %q", action)
	}
	res, err := db.exec(ctx, tx, `UPDATE invitations SET status = ?, next_at = ?, channel = ?, reason = ?, reason_params = ?, updated_at = ?
		WHERE id = ? AND next_at IS NOT NULL`, status, next, string(ch), reason, p, db.ts(now), inv.ID)
	if err != nil {
		return false, fmt.Errorf("store: decide invitation %d: %w", inv.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil // decided by someone else meanwhile
	}
	if action == "defer" && inv.Status == otklik.InvitationDeferred && inv.Reason == reason {
		return true, nil
	}
	logAction := map[string]string{"send": "queued", "defer": "deferred", "skip": "skipped"}[action]
	return true, db.logInvitation(ctx, tx, inv.ID, now, logAction, ch, reason, params)
}

// SkipWaiting skips every waiting invitation of a customer for reason
// (the customer's data was erased).
func (db *DB) SkipWaiting(ctx context.Context, customerID int64, reason string) error {
	now := db.now()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		waiting, err := db.invitationsWhere(ctx, tx, "i.customer_id = ? AND i.next_at IS NOT NULL", customerID)
		if err != nil {
			return err
		}
		for _, inv := range waiting {
			if _, err := db.exec(ctx, tx, "UPDATE invitations SET status = ?, next_at = NULL, reason = ?, updated_at = ? WHERE id = ?",
				otklik.InvitationSkipped, reason, db.ts(now), inv.ID); err != nil {
				return err
			}
			if err := db.logInvitation(ctx, tx, inv.ID, now, "skipped", "", reason, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: skip waiting invitations: %w", err)
	}
	return nil
}

// ClaimInvitation moves an invitation from one status to another and
// reports whether this caller did it: of several senders only one claims.
func (db *DB) ClaimInvitation(ctx context.Context, id int64, from, to string) (bool, error) {
	res, err := db.exec(ctx, db.write, "UPDATE invitations SET status = ?, updated_at = ? WHERE id = ? AND status = ?",
		to, db.ts(db.now()), id, from)
	if err != nil {
		return false, fmt.Errorf("store: claim invitation %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Invitation returns one invitation, whatever the scope (background work).
func (db *DB) Invitation(ctx context.Context, id int64) (*otklik.Invitation, error) {
	out, err := db.invitationsWhere(ctx, db.read, "i.id = ?", id)
	if err != nil {
		return nil, fmt.Errorf("store: invitation %d: %w", id, err)
	}
	if len(out) == 0 {
		return nil, otklik.Errorf(otklik.ENOTFOUND, "no invitation %d", id)
	}
	return out[0], nil
}

// InvitationSent records a successful send (or reminder) on ch; then runs
// in the same transaction (to announce it to webhooks).
func (db *DB) InvitationSent(ctx context.Context, id int64, ch otklik.Channel, reminder bool, then func(tx *sql.Tx) error) error {
	now := db.now()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		// Only a row still "sending" becomes sent: an answer that arrived
		// meanwhile (answered) stays.
		q := "UPDATE invitations SET status = ?, channel = ?, sent_at = ?, updated_at = ? WHERE id = ? AND status = ?"
		args := []any{otklik.InvitationSent, string(ch), db.ts(now), db.ts(now), id, otklik.InvitationSending}
		action := "sent"
		if reminder {
			q = `UPDATE invitations SET status = CASE WHEN status = ? THEN ? ELSE status END, reminders = reminders + 1,
				reminded_at = ?, updated_at = ? WHERE id = ?`
			args, action = []any{otklik.InvitationSending, otklik.InvitationSent, db.ts(now), db.ts(now), id}, "reminded"
		}
		if _, err := db.exec(ctx, tx, q, args...); err != nil {
			return err
		}
		if err := db.logInvitation(ctx, tx, id, now, action, ch, "", nil); err != nil {
			return err
		}
		if then != nil {
			return then(tx)
		}
		return nil
	})
}

// InvitationFailed records that ch refused the invitation for good.
func (db *DB) InvitationFailed(ctx context.Context, id int64, ch otklik.Channel, reason string, params map[string]string) error {
	now := db.now()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		p, _ := json.Marshal(params)
		if _, err := db.exec(ctx, tx, "UPDATE invitations SET status = ?, reason = ?, reason_params = ?, updated_at = ? WHERE id = ? AND status = ?",
			otklik.InvitationFailed, reason, string(p), db.ts(now), id, otklik.InvitationSending); err != nil {
			return err
		}
		return db.logInvitation(ctx, tx, id, now, "failed", ch, reason, params)
	})
}

// ReminderFailed records that a reminder could not go (the customer
// withdrew consent, the channel refused): the invitation stays sent and
// its reminder counts as used, so none is tried again.
func (db *DB) ReminderFailed(ctx context.Context, id int64, ch otklik.Channel, reason string, params map[string]string) error {
	now := db.now()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `UPDATE invitations SET status = CASE WHEN status = ? THEN ? ELSE status END,
			reminders = reminders + 1, updated_at = ? WHERE id = ?`, otklik.InvitationSending, otklik.InvitationSent, db.ts(now), id); err != nil {
			return err
		}
		return db.logInvitation(ctx, tx, id, now, "reminder_failed", ch, reason, params)
	})
}

// SettleStuck gives up on sends claimed before `before` and never
// finished (the process stopped mid-send): they may or may not have gone,
// so they are taken as sent — never sent twice — with the doubt logged.
func (db *DB) SettleStuck(ctx context.Context, before time.Time) (int, error) {
	now := db.now()
	n := 0
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		stuck, err := db.invitationsWhere(ctx, tx, "i.status = ? AND i.updated_at < ?", otklik.InvitationSending, db.ts(before))
		if err != nil {
			return err
		}
		for _, inv := range stuck {
			if _, err := db.exec(ctx, tx, `UPDATE invitations SET status = ?, sent_at = COALESCE(sent_at, updated_at), updated_at = ?
				WHERE id = ? AND status = ?`, otklik.InvitationSent, db.ts(now), inv.ID, otklik.InvitationSending); err != nil {
				return err
			}
			if err := db.logInvitation(ctx, tx, inv.ID, now, "outcome_unknown", inv.Channel, "", nil); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: settle stuck sends: %w", err)
	}
	return n, nil
}

// DueReminders returns sent, unanswered, still valid invitations sent
// before `before` with fewer than max reminders, oldest first.
func (db *DB) DueReminders(ctx context.Context, before, now time.Time, max, limit int) ([]*otklik.Invitation, error) {
	out, err := db.invitationsWhere(ctx, db.read, `i.status = ? AND i.reminders < ? AND i.sent_at <= ? AND i.latest_at >= ?
		ORDER BY i.sent_at LIMIT ?`, otklik.InvitationSent, max, db.ts(before), db.ts(now), limit)
	if err != nil {
		return nil, fmt.Errorf("store: due reminders: %w", err)
	}
	return out, nil
}

// AnswerInvitations closes every open invitation of the customer to the
// survey, created before the answer, on every channel: answered once is
// answered everywhere. It returns how many it closed.
func (db *DB) AnswerInvitations(ctx context.Context, customerID, surveyID, responseID int64, answered time.Time) (int, error) {
	now := db.now()
	n := 0
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		open, err := db.invitationsWhere(ctx, tx, `i.customer_id = ? AND i.survey_id = ? AND i.status IN (?, ?, ?, ?, ?)
			AND i.created_at <= ?`, customerID, surveyID, otklik.InvitationPlanned, otklik.InvitationDeferred,
			otklik.InvitationQueued, otklik.InvitationSending, otklik.InvitationSent, db.ts(answered))
		if err != nil {
			return err
		}
		for _, inv := range open {
			if _, err := db.exec(ctx, tx, `UPDATE invitations SET status = ?, next_at = NULL, answered_at = ?, response_id = ?,
				updated_at = ? WHERE id = ?`, otklik.InvitationAnswered, db.ts(answered), responseID, db.ts(now), inv.ID); err != nil {
				return err
			}
			if err := db.logInvitation(ctx, tx, inv.ID, now, "answered", "", "", map[string]string{"response_id": fmt.Sprint(responseID)}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: answer invitations: %w", err)
	}
	return n, nil
}

// InvitationFilter narrows a list of invitations.
type InvitationFilter struct {
	Customer string // external id
	Status   string
	After    int64 // keyset: invitations with a smaller id (newest first)
	Limit    int
	WithLog  bool
}

// Invitations lists the invitations of customers in scope, newest first,
// each with its log when asked.
func (db *DB) Invitations(ctx context.Context, scope otklik.Scope, f InvitationFilter) ([]*otklik.Invitation, error) {
	where, args := scopeWhere(scope, "c.manager", "c.team")
	if f.Customer != "" {
		where += " AND c.external_id = ?"
		args = append(args, f.Customer)
	}
	if f.Status != "" {
		where += " AND i.status = ?"
		args = append(args, f.Status)
	}
	if f.After > 0 {
		where += " AND i.id < ?"
		args = append(args, f.After)
	}
	out, err := db.invitationsWhere(ctx, db.read, where+" ORDER BY i.id DESC LIMIT ?", append(args, clampLimit(f.Limit))...)
	if err != nil {
		return nil, fmt.Errorf("store: invitations: %w", err)
	}
	if !f.WithLog || len(out) == 0 {
		return out, nil
	}
	byID := map[int64]*otklik.Invitation{}
	ids := make([]string, len(out))
	for i, inv := range out {
		byID[inv.ID] = inv
		ids[i] = fmt.Sprint(inv.ID)
	}
	rows, err := db.query(ctx, db.read, "SELECT invitation_id, at, action, channel, reason, reason_params FROM invitation_log WHERE invitation_id IN ("+
		strings.Join(ids, ",")+") ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("store: invitation log: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var e otklik.InvitationLog
		var at instant
		var params string
		if err := rows.Scan(&id, &at, &e.Action, &e.Channel, &e.Reason, &params); err != nil {
			return nil, fmt.Errorf("store: invitation log: %w", err)
		}
		e.At = at.Time
		if params != "{}" {
			if err := json.Unmarshal([]byte(params), &e.ReasonParams); err != nil {
				return nil, fmt.Errorf("store: invitation log: %w", err)
			}
		}
		byID[id].Log = append(byID[id].Log, e)
	}
	return out, rows.Err()
}

// Started is a customer found by start date: a milestone's candidate and
// the keyset the next page starts after.
type Started struct {
	ID        int64
	StartedAt otklik.Date
}

// StartedBetween returns, in (started_at, id) order after `after`, up to
// limit customers, not erased, who started between from and to
// (inclusive) and have no invitation with ref: the candidates of one
// lifetime milestone. It is one range read of the partial index on
// (started_at, id), in the order wanted, whatever plan the database
// caches for the statement.
func (db *DB) StartedBetween(ctx context.Context, from, to otklik.Date, ref string, after Started, limit int) ([]Started, error) {
	cond, args := "c.started_at >= ?", []any{from.String()}
	if after.ID > 0 {
		cond, args = "(c.started_at, c.id) > (?, ?)", []any{after.StartedAt.String(), after.ID}
	}
	args = append(args, to.String(), ref, limit)
	rows, err := db.query(ctx, db.read, `SELECT c.id, c.started_at FROM customers c WHERE `+cond+` AND c.started_at <= ?
		AND c.erased_at IS NULL AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.customer_id = c.id AND i.ref = ?)
		ORDER BY c.started_at, c.id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: customers started between %s and %s: %w", from, to, err)
	}
	defer rows.Close()
	var out []Started
	for rows.Next() {
		var st Started
		var day instant
		if err := rows.Scan(&st.ID, &day); err != nil {
			return nil, err
		}
		st.StartedAt = otklik.Date{Time: day.Time}
		out = append(out, st)
	}
	return out, rows.Err()
}

// CustomerByID returns a customer with consents, whatever the scope
// (background work).
func (db *DB) CustomerByID(ctx context.Context, id int64) (*otklik.Customer, error) {
	return db.customerBy(ctx, db.read, "id = ?", id)
}

// SetTelegramChat links a Telegram chat to a customer and records the
// consent the customer gave by starting the bot.
func (db *DB) SetTelegramChat(ctx context.Context, c *otklik.Customer, chat string) error {
	customerID := c.ID
	now := db.now()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, "UPDATE customers SET telegram_chat_id = '', updated_at = ? WHERE telegram_chat_id = ? AND id <> ?",
			db.ts(now), chat, customerID); err != nil {
			return err
		}
		if _, err := db.exec(ctx, tx, "UPDATE customers SET telegram_chat_id = ?, updated_at = ? WHERE id = ?", chat, db.ts(now), customerID); err != nil {
			return err
		}
		return db.setConsent(ctx, tx, customerID, otklik.ChannelTelegram, true, now, "telegram_start")
	})
	db.recent.forget(c.ExternalID)
	if err != nil {
		return fmt.Errorf("store: link telegram chat: %w", err)
	}
	return nil
}

// CustomerByTelegramChat returns the customer linked to a chat.
func (db *DB) CustomerByTelegramChat(ctx context.Context, chat string) (*otklik.Customer, error) {
	return db.customerBy(ctx, db.read, "telegram_chat_id = ? AND erased_at IS NULL", chat)
}

// WithdrawConsent records that a customer no longer wants to be contacted
// on ch (an unsubscribe link, a bot blocked).
func (db *DB) WithdrawConsent(ctx context.Context, c *otklik.Customer, ch otklik.Channel, source string) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		return db.setConsent(ctx, tx, c.ID, ch, false, db.now(), source)
	})
	db.recent.forget(c.ExternalID)
	if err != nil {
		return fmt.Errorf("store: withdraw consent: %w", err)
	}
	return nil
}

func (db *DB) setConsent(ctx context.Context, tx *sql.Tx, customerID int64, ch otklik.Channel, granted bool, at time.Time, source string) error {
	_, err := db.exec(ctx, tx, `INSERT INTO consents (customer_id, channel, granted, at, source) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (customer_id, channel) DO UPDATE SET granted = excluded.granted, at = excluded.at, source = excluded.source`,
		customerID, string(ch), granted, db.ts(at), source)
	return err
}

// AcquireLease takes or renews the lease name for holder until now + ttl,
// and reports whether holder has it: one replica at a time does the work
// the lease guards.
func (db *DB) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	now := db.now()
	res, err := db.exec(ctx, db.write, `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE leases.holder = excluded.holder OR leases.expires_at < ?`, name, holder, db.ts(now.Add(ttl)), db.ts(now))
	if err != nil {
		return false, fmt.Errorf("store: lease %s: %w", name, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// EventsOf returns the business events of a customer (erased or not),
// oldest first.
func (db *DB) EventsOf(ctx context.Context, customerID int64) ([]*otklik.Event, error) {
	var ext string
	if err := db.queryRow(ctx, db.read, "SELECT external_id FROM customers WHERE id = ?", customerID).Scan(&ext); err != nil {
		return nil, fmt.Errorf("store: events of customer %d: %w", customerID, err)
	}
	return db.customerEvents(ctx, &otklik.Customer{ID: customerID, ExternalID: ext})
}

// customerEvents returns a customer's business events, oldest first.
func (db *DB) customerEvents(ctx context.Context, c *otklik.Customer) ([]*otklik.Event, error) {
	rows, err := db.query(ctx, db.read, `SELECT id, external_id, type, occurred_at, attributes, source, received_at FROM events
		WHERE customer_id = ? ORDER BY occurred_at, id`, c.ID)
	if err != nil {
		return nil, fmt.Errorf("store: events of a customer: %w", err)
	}
	defer rows.Close()
	out := []*otklik.Event{}
	for rows.Next() {
		ev := &otklik.Event{Customer: c.ExternalID, CustomerID: c.ID}
		var occurred, received instant
		var attrs string
		if err := rows.Scan(&ev.ID, &ev.ExternalID, &ev.Type, &occurred, &attrs, &ev.Source, &received); err != nil {
			return nil, fmt.Errorf("store: events of a customer: %w", err)
		}
		ev.OccurredAt, ev.ReceivedAt = occurred.Time, received.Time
		if err := json.Unmarshal([]byte(attrs), &ev.Attributes); err != nil {
			return nil, fmt.Errorf("store: attributes of event %d: %w", ev.ID, err)
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}
