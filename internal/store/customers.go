package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"otklik"
)

const customerColumns = `id, external_id, name, company, email, phone, telegram_chat_id, locale, segment,
	services, revenue, started_at, manager, team, region, attributes, contact_period_days, created_at, updated_at, erased_at`

func scanCustomer(row interface{ Scan(...any) error }) (*otklik.Customer, error) {
	var c otklik.Customer
	var services, attributes string
	var revenue, period sql.NullInt64
	var started, created, updated, erased instant
	err := row.Scan(&c.ID, &c.ExternalID, &c.Name, &c.Company, &c.Email, &c.Phone, &c.TelegramChat, &c.Locale, &c.Segment,
		&services, &revenue, &started, &c.Manager, &c.Team, &c.Region, &attributes, &period, &created, &updated, &erased)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(services), &c.Services); err != nil {
		return nil, fmt.Errorf("services of customer %d: %w", c.ID, err)
	}
	c.Attributes = json.RawMessage(attributes)
	if revenue.Valid {
		a := otklik.Amount(revenue.Int64)
		c.Revenue = &a
	}
	if started.Valid {
		c.StartedAt = &otklik.Date{Time: started.Time}
	}
	if period.Valid {
		p := int(period.Int64)
		c.ContactPeriod = &p
	}
	c.CreatedAt, c.UpdatedAt, c.ErasedAt = created.Time, updated.Time, erased.ptr()
	c.Consent = map[otklik.Channel]otklik.Consent{}
	return &c, nil
}

// customerArgs returns the values of the writable columns, in the order of
// the INSERT and UPDATE statements below.
func (db *DB) customerArgs(c *otklik.Customer) []any {
	services, _ := json.Marshal(c.Services)
	var revenue, started, period any
	if c.Revenue != nil {
		revenue = int64(*c.Revenue)
	}
	if c.StartedAt != nil {
		started = c.StartedAt.String()
	}
	if c.ContactPeriod != nil {
		period = *c.ContactPeriod
	}
	return []any{c.Name, c.Company, c.Email, c.Phone, c.TelegramChat, c.Locale, c.Segment,
		string(services), revenue, started, c.Manager, c.Team, c.Region, string(c.Attributes), period}
}

// UpsertCustomer creates or changes the customer with externalID inside one
// transaction: edit receives the stored customer (or a new one) and changes
// what the caller sent. The customer must lie in scope before and after.
func (db *DB) UpsertCustomer(ctx context.Context, scope otklik.Scope, externalID string, edit func(*otklik.Customer)) (c *otklik.Customer, created bool, err error) {
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		c, created, err = db.upsertCustomer(ctx, tx, scope, externalID, edit, db.now(), nil)
		return err
	})
	db.recent.forget(externalID)
	if err != nil {
		return nil, false, err
	}
	return c, created, nil
}

// ImportCustomers upserts many customers in one transaction, so that a file
// is written whole or not at all. edit merges each imported row into the
// stored customer; the i-th error (nil when fine) belongs to the i-th id.
// Any error rolls the whole import back.
func (db *DB) ImportCustomers(ctx context.Context, scope otklik.Scope, externalIDs []string, edit func(i int, c *otklik.Customer), progress func(done int)) (created, updated int, err error) {
	now := db.now()
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		created, updated = 0, 0
		q := newStmtCache(tx)
		teams := map[string]bool{}
		for i, ext := range externalIDs {
			_, isNew, err := db.upsertCustomer(ctx, q, scope, ext, func(c *otklik.Customer) { edit(i, c) }, now, teams)
			if err != nil {
				return fmt.Errorf("customer %s: %w", ext, err)
			}
			if isNew {
				created++
			} else {
				updated++
			}
			if progress != nil && (i+1)%500 == 0 {
				progress(i + 1)
			}
		}
		return nil
	})
	db.recent.forget("")
	return created, updated, err
}

