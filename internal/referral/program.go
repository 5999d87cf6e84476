package referral

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"otklik"
)

// Limits of a Program.
const (
	MinCoupons     = 1
	MaxCoupons     = 10
	MaxOfferLength = 500  // characters
	MaxValidDays   = 3650 // ten years
)

// Program is a business's referral programme: whether promoters are
// offered codes, how many friends one code serves (Coupons: a promoter
// "gets three identical coupons" — one code good for three redemptions),
// the offer printed with it, the code prefix and how long a code lasts
// (0: it does not expire).
type Program struct {
	Enabled   bool   `json:"enabled"`
	Coupons   int    `json:"coupons"`
	Offer     string `json:"offer"`
	Prefix    string `json:"prefix"`
	ValidDays int    `json:"valid_days"`
}

// DefaultProgram is a new workspace's programme: switched off until the
// business writes its offer; three coupons per promoter, codes starting
// with OTK that last 90 days.
func DefaultProgram() Program {
	return Program{Coupons: 3, Prefix: "OTK", ValidDays: 90}
}

// Validate checks a programme; problems are reported per JSON field.
func (p Program) Validate() error {
	var probs otklik.Problems
	if p.Coupons < MinCoupons || p.Coupons > MaxCoupons {
		probs.Add("coupons", "must be from %d to %d", MinCoupons, MaxCoupons)
	}
	offer := strings.TrimSpace(p.Offer)
	switch {
	case !utf8.ValidString(p.Offer):
		probs.Add("offer", "is not valid UTF-8")
	case utf8.RuneCountInString(p.Offer) > MaxOfferLength:
		probs.Add("offer", "is longer than %d characters", MaxOfferLength)
	case strings.ContainsFunc(p.Offer, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }):
		probs.Add("offer", "contains control characters")
	case p.Enabled && offer == "":
		probs.Add("offer", "is required while the programme is on")
	}
	if !validPrefix(p.Prefix) {
		probs.Add("prefix", "must be up to %d capital Latin letters", MaxPrefix)
	}
	if p.ValidDays < 0 || p.ValidDays > MaxValidDays {
		probs.Add("valid_days", "must be from 0 (no expiry) to %d", MaxValidDays)
	}
	return probs.Err("the referral programme is not valid")
}

// ExpiresAt returns when a code issued at issued stops working: ValidDays
// calendar days later at the same wall-clock time in issued's location
// (pass it in the business's time zone), or false when codes do not expire.
func (p Program) ExpiresAt(issued time.Time) (time.Time, bool) {
	if p.ValidDays <= 0 {
		return time.Time{}, false
	}
	return issued.AddDate(0, 0, p.ValidDays), true
}

// Redeemable says whether a code issued at issued under p, already used
// used times, can be redeemed at now: the programme must be on, a coupon
// left and the code unexpired. Pass the programme as it was when the code
// was issued (its Coupons and ValidDays), so later changes to the
// programme do not shrink codes already handed out. Errors are ECONFLICT.
func (p Program) Redeemable(used int, issued, now time.Time) error {
	if !p.Enabled {
		return otklik.Errorf(otklik.ECONFLICT, "the referral programme is switched off")
	}
	if used >= p.Coupons {
		return otklik.Errorf(otklik.ECONFLICT, "all %d coupons of this code have been used", p.Coupons)
	}
	if exp, ok := p.ExpiresAt(issued); ok && !now.Before(exp) {
		return otklik.Errorf(otklik.ECONFLICT, "the code expired on %s", exp.Format(time.DateOnly))
	}
	return nil
}
