// Package referrals runs the promoters' referral programme (PRODUCT.md,
// "Promoter → … a referral link and three identical coupons"): it keeps the
// programme's settings, issues each promoter a coupon code good for a few
// new customers and a personal link, attributes a new customer who redeems
// either to the promoter, and reports what promoters brought — the
// customers and the deals those customers won — per promoter and per
// account manager.
//
// The rules themselves are the pure ones of internal/referral; this package
// applies them to stored rows inside one transaction, so a code cannot be
// used more times than it allows and a customer is referred once, however
// many replicas redeem at the same moment.
package referrals

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"otklik"
	"otklik/internal/referral"
	"otklik/internal/store"
)

// programKey is the settings key of the programme's JSON.
const programKey = "referrals.program"

// drawAttempts bounds the fresh codes drawn when one is taken; with 31⁹
// bodies a second draw is already rare beyond measure.
const drawAttempts = 5

// Config is what the engine needs.
type Config struct {
	DB  *store.DB
	Now func() time.Time
	// Location is the business's time zone: a code issued at 18:00 Moscow
	// time lasts until 18:00 of its last day there.
	Location *time.Location
	// LinkKey is the installation's link key; the engine derives its own key
	// from it, so a referral link can never pass for a survey link.
	LinkKey []byte
	// BaseURL is where personal links point: BaseURL/r/{token}.
	BaseURL string
	// Window is how new a referred customer must be; 0 means
	// referral.DefaultWindow (90 days).
	Window time.Duration
	// NewCode draws a code with a prefix; nil means referral.NewCode. Tests
	// replace it to make two draws collide.
	NewCode func(prefix string) (string, error)
}

// Engine is the referral programme at work. It is safe for concurrent use.
type Engine struct {
	cfg Config
	key []byte
}

