package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"otklik"
)

// Referrals: codes issued to promoters and the new customers attributed to
// them. The rules (who may be referred, when a code still works) live in
// internal/referrals, which runs them inside one transaction (InTx) with
// the reads and writes below, so a rule and the write it allows see the
// same rows.

const referralCodeColumns = `rc.id, rc.promoter_id, p.external_id, rc.code, rc.prefix, rc.kind, rc.uses, rc.used,
	rc.valid_days, rc.expires_at, rc.offer, rc.issued_at, rc.issued_by`

// Codes of erased promoters are gone: they neither show nor redeem.
const referralCodeFrom = ` FROM referral_codes rc JOIN customers p ON p.id = rc.promoter_id AND p.erased_at IS NULL`

func scanReferralCode(row interface{ Scan(...any) error }) (*otklik.ReferralCode, error) {
	var c otklik.ReferralCode
	var body, prefix string
	var expires, issued instant
	if err := row.Scan(&c.ID, &c.PromoterID, &c.Promoter, &body, &prefix, &c.Kind, &c.Uses, &c.Used,
		&c.ValidDays, &expires, &c.Offer, &issued, &c.IssuedBy); err != nil {
		return nil, err
	}
	c.Code = body
	if prefix != "" {
		c.Code = prefix + "-" + body
	}
	c.ExpiresAt, c.IssuedAt = expires.ptr(), issued.Time
	return &c, nil
}

// on returns tx, or the read pool when tx is nil.
func (db *DB) on(tx *sql.Tx) querier {
	if tx == nil {
		return db.read
	}
	return tx
}

// LockPromoter returns the customer with externalID if it lies in scope
// (else ENOTFOUND), and on PostgreSQL locks its row until tx ends, so that
// two requests issuing codes to one promoter at once take turns and the
// second finds the first one's codes. (SQLite runs one write transaction
// at a time anyway.)
func (db *DB) LockPromoter(ctx context.Context, tx *sql.Tx, scope otklik.Scope, externalID string) (*otklik.Customer, error) {
	c, err := db.ReferralCustomer(ctx, tx, scope, externalID)
	if err != nil {
		return nil, err
	}
	if db.postgres {
		if _, err := db.exec(ctx, tx, "SELECT id FROM customers WHERE id = ? FOR UPDATE", c.ID); err != nil {
			return nil, fmt.Errorf("store: lock promoter: %w", err)
		}
	}
	return c, nil
}

// ReferralCustomer returns the customer with externalID, not erased and in
// scope, else ENOTFOUND naming the customer.
func (db *DB) ReferralCustomer(ctx context.Context, tx *sql.Tx, scope otklik.Scope, externalID string) (*otklik.Customer, error) {
	c, err := db.customerBy(ctx, db.on(tx), "external_id = ?", externalID)
	if err == nil && !scope.Covers(c.Manager, c.Team) {
		err = otklik.Errorf(otklik.ENOTFOUND, "no such customer")
	}
	if otklik.ErrorCode(err) == otklik.ENOTFOUND {
		return nil, otklik.Errorf(otklik.ENOTFOUND, "no customer %q", externalID)
	}
	return c, err
}

// PromoterCodes returns a promoter's latest coupon code and their link
// code; either is nil when none was issued. tx may be nil (a plain read).
func (db *DB) PromoterCodes(ctx context.Context, tx *sql.Tx, promoterID int64) (coupon, link *otklik.ReferralCode, err error) {
	for _, kind := range []string{otklik.ReferralCoupon, otklik.ReferralLink} {
		c, err := scanReferralCode(db.queryRow(ctx, db.on(tx), "SELECT "+referralCodeColumns+referralCodeFrom+
			" WHERE rc.promoter_id = ? AND rc.kind = ? ORDER BY rc.id DESC LIMIT 1", promoterID, kind))
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("store: codes of promoter %d: %w", promoterID, err)
		}
		if kind == otklik.ReferralCoupon {
			coupon = c
		} else {
			link = c
		}
	}
	return coupon, link, nil
}

