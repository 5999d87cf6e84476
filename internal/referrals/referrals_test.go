package referrals_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"otklik"
	"otklik/internal/referral"
	"otklik/internal/referrals"
	"otklik/internal/store"
	"otklik/internal/storetest"
)

// t0 is a Monday, 12:00 in Moscow.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

var (
	admin  = otklik.Actor{Email: "admin@example.com", Role: otklik.RoleAdmin}
	m1     = otklik.Actor{Email: "m1@example.com", Role: otklik.RoleManager}
	m2     = otklik.Actor{Email: "m2@example.com", Role: otklik.RoleManager}
	lead   = otklik.Actor{Email: "lead@example.com", Role: otklik.RoleLead, Team: "Север"}
	viewer = otklik.Actor{Email: "viewer@example.com", Role: otklik.RoleViewer}
	all    = otklik.Scope{Reach: otklik.ReachAll}
	moscow = mustZone("Europe/Moscow")
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

type fixture struct {
	t     *testing.T
	e     *referrals.Engine
	db    *store.DB
	clock *storetest.Clock
}

func newFixture(t *testing.T, dialect string, edit func(*referrals.Config)) *fixture {
	t.Helper()
	clock := storetest.NewClock(t0)
	db := storetest.Open(t, dialect, clock.Now)
	cfg := referrals.Config{DB: db, Now: clock.Now, Location: moscow, LinkKey: []byte("0123456789abcdef0123456789abcdef"),
		BaseURL: "https://otklik.example/"}
	if edit != nil {
		edit(&cfg)
	}
	return &fixture{t: t, e: referrals.New(cfg), db: db, clock: clock}
}

// customer creates a customer now; started, when set, is the day they
// became a customer.
func (f *fixture) customer(ext, manager, team string, started *otklik.Date) *otklik.Customer {
	f.t.Helper()
	c, _, err := f.db.UpsertCustomer(context.Background(), all, ext, func(c *otklik.Customer) {
		c.Name, c.Manager, c.Team, c.StartedAt = "Клиент "+ext, manager, team, started
	})
	if err != nil {
		f.t.Fatalf("customer %s: %v", ext, err)
	}
	return c
}

func (f *fixture) program(p referral.Program) {
	f.t.Helper()
	if _, err := f.e.SetProgram(context.Background(), admin, p); err != nil {
		f.t.Fatalf("set programme: %v", err)
	}
}

func (f *fixture) issue(actor otklik.Actor, promoter string) *otklik.ReferralKit {
	f.t.Helper()
	kit, err := f.e.Issue(context.Background(), actor, promoter)
	if err != nil {
		f.t.Fatalf("issue to %s: %v", promoter, err)
	}
	return kit
}

func (f *fixture) deal(c *otklik.Customer, id string, at time.Time, amount string) {
	f.t.Helper()
	ev := &otklik.Event{ExternalID: id, Type: "deal_won", CustomerID: c.ID, OccurredAt: at, Source: "amocrm",
		Attributes: map[string]string{"lead_id": id, "amount": amount}}
	if _, err := f.db.AddEvent(context.Background(), ev, nil); err != nil {
		f.t.Fatalf("event %s: %v", id, err)
	}
}

var on = referral.Program{Enabled: true, Coupons: 3, Offer: "Скидка 10 % на первый кредит", Prefix: "otk", ValidDays: 30}

// refusal returns the reason of a *referrals.Refusal and checks its code.
func refusal(t *testing.T, err error, code string) string {
	t.Helper()
	var r *referrals.Refusal
	if !errors.As(err, &r) {
		t.Fatalf("got %v, want a refusal", err)
	}
	if otklik.ErrorCode(err) != code {
		t.Fatalf("refusal %q has code %s, want %s (%v)", r.Reason, otklik.ErrorCode(err), code, err)
	}
	return r.Reason
}

func TestProgram(t *testing.T) {
	f := newFixture(t, "sqlite", nil)
	ctx := context.Background()
	p, err := f.e.Program(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p != referral.DefaultProgram() || p.Enabled {
		t.Fatalf("a new workspace's programme is %+v, want the default, switched off", p)
	}
	if _, err := f.e.SetProgram(ctx, m1, on); otklik.ErrorCode(err) != otklik.EFORBIDDEN {
		t.Fatalf("a manager sets the programme: got %v, want forbidden", err)
	}
	_, err = f.e.SetProgram(ctx, admin, referral.Program{Enabled: true, Coupons: 11, Offer: "  ", Prefix: "O1"})
	var fields []string
	for _, fe := range otklik.ErrorFields(err) {
		fields = append(fields, fe.Field)
	}
	if diff := cmp.Diff([]string{"coupons", "offer", "prefix"}, fields); diff != "" {
		t.Errorf("invalid programme's fields (-want +got):\n%s", diff)
	}
	saved, err := f.e.SetProgram(ctx, admin, on)
	if err != nil {
		t.Fatal(err)
	}
	want := referral.Program{Enabled: true, Coupons: 3, Offer: "Скидка 10 % на первый кредит", Prefix: "OTK", ValidDays: 30}
	if got, _ := f.e.Program(ctx); saved != want || got != want {
		t.Errorf("saved %+v, read back %+v, want %+v", saved, got, want)
	}
}

func TestIssue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect, nil)
		ctx := context.Background()
		f.customer("anna", "m1@example.com", "Север", nil)
		f.customer("boris", "m2@example.com", "Юг", nil)

		_, err := f.e.Issue(ctx, m1, "anna")
		if reason := refusal(t, err, otklik.ECONFLICT); reason != referrals.ReasonDisabled {
			t.Fatalf("issuing while the programme is off: %s", reason)
		}
		f.program(on)
		if _, err := f.e.Issue(ctx, viewer, "anna"); otklik.ErrorCode(err) != otklik.EFORBIDDEN {
			t.Errorf("a viewer issues: got %v, want forbidden", err)
		}
		if _, err := f.e.Issue(ctx, m2, "anna"); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Errorf("another manager's customer: got %v, want not found", err)
		}
		if _, err := f.e.Issue(ctx, m1, " "); otklik.ErrorCode(err) != otklik.EINVALID {
			t.Errorf("no promoter: got %v, want invalid", err)
		}

		kit := f.issue(m1, "anna")
		c := kit.Coupon
		// 30 days after 12:00 Moscow time on 2 March is 12:00 on 1 April.
		exp := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
		if c.Kind != otklik.ReferralCoupon || c.Uses != 3 || c.Used != 0 || c.ValidDays != 30 || c.ExpiresAt == nil ||
			!c.ExpiresAt.Equal(exp) || c.Offer != on.Offer || !c.IssuedAt.Equal(t0) || c.IssuedBy != "m1@example.com" {
			t.Errorf("coupon: %+v", c)
		}
		if _, err := referral.NormalizeCode(c.Code); err != nil || !strings.HasPrefix(c.Code, "OTK-") {
			t.Errorf("coupon code %q is not a valid OTK code: %v", c.Code, err)
		}
		l := kit.Link
		if l.Kind != otklik.ReferralLink || l.Uses != 0 || l.ExpiresAt != nil || !strings.HasPrefix(l.Code, "OTK-") || l.Code == c.Code {
			t.Errorf("link: %+v", l)
		}
		if want := "https://otklik.example/r/" + f.e.LinkToken(l); kit.LinkURL != want || kit.Reused {
			t.Errorf("link URL %q (reused %v), want %q", kit.LinkURL, kit.Reused, want)
		}

		// Issuing again — by the lead of the team, say — gives the same.
		again, err := f.e.Issue(ctx, lead, "anna")
		if err != nil {
			t.Fatal(err)
		}
		if again.Coupon.Code != c.Code || again.Link.Code != l.Code || again.LinkURL != kit.LinkURL || !again.Reused {
			t.Errorf("second issue: %+v, want the first one's codes, reused", again)
		}
		held, err := f.e.Kit(ctx, viewer, "anna")
		if err != nil || held.Coupon.Code != c.Code || held.LinkURL != kit.LinkURL {
			t.Errorf("kit on the card: %+v %v", held, err)
		}
		if none, err := f.e.Kit(ctx, admin, "boris"); err != nil || none.Coupon != nil || none.Link != nil || none.LinkURL != "" {
			t.Errorf("kit of a customer without codes: %+v %v", none, err)
		}

		// Once the coupon expires the next issue draws a new one under the
		// programme as it is then; the link stays.
		f.program(referral.Program{Enabled: true, Coupons: 5, Offer: "Месяц обслуживания бесплатно", Prefix: "NEW", ValidDays: 0})
		f.clock.Add(30 * 24 * time.Hour)
		renewed := f.issue(m1, "anna")
		if renewed.Reused || renewed.Coupon.Code == c.Code || !strings.HasPrefix(renewed.Coupon.Code, "NEW-") ||
			renewed.Coupon.Uses != 5 || renewed.Coupon.ExpiresAt != nil || renewed.Coupon.Offer != "Месяц обслуживания бесплатно" {
			t.Errorf("renewed coupon: %+v", renewed.Coupon)
		}
		if renewed.Link.Code != l.Code {
			t.Errorf("the link changed from %s to %s", l.Code, renewed.Link.Code)
		}
	})
}