// New returns an engine.
func New(cfg Config) *Engine {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Window <= 0 {
		cfg.Window = referral.DefaultWindow
	}
	if cfg.NewCode == nil {
		cfg.NewCode = referral.NewCode
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	m := hmac.New(sha256.New, cfg.LinkKey)
	m.Write([]byte("otklik-key:referral-links"))
	return &Engine{cfg: cfg, key: m.Sum(nil)}
}

// Program returns the programme: the stored one, or referral.DefaultProgram
// (switched off) before an administrator sets it.
func (e *Engine) Program(ctx context.Context) (referral.Program, error) {
	v, ok, err := e.cfg.DB.SettingValue(ctx, programKey)
	if err != nil || !ok {
		return referral.DefaultProgram(), err
	}
	var p referral.Program
	if err := json.Unmarshal([]byte(v), &p); err != nil {
		return referral.DefaultProgram(), fmt.Errorf("referrals: stored programme: %w", err)
	}
	return p, nil
}

// SetProgram validates and stores the programme (administrators only).
// Codes already issued keep the terms they were issued under.
func (e *Engine) SetProgram(ctx context.Context, actor otklik.Actor, p referral.Program) (referral.Program, error) {
	if _, err := actor.Scope(otklik.ManageReferrals); err != nil {
		return referral.Program{}, err
	}
	p.Offer = strings.TrimSpace(p.Offer)
	p.Prefix = strings.ToUpper(strings.TrimSpace(p.Prefix))
	if err := p.Validate(); err != nil {
		return referral.Program{}, err
	}
	b, _ := json.Marshal(p)
	if err := e.cfg.DB.PutSetting(ctx, programKey, string(b)); err != nil {
		return referral.Program{}, err
	}
	return p, nil
}

// Issue gives a promoter (a customer's external id) their coupon code and
// personal link, for the actor's reach over customers (an account manager
// thanking their promoter). It is safe to repeat: while the promoter's
// coupon still has a use left and has not expired, the same coupon and link
// come back (Reused); a spent or expired coupon is replaced by a new one
// under the programme's current terms. While the programme is off nothing
// is issued (ECONFLICT).
func (e *Engine) Issue(ctx context.Context, actor otklik.Actor, promoter string) (*otklik.ReferralKit, error) {
	scope, err := actor.Scope(otklik.WriteCustomers)
	if err != nil {
		return nil, err
	}
	promoter = strings.TrimSpace(promoter)
	if promoter == "" {
		return nil, required("promoter", "say whom to issue codes to")
	}
	prog, err := e.Program(ctx)
	if err != nil {
		return nil, err
	}
	if !prog.Enabled {
		return nil, refuse(ReasonDisabled, nil, otklik.ECONFLICT, "the referral programme is switched off: an administrator turns it on in the settings")
	}
	now := e.cfg.Now().UTC().Truncate(time.Microsecond)
	kit := &otklik.ReferralKit{Promoter: promoter}
	err = e.cfg.DB.InTx(ctx, func(tx *sql.Tx) error {
		c, err := e.cfg.DB.LockPromoter(ctx, tx, scope, promoter)
		if otklik.ErrorCode(err) == otklik.ENOTFOUND {
			return refuse(ReasonUnknownCustomer, map[string]any{"Customer": promoter}, otklik.ENOTFOUND, "no customer %q", promoter)
		}
		if err != nil {
			return err
		}
		coupon, link, err := e.cfg.DB.PromoterCodes(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		kit.Reused = coupon != nil && coupon.Live(now) && link != nil
		if coupon == nil || !coupon.Live(now) {
			coupon = &otklik.ReferralCode{Kind: otklik.ReferralCoupon, Uses: prog.Coupons, ValidDays: prog.ValidDays,
				Offer: prog.Offer, IssuedAt: now, IssuedBy: actor.Email, PromoterID: c.ID, Promoter: c.ExternalID}
			if exp, ok := prog.ExpiresAt(now.In(e.cfg.Location)); ok {
				exp = exp.UTC()
				coupon.ExpiresAt = &exp
			}
			if err := e.add(ctx, tx, coupon, prog.Prefix); err != nil {
				return err
			}
		}
		if link == nil {
			// A link has no limit and no expiry: it lives in chats for
			// months. Its page shows its code for the friend to quote.
			link = &otklik.ReferralCode{Kind: otklik.ReferralLink, Offer: prog.Offer, IssuedAt: now, IssuedBy: actor.Email,
				PromoterID: c.ID, Promoter: c.ExternalID}
			if err := e.add(ctx, tx, link, prog.Prefix); err != nil {
				return err
			}
		}
		kit.Promoter, kit.Coupon, kit.Link = c.ExternalID, coupon, link
		return nil
	})
	if err != nil {
		return nil, wrap("issue", err)
	}
	kit.LinkURL = e.LinkURL(kit.Link)
	return kit, nil
}

// add stores a fresh code, drawing again on the rare collision.
func (e *Engine) add(ctx context.Context, tx *sql.Tx, c *otklik.ReferralCode, prefix string) error {
	for range drawAttempts {
		code, err := e.cfg.NewCode(prefix)
		if err != nil {
			return err
		}
		body := referral.Body(code)
		ok, err := e.cfg.DB.AddReferralCode(ctx, tx, c, body, strings.TrimSuffix(strings.TrimSuffix(code, body), "-"))
		if err != nil || ok {
			return err
		}
	}
	return fmt.Errorf("no free code after %d draws", drawAttempts)
}

// Kit returns what a promoter holds, for their customer card: the latest
// coupon and the link, each nil when none was issued. The promoter must
// lie in the actor's reach for reading referrals.
func (e *Engine) Kit(ctx context.Context, actor otklik.Actor, promoter string) (*otklik.ReferralKit, error) {
	scope, err := actor.Scope(otklik.ReadReferrals)
	if err != nil {
		return nil, err
	}
	c, err := e.cfg.DB.ReferralCustomer(ctx, nil, scope, promoter)
	if err != nil {
		return nil, err
	}
	kit := &otklik.ReferralKit{Promoter: c.ExternalID}
	if kit.Coupon, kit.Link, err = e.cfg.DB.PromoterCodes(ctx, nil, c.ID); err != nil {
		return nil, err
	}
	kit.LinkURL = e.LinkURL(kit.Link)
	return kit, nil
}

// Referral returns how a customer (within the actor's reach for reading
// referrals) was referred: ENOTFOUND when they were not.
func (e *Engine) Referral(ctx context.Context, actor otklik.Actor, customer string) (*otklik.Referral, error) {
	scope, err := actor.Scope(otklik.ReadReferrals)
	if err != nil {
		return nil, err
	}
	c, err := e.cfg.DB.ReferralCustomer(ctx, nil, scope, customer)
	if err != nil {
		return nil, err
	}
	return e.cfg.DB.ReferralOf(ctx, nil, c.ID)
}

// LinkURL is the address of a personal link; "" for nil.
func (e *Engine) LinkURL(link *otklik.ReferralCode) string {
	if link == nil {
		return ""
	}
	return e.cfg.BaseURL + "/r/" + url.PathEscape(e.LinkToken(link))
}

// LinkToken is the signed token of a link code, as its URL carries it and
// as Redeem accepts it.
func (e *Engine) LinkToken(link *otklik.ReferralCode) string {
	return referral.LinkToken(referral.Body(link.Code), e.key)
}

// Landing returns the link code behind a personal link's token, for the
// page the link opens: ENOTFOUND for a forged or unknown token, a code of
// an erased promoter, or while the programme is off.
func (e *Engine) Landing(ctx context.Context, token string) (*otklik.ReferralCode, error) {
	body, ok := referral.ParseLinkToken(token, e.key)
	if !ok {
		return nil, otklik.Errorf(otklik.ENOTFOUND, "no such referral link")
	}
	prog, err := e.Program(ctx)
	if err != nil {
		return nil, err
	}
	c, err := e.cfg.DB.ReferralCode(ctx, nil, body)
	if err != nil || !prog.Enabled || c.Kind != otklik.ReferralLink {
		if err == nil || otklik.ErrorCode(err) == otklik.ENOTFOUND {
			err = otklik.Errorf(otklik.ENOTFOUND, "no such referral link")
		}
		return nil, err
	}
	c.Offer = prog.Offer // the page shows the offer as it is now
	return c, nil
}

// wrap prefixes an error with what failed; coded errors keep their code
// and message for the user.
func wrap(what string, err error) error {
	return fmt.Errorf("referrals: %s: %w", what, err)
}

// byRevenue orders report lines: most revenue, then most referred, then
// name.
func byRevenue(a, b otklik.ReferralFigures) int {
	return cmp.Or(cmp.Compare(b.Revenue, a.Revenue), cmp.Compare(b.Referred, a.Referred), cmp.Compare(b.Deals, a.Deals))
}

// Report returns what promoters in the actor's reach (by each promoter's
// manager and team) brought in [from, to): the customers they referred in
// the period, and the deals their referred customers — whenever referred —
// won in it, with the sum of the deals' amounts. A zero bound leaves that
// end open.
func (e *Engine) Report(ctx context.Context, actor otklik.Actor, from, to time.Time) (*otklik.ReferralReport, error) {
	scope, err := actor.Scope(otklik.ReadReferrals)
	if err != nil {
		return nil, err
	}
	lines, err := e.cfg.DB.ReferralFigures(ctx, scope, from, to)
	if err != nil {
		return nil, err
	}
	rep := &otklik.ReferralReport{From: from, To: to, Promoters: lines, Managers: []otklik.ManagerReferrals{}}
	managers := map[string]*otklik.ManagerReferrals{}
	for _, l := range lines {
		m := managers[l.Manager]
		if m == nil {
			m = &otklik.ManagerReferrals{Manager: l.Manager}
			managers[l.Manager] = m
		}
		m.Promoters++
		m.Referred += l.Referred
		m.Deals += l.Deals
		m.Revenue += l.Revenue
		rep.Total.Referred += l.Referred
		rep.Total.Deals += l.Deals
		rep.Total.Revenue += l.Revenue
	}
	for _, m := range managers {
		rep.Managers = append(rep.Managers, *m)
	}
	slices.SortStableFunc(rep.Promoters, func(a, b otklik.PromoterReferrals) int {
		return cmp.Or(byRevenue(a.ReferralFigures, b.ReferralFigures), cmp.Compare(a.Promoter, b.Promoter))
	})
	slices.SortFunc(rep.Managers, func(a, b otklik.ManagerReferrals) int {
		return cmp.Or(byRevenue(a.ReferralFigures, b.ReferralFigures), cmp.Compare(a.Manager, b.Manager))
	})
	return rep, nil
}
