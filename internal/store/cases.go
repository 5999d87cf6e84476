package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"otklik"
)

// LoopRow is an answer as the closed loop sees it: enough to route it to a
// case and to tell whether it wins a detractor back.
type LoopRow struct {
	ID             int64
	Seq            int64
	SurveyID       int64
	Kind           otklik.Kind
	CustomerID     int64
	Response       otklik.Response // score, comment, channel, answered_at, snapshot
	CustomerErased bool
}

// LoopWindow is how far back, in seq values, the loop re-reads on
// PostgreSQL, for the same reason as CubeWindow; a re-read answer finds its
// case already open (one case per answer).
const LoopWindow = 1000

// LoopStart is where a scan that last saw seq `after` starts reading: on
// PostgreSQL a trailing window before it, for rows committed late.
func (db *DB) LoopStart(after int64) int64 {
	if db.postgres {
		return max(after-LoopWindow, 0)
	}
	return after
}

// LoopRows returns up to limit answers with seq above `from`, in seq
// order, and the highest seq among them (from when there are none). A scan
// starts at LoopStart(cursor) and pages on from the seq returned, so
// however many rows the window holds each page moves forward.
func (db *DB) LoopRows(ctx context.Context, from int64, limit int) (rows []LoopRow, next int64, err error) {
	after := from
	q, err := db.query(ctx, db.read, `SELECT r.id, r.seq, r.survey_id, s.kind, s.key, r.customer_id, c.external_id, c.erased_at,
		r.score, r.comment, r.channel, r.answered_at, r.manager, r.team, r.segment, r.revenue, r.region
		FROM responses r JOIN surveys s ON s.id = r.survey_id JOIN customers c ON c.id = r.customer_id
		WHERE r.seq > ? ORDER BY r.seq LIMIT ?`, from, limit)
	if err != nil {
		return nil, after, fmt.Errorf("store: loop rows: %w", err)
	}
	defer q.Close()
	next = after
	for q.Next() {
		var r LoopRow
		var answered, erased instant
		var revenue sql.NullInt64
		resp := &r.Response
		if err := q.Scan(&r.ID, &r.Seq, &r.SurveyID, &r.Kind, &resp.Survey, &r.CustomerID, &resp.Customer, &erased,
			&resp.Score, &resp.Comment, &resp.Channel, &answered, &resp.Snapshot.Manager, &resp.Snapshot.Team,
			&resp.Snapshot.Segment, &revenue, &resp.Snapshot.Region); err != nil {
			return nil, after, fmt.Errorf("store: loop rows: %w", err)
		}
		resp.ID, resp.SurveyID, resp.CustomerID, resp.AnsweredAt = r.ID, r.SurveyID, r.CustomerID, answered.Time
		if revenue.Valid {
			a := otklik.Amount(revenue.Int64)
			resp.Snapshot.Revenue = &a
		}
		r.CustomerErased = erased.Valid
		rows = append(rows, r)
		next = max(next, r.Seq)
	}
	return rows, next, q.Err()
}

// SettingValue reads an installation-wide value; false when it is not set.
func (db *DB) SettingValue(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := db.queryRow(ctx, db.read, "SELECT value FROM settings WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: setting %s: %w", key, err)
	}
	return v, true, nil
}