func TestIssueDrawsAgainOnCollision(t *testing.T) {
	// The second draw repeats the first: anna's link must take the third,
	// since bodies are unique whatever the prefix.
	bodies := []string{"7NH87-P5U6S", "7NH87-P5U6S", "22222-2222X", "33333-3333Y", "44444-4444Z"}
	var mu sync.Mutex
	f := newFixture(t, "sqlite", func(c *referrals.Config) {
		c.NewCode = func(prefix string) (string, error) {
			mu.Lock()
			defer mu.Unlock()
			body := bodies[0]
			bodies = bodies[1:]
			return prefix + "-" + body, nil
		}
	})
	f.program(on)
	f.customer("anna", "", "", nil)
	f.customer("boris", "", "", nil)
	a := f.issue(admin, "anna")
	b := f.issue(admin, "boris")
	got := []string{a.Coupon.Code, a.Link.Code, b.Coupon.Code, b.Link.Code}
	if diff := cmp.Diff([]string{"OTK-7NH87-P5U6S", "OTK-22222-2222X", "OTK-33333-3333Y", "OTK-44444-4444Z"}, got); diff != "" {
		t.Errorf("codes (-want +got):\n%s", diff)
	}
}

func TestRedeemRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect, nil)
		ctx := context.Background()
		f.program(on)
		f.customer("anna", "m1@example.com", "Север", nil)
		f.clock.Add(91 * 24 * time.Hour) // anna has been a customer for 91 days
		// Created in Otklik today, but a customer since 2019.
		f.customer("imported", "m1@example.com", "Север", &otklik.Date{Time: time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC)})
		kit := f.issue(m1, "anna")
		coupon := kit.Coupon.Code
		body := referral.Body(coupon)
		f.customer("new1", "m2@example.com", "Юг", nil)
		f.customer("new2", "m2@example.com", "Юг", nil)
		f.customer("new3", "", "", nil)
		f.customer("new4", "", "", nil)
		f.customer("new5", "", "", nil)

		// Typed as a person would: lower case, Cyrillic «о» and «Т», no dash.
		typed := strings.ToLower("ОТK " + strings.ReplaceAll(body, "-", ""))
		ref, err := f.e.Redeem(ctx, m2, typed, "new1")
		if err != nil {
			t.Fatalf("redeem %q: %v", typed, err)
		}
		want := &otklik.Referral{ID: ref.ID, Customer: "new1", Promoter: "anna", Code: coupon, Kind: "coupon",
			RedeemedAt: f.clock.Now(), RedeemedBy: "m2@example.com", CustomerID: ref.CustomerID, PromoterID: ref.PromoterID, CodeID: ref.CodeID}
		if diff := cmp.Diff(want, ref); diff != "" {
			t.Errorf("referral (-want +got):\n%s", diff)
		}
		// The same request again is answered, not refused.
		if again, err := f.e.Redeem(ctx, admin, coupon, "new1"); err != nil || !again.Replayed || again.ID != ref.ID {
			t.Errorf("replay: %+v %v", again, err)
		}
		// The link, as a token or as the whole URL, counts for anna too.
		if r, err := f.e.Redeem(ctx, admin, kit.LinkURL, "new2"); err != nil || r.Promoter != "anna" || r.Kind != "link" {
			t.Errorf("redeem by link URL: %+v %v", r, err)
		}

		linkToken := f.e.LinkToken(kit.Link)
		forged := linkToken[:len(linkToken)-2] + "AA"
		typo := body[:len(body)-1] + map[bool]string{true: "3", false: "2"}[body[len(body)-1] == '2']
		cases := []struct {
			name, code, customer string
			actor                otklik.Actor
			errCode, reason      string
		}{
			{"no code", " ", "new3", admin, otklik.EINVALID, referrals.ReasonCodeRequired},
			{"a mistyped symbol", typo, "new3", admin, otklik.EINVALID, referrals.ReasonCodeTypo},
			{"a letter codes never use", "OTK-0NH87-P5U6S", "new3", admin, otklik.EINVALID, referrals.ReasonCodeMalformed},
			{"a forged link", forged, "new3", admin, otklik.EINVALID, referrals.ReasonBadLink},
			{"a code never issued", "OTK-7NH87-P5U6S", "new3", admin, otklik.ENOTFOUND, referrals.ReasonUnknownCode},
			{"an unknown customer", coupon, "nobody", admin, otklik.ENOTFOUND, referrals.ReasonUnknownCustomer},
			{"a customer out of reach", coupon, "new3", m1, otklik.ENOTFOUND, referrals.ReasonUnknownCustomer},
			{"the promoter's own code", coupon, "anna", admin, otklik.ECONFLICT, referrals.ReasonSelf},
			{"referred before, by the link", coupon, "new2", admin, otklik.ECONFLICT, referrals.ReasonAlreadyReferred},
			{"a customer since 2019, imported today", coupon, "imported", admin, otklik.ECONFLICT, referrals.ReasonNotNew},
		}
		for _, c := range cases {
			_, err := f.e.Redeem(ctx, c.actor, c.code, c.customer)
			if got := refusal(t, err, c.errCode); got != c.reason {
				t.Errorf("%s: reason %s, want %s (%v)", c.name, got, c.reason, err)
			}
		}
		if _, err := f.e.Redeem(ctx, viewer, coupon, "new3"); otklik.ErrorCode(err) != otklik.EFORBIDDEN {
			t.Errorf("a viewer redeems: got %v, want forbidden", err)
		}

		// The coupon serves three customers: new1 used one; new3 and new4
		// take the rest; new5 finds none left.
		for _, c := range []string{"new3", "new4"} {
			if _, err := f.e.Redeem(ctx, admin, coupon, c); err != nil {
				t.Fatalf("redeem for %s: %v", c, err)
			}
		}
		_, err = f.e.Redeem(ctx, admin, coupon, "new5")
		if reason := refusal(t, err, otklik.ECONFLICT); reason != referrals.ReasonUsedUp {
			t.Errorf("fourth use of three: %s", reason)
		}
		// A replay of a spent coupon's last use still answers.
		if again, err := f.e.Redeem(ctx, admin, coupon, "new4"); err != nil || !again.Replayed {
			t.Errorf("replay of the last use: %+v %v", again, err)
		}

		// Long after the coupon expired the link still works.
		f.clock.Add(31 * 24 * time.Hour)
		f.customer("late", "", "", nil)
		if _, err := f.e.Redeem(ctx, admin, linkToken, "late"); err != nil {
			t.Errorf("the link after 31 days: %v", err)
		}

		// Switching the programme off stops every code.
		f.program(referral.Program{Enabled: false, Coupons: 3, Prefix: "OTK"})
		f.customer("late3", "", "", nil)
		_, err = f.e.Redeem(ctx, admin, linkToken, "late3")
		if reason := refusal(t, err, otklik.ECONFLICT); reason != referrals.ReasonDisabled {
			t.Errorf("redeeming while the programme is off: %s", reason)
		}
	})
}

