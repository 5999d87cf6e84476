package referral

import (
	"time"

	"otklik"
)

// DefaultWindow is how new a referred customer must be: created no earlier
// than 90 days before the redemption. A code redeemed by a long-standing
// customer would reward the promoter for a sale that was not theirs.
const DefaultWindow = 90 * 24 * time.Hour

// Attributable says whether a new customer who redeemed a promoter's code
// (or followed the link) at redeemedAt is credited to that promoter:
//
//   - both ids must be real (> 0) and both instants known: else EINVALID;
//   - the promoter cannot refer themself: ECONFLICT;
//   - the new customer must have been created no earlier than window before
//     the redemption (window ≤ 0 means DefaultWindow): else ECONFLICT.
//
// A customer created after the redemption is new by definition (a code
// entered on a sign-up form is recorded before the customer row exists).
func Attributable(promoterCustomerID, newCustomerID int64, newCreatedAt, redeemedAt time.Time, window time.Duration) error {
	var p otklik.Problems
	if promoterCustomerID <= 0 {
		p.Add("promoter_id", "must be a customer id")
	}
	if newCustomerID <= 0 {
		p.Add("customer_id", "must be a customer id")
	}
	if newCreatedAt.IsZero() {
		p.Add("customer_created_at", "is required")
	}
	if redeemedAt.IsZero() {
		p.Add("redeemed_at", "is required")
	}
	if err := p.Err("the referral cannot be attributed"); err != nil {
		return err
	}
	if promoterCustomerID == newCustomerID {
		return otklik.Errorf(otklik.ECONFLICT, "a promoter cannot refer themself")
	}
	if window <= 0 {
		window = DefaultWindow
	}
	if earliest := redeemedAt.Add(-window); newCreatedAt.Before(earliest) {
		return otklik.Errorf(otklik.ECONFLICT,
			"only new customers can be referred: this one was created on %s, more than %d days before the redemption",
			newCreatedAt.UTC().Format(time.DateOnly), int(window/(24*time.Hour)))
	}
	return nil
}