// upsertCustomer is UpsertCustomer within a transaction. teams, when not
// nil, remembers the teams already recorded in this transaction.
func (db *DB) upsertCustomer(ctx context.Context, tx querier, scope otklik.Scope, externalID string, edit func(*otklik.Customer),
	now time.Time, teams map[string]bool) (c *otklik.Customer, created bool, err error) {
	c, err = db.customerBy(ctx, tx, "external_id = ?", strings.TrimSpace(externalID))
	switch {
	case otklik.ErrorCode(err) == otklik.ENOTFOUND:
		created = true
		c = &otklik.Customer{ExternalID: externalID, Consent: map[otklik.Channel]otklik.Consent{}, CreatedAt: now}
	case err != nil:
		return nil, false, err
	case !scope.Covers(c.Manager, c.Team):
		return nil, false, otklik.Errorf(otklik.ENOTFOUND, "no customer %s", externalID)
	}
	edit(c)
	c.ExternalID = externalID
	c.Normalize()
	if err := c.Validate(); err != nil {
		return nil, false, err
	}
	if !scope.Covers(c.Manager, c.Team) {
		return nil, false, otklik.Errorf(otklik.EFORBIDDEN, "you may only keep customers in your own book or team")
	}
	if !teams[c.Team] {
		if err := db.ensureTeam(ctx, tx, c.Team, now); err != nil {
			return nil, false, err
		}
		if teams != nil {
			teams[c.Team] = true
		}
	}
	args := db.customerArgs(c)
	if created {
		c.ID, err = db.insertID(ctx, tx, `INSERT INTO customers (name, company, email, phone, telegram_chat_id, locale, segment,
			services, revenue, started_at, manager, team, region, attributes, contact_period_days, external_id, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(args, c.ExternalID, db.ts(now), db.ts(now))...)
	} else {
		_, err = db.exec(ctx, tx, `UPDATE customers SET name = ?, company = ?, email = ?, phone = ?, telegram_chat_id = ?, locale = ?,
			segment = ?, services = ?, revenue = ?, started_at = ?, manager = ?, team = ?, region = ?, attributes = ?,
			contact_period_days = ?, updated_at = ? WHERE id = ?`, append(args, db.ts(now), c.ID)...)
	}
	if err != nil {
		return nil, false, fmt.Errorf("store: save customer %s: %w", externalID, err)
	}
	c.UpdatedAt = now
	if err := db.saveConsents(ctx, tx, c); err != nil {
		return nil, false, err
	}
	return c, created, nil
}

func (db *DB) saveConsents(ctx context.Context, tx querier, c *otklik.Customer) error {
	for ch, k := range c.Consent {
		_, err := db.exec(ctx, tx, `INSERT INTO consents (customer_id, channel, granted, at, source) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (customer_id, channel) DO UPDATE SET granted = excluded.granted, at = excluded.at, source = excluded.source`,
			c.ID, string(ch), k.Granted, db.ts(k.At), k.Source)
		if err != nil {
			return fmt.Errorf("store: save consent: %w", err)
		}
	}
	return nil
}

// customerBy loads one customer that is not erased, with its consents.
func (db *DB) customerBy(ctx context.Context, q querier, cond string, args ...any) (*otklik.Customer, error) {
	c, err := scanCustomer(db.queryRow(ctx, q, "SELECT "+customerColumns+" FROM customers WHERE erased_at IS NULL AND "+cond, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, otklik.Errorf(otklik.ENOTFOUND, "no such customer")
	}
	if err != nil {
		return nil, fmt.Errorf("store: customer: %w", err)
	}
	if err := db.loadConsents(ctx, q, []*otklik.Customer{c}); err != nil {
		return nil, err
	}
	return c, nil
}

func (db *DB) loadConsents(ctx context.Context, q querier, cs []*otklik.Customer) error {
	if len(cs) == 0 {
		return nil
	}
	byID := make(map[int64]*otklik.Customer, len(cs))
	marks := make([]string, len(cs))
	args := make([]any, len(cs))
	for i, c := range cs {
		byID[c.ID], marks[i], args[i] = c, "?", c.ID
	}
	rows, err := db.query(ctx, q, "SELECT customer_id, channel, granted, at, source FROM consents WHERE customer_id IN ("+strings.Join(marks, ",")+")", args...)
	if err != nil {
		return fmt.Errorf("store: consents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var ch string
		var k otklik.Consent
		var at instant
		if err := rows.Scan(&id, &ch, &k.Granted, &at, &k.Source); err != nil {
			return fmt.Errorf("store: consents: %w", err)
		}
		k.At = at.Time
		byID[id].Consent[otklik.Channel(ch)] = k
	}
	return rows.Err()
}

// Customer returns the customer with externalID if it lies in scope.
func (db *DB) Customer(ctx context.Context, scope otklik.Scope, externalID string) (*otklik.Customer, error) {
	c, err := db.customerBy(ctx, db.read, "external_id = ?", externalID)
	if err != nil {
		return nil, err
	}
	if !scope.Covers(c.Manager, c.Team) {
		return nil, otklik.Errorf(otklik.ENOTFOUND, "no such customer")
	}
	return c, nil
}

// CustomerForAnswer returns what an answer needs of a customer in scope:
// its id and the dimensions it snapshots, without contact details or
// consents, in one prepared statement.
func (db *DB) CustomerForAnswer(ctx context.Context, scope otklik.Scope, externalID string) (*otklik.Customer, error) {
	c, gen, ok := db.recent.get(externalID)
	if !ok {
		var err error
		if c, err = db.loadCustomerForAnswer(ctx, externalID); err != nil {
			return nil, err
		}
		db.recent.put(externalID, c, gen)
	}
	if !scope.Covers(c.Manager, c.Team) {
		return nil, otklik.Errorf(otklik.ENOTFOUND, "no such customer")
	}
	return c, nil
}

func (db *DB) loadCustomerForAnswer(ctx context.Context, externalID string) (*otklik.Customer, error) {
	st, err := db.prepared(ctx, `SELECT id, external_id, locale, segment, services, revenue, started_at, manager, team, region
		FROM customers WHERE external_id = ? AND erased_at IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("store: customer for answer: %w", err)
	}
	var c otklik.Customer
	var services string
	var revenue sql.NullInt64
	var started instant
	err = st.QueryRowContext(ctx, externalID).Scan(&c.ID, &c.ExternalID, &c.Locale, &c.Segment, &services, &revenue, &started,
		&c.Manager, &c.Team, &c.Region)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, otklik.Errorf(otklik.ENOTFOUND, "no such customer")
	}
	if err != nil {
		return nil, fmt.Errorf("store: customer for answer: %w", err)
	}
	if err := json.Unmarshal([]byte(services), &c.Services); err != nil {
		return nil, fmt.Errorf("services of customer %d: %w", c.ID, err)
	}
	if revenue.Valid {
		a := otklik.Amount(revenue.Int64)
		c.Revenue = &a
	}
	if started.Valid {
		c.StartedAt = &otklik.Date{Time: started.Time}
	}
	return &c, nil
}

