package referral

import (
	"strings"
	"testing"
	"time"

	"otklik"
)

func TestAttributable(t *testing.T) {
	redeemed := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	tests := []struct {
		name               string
		promoter, customer int64
		created            time.Time
		window             time.Duration
		code, want         string // code "" = attributable
	}{
		{"new customer", 7, 8, redeemed.Add(-3 * day), 0, "", ""},
		{"created after the redemption", 7, 8, redeemed.Add(time.Minute), 0, "", ""},
		{"exactly 90 days", 7, 8, redeemed.Add(-90 * day), 0, "", ""},
		{"90 days and a second", 7, 8, redeemed.Add(-90*day - time.Second), 0, otklik.ECONFLICT, "created on 2026-03-03, more than 90 days"},
		{"custom 30-day window", 7, 8, redeemed.Add(-31 * day), 30 * day, otklik.ECONFLICT, "more than 30 days"},
		{"custom 180-day window", 7, 8, redeemed.Add(-120 * day), 180 * day, "", ""},
		{"negative window means the default", 7, 8, redeemed.Add(-89 * day), -time.Hour, "", ""},
		{"self-referral", 7, 7, redeemed.Add(-day), 0, otklik.ECONFLICT, "cannot refer themself"},
		{"self-referral of an old customer", 7, 7, redeemed.Add(-400 * day), 0, otklik.ECONFLICT, "cannot refer themself"},
		{"no promoter", 0, 8, redeemed, 0, otklik.EINVALID, "promoter_id"},
		{"negative customer", 7, -1, redeemed, 0, otklik.EINVALID, "customer_id"},
		{"unknown creation time", 7, 8, time.Time{}, 0, otklik.EINVALID, "customer_created_at"},
	}
	for _, tt := range tests {
		err := Attributable(tt.promoter, tt.customer, tt.created, redeemed, tt.window)
		if otklik.ErrorCode(err) != tt.code {
			t.Errorf("%s: %v, want code %q", tt.name, err, tt.code)
			continue
		}
		if err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want …%s…", tt.name, err, tt.want)
		}
	}
	if err := Attributable(7, 8, redeemed, time.Time{}, 0); otklik.ErrorCode(err) != otklik.EINVALID ||
		otklik.ErrorFields(err)[0].Field != "redeemed_at" {
		t.Errorf("zero redemption time: %v", err)
	}
}
