package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"otklik"
	"otklik/internal/store"
	"otklik/internal/storetest"
)

func refCustomer(t *testing.T, db *store.DB, ext, manager, team string) *otklik.Customer {
	t.Helper()
	c, _, err := db.UpsertCustomer(context.Background(), all, ext, func(c *otklik.Customer) {
		c.Name, c.Manager, c.Team = "Клиент "+ext, manager, team
	})
	if err != nil {
		t.Fatalf("customer %s: %v", ext, err)
	}
	return c
}

// addCode stores a code in its own transaction and reports whether it was
// written.
func addCode(t *testing.T, db *store.DB, c *otklik.ReferralCode, body, prefix string) bool {
	t.Helper()
	var ok bool
	err := db.InTx(context.Background(), func(tx *sql.Tx) error {
		var err error
		ok, err = db.AddReferralCode(context.Background(), tx, c, body, prefix)
		return err
	})
	if err != nil {
		t.Fatalf("add code %s: %v", body, err)
	}
	return ok
}

func refer(db *store.DB, r *otklik.Referral) error {
	return db.InTx(context.Background(), func(tx *sql.Tx) error { return db.AddReferral(context.Background(), tx, r) })
}

func TestReferralCodesAndReferrals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, _ := open(t, dialect)
		ctx := context.Background()
		anna := refCustomer(t, db, "anna", "m1@example.com", "Север")
		boris := refCustomer(t, db, "boris", "m2@example.com", "Юг")
		vera := refCustomer(t, db, "vera", "m2@example.com", "Юг")
		gleb := refCustomer(t, db, "gleb", "m2@example.com", "Юг")

		// A promoter outside the reach does not exist for the caller.
		own := otklik.Scope{Reach: otklik.ReachOwn, Manager: "m2@example.com"}
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			_, err := db.LockPromoter(ctx, tx, own, "anna")
			return err
		})
		if otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Fatalf("promoter outside scope: got %v, want not found", err)
		}

		exp := t0.AddDate(0, 0, 90)
		coupon := &otklik.ReferralCode{PromoterID: anna.ID, Kind: otklik.ReferralCoupon, Uses: 2, ValidDays: 90,
			ExpiresAt: &exp, Offer: "Скидка 10 %", IssuedAt: t0, IssuedBy: "m1@example.com"}
		if !addCode(t, db, coupon, "7NH87-P5U6S", "OTK") {
			t.Fatal("first coupon not written")
		}
		if coupon.Code != "OTK-7NH87-P5U6S" || coupon.ID == 0 {
			t.Fatalf("stored coupon: %+v", coupon)
		}
		// The body is unique whatever the prefix: the caller draws again.
		if addCode(t, db, &otklik.ReferralCode{PromoterID: boris.ID, Kind: otklik.ReferralCoupon, Uses: 3, IssuedAt: t0}, "7NH87-P5U6S", "ABC") {
			t.Fatal("a taken body was written again")
		}
		link := &otklik.ReferralCode{PromoterID: anna.ID, Kind: otklik.ReferralLink, IssuedAt: t0}
		if !addCode(t, db, link, "22222-2222X", "") {
			t.Fatal("link not written")
		}
		// One link per promoter.
		if addCode(t, db, &otklik.ReferralCode{PromoterID: anna.ID, Kind: otklik.ReferralLink, IssuedAt: t0}, "33333-3333Y", "") {
			t.Fatal("a second link was written")
		}

		gotCoupon, gotLink, err := db.PromoterCodes(ctx, nil, anna.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := &otklik.ReferralCode{ID: coupon.ID, Code: "OTK-7NH87-P5U6S", Kind: "coupon", Uses: 2, ValidDays: 90, ExpiresAt: &exp,
			Offer: "Скидка 10 %", IssuedAt: t0, IssuedBy: "m1@example.com", PromoterID: anna.ID, Promoter: "anna"}
		if diff := cmp.Diff(want, gotCoupon); diff != "" {
			t.Errorf("coupon (-want +got):\n%s", diff)
		}
		if gotLink == nil || gotLink.Code != "22222-2222X" || gotLink.Uses != 0 || gotLink.ExpiresAt != nil {
			t.Errorf("link: %+v", gotLink)
		}
		if c, l, err := db.PromoterCodes(ctx, nil, boris.ID); err != nil || c != nil || l != nil {
			t.Errorf("codes of a customer without any: %v %v %v", c, l, err)
		}
		byBody, err := db.ReferralCode(ctx, nil, "7NH87-P5U6S")
		if err != nil || byBody.ID != coupon.ID || byBody.Promoter != "anna" {
			t.Fatalf("code by body: %+v %v", byBody, err)
		}
		if _, err := db.ReferralCode(ctx, nil, "44444-4444Z"); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Fatalf("unknown code: got %v, want not found", err)
		}

		// Two uses, then the coupon is spent; a customer is referred once.
		at := t0.Add(time.Hour)
		for _, c := range []*otklik.Customer{boris, vera} {
			if err := refer(db, &otklik.Referral{CustomerID: c.ID, PromoterID: anna.ID, CodeID: coupon.ID, RedeemedAt: at, RedeemedBy: "m2@example.com"}); err != nil {
				t.Fatalf("refer %s: %v", c.ExternalID, err)
			}
		}
		if err := refer(db, &otklik.Referral{CustomerID: gleb.ID, PromoterID: anna.ID, CodeID: coupon.ID, RedeemedAt: at}); otklik.ErrorCode(err) != otklik.ECONFLICT {
			t.Fatalf("third use of a two-use coupon: got %v, want conflict", err)
		}
		if err := refer(db, &otklik.Referral{CustomerID: boris.ID, PromoterID: anna.ID, CodeID: link.ID, RedeemedAt: at}); otklik.ErrorCode(err) != otklik.ECONFLICT {
			t.Fatalf("a customer referred twice: got %v, want conflict", err)
		}
		// The refused attempt through the link rolled back its count.
		if c, _ := db.ReferralCode(ctx, nil, "22222-2222X"); c.Used != 0 {
			t.Errorf("link used %d times after a refused referral, want 0", c.Used)
		}
		if c, _ := db.ReferralCode(ctx, nil, "7NH87-P5U6S"); c.Used != 2 {
			t.Errorf("coupon used %d times, want 2", c.Used)
		}
		got, err := db.ReferralOf(ctx, nil, vera.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantRef := &otklik.Referral{ID: got.ID, Customer: "vera", Promoter: "anna", Code: "OTK-7NH87-P5U6S", Kind: "coupon",
			RedeemedAt: at, RedeemedBy: "m2@example.com", CustomerID: vera.ID, PromoterID: anna.ID, CodeID: coupon.ID}
		if diff := cmp.Diff(wantRef, got); diff != "" {
			t.Errorf("referral (-want +got):\n%s", diff)
		}
		if _, err := db.ReferralOf(ctx, nil, gleb.ID); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Errorf("referral of a customer never referred: got %v, want not found", err)
		}

		// An erased promoter's codes are gone.
		if err := db.EraseCustomer(ctx, otklik.Actor{Email: "admin@example.com", Role: otklik.RoleAdmin}, "anna"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ReferralCode(ctx, nil, "7NH87-P5U6S"); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Errorf("code of an erased promoter: got %v, want not found", err)
		}
	})
}

func TestReferralFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, _ := open(t, dialect)
		ctx := context.Background()
		anna := refCustomer(t, db, "anna", "m1@example.com", "Север")
		oleg := refCustomer(t, db, "oleg", "m2@example.com", "Юг")
		x := refCustomer(t, db, "x", "m3@example.com", "Юг")
		y := refCustomer(t, db, "y", "", "")
		z := refCustomer(t, db, "z", "", "")
		early := refCustomer(t, db, "early", "", "")
		codeA := &otklik.ReferralCode{PromoterID: anna.ID, Kind: otklik.ReferralCoupon, Uses: 3, IssuedAt: t0}
		addCode(t, db, codeA, "7NH87-P5U6S", "OTK")
		codeO := &otklik.ReferralCode{PromoterID: oleg.ID, Kind: otklik.ReferralLink, IssuedAt: t0}
		addCode(t, db, codeO, "22222-2222X", "")

		from, to := t0.AddDate(0, 0, 1), t0.AddDate(0, 0, 31) // the period: [3 March, 2 April)
		in := from.Add(5 * 24 * time.Hour)
		for _, r := range []*otklik.Referral{
			{CustomerID: x.ID, PromoterID: anna.ID, CodeID: codeA.ID, RedeemedAt: in},
			{CustomerID: y.ID, PromoterID: anna.ID, CodeID: codeA.ID, RedeemedAt: in.Add(time.Hour)},
			{CustomerID: early.ID, PromoterID: anna.ID, CodeID: codeA.ID, RedeemedAt: t0}, // before the period
			{CustomerID: z.ID, PromoterID: oleg.ID, CodeID: codeO.ID, RedeemedAt: in},
		} {
			if err := refer(db, r); err != nil {
				t.Fatal(err)
			}
		}
		n := 0
		event := func(c *otklik.Customer, typ string, at time.Time, amount string) {
			t.Helper()
			n++
			ev := &otklik.Event{ExternalID: "ev-" + string(rune('a'+n)), Type: typ, CustomerID: c.ID, OccurredAt: at, Source: "api",
				Attributes: map[string]string{"lead_id": "1"}}
			if amount != "" {
				ev.Attributes["amount"] = amount
			}
			if _, err := db.AddEvent(ctx, ev, nil); err != nil {
				t.Fatal(err)
			}
		}
		event(x, "deal_won", in, "1000.00")
		event(x, "deal_won", in.Add(48*time.Hour), "250.50")
		event(x, "deal_won", to, "99999")       // just after the period
		event(x, "deal_lost", in, "5000")       // not a sale
		event(y, "deal_won", in, "1 500,50")    // Russian spreadsheet style
		event(early, "deal_won", in, "100")     // referred before the period, bought in it: counts
		event(z, "deal_won", in, "")            // a deal without an amount
		event(z, "deal_won", in, "по договору") // an amount nobody can read
		event(anna, "deal_won", in, "777")      // the promoter's own deal is not a referral's

		got, err := db.ReferralFigures(ctx, all, from, to)
		if err != nil {
			t.Fatal(err)
		}
		// anna: x and y referred in the period (early before it); deals of
		// x (1000.00 + 250.50), y (1500.50) and early (100) = 2851.00.
		// oleg: z referred; two deals, no readable amount.
		want := []otklik.PromoterReferrals{
			{Promoter: "anna", Name: "Клиент anna", Manager: "m1@example.com", Team: "Север",
				ReferralFigures: otklik.ReferralFigures{Referred: 2, Deals: 4, Revenue: 285100}},
			{Promoter: "oleg", Name: "Клиент oleg", Manager: "m2@example.com", Team: "Юг",
				ReferralFigures: otklik.ReferralFigures{Referred: 1, Deals: 2, Revenue: 0}},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("figures (-want +got):\n%s", diff)
		}
		// Scope goes by the promoter's manager and team, not the referred
		// customer's: x belongs to team Юг but was referred by anna.
		got, err = db.ReferralFigures(ctx, otklik.Scope{Reach: otklik.ReachTeam, Team: "Юг"}, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Promoter != "oleg" {
			t.Errorf("team Юг sees %+v, want oleg only", got)
		}
		// Open bounds take everything: anna's three referrals, and x's deal
		// on the period's end too (1000.00 + 250.50 + 99999 + 1500.50 + 100).
		got, err = db.ReferralFigures(ctx, all, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if got[0].Referred != 3 || got[0].Deals != 5 || got[0].Revenue != 10285000 {
			t.Errorf("all time, anna: %+v, want 3 referred, 5 deals, 102850.00", got[0].ReferralFigures)
		}
		if got, err := db.ReferralFigures(ctx, all, to, to.AddDate(0, 1, 0)); err != nil || len(got) != 1 || got[0].Deals != 1 || got[0].Referred != 0 {
			t.Errorf("a period with one deal and no referral: %+v %v", got, err)
		}
	})
}