// CustomerFilter narrows a customer list.
type CustomerFilter struct {
	Segment string
	Manager string
	Text    string    // in the name, company, e-mail or external id
	Silent  time.Time // only customers with no answer since this instant
	After   int64     // keyset cursor: the last id of the previous page
	Limit   int
}

// Customers lists the customers in scope, by id, one page at a time.
func (db *DB) Customers(ctx context.Context, scope otklik.Scope, f CustomerFilter) ([]*otklik.Customer, error) {
	where, args := scopeWhere(scope, "manager", "team")
	q := "SELECT " + customerColumns + " FROM customers WHERE erased_at IS NULL AND id > ? AND " + where
	args = append([]any{f.After}, args...)
	if f.Segment != "" {
		q += " AND segment = ?"
		args = append(args, f.Segment)
	}
	if f.Manager != "" {
		q += " AND manager = ?"
		args = append(args, strings.ToLower(f.Manager))
	}
	for _, col := range []string{"name", "company", "email", "external_id"} {
		c, a := textMatch(col, f.Text)
		if c == "" {
			break
		}
		if col == "name" {
			q += " AND (" + c
		} else {
			q += " OR " + c
		}
		args = append(args, a...)
		if col == "external_id" {
			q += ")"
		}
	}
	if !f.Silent.IsZero() {
		q += " AND NOT EXISTS (SELECT 1 FROM responses r WHERE r.customer_id = customers.id AND r.answered_at >= ?)"
		args = append(args, db.ts(f.Silent))
	}
	q += " ORDER BY id LIMIT " + strconv.Itoa(clampLimit(f.Limit))
	rows, err := db.query(ctx, db.read, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: customers: %w", err)
	}
	defer rows.Close()
	var out []*otklik.Customer
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			return nil, fmt.Errorf("store: customers: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: customers: %w", err)
	}
	return out, db.loadConsents(ctx, db.read, out)
}

