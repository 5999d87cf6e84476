package otklik

import "time"

// Kinds of referral code. A promoter holds one of each: the coupon code
// printed on the coupons they hand out (good for a few new customers, for a
// limited time), and the code behind their personal link (no limit, no
// expiry: a link lives in chats for months).
const (
	ReferralCoupon = "coupon"
	ReferralLink   = "link"
)

// ReferralCode is a code issued to a promoter, with the terms it was issued
// under: later changes to the programme do not shrink codes already handed
// out.
type ReferralCode struct {
	ID   int64  `json:"-"`
	Code string `json:"code"` // canonical, "OTK-7NH87-P5U6S"
	Kind string `json:"kind"` // ReferralCoupon or ReferralLink
	// Uses is how many new customers the code may bring (0: no limit, a
	// link); Used how many it has brought.
	Uses      int        `json:"uses"`
	Used      int        `json:"used"`
	ValidDays int        `json:"valid_days"` // 0: the code does not expire
	ExpiresAt *time.Time `json:"expires_at"`
	Offer     string     `json:"offer"` // the offer as printed when issued
	IssuedAt  time.Time  `json:"issued_at"`
	IssuedBy  string     `json:"issued_by"`

	PromoterID int64  `json:"-"`
	Promoter   string `json:"-"` // the promoter's external id
}

// UsesLeft is how many more customers a coupon may bring; -1 for a code
// without a limit.
func (c ReferralCode) UsesLeft() int {
	if c.Uses == 0 {
		return -1
	}
	return max(c.Uses-c.Used, 0)
}

// Live reports whether the code can still be redeemed at now, as far as the
// code itself goes (the programme may still be switched off).
func (c ReferralCode) Live(now time.Time) bool {
	return c.UsesLeft() != 0 && (c.ExpiresAt == nil || now.Before(*c.ExpiresAt))
}

// ReferralKit is what a promoter is given: the coupon code and the personal
// link. Coupon or Link is nil when none was issued yet.
type ReferralKit struct {
	Promoter string        `json:"promoter"` // the promoter's external id
	Coupon   *ReferralCode `json:"coupon"`
	Link     *ReferralCode `json:"link"`
	// LinkURL is the personal link to share; empty without a Link.
	LinkURL string `json:"link_url"`
	// Reused says that Issue returned codes issued before rather than new
	// ones: issuing is safe to repeat.
	Reused bool `json:"reused"`
}

// Referral is a new customer attributed to the promoter whose code they
// redeemed. A customer is referred at most once.
type Referral struct {
	ID         int64     `json:"id"`
	Customer   string    `json:"customer"` // the new customer's external id
	Promoter   string    `json:"promoter"`
	Code       string    `json:"code"`
	Kind       string    `json:"kind"` // of the code
	RedeemedAt time.Time `json:"redeemed_at"`
	RedeemedBy string    `json:"redeemed_by"`
	// Replayed says the same code had already been redeemed for the same
	// customer: nothing new was written (a retried request).
	Replayed bool `json:"replayed"`

	CustomerID int64 `json:"-"`
	PromoterID int64 `json:"-"`
	CodeID     int64 `json:"-"`
}

// ReferralFigures are what promoters brought in a period: the customers they
// referred, and the deals those customers won ("secondary sales") with
// their sum. Deals are the deal_won events of referred customers; revenue is
// the sum of their "amount" attributes (a deal without a readable amount
// counts as a deal but adds nothing).
type ReferralFigures struct {
	Referred int    `json:"referred"`
	Deals    int    `json:"deals"`
	Revenue  Amount `json:"revenue"`
}

// PromoterReferrals is one promoter's line of the referral report.
type PromoterReferrals struct {
	Promoter string `json:"promoter"` // external id
	Name     string `json:"name"`
	Manager  string `json:"manager"`
	Team     string `json:"team"`
	ReferralFigures
}

// ManagerReferrals is one account manager's line: the promoters they manage.
type ManagerReferrals struct {
	Manager   string `json:"manager"` // "" for promoters without a manager
	Promoters int    `json:"promoters"`
	ReferralFigures
}

// ReferralReport is the referral programme's result for a period: per
// promoter (most revenue first), per manager, and in total.
type ReferralReport struct {
	From      time.Time           `json:"from,omitzero"`
	To        time.Time           `json:"to,omitzero"`
	Promoters []PromoterReferrals `json:"promoters"`
	Managers  []ManagerReferrals  `json:"managers"`
	Total     ReferralFigures     `json:"total"`
}