// PutSetting writes an installation-wide value.
func (db *DB) PutSetting(ctx context.Context, key, value string) error {
	_, err := db.exec(ctx, db.write, `INSERT INTO settings (key, value, created_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value, db.ts(db.now()))
	if err != nil {
		return fmt.Errorf("store: put setting %s: %w", key, err)
	}
	return nil
}

// InTx runs fn in a write transaction: what fn writes (through the store's
// *Tx methods or River's InsertTx on tx) commits together or not at all.
func (db *DB) InTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return db.inTx(ctx, fn)
}

// OpenCase opens c for its answer unless a case for that answer exists
// (then created is false and nothing is written). then runs in the same
// transaction with the new case's id, so the notification it enqueues
// exists exactly when the case does.
func (db *DB) OpenCase(ctx context.Context, c *otklik.Case, then func(tx *sql.Tx, id int64) error) (created bool, err error) {
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		created, err = db.OpenCaseTx(ctx, tx, c, then)
		return err
	})
	return created, err
}

// OpenCaseTx is OpenCase in the caller's transaction, so a scan opens the
// cases of a whole page of answers in one.
func (db *DB) OpenCaseTx(ctx context.Context, tx *sql.Tx, c *otklik.Case, then func(tx *sql.Tx, id int64) error) (created bool, err error) {
	watchers, _ := json.Marshal(c.Watchers)
	now := db.now()
	err = db.queryRow(ctx, tx, `INSERT INTO cases (kind, response_id, customer_id, survey_id, score, channel, rule, owner,
		watchers, manager, team, segment, status, opened_at, answered_at, first_contact_due, resolution_due, resurvey_days, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (response_id) DO NOTHING RETURNING id`,
		c.Kind, c.ResponseID, c.CustomerID, c.SurveyID, c.Score, string(c.Channel), c.Rule, c.Owner, string(watchers),
		c.Manager, c.Team, c.Segment, otklik.CaseOpen, db.ts(c.OpenedAt), db.ts(c.AnsweredAt),
		db.tsPtr(c.FirstContactDue), db.tsPtr(c.ResolutionDue), c.ResurveyDays, db.ts(now)).Scan(&c.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil // already open
	}
	if err == nil {
		c.Status = otklik.CaseOpen
		err = db.addCaseEvent(ctx, tx, c.ID, otklik.CaseEvent{At: c.OpenedAt, Kind: "opened", Body: c.Rule})
	}
	if err == nil && then != nil {
		err = then(tx, c.ID)
	}
	if err != nil {
		return false, fmt.Errorf("store: open case for response %d: %w", c.ResponseID, err)
	}
	return true, nil
}

// AddCaseEvent adds an entry to a case's timeline (background work: a
// notification sent, a re-survey planned).
func (db *DB) AddCaseEvent(ctx context.Context, caseID int64, e otklik.CaseEvent) error {
	if err := db.addCaseEvent(ctx, db.write, caseID, e); err != nil {
		return fmt.Errorf("store: case %d event: %w", caseID, err)
	}
	return nil
}

func (db *DB) addCaseEvent(ctx context.Context, q querier, caseID int64, e otklik.CaseEvent) error {
	data := string(e.Data)
	if data == "" {
		data = "{}"
	}
	_, err := db.exec(ctx, q, "INSERT INTO case_events (case_id, at, author, kind, body, data) VALUES (?, ?, ?, ?, ?, ?)",
		caseID, db.ts(e.At), e.Author, e.Kind, e.Body, data)
	return err
}

// CaseFilter narrows a list of cases. Empty fields do not filter.
type CaseFilter struct {
	Status   string
	Kind     string
	Owner    string
	Team     string
	Customer string // external id
	Breached bool   // only cases past an SLA
	Open     bool   // only open or contacted cases
	After    int64  // keyset: cases with a smaller id (newest first)
	Limit    int
}

const caseColumns = `k.id, k.kind, k.response_id, c.external_id, c.name, s.key, k.score, r.comment, k.channel, k.rule, k.owner,
	k.watchers, k.manager, k.team, k.segment, k.status, k.answered_at, k.opened_at, k.first_contact_due, k.resolution_due,
	k.contacted_at, k.resolved_at, k.closed_at, k.first_contact_breach, k.resolution_breach, k.callback_at,
	k.callback_outcome, k.root_cause, k.decision, k.action, k.customer_told, k.resurvey_days, k.resurvey_at,
	k.won_back, k.won_back_at, k.customer_id, k.survey_id`

const caseFrom = ` FROM cases k JOIN customers c ON c.id = k.customer_id JOIN surveys s ON s.id = k.survey_id
	JOIN responses r ON r.id = k.response_id`

func scanCase(row interface{ Scan(...any) error }) (*otklik.Case, error) {
	var c otklik.Case
	var watchers string
	var answered, opened, fcDue, resDue, contacted, resolved, closed, fcBreach, resBreach, callback, resurvey, wonAt instant
	if err := row.Scan(&c.ID, &c.Kind, &c.ResponseID, &c.Customer, &c.CustomerName, &c.Survey, &c.Score, &c.Comment,
		&c.Channel, &c.Rule, &c.Owner, &watchers, &c.Manager, &c.Team, &c.Segment, &c.Status, &answered, &opened,
		&fcDue, &resDue, &contacted, &resolved, &closed, &fcBreach, &resBreach, &callback, &c.CallbackOutcome,
		&c.RootCause, &c.Decision, &c.Action, &c.CustomerTold, &c.ResurveyDays, &resurvey, &c.WonBack, &wonAt,
		&c.CustomerID, &c.SurveyID); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(watchers), &c.Watchers); err != nil {
		return nil, fmt.Errorf("watchers of case %d: %w", c.ID, err)
	}
	c.AnsweredAt, c.OpenedAt = answered.Time, opened.Time
	c.FirstContactDue, c.ResolutionDue, c.ContactedAt = fcDue.ptr(), resDue.ptr(), contacted.ptr()
	c.ResolvedAt, c.ClosedAt, c.FirstContactBreach = resolved.ptr(), closed.ptr(), fcBreach.ptr()
	c.ResolutionBreach, c.CallbackAt, c.ResurveyAt, c.WonBackAt = resBreach.ptr(), callback.ptr(), resurvey.ptr(), wonAt.ptr()
	return &c, nil
}

// Cases lists the cases in scope, newest first. A manager's own cases are
// the ones they own.
func (db *DB) Cases(ctx context.Context, scope otklik.Scope, f CaseFilter) ([]*otklik.Case, error) {
	where, args := scopeWhere(scope, "k.owner", "k.team")
	add := func(cond string, v ...any) { where += " AND " + cond; args = append(args, v...) }
	if f.Status != "" {
		add("k.status = ?", f.Status)
	}
	if f.Kind != "" {
		add("k.kind = ?", f.Kind)
	}
	if f.Owner != "" {
		add("k.owner = ?", f.Owner)
	}
	if f.Team != "" {
		add("k.team = ?", f.Team)
	}
	if f.Customer != "" {
		add("c.external_id = ?", f.Customer)
	}
	if f.Breached {
		add("(k.first_contact_breach IS NOT NULL OR k.resolution_breach IS NOT NULL)")
	}
	if f.Open {
		add("k.status IN (?, ?)", otklik.CaseOpen, otklik.CaseContacted)
	}
	if f.After > 0 {
		add("k.id < ?", f.After)
	}
	args = append(args, clampLimit(f.Limit))
	rows, err := db.query(ctx, db.read, "SELECT "+caseColumns+caseFrom+" WHERE "+where+" ORDER BY k.id DESC LIMIT ?", args...)
	if err != nil {
		return nil, fmt.Errorf("store: cases: %w", err)
	}
	defer rows.Close()
	var out []*otklik.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("store: cases: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Case returns one case in scope with its timeline; outside the scope it
// does not exist.
func (db *DB) Case(ctx context.Context, scope otklik.Scope, id int64) (*otklik.Case, error) {
	c, err := db.caseOn(ctx, db.read, scope, id)
	if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, db.read, "SELECT id, at, author, kind, body, data FROM case_events WHERE case_id = ? ORDER BY id", id)
	if err != nil {
		return nil, fmt.Errorf("store: case %d events: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var e otklik.CaseEvent
		var at instant
		var data string
		if err := rows.Scan(&e.ID, &at, &e.Author, &e.Kind, &e.Body, &data); err != nil {
			return nil, fmt.Errorf("store: case %d events: %w", id, err)
		}
		e.At = at.Time
		if data != "{}" {
			e.Data = json.RawMessage(data)
		}
		c.Events = append(c.Events, e)
	}
	return c, rows.Err()
}

func (db *DB) caseOn(ctx context.Context, q querier, scope otklik.Scope, id int64) (*otklik.Case, error) {
	where, args := scopeWhere(scope, "k.owner", "k.team")
	c, err := scanCase(db.queryRow(ctx, q, "SELECT "+caseColumns+caseFrom+" WHERE k.id = ? AND "+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, otklik.Errorf(otklik.ENOTFOUND, "no case %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: case %d: %w", id, err)
	}
	return c, nil
}

// AddCaseNote adds a note to a case in scope.
func (db *DB) AddCaseNote(ctx context.Context, scope otklik.Scope, id int64, author, body string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.caseOn(ctx, tx, scope, id); err != nil {
			return err
		}
		now := db.now()
		if _, err := db.exec(ctx, tx, "UPDATE cases SET updated_at = ? WHERE id = ?", db.ts(now), id); err != nil {
			return err
		}
		return db.addCaseEvent(ctx, tx, id, otklik.CaseEvent{At: now, Author: author, Kind: "note", Body: body})
	})
}

// ContactCase records a call-back. The first one that reached the customer
// marks the case contacted (the first-contact SLA stops there).
func (db *DB) ContactCase(ctx context.Context, scope otklik.Scope, id int64, author string, ct otklik.CaseContact) (*otklik.Case, error) {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := db.caseOn(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		if c.Status == otklik.CaseClosed {
			return otklik.Errorf(otklik.ECONFLICT, "case %d is closed", id)
		}
		now := db.now()
		set := "callback_at = ?, callback_outcome = ?, updated_at = ?"
		args := []any{db.ts(ct.At), ct.Outcome, db.ts(now)}
		if ct.Outcome == "reached" && c.ContactedAt == nil {
			set += ", contacted_at = ?"
			args = append(args, db.ts(ct.At))
			if c.Status == otklik.CaseOpen {
				set += ", status = ?"
				args = append(args, otklik.CaseContacted)
			}
		}
		if _, err := db.exec(ctx, tx, "UPDATE cases SET "+set+" WHERE id = ?", append(args, id)...); err != nil {
			return err
		}
		data, _ := json.Marshal(map[string]any{"outcome": ct.Outcome, "at": ct.At})
		return db.addCaseEvent(ctx, tx, id, otklik.CaseEvent{At: now, Author: author, Kind: "contact", Body: ct.Note, Data: data})
	})
	if err != nil {
		return nil, err
	}
	return db.Case(ctx, scope, id)
}

// ResolveCase records what was found and done and, when the case asks for
// it, when to re-survey the customer. then runs in the same transaction
// with the resolved case (to plan the re-survey, enqueue a webhook).
func (db *DB) ResolveCase(ctx context.Context, scope otklik.Scope, id int64, author string, res otklik.Resolution,
	then func(tx *sql.Tx, c *otklik.Case) error) (*otklik.Case, error) {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := db.caseOn(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		if c.Status == otklik.CaseResolved || c.Status == otklik.CaseClosed {
			return otklik.Errorf(otklik.ECONFLICT, "case %d is already %s", id, c.Status)
		}
		now := db.now()
		var resurvey *time.Time
		if c.ResurveyDays > 0 {
			t := now.AddDate(0, 0, c.ResurveyDays)
			resurvey = &t
		}
		if _, err := db.exec(ctx, tx, `UPDATE cases SET status = ?, resolved_at = ?, root_cause = ?, decision = ?, action = ?,
			customer_told = ?, resurvey_at = ?, updated_at = ? WHERE id = ?`,
			otklik.CaseResolved, db.ts(now), res.RootCause, res.Decision, res.Action, res.CustomerTold, db.tsPtr(resurvey),
			db.ts(now), id); err != nil {
			return err
		}
		data, _ := json.Marshal(res)
		if err := db.addCaseEvent(ctx, tx, id, otklik.CaseEvent{At: now, Author: author, Kind: "resolved", Body: res.Decision, Data: data}); err != nil {
			return err
		}
		c.Status, c.ResolvedAt, c.ResurveyAt = otklik.CaseResolved, &now, resurvey
		c.RootCause, c.Decision, c.Action, c.CustomerTold = res.RootCause, res.Decision, res.Action, res.CustomerTold
		if then != nil {
			return then(tx, c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.Case(ctx, scope, id)
}

// CloseCase closes a case (a thank-you task done, or a resolved case filed).
func (db *DB) CloseCase(ctx context.Context, scope otklik.Scope, id int64, author string) (*otklik.Case, error) {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := db.caseOn(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		if c.Status == otklik.CaseClosed {
			return otklik.Errorf(otklik.ECONFLICT, "case %d is already closed", id)
		}
		now := db.now()
		if _, err := db.exec(ctx, tx, "UPDATE cases SET status = ?, closed_at = ?, updated_at = ? WHERE id = ?",
			otklik.CaseClosed, db.ts(now), db.ts(now), id); err != nil {
			return err
		}
		return db.addCaseEvent(ctx, tx, id, otklik.CaseEvent{At: now, Author: author, Kind: "closed"})
	})
	if err != nil {
		return nil, err
	}
	return db.Case(ctx, scope, id)
}

// Breach is an SLA that ran out: which case, and which deadline.
type Breach struct {
	CaseID int64
	Which  string // first_contact | resolution
}

// MarkBreaches marks every case whose first-contact or resolution deadline
// passed before now, once, and runs then for each in the same transaction
// (to enqueue the escalation).
func (db *DB) MarkBreaches(ctx context.Context, now time.Time, then func(tx *sql.Tx, b Breach) error) ([]Breach, error) {
	var out []Breach
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		for _, w := range []struct{ which, due, mark, statuses string }{
			{"first_contact", "first_contact_due", "first_contact_breach", "'open'"},
			{"resolution", "resolution_due", "resolution_breach", "'open', 'contacted'"},
		} {
			rows, err := db.query(ctx, tx, "SELECT id FROM cases WHERE status IN ("+w.statuses+") AND "+w.mark+
				" IS NULL AND "+w.due+" IS NOT NULL AND "+w.due+" < ? ORDER BY id LIMIT 500", db.ts(now))
			if err != nil {
				return err
			}
			var ids []int64
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				ids = append(ids, id)
			}
			rows.Close()
			for _, id := range ids {
				if _, err := db.exec(ctx, tx, "UPDATE cases SET "+w.mark+" = ?, updated_at = ? WHERE id = ?", db.ts(now), db.ts(now), id); err != nil {
					return err
				}
				if err := db.addCaseEvent(ctx, tx, id, otklik.CaseEvent{At: now, Kind: "breach", Body: w.which}); err != nil {
					return err
				}
				b := Breach{CaseID: id, Which: w.which}
				if then != nil {
					if err := then(tx, b); err != nil {
						return err
					}
				}
				out = append(out, b)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: mark breaches: %w", err)
	}
	return out, nil
}

// SettleWonBackTx gives, in the caller's transaction, every NPS detractor
// case (score 0–6) of the customer that still waits for a next answer,
// opened for an answer before `answered`, the verdict of that next answer
// (passive, promoter or none). It returns the cases settled.
func (db *DB) SettleWonBackTx(ctx context.Context, tx *sql.Tx, customerID, responseID int64, answered time.Time, verdict string) ([]int64, error) {
	var ids []int64
	err := func() error {
		rows, err := db.query(ctx, tx, `SELECT id FROM cases WHERE customer_id = ? AND kind = ? AND won_back = '' AND response_id <> ?
			AND answered_at < ? AND score <= 6 AND survey_id IN (SELECT id FROM surveys WHERE kind = ?)`,
			customerID, otklik.CaseDetractor, responseID, db.ts(answered), string(otklik.KindNPS))
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		now := db.now()
		for _, id := range ids {
			if _, err := db.exec(ctx, tx, `UPDATE cases SET won_back = ?, won_back_response_id = ?, won_back_at = ?, updated_at = ?
				WHERE id = ?`, verdict, responseID, db.ts(answered), db.ts(now), id); err != nil {
				return err
			}
			data, _ := json.Marshal(map[string]any{"response_id": responseID, "verdict": verdict})
			if err := db.addCaseEvent(ctx, tx, id, otklik.CaseEvent{At: now, Kind: "won_back", Body: verdict, Data: data}); err != nil {
				return err
			}
		}
		return nil
	}()
	if err != nil {
		return nil, fmt.Errorf("store: settle won back for customer %d: %w", customerID, err)
	}
	return ids, nil
}

// LoopCases returns the cases in scope opened in [from, to), oldest first,
// for the loop's figures.
func (db *DB) LoopCases(ctx context.Context, scope otklik.Scope, from, to time.Time) ([]*otklik.Case, error) {
	where, args := scopeWhere(scope, "k.owner", "k.team")
	args = append(args, db.ts(from), db.ts(to))
	rows, err := db.query(ctx, db.read, "SELECT "+caseColumns+caseFrom+" WHERE "+where+
		" AND k.opened_at >= ? AND k.opened_at < ? ORDER BY k.opened_at, k.id", args...)
	if err != nil {
		return nil, fmt.Errorf("store: loop cases: %w", err)
	}
	defer rows.Close()
	var out []*otklik.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("store: loop cases: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// TeamLeads returns the enabled leads of team.
func (db *DB) TeamLeads(ctx context.Context, team string) ([]*otklik.User, error) {
	if team == "" {
		return nil, nil
	}
	rows, err := db.query(ctx, db.read, "SELECT "+userColumns+" FROM users WHERE role = ? AND team = ? AND disabled = ? ORDER BY email",
		string(otklik.RoleLead), team, false)
	if err != nil {
		return nil, fmt.Errorf("store: leads of %s: %w", team, err)
	}
	defer rows.Close()
	var out []*otklik.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// among returns those of ids (customers) with a row in table meeting
// cond, read from the read pool: the scanners use it to skip, without a
// write transaction, the answers that concern nothing open.
func (db *DB) among(ctx context.Context, what, table, cond string, ids []int64, args ...any) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	list := make([]string, len(ids))
	for i, id := range ids {
		list[i] = strconv.FormatInt(id, 10)
	}
	rows, err := db.query(ctx, db.read, "SELECT DISTINCT customer_id FROM "+table+" WHERE "+cond+" AND customer_id IN ("+
		strings.Join(list, ",")+")", args...)
	if err != nil {
		return nil, fmt.Errorf("store: customers with %s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// AwaitingWonBack returns those of the customers ids who have a detractor
// case waiting for their next answer.
func (db *DB) AwaitingWonBack(ctx context.Context, ids []int64) (map[int64]bool, error) {
	return db.among(ctx, "cases awaiting a next answer", "cases", "kind = ? AND won_back = ''", ids, otklik.CaseDetractor)
}

// WithOpenInvitations returns those of the customers ids who have an
// invitation not yet answered, skipped or failed.
func (db *DB) WithOpenInvitations(ctx context.Context, ids []int64) (map[int64]bool, error) {
	return db.among(ctx, "open invitations", "invitations", "status IN (?, ?, ?, ?, ?)", ids, otklik.InvitationPlanned,
		otklik.InvitationDeferred, otklik.InvitationQueued, otklik.InvitationSending, otklik.InvitationSent)
}

// FollowAnswers calls scan until ctx ends: at the next tick after this
// process wrote answers (Changes moved), and every idle interval for
// other replicas' answers. The closed loop and outreach follow the
// answers this way, each with its own cursor.
func (db *DB) FollowAnswers(ctx context.Context, tick, idle time.Duration, scan func(context.Context) error, log *slog.Logger, what string) {
	t := time.NewTicker(tick)
	defer t.Stop()
	var seen uint64
	var last time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		changes := db.Changes()
		if changes == seen && time.Since(last) < idle {
			continue
		}
		seen, last = changes, time.Now()
		if err := scan(ctx); err != nil && ctx.Err() == nil {
			log.Error(what, "err", err)
		}
	}
}