// Workload is one manager's book of customers.
type Workload struct {
	Manager   string        `json:"manager"`
	Team      string        `json:"team"`
	Customers int           `json:"customers"`
	Revenue   otklik.Amount `json:"revenue"`
}

// Workloads counts customers and their revenue per manager, within scope.
func (db *DB) Workloads(ctx context.Context, scope otklik.Scope) ([]Workload, error) {
	where, args := scopeWhere(scope, "manager", "team")
	rows, err := db.query(ctx, db.read, `SELECT manager, MIN(team), COUNT(*), COALESCE(SUM(revenue), 0) FROM customers
		WHERE erased_at IS NULL AND `+where+` GROUP BY manager ORDER BY COUNT(*) DESC, manager`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: workloads: %w", err)
	}
	defer rows.Close()
	var out []Workload
	for rows.Next() {
		var w Workload
		var revenue int64
		if err := rows.Scan(&w.Manager, &w.Team, &w.Customers, &revenue); err != nil {
			return nil, fmt.Errorf("store: workloads: %w", err)
		}
		w.Revenue = otklik.Amount(revenue)
		out = append(out, w)
	}
	return out, rows.Err()
}

// textMatch is a case-insensitive substring condition on col. SQLite folds
// case for ASCII only, so the phrase is also tried as typed, in lower case
// and capitalised, which covers how Russian words appear in comments.
func textMatch(col, text string) (string, []any) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", nil
	}
	esc := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)
	variants := []string{text, strings.ToLower(text)}
	if r := []rune(strings.ToLower(text)); len(r) > 0 {
		variants = append(variants, strings.ToUpper(string(r[:1]))+string(r[1:]))
	}
	var conds []string
	var args []any
	for _, v := range variants {
		conds = append(conds, col+` LIKE ? ESCAPE '\'`)
		args = append(args, "%"+esc.Replace(v)+"%")
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

func clampLimit(n int) int {
	if n <= 0 {
		return 100
	}
	return min(n, 1000)
}

// EraseCustomer removes a person's data on request (152-FZ, GDPR): contact
// details, attributes, consents and the free text of their answers. Scores,
// times, channels and dimension snapshots stay, so aggregates do not change.
// The external id is replaced, so the CRM sending it again starts afresh.
func (db *DB) EraseCustomer(ctx context.Context, actor otklik.Actor, externalID string) error {
	now := db.now()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := db.customerBy(ctx, tx, "external_id = ?", externalID)
		if err != nil {
			return err
		}
		if db.postgres {
			// Wait for answers being written for this customer, and make
			// later ones wait for this erasure (see undoErased).
			if _, err := db.exec(ctx, tx, "SELECT id FROM customers WHERE id = ? FOR UPDATE", c.ID); err != nil {
				return fmt.Errorf("store: lock customer: %w", err)
			}
		}
		_, err = db.exec(ctx, tx, `UPDATE customers SET external_id = ?, name = '', company = '', email = '', phone = '',
			telegram_chat_id = '', attributes = '{}', erased_at = ?, updated_at = ? WHERE id = ?`,
			"erased:"+strconv.FormatInt(c.ID, 10), db.ts(now), db.ts(now), c.ID)
		if err != nil {
			return fmt.Errorf("store: erase customer: %w", err)
		}
		if _, err := db.exec(ctx, tx, "DELETE FROM consents WHERE customer_id = ?", c.ID); err != nil {
			return fmt.Errorf("store: erase consents: %w", err)
		}
		if _, err := db.exec(ctx, tx, "UPDATE responses SET comment = '' WHERE customer_id = ?", c.ID); err != nil {
			return fmt.Errorf("store: erase comments: %w", err)
		}
		// Notes, call-backs, decisions and actions on the person's cases are
		// free text about them; so are the attributes of their events.
		if _, err := db.exec(ctx, tx, `UPDATE case_events SET body = '', data = '{}' WHERE case_id IN (SELECT id FROM cases WHERE customer_id = ?)
			AND kind IN ('note', 'contact', 'resolved')`, c.ID); err != nil {
			return fmt.Errorf("store: erase case notes: %w", err)
		}
		if _, err := db.exec(ctx, tx, "UPDATE cases SET decision = '', action = '', callback_outcome = '' WHERE customer_id = ?", c.ID); err != nil {
			return fmt.Errorf("store: erase case texts: %w", err)
		}
		if _, err := db.exec(ctx, tx, "UPDATE events SET attributes = '{}' WHERE customer_id = ?", c.ID); err != nil {
			return fmt.Errorf("store: erase event attributes: %w", err)
		}
		return db.audit(ctx, tx, actor.Email, "customer.erase", "customer:"+strconv.FormatInt(c.ID, 10), "")
	})
	db.recent.forget(externalID)
	return err
}

