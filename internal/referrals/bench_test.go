package referrals_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"otklik"
	"otklik/internal/referrals"
	"otklik/internal/storetest"
)

// BenchmarkReport measures the referral report over a year of a busy
// programme: 1,000 promoters under 40 managers, each with a coupon that
// brought 2 customers (2,000 referrals), and 3 deals per referred customer
// (6,000 deal_won events among 12,000 events in all). Seeding takes about
// ten seconds: every event is its own committed transaction.
func BenchmarkReport(b *testing.B) {
	ctx := context.Background()
	clock := storetest.NewClock(t0)
	db := storetest.Open(b, "sqlite", clock.Now)
	const promoters, perPromoter, dealsEach = 1000, 2, 3
	var ids []string
	for i := range promoters * (1 + perPromoter) {
		ids = append(ids, fmt.Sprintf("c%05d", i))
	}
	if _, _, err := db.ImportCustomers(ctx, all, ids, func(i int, c *otklik.Customer) {
		c.Name, c.Manager, c.Team = "Клиент", fmt.Sprintf("m%02d@example.com", i%40), "Север"
	}, nil); err != nil {
		b.Fatal(err)
	}
	byExt := map[string]int64{}
	for i := range ids {
		c, err := db.ReferralCustomer(ctx, nil, all, ids[i])
		if err != nil {
			b.Fatal(err)
		}
		byExt[ids[i]] = c.ID
	}
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		for p := range promoters {
			code := &otklik.ReferralCode{PromoterID: byExt[ids[p]], Kind: otklik.ReferralCoupon, Uses: perPromoter, IssuedAt: t0}
			if _, err := db.AddReferralCode(ctx, tx, code, fmt.Sprintf("B%09d", p), ""); err != nil {
				return err
			}
			for k := range perPromoter {
				n := promoters + p*perPromoter + k
				r := &otklik.Referral{CustomerID: byExt[ids[n]], PromoterID: code.PromoterID, CodeID: code.ID,
					RedeemedAt: t0.Add(time.Duration(n) * time.Minute)}
				if err := db.AddReferral(ctx, tx, r); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for n := promoters; n < len(ids); n++ {
		for d := range 2 * dealsEach {
			typ := "deal_won"
			if d%2 == 1 {
				typ = "delivered" // other events the report must skip
			}
			ev := &otklik.Event{ExternalID: fmt.Sprintf("e%d-%d", n, d), Type: typ, CustomerID: byExt[ids[n]],
				OccurredAt: t0.AddDate(0, 0, d*30), Source: "api", Attributes: map[string]string{"amount": "1000.50"}}
			if _, err := db.AddEvent(ctx, ev, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	e := referrals.New(referrals.Config{DB: db, Now: clock.Now, Location: moscow})
	from, to := t0, t0.AddDate(1, 0, 0)
	b.ResetTimer()
	for b.Loop() {
		rep, err := e.Report(ctx, admin, from, to)
		if err != nil || rep.Total.Deals != promoters*perPromoter*dealsEach {
			b.Fatalf("report: %+v %v", rep.Total, err)
		}
	}
}
