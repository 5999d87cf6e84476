package referrals

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"strings"
	"time"

	"otklik"
	"otklik/internal/referral"
)

// Reasons a code is not issued or redeemed; a page words each in the
// reader's language (the message id "referrals.refused.<reason>").
const (
	ReasonDisabled        = "disabled"         // the programme is switched off
	ReasonCodeRequired    = "code_required"    // no code given
	ReasonCodeTypo        = "code_typo"        // the check symbol caught a mistyped code
	ReasonCodeMalformed   = "code_malformed"   // not shaped like a code; Params["Detail"] says how
	ReasonBadLink         = "bad_link"         // a link token that is forged or damaged
	ReasonUnknownCode     = "unknown_code"     // well-formed, but never issued
	ReasonUnknownCustomer = "unknown_customer" // no such customer within the actor's reach
	ReasonNoCustomer      = "no_customer"      // no customer (or promoter) named
	ReasonSelf            = "self"             // the promoter's own code
	ReasonAlreadyReferred = "already_referred" // Params["Date"]: when
	ReasonNotNew          = "not_new"          // Params["Date"]: since when a customer, ["Days"]: the window
	ReasonUsedUp          = "used_up"          // Params["Count"]: the coupons the code had
	ReasonExpired         = "expired"          // Params["Date"]: the code's last day
)

// Refusal is why a code was not issued or redeemed, for a page to word in
// its reader's language: Reason names the rule, Params its details (dates
// are YYYY-MM-DD in the business's time zone). It wraps the coded error an
// API reports (code, English message, fields), so otklik.ErrorCode and
// otklik.ErrorMessage see through it.
type Refusal struct {
	Reason string
	Params map[string]any
	Err    *otklik.Error
}

func (r *Refusal) Error() string {
	if r.Err == nil {
		return "referrals: refused: " + r.Reason
	}
	return r.Err.Error()
}

func (r *Refusal) Unwrap() error {
	if r.Err == nil {
		return nil
	}
	return r.Err
}

func refuse(reason string, params map[string]any, code, format string, args ...any) error {
	return &Refusal{Reason: reason, Params: params, Err: otklik.Errorf(code, format, args...)}
}

// required refuses an input without the customer's id on field.
func required(field, message string) error {
	var p otklik.Problems
	p.Add(field, "is required")
	return &Refusal{Reason: ReasonNoCustomer, Err: asCoded(p.Err(message))}
}

// Redeem attributes a new customer (an external id, within the actor's
// reach over customers) to the promoter whose code they brought: a coupon
// code as typed (NormalizeCode forgives case, spaces, Cyrillic look-alikes),
// a link code, or a personal link's token or whole URL. In one transaction
// it checks, in this order, and refuses with a *Refusal:
//
//   - the code is well-formed (EINVALID on field "code") and was issued
//     (ENOTFOUND), the customer exists (ENOTFOUND);
//   - the customer was not referred before (ECONFLICT) — the same code
//     redeemed again for the same customer returns the first referral with
//     Replayed set, so a retried request is harmless;
//   - the promoter is not the customer (ECONFLICT);
//   - the customer is new: first known (the earlier of their start date and
//     their creation in Otklik — a long-standing customer imported
//     yesterday is not new) no earlier than the window before now
//     (ECONFLICT);
//   - the programme is on, the code has a use left and has not expired,
//     under the terms it was issued with (ECONFLICT);
//
// then records the referral and counts the use.
func (e *Engine) Redeem(ctx context.Context, actor otklik.Actor, code, customer string) (*otklik.Referral, error) {
	scope, err := actor.Scope(otklik.WriteCustomers)
	if err != nil {
		return nil, err
	}
	body, err := e.codeBody(code)
	if err != nil {
		return nil, err
	}
	customer = strings.TrimSpace(customer)
	if customer == "" {
		return nil, required("customer", "say which new customer brought the code")
	}
	prog, err := e.Program(ctx)
	if err != nil {
		return nil, err
	}
	now := e.cfg.Now().UTC().Truncate(time.Microsecond)
	var out *otklik.Referral
	err = e.cfg.DB.InTx(ctx, func(tx *sql.Tx) error {
		c, err := e.cfg.DB.ReferralCode(ctx, tx, body)
		if otklik.ErrorCode(err) == otklik.ENOTFOUND {
			return refuse(ReasonUnknownCode, nil, otklik.ENOTFOUND, "no referral code %s was issued", body)
		}
		if err != nil {
			return err
		}
		n, err := e.cfg.DB.ReferralCustomer(ctx, tx, scope, customer)
		if otklik.ErrorCode(err) == otklik.ENOTFOUND {
			return refuse(ReasonUnknownCustomer, map[string]any{"Customer": customer}, otklik.ENOTFOUND, "no customer %q", customer)
		}
		if err != nil {
			return err
		}
		prev, err := e.cfg.DB.ReferralOf(ctx, tx, n.ID)
		switch {
		case err == nil && prev.CodeID == c.ID:
			prev.Replayed = true
			out = prev
			return nil
		case err == nil:
			day := e.day(prev.RedeemedAt)
			return refuse(ReasonAlreadyReferred, map[string]any{"Date": day}, otklik.ECONFLICT,
				"customer %s was already referred on %s: a customer is referred once", customer, day)
		case otklik.ErrorCode(err) != otklik.ENOTFOUND:
			return err
		}
		if err := e.attributable(c, n, now); err != nil {
			return err
		}
		if err := e.redeemable(prog, c, now); err != nil {
			return err
		}
		out = &otklik.Referral{Customer: n.ExternalID, Promoter: c.Promoter, Code: c.Code, Kind: c.Kind, RedeemedAt: now,
			RedeemedBy: actor.Email, CustomerID: n.ID, PromoterID: c.PromoterID, CodeID: c.ID}
		return e.cfg.DB.AddReferral(ctx, tx, out)
	})
	if err != nil {
		return nil, wrap("redeem", err)
	}
	return out, nil
}

