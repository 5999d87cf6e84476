package web_test

// The referral pages over HTTP, on both databases: who sees and changes
// what, the programme form's validation, issuing and redeeming in Russian
// and English, the report's figures, CSRF, and the page a personal link
// opens.

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"otklik"
	"otklik/internal/referral"
	"otklik/internal/referrals"
	"otklik/internal/storetest"
	"otklik/internal/web"
)

// referralWorkspace is the seeded workspace served by a web UI that has a
// referral engine (the application wires its own the same way).
type referralWorkspace struct {
	*workspace
	engine *referrals.Engine
}

func seedReferrals(t *testing.T, dialect string) *referralWorkspace {
	t.Helper()
	w := seedWorkspace(t, dialect)
	a := w.app
	e := referrals.New(referrals.Config{DB: a.DB, Now: a.Now, Location: a.Location, LinkKey: a.LinkKey, BaseURL: a.Config.BaseURL})
	ws, err := web.New(web.Config{DB: a.DB, Intake: a.Intake, Catalog: a.Catalog, Now: a.Now, Location: a.Location,
		BaseURL: a.Config.BaseURL, BusinessName: a.Config.Business, Logger: a.Log, LinkKey: a.LinkKey, LinkTTL: a.Config.LinkTTL,
		Cases: a.Cases, Referrals: e})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ws.Handler())
	t.Cleanup(srv.Close)
	w.srv = srv
	return &referralWorkspace{workspace: w, engine: e}
}

func (w *referralWorkspace) program() referral.Program {
	w.t.Helper()
	p, err := w.engine.Program(w.t.Context())
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

func (w *referralWorkspace) enable() {
	w.t.Helper()
	_, err := w.engine.SetProgram(w.t.Context(), adminActor, referral.Program{Enabled: true, Coupons: 3,
		Offer: "Скидка 10 % для друга", Prefix: "OTK", ValidDays: 30})
	if err != nil {
		w.t.Fatal(err)
	}
}

func TestReferralPagesByRole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		w := seedReferrals(t, dialect)
		w.enable()
		const ok, forbidden = http.StatusOK, http.StatusForbidden
		want := every(ok, "interviewer", forbidden, "agent", forbidden, "reviewer", forbidden)
		for _, role := range roleOrder {
			b, _ := w.browserAs(roleEmails[role])
			status, body := b.get("/referrals")
			if status != want[role] {
				t.Errorf("%s: GET /referrals = %d, want %d", role, status, want[role])
				continue
			}
			_, home := b.get("/surveys")
			if nav := has(home, `href="/referrals"`); nav != (status == ok) {
				t.Errorf("%s: the nav links to referrals: %v", role, nav)
			}
			if status != ok {
				continue
			}
			if got := has(body, `action="/referrals/program"`); got != (role == "admin") {
				t.Errorf("%s: programme form shown: %v", role, got)
			}
			acts := role != "viewer"
			if got := has(body, `action="/referrals/issue"`) && has(body, `action="/referrals/redeem"`); got != acts {
				t.Errorf("%s: issue and redeem forms shown: %v, want %v", role, got, acts)
			}
		}

		// Changing the programme is the administrator's; issuing is not the
		// viewer's. A refused request changes nothing.
		anna, annaToken := w.browserAs(emailAnna)
		status, _, _ := anna.post("/referrals/program", url.Values{"_csrf": {annaToken}, "enabled": {"1"}, "coupons": {"9"},
			"offer": {"x"}, "prefix": {"ABC"}, "valid_days": {"1"}})
		if status != forbidden || w.program().Coupons != 3 {
			t.Errorf("a manager saves the programme: %d, coupons now %d", status, w.program().Coupons)
		}
		viewer, viewerToken := w.browserAs(emailViewer)
		status, _, _ = viewer.post("/referrals/issue", url.Values{"_csrf": {viewerToken}, "promoter": {"c-anna"}})
		if status != forbidden {
			t.Errorf("a viewer issues codes: %d, want 403", status)
		}
		status, _, _ = viewer.post("/referrals/redeem", url.Values{"_csrf": {viewerToken}, "code": {"OTK-7NH87-P5U6S"}, "customer": {"c-boris"}})
		if status != forbidden {
			t.Errorf("a viewer redeems a code: %d, want 403", status)
		}
		if kit, err := w.engine.Kit(t.Context(), adminActor, "c-anna"); err != nil || kit.Coupon != nil {
			t.Errorf("codes after refused requests: %+v %v", kit, err)
		}
	})
}

var (
	couponPattern = regexp.MustCompile(`OTK-[2-9A-Z]{5}-[2-9A-Z]{5}`)
	linkPattern   = regexp.MustCompile(`http://otklik\.test/r/[A-Za-z0-9_.-]+`)
)