// PersonalData is everything held about one person.
type PersonalData struct {
	Customer    *otklik.Customer     `json:"customer"`
	Responses   []*otklik.Response   `json:"responses"`
	Cases       []*otklik.Case       `json:"cases"`       // with their timelines
	Invitations []*otklik.Invitation `json:"invitations"` // with their logs
	Events      []*otklik.Event      `json:"events"`
}

// ExportCustomer gathers everything held about a person, for a subject
// access request, and records that it was taken.
func (db *DB) ExportCustomer(ctx context.Context, actor otklik.Actor, externalID string) (*PersonalData, error) {
	c, err := db.customerBy(ctx, db.read, "external_id = ?", externalID)
	if err != nil {
		return nil, err
	}
	rs, err := db.responsesWhere(ctx, "r.customer_id = ?", []any{c.ID}, "r.answered_at, r.id", 0)
	if err != nil {
		return nil, err
	}
	all := otklik.Scope{Reach: otklik.ReachAll}
	out := &PersonalData{Customer: c, Responses: rs, Cases: []*otklik.Case{}, Invitations: []*otklik.Invitation{}, Events: []*otklik.Event{}}
	cases, err := db.Cases(ctx, all, CaseFilter{Customer: c.ExternalID, Limit: 1000})
	if err != nil {
		return nil, err
	}
	for _, k := range cases {
		full, err := db.Case(ctx, all, k.ID)
		if err != nil {
			return nil, err
		}
		out.Cases = append(out.Cases, full)
	}
	invs, err := db.Invitations(ctx, all, InvitationFilter{Customer: c.ExternalID, Limit: 1000, WithLog: true})
	if err != nil {
		return nil, err
	}
	out.Invitations = append(out.Invitations, invs...)
	if out.Events, err = db.customerEvents(ctx, c); err != nil {
		return nil, err
	}
	if err := db.audit(ctx, db.write, actor.Email, "customer.export", "customer:"+strconv.FormatInt(c.ID, 10), ""); err != nil {
		return nil, err
	}
	return out, nil
}