// AddReferralCode stores a new code with its body (the part after the
// prefix, stored unique) and prefix. It returns false, writing nothing,
// when the body is taken (codes are random: the caller draws another) or
// the promoter already has a link.
func (db *DB) AddReferralCode(ctx context.Context, tx *sql.Tx, c *otklik.ReferralCode, body, prefix string) (bool, error) {
	err := db.queryRow(ctx, tx, `INSERT INTO referral_codes (promoter_id, code, prefix, kind, uses, used, valid_days, expires_at,
		offer, issued_at, issued_by) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
		c.PromoterID, body, prefix, c.Kind, c.Uses, c.ValidDays, db.tsPtr(c.ExpiresAt), c.Offer, db.ts(c.IssuedAt), c.IssuedBy).Scan(&c.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: add referral code: %w", err)
	}
	c.Code, c.Used = body, 0
	if prefix != "" {
		c.Code = prefix + "-" + body
	}
	return true, nil
}

// ReferralCode returns the code with body (of any promoter not erased), or
// ENOTFOUND. With a transaction on PostgreSQL the code's row stays locked
// until it ends, so redemptions of one code take turns.
func (db *DB) ReferralCode(ctx context.Context, tx *sql.Tx, body string) (*otklik.ReferralCode, error) {
	q := "SELECT " + referralCodeColumns + referralCodeFrom + " WHERE rc.code = ?"
	if tx != nil && db.postgres {
		q += " FOR UPDATE OF rc"
	}
	c, err := scanReferralCode(db.queryRow(ctx, db.on(tx), q, body))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, otklik.Errorf(otklik.ENOTFOUND, "no such referral code")
	}
	if err != nil {
		return nil, fmt.Errorf("store: referral code: %w", err)
	}
	return c, nil
}

const referralColumns = `r.id, r.customer_id, c.external_id, r.promoter_id, p.external_id, r.code_id, rc.code, rc.prefix, rc.kind,
	r.redeemed_at, r.redeemed_by`

const referralFrom = ` FROM referrals r JOIN customers c ON c.id = r.customer_id JOIN customers p ON p.id = r.promoter_id
	JOIN referral_codes rc ON rc.id = r.code_id`

// ReferralOf returns how a customer was referred, or ENOTFOUND when they
// were not. tx may be nil.
func (db *DB) ReferralOf(ctx context.Context, tx *sql.Tx, customerID int64) (*otklik.Referral, error) {
	var r otklik.Referral
	var body, prefix string
	var at instant
	err := db.queryRow(ctx, db.on(tx), "SELECT "+referralColumns+referralFrom+" WHERE r.customer_id = ?", customerID).Scan(
		&r.ID, &r.CustomerID, &r.Customer, &r.PromoterID, &r.Promoter, &r.CodeID, &body, &prefix, &r.Kind, &at, &r.RedeemedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, otklik.Errorf(otklik.ENOTFOUND, "the customer was not referred")
	}
	if err != nil {
		return nil, fmt.Errorf("store: referral of customer %d: %w", customerID, err)
	}
	r.Code, r.RedeemedAt = body, at.Time
	if prefix != "" {
		r.Code = prefix + "-" + body
	}
	return &r, nil
}

// AddReferral attributes r.CustomerID to the promoter of code r.CodeID and
// counts one use of the code, in tx. A code with no use left, or a customer
// already referred (by a request that got there first), is ECONFLICT.
func (db *DB) AddReferral(ctx context.Context, tx *sql.Tx, r *otklik.Referral) error {
	res, err := db.exec(ctx, tx, "UPDATE referral_codes SET used = used + 1 WHERE id = ? AND (uses = 0 OR used < uses)", r.CodeID)
	if err != nil {
		return fmt.Errorf("store: count referral code use: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return otklik.Errorf(otklik.ECONFLICT, "every coupon of this code has been used")
	}
	r.ID, err = db.insertID(ctx, tx, `INSERT INTO referrals (customer_id, promoter_id, code_id, redeemed_at, redeemed_by)
		VALUES (?, ?, ?, ?, ?)`, r.CustomerID, r.PromoterID, r.CodeID, db.ts(r.RedeemedAt), r.RedeemedBy)
	if isUniqueViolation(err) {
		return otklik.Errorf(otklik.ECONFLICT, "the customer has already been referred")
	}
	if err != nil {
		return fmt.Errorf("store: add referral: %w", err)
	}
	return nil
}

// ReferralFigures returns, per promoter in scope (the promoter's manager
// and team decide), the customers they referred in [from, to) and the
// deal_won events their referred customers — referred at any time — had in
// [from, to), with the sum of the events' "amount" attributes. A zero from
// or to leaves that end open. Promoters with nothing in the period are left
// out; the order is by promoter id.
func (db *DB) ReferralFigures(ctx context.Context, scope otklik.Scope, from, to time.Time) ([]otklik.PromoterReferrals, error) {
	where, args := scopeWhere(scope, "p.manager", "p.team")
	between := func(col string) (string, []any) {
		cond, a := where, append([]any(nil), args...)
		if !from.IsZero() {
			cond += " AND " + col + " >= ?"
			a = append(a, db.ts(from))
		}
		if !to.IsZero() {
			cond += " AND " + col + " < ?"
			a = append(a, db.ts(to))
		}
		return cond, a
	}
	byID := map[int64]*otklik.PromoterReferrals{}
	var order []int64
	line := func(id int64, ext, name, manager, team string) *otklik.PromoterReferrals {
		if l, ok := byID[id]; ok {
			return l
		}
		l := &otklik.PromoterReferrals{Promoter: ext, Name: name, Manager: manager, Team: team}
		byID[id] = l
		order = append(order, id)
		return l
	}

	cond, a := between("r.redeemed_at")
	rows, err := db.query(ctx, db.read, `SELECT p.id, p.external_id, p.name, p.manager, p.team, COUNT(*)
		FROM referrals r JOIN customers p ON p.id = r.promoter_id WHERE `+cond+`
		GROUP BY p.id, p.external_id, p.name, p.manager, p.team`, a...)
	if err != nil {
		return nil, fmt.Errorf("store: referred customers: %w", err)
	}
	for rows.Next() {
		var id int64
		var ext, name, manager, team string
		var n int
		if err := rows.Scan(&id, &ext, &name, &manager, &team, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: referred customers: %w", err)
		}
		line(id, ext, name, manager, team).Referred = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: referred customers: %w", err)
	}

	// Amounts are summed here, not in SQL: the attribute is text in a JSON
	// object ("1000.00", "1 500,50"), read exactly by otklik.ParseAmount.
	cond, a = between("e.occurred_at")
	rows, err = db.query(ctx, db.read, `SELECT p.id, p.external_id, p.name, p.manager, p.team, CAST(e.attributes AS TEXT)
		FROM referrals r JOIN customers p ON p.id = r.promoter_id JOIN events e ON e.customer_id = r.customer_id
		WHERE e.type = 'deal_won' AND `+cond, a...)
	if err != nil {
		return nil, fmt.Errorf("store: referred deals: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var ext, name, manager, team, attrs string
		if err := rows.Scan(&id, &ext, &name, &manager, &team, &attrs); err != nil {
			return nil, fmt.Errorf("store: referred deals: %w", err)
		}
		l := line(id, ext, name, manager, team)
		l.Deals++
		if amount, ok := dealAmount(attrs); ok {
			l.Revenue += amount
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: referred deals: %w", err)
	}
	slices.Sort(order)
	out := make([]otklik.PromoterReferrals, 0, len(order))
	for _, id := range order {
		out = append(out, *byID[id])
	}
	return out, nil
}

// dealAmount reads the "amount" attribute of an event: text as the CRMs
// send it ("1000.00"), or a JSON number written by hand into the database.
func dealAmount(attrs string) (otklik.Amount, bool) {
	d := json.NewDecoder(strings.NewReader(attrs))
	d.UseNumber()
	var m map[string]any
	if d.Decode(&m) != nil {
		return 0, false
	}
	var text string
	switch v := m["amount"].(type) {
	case string:
		text = v
	case json.Number:
		text = v.String()
	default:
		return 0, false
	}
	a, err := otklik.ParseAmount(text)
	return a, err == nil
}