// attributable applies referral.Attributable and says which rule failed.
func (e *Engine) attributable(c *otklik.ReferralCode, n *otklik.Customer, now time.Time) error {
	since := n.CreatedAt
	if n.StartedAt != nil && n.StartedAt.Before(since) {
		since = n.StartedAt.Time
	}
	err := referral.Attributable(c.PromoterID, n.ID, since, now, e.cfg.Window)
	switch {
	case err == nil:
		return nil
	case c.PromoterID == n.ID:
		return &Refusal{Reason: ReasonSelf, Err: asCoded(err)}
	case otklik.ErrorCode(err) == otklik.ECONFLICT:
		return &Refusal{Reason: ReasonNotNew, Params: map[string]any{"Date": e.day(since), "Days": int(e.cfg.Window / (24 * time.Hour))},
			Err: asCoded(err)}
	}
	return err
}

// redeemable applies referral.Program.Redeemable with the terms the code
// was issued under and the programme's switch as it is now, and says which
// rule failed.
func (e *Engine) redeemable(prog referral.Program, c *otklik.ReferralCode, now time.Time) error {
	terms := referral.Program{Enabled: prog.Enabled, Coupons: c.Uses, ValidDays: c.ValidDays}
	if c.Uses == 0 {
		terms.Coupons = c.Used + 1 // a link has no limit
	}
	err := terms.Redeemable(c.Used, c.IssuedAt.In(e.cfg.Location), now)
	switch {
	case err == nil:
		return nil
	case !prog.Enabled:
		return &Refusal{Reason: ReasonDisabled, Err: asCoded(err)}
	case c.Used >= terms.Coupons:
		return &Refusal{Reason: ReasonUsedUp, Params: map[string]any{"Count": c.Uses}, Err: asCoded(err)}
	}
	exp, _ := terms.ExpiresAt(c.IssuedAt.In(e.cfg.Location))
	return &Refusal{Reason: ReasonExpired, Params: map[string]any{"Date": exp.Format(time.DateOnly)}, Err: asCoded(err)}
}

// codeBody reads what was brought — a typed code, a link token, or the
// link's whole URL — and returns the code's body, the part stored unique.
func (e *Engine) codeBody(s string) (string, error) {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "/r/"); i >= 0 {
		s = s[i+len("/r/"):]
		if j := strings.IndexAny(s, "?#/"); j >= 0 {
			s = s[:j]
		}
		if u, err := url.PathUnescape(s); err == nil {
			s = u
		}
	}
	if strings.Contains(s, ".") {
		body, ok := referral.ParseLinkToken(s, e.key)
		if !ok {
			var p otklik.Problems
			p.Add("code", "is not a referral link issued here")
			return "", &Refusal{Reason: ReasonBadLink, Err: asCoded(p.Err("the referral link is not valid"))}
		}
		return body, nil
	}
	code, err := referral.NormalizeCode(s)
	if err != nil {
		reason, detail := ReasonCodeMalformed, ""
		if fs := otklik.ErrorFields(err); len(fs) > 0 {
			detail = fs[0].Message
		}
		switch {
		case detail == "is required":
			reason = ReasonCodeRequired
		case strings.HasPrefix(detail, "has a typo"):
			reason = ReasonCodeTypo
		}
		return "", &Refusal{Reason: reason, Params: map[string]any{"Detail": detail}, Err: asCoded(err)}
	}
	return referral.Body(code), nil
}

// day writes an instant as the business's calendar day.
func (e *Engine) day(t time.Time) string { return t.In(e.cfg.Location).Format(time.DateOnly) }

// asCoded returns the coded error in err's chain (the referral package
// returns only those).
func asCoded(err error) *otklik.Error {
	var c *otklik.Error
	if errors.As(err, &c) {
		return c
	}
	return &otklik.Error{Code: otklik.EINTERNAL, Message: err.Error()}
}