func TestRedeemExpired(t *testing.T) {
	f := newFixture(t, "sqlite", nil)
	ctx := context.Background()
	f.program(on) // 30 days
	f.customer("anna", "", "", nil)
	kit := f.issue(admin, "anna")
	// Issued 12:00 Moscow time on 2 March, the coupon works until 12:00 on
	// 1 April there: a minute before it still does, at 12:00 it does not.
	f.clock.Add(30*24*time.Hour - time.Minute)
	f.customer("in-time", "", "", nil)
	if _, err := f.e.Redeem(ctx, admin, kit.Coupon.Code, "in-time"); err != nil {
		t.Fatalf("a minute before expiry: %v", err)
	}
	f.clock.Add(time.Minute)
	f.customer("too-late", "", "", nil)
	_, err := f.e.Redeem(ctx, admin, kit.Coupon.Code, "too-late")
	var r *referrals.Refusal
	if !errors.As(err, &r) || r.Reason != referrals.ReasonExpired || r.Params["Date"] != "2026-04-01" {
		t.Fatalf("at expiry: %v (%+v)", err, r)
	}
	if !strings.Contains(otklik.ErrorMessage(err), "expired on 2026-04-01") {
		t.Errorf("message %q does not say when the code expired", otklik.ErrorMessage(err))
	}
}