func TestReferralFlowInRussianAndEnglish(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		w := seedReferrals(t, dialect)
		w.user("lead.en@example.com", otklik.RoleLead, "Юг", "en")
		w.user("boss.en@example.com", otklik.RoleAdmin, "", "en")

		// The administrator sets the programme up; a refused form says why
		// in Russian, next to each field, and keeps what was typed.
		admin, adminToken := w.browserAs(emailAdmin)
		status, _, body := admin.post("/referrals/program", url.Values{"_csrf": {adminToken}, "enabled": {"1"}, "coupons": {"11"},
			"offer": {"  "}, "prefix": {"O1"}, "valid_days": {"30"}})
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("invalid programme: %d", status)
		}
		for _, s := range []string{"от 1 до 10", "напишите предложение, прежде чем включать программу", "до 8 латинских букв", `value="11"`} {
			if !has(body, s) {
				t.Errorf("refused programme form lacks %q", s)
			}
		}
		if w.program().Enabled {
			t.Fatal("a refused form switched the programme on")
		}
		status, _, body = admin.post("/referrals/program", url.Values{"_csrf": {adminToken}, "enabled": {"1"}, "coupons": {"many"},
			"offer": {"x"}, "prefix": {""}, "valid_days": {"30"}})
		if status != http.StatusUnprocessableEntity || !has(body, "введите целое число") {
			t.Errorf("a number that is not one: %d", status)
		}
		status, loc, _ := admin.post("/referrals/program", url.Values{"_csrf": {adminToken}, "enabled": {"1"}, "coupons": {"3"},
			"offer": {"Скидка 10 % для друга"}, "prefix": {"otk"}, "valid_days": {"30"}})
		if status != http.StatusSeeOther || loc != "/referrals?done=program" {
			t.Fatalf("save programme: %d %q", status, loc)
		}
		want := referral.Program{Enabled: true, Coupons: 3, Offer: "Скидка 10 % для друга", Prefix: "OTK", ValidDays: 30}
		if got := w.program(); got != want {
			t.Errorf("programme %+v, want %+v", got, want)
		}
		if _, body := admin.get(loc); !has(body, "Условия программы сохранены.") || !has(body, "Программа включена") {
			t.Error("the page does not confirm the saved programme")
		}

		// Анна thanks her promoter: another team's customer is not hers.
		anna, annaToken := w.browserAs(emailAnna)
		status, _, body = anna.post("/referrals/issue", url.Values{"_csrf": {annaToken}, "promoter": {"c-boris"}})
		if status != http.StatusUnprocessableEntity || !has(body, "Клиент «c-boris» не найден.") {
			t.Errorf("issue to another manager's customer: %d", status)
		}
		status, loc, _ = anna.post("/referrals/issue", url.Values{"_csrf": {annaToken}, "promoter": {"c-anna"}})
		if status != http.StatusSeeOther || loc != "/referrals?done=issued&kit=c-anna#kit" {
			t.Fatalf("issue: %d %q", status, loc)
		}
		_, body = anna.get(loc)
		coupon, link := couponPattern.FindString(body), linkPattern.FindString(body)
		if coupon == "" || link == "" {
			t.Fatalf("the kit shows no coupon or link")
		}
		// Issued on 2 March at 12:00 in Moscow, valid 30 days.
		for _, s := range []string{"Коды выданы.", "осталось 3 из 3", "1 апреля 2026", "Скидка 10 % для друга"} {
			if !has(body, s) {
				t.Errorf("the kit lacks %q", s)
			}
		}
		// From the case page the button comes back to the case.
		status, loc, _ = anna.post("/referrals/issue", url.Values{"_csrf": {annaToken}, "promoter": {"c-anna"}, "next": {"/cases/7"}})
		if status != http.StatusSeeOther || loc != "/cases/7" {
			t.Errorf("issue from a case: %d %q", status, loc)
		}
		if status, loc, _ := anna.post("/referrals/issue", url.Values{"_csrf": {annaToken}, "promoter": {"c-anna"}}); status != http.StatusSeeOther ||
			loc != "/referrals?done=reused&kit=c-anna#kit" {
			t.Errorf("issue again: %d %q", status, loc)
		}
		if _, body := anna.get("/referrals?done=reused&kit=c-anna"); couponPattern.FindString(body) != coupon || !has(body, "Промоутеру уже выданы коды") {
			t.Error("issuing again changed the coupon")
		}

		// The link opens a page with the offer and a code to quote, for
		// anyone; a forged one is not found.
		visitor := w.browser()
		status, body = visitor.get(strings.TrimPrefix(link, "http://otklik.test"))
		if status != http.StatusOK || !has(body, "Скидка 10 % для друга") || !regexp.MustCompile(`[2-9A-Z]{5}-[2-9A-Z]{5}`).MatchString(body) {
			t.Errorf("the link's page: %d", status)
		}
		if status, _ := visitor.get("/r/bm90LWEtdG9rZW4.AAAAAAAAAAAAAAAAAAAAAA"); status != http.StatusNotFound {
			t.Errorf("a forged link: %d, want 404", status)
		}

		// A new customer of team Юг quotes the code to its English-speaking
		// lead, who mistypes it first.
		w.clock.Add(24 * time.Hour)
		w.customer("c-vera", func(c *otklik.Customer) { c.Name, c.Manager, c.Team = "Vera Lee", emailBoris, "Юг" })
		lead, leadToken := w.browserAs("lead.en@example.com")
		last := coupon[len(coupon)-1]
		typo := coupon[:len(coupon)-1] + map[bool]string{true: "3", false: "2"}[last == '2']
		status, _, body = lead.post("/referrals/redeem", url.Values{"_csrf": {leadToken}, "code": {typo}, "customer": {"c-vera"}})
		if status != http.StatusUnprocessableEntity || !has(body, "The code has a typo: check it symbol by symbol.") || !has(body, `value="c-vera"`) {
			t.Errorf("a mistyped code: %d", status)
		}
		typed := strings.ToLower(strings.ReplaceAll(coupon, "-", " "))
		status, loc, _ = lead.post("/referrals/redeem", url.Values{"_csrf": {leadToken}, "code": {typed}, "customer": {"c-vera"}})
		if status != http.StatusSeeOther || loc != "/referrals?done=redeemed&redeemed=c-vera#redeem" {
			t.Fatalf("redeem: %d %q", status, loc)
		}
		if _, body := lead.get(loc); !has(body, "Customer c-vera is attributed to promoter c-anna (code "+coupon+").") {
			t.Error("the page does not say whom the customer is attributed to")
		}
		// The same request again is harmless; the promoter's own code is not.
		if status, _, _ := lead.post("/referrals/redeem", url.Values{"_csrf": {leadToken}, "code": {coupon}, "customer": {"c-vera"}}); status != http.StatusSeeOther {
			t.Errorf("replayed redemption: %d", status)
		}
		status, _, body = admin.post("/referrals/redeem", url.Values{"_csrf": {adminToken}, "code": {link}, "customer": {"c-anna"}})
		if status != http.StatusUnprocessableEntity || !has(body, "Промоутер не может рекомендовать сам себя.") {
			t.Errorf("self-referral by link: %d", status)
		}

		// Vera buys twice in March and once in April; the March report
		// counts her and her two deals: 1 500,50 + 20 000 = 21 500,50.
		day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 10, 0, 0, 0, w.app.Location) }
		vera := w.customer("c-vera", func(*otklik.Customer) {})
		for i, d := range []struct {
			at     time.Time
			amount string
		}{{day(3, 10), "1500.50"}, {day(3, 20), "20000"}, {day(4, 2), "99"}} {
			ev := &otklik.Event{ExternalID: "deal-" + string(rune('1'+i)), Type: "deal_won", CustomerID: vera.ID, OccurredAt: d.at,
				Source: "amocrm", Attributes: map[string]string{"amount": d.amount}}
			if _, err := w.app.DB.AddEvent(t.Context(), ev, nil); err != nil {
				t.Fatal(err)
			}
		}
		march := "/referrals?from=2026-03-01&to=2026-03-31"
		_, body = admin.get(march)
		for _, s := range []string{"21\u00a0500,50", "Ирина Котова", emailAnna} {
			if !has(body, s) {
				t.Errorf("the Russian report lacks %q", s)
			}
		}
		bossEN, _ := w.browserAs("boss.en@example.com")
		_, body = bossEN.get(march)
		if !has(body, "21,500.50") || !has(body, "By the promoters&#39; manager") {
			t.Error("the English report lacks the revenue 21,500.50 or the managers' table")
		}
		// The south lead's team has no promoters: Анна's promoter is Север's.
		if _, body := lead.get(march); !has(body, "Promoters brought nobody in this period.") {
			t.Error("the south lead sees another team's promoter")
		}
		if status, _ := admin.get("/referrals?from=2026-03-31&to=2026-03-01"); status != http.StatusUnprocessableEntity {
			t.Errorf("a period that ends before it starts: %d", status)
		}
	})
}

func TestReferralFormsNeedCSRF(t *testing.T) {
	w := seedReferrals(t, "sqlite")
	w.enable()
	anna, _ := w.browserAs(emailAnna)
	_, otherToken := w.browserAs(emailAdmin)
	for _, form := range []url.Values{
		{"promoter": {"c-anna"}},
		{"promoter": {"c-anna"}, "_csrf": {otherToken}},
		{"promoter": {"c-anna"}, "_csrf": {""}},
	} {
		if status, _, body := anna.post("/referrals/issue", form); status != http.StatusForbidden || has(body, "OTK-") {
			t.Errorf("issue with _csrf %q: %d", form.Get("_csrf"), status)
		}
	}
	admin, _ := w.browserAs(emailAdmin)
	if status, _, _ := admin.post("/referrals/program", url.Values{"enabled": {""}, "coupons": {"3"}, "offer": {""}, "prefix": {""}, "valid_days": {"0"}}); status != http.StatusForbidden {
		t.Errorf("programme without a token: %d", status)
	}
	if kit, _ := w.engine.Kit(t.Context(), adminActor, "c-anna"); kit.Coupon != nil || !w.program().Enabled {
		t.Error("a request without a valid token changed something")
	}
}
