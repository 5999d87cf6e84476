package web

import (
	"testing"

	"otklik/internal/locale"
	"otklik/internal/referrals"
)

// TestReferralRefusalsAreWorded checks that every reason the engine gives
// for refusing a code has its sentence in both languages: the page builds
// the id at run time, so the template scan cannot see it.
func TestReferralRefusalsAreWorded(t *testing.T) {
	cat, err := locale.New()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range []string{referrals.ReasonDisabled, referrals.ReasonCodeRequired, referrals.ReasonCodeTypo,
		referrals.ReasonCodeMalformed, referrals.ReasonBadLink, referrals.ReasonUnknownCode, referrals.ReasonUnknownCustomer,
		referrals.ReasonNoCustomer, referrals.ReasonSelf, referrals.ReasonAlreadyReferred, referrals.ReasonNotNew,
		referrals.ReasonUsedUp, referrals.ReasonExpired} {
		ids = append(ids, "referrals.refused."+r)
	}
	for _, done := range referralDone {
		ids = append(ids, done)
	}
	ids = append(ids, "referrals.program.error.number", "referrals.program.error.coupons", "referrals.program.error.valid_days",
		"referrals.program.error.prefix", "referrals.program.error.offer_required", "referrals.program.error.offer")
	for _, lang := range []string{"ru", "en"} {
		if missing := cat.MissingIn(lang, ids); len(missing) > 0 {
			t.Errorf("%s lacks %v", lang, missing)
		}
	}
	// A refusal's details reach the sentence, dates in the reader's words.
	err = &referrals.Refusal{Reason: referrals.ReasonExpired, Params: map[string]any{"Date": "2026-04-01"}}
	if got := refusalText(cat.For("ru"), err); got != "Срок купона истёк 1 апреля 2026." {
		t.Errorf("ru: %q", got)
	}
	if got := refusalText(cat.For("en"), err); got != "The coupon expired on Apr 1, 2026." {
		t.Errorf("en: %q", got)
	}
}