// TestRedeemConcurrently races six new customers for a three-use coupon:
// exactly three win, whatever the database.
func TestRedeemConcurrently(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect, nil)
		f.program(on)
		f.customer("anna", "", "", nil)
		for i := range 6 {
			f.customer(fmt.Sprintf("n%d", i), "", "", nil)
		}
		code := f.issue(admin, "anna").Coupon.Code
		var wg sync.WaitGroup
		errs := make([]error, 6)
		for i := range 6 {
			wg.Go(func() {
				_, errs[i] = f.e.Redeem(context.Background(), admin, code, fmt.Sprintf("n%d", i))
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch otklik.ErrorCode(err) {
			case "":
				won++
			case otklik.ECONFLICT:
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		kit, err := f.e.Kit(context.Background(), admin, "anna")
		if err != nil {
			t.Fatal(err)
		}
		if won != 3 || kit.Coupon.Used != 3 {
			t.Errorf("%d redemptions won, the coupon counts %d uses; want 3 and 3", won, kit.Coupon.Used)
		}
	})
}

func TestReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect, nil)
		ctx := context.Background()
		f.program(on)
		f.customer("anna", "m1@example.com", "Север", nil)
		f.customer("boris", "m1@example.com", "Север", nil)
		f.customer("oleg", "m2@example.com", "Юг", nil)
		a, b, o := f.issue(admin, "anna"), f.issue(admin, "boris"), f.issue(admin, "oleg")
		f.clock.Add(24 * time.Hour) // 3 March
		friends := map[string]*otklik.Customer{}
		for _, n := range []string{"x", "y", "z", "w"} {
			friends[n] = f.customer(n, "m3@example.com", "Юг", nil)
		}
		for _, r := range []struct{ code, customer string }{
			{a.Coupon.Code, "x"}, {a.LinkURL, "y"}, {b.Coupon.Code, "z"}, {o.Coupon.Code, "w"},
		} {
			if _, err := f.e.Redeem(ctx, admin, r.code, r.customer); err != nil {
				t.Fatalf("redeem for %s: %v", r.customer, err)
			}
		}
		day := func(d int) time.Time { return time.Date(2026, 3, d, 10, 0, 0, 0, moscow) }
		f.deal(friends["x"], "d1", day(5), "120000.00")
		f.deal(friends["x"], "d2", day(20), "30000.50")
		f.deal(friends["y"], "d3", day(6), "50000")
		f.deal(friends["z"], "d4", day(7), "10000")
		f.deal(friends["w"], "d5", day(8), "250000")
		f.deal(friends["w"], "d6", time.Date(2026, 4, 1, 0, 0, 0, 0, moscow), "1") // 1 April: outside March

		from, to, err := otklik.ParsePeriod("2026-03-01", "2026-03-31", moscow)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := f.e.Report(ctx, viewer, from, to)
		if err != nil {
			t.Fatal(err)
		}
		// By hand: anna 2 referred, deals 120000.00 + 30000.50 + 50000 =
		// 200000.50; boris 1, 10000; oleg 1, 250000. m1 manages anna and
		// boris: 3 referred, 3 deals, 210000.50.
		fig := func(referred, deals int, revenue otklik.Amount) otklik.ReferralFigures {
			return otklik.ReferralFigures{Referred: referred, Deals: deals, Revenue: revenue}
		}
		want := &otklik.ReferralReport{From: from, To: to,
			Promoters: []otklik.PromoterReferrals{
				{Promoter: "oleg", Name: "Клиент oleg", Manager: "m2@example.com", Team: "Юг", ReferralFigures: fig(1, 1, 25000000)},
				{Promoter: "anna", Name: "Клиент anna", Manager: "m1@example.com", Team: "Север", ReferralFigures: fig(2, 3, 20000050)},
				{Promoter: "boris", Name: "Клиент boris", Manager: "m1@example.com", Team: "Север", ReferralFigures: fig(1, 1, 1000000)},
			},
			Managers: []otklik.ManagerReferrals{
				{Manager: "m2@example.com", Promoters: 1, ReferralFigures: fig(1, 1, 25000000)},
				{Manager: "m1@example.com", Promoters: 2, ReferralFigures: fig(3, 4, 21000050)},
			},
			Total: fig(4, 5, 46000050),
		}
		if diff := cmp.Diff(want, rep); diff != "" {
			t.Errorf("report (-want +got):\n%s", diff)
		}
		// A manager sees their promoters; a lead their team's.
		for _, c := range []struct {
			actor otklik.Actor
			want  []string
		}{{m1, []string{"anna", "boris"}}, {m2, []string{"oleg"}}, {lead, []string{"anna", "boris"}}} {
			rep, err := f.e.Report(ctx, c.actor, from, to)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range rep.Promoters {
				got = append(got, p.Promoter)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("%s sees (-want +got):\n%s", c.actor.Email, diff)
			}
		}
		if _, err := f.e.Report(ctx, otklik.Actor{Email: "a@example.com", Role: otklik.RoleAgent}, from, to); otklik.ErrorCode(err) != otklik.EFORBIDDEN {
			t.Errorf("an agent reads the report: got %v, want forbidden", err)
		}
	})
}

func TestLanding(t *testing.T) {
	f := newFixture(t, "sqlite", nil)
	ctx := context.Background()
	f.program(on)
	f.customer("anna", "", "", nil)
	kit := f.issue(admin, "anna")
	token := f.e.LinkToken(kit.Link)
	c, err := f.e.Landing(ctx, token)
	if err != nil || c.Code != kit.Link.Code || c.Offer != on.Offer {
		t.Fatalf("landing: %+v %v", c, err)
	}
	// A token signed with another installation's key is unknown here.
	other := referrals.New(referrals.Config{DB: f.db, LinkKey: []byte("another installation's key.....")})
	for _, tok := range []string{other.LinkToken(kit.Link), "x.y", ""} {
		if _, err := f.e.Landing(ctx, tok); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Errorf("landing %q: got %v, want not found", tok, err)
		}
	}
	f.program(referral.Program{Coupons: 3, Prefix: "OTK"})
	if _, err := f.e.Landing(ctx, token); otklik.ErrorCode(err) != otklik.ENOTFOUND {
		t.Errorf("landing while the programme is off: got %v, want not found", err)
	}
}
