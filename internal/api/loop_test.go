package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"context"

	"otklik"
	"otklik/internal/app"
	"otklik/internal/apptest"
	"otklik/internal/channel/email/smtptest"
	"otklik/internal/storetest"
)

// loopEnv is a site with e-mail to a real SMTP sink and its background
// work running.
func loopEnv(t *testing.T, dialect string) (*env, *smtptest.Sink) {
	t.Helper()
	sink := smtptest.Start(t)
	site := apptest.Start(t, dialect, func(c *app.Config) {
		c.SMTPURL, c.MailFrom = sink.URL(), "Otklik <otklik@otklik.test>"
	})
	site.Background(t)
	return &env{t: t, app: site.App, srv: site.Srv, clock: site.Clock}, sink
}

// setLocale sets a user's language.
func setLocale(t *testing.T, e *env, email, lang string) {
	t.Helper()
	u, err := e.app.DB.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	u.Locale = lang
	if err := e.app.DB.UpdateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
}

// waitCase polls the API until the customer's cases satisfy ok, or fails
// after the deadline; it returns the cases and how long it took.
func (e *env) waitCase(token, customer string, within time.Duration, ok func([]otklik.Case) bool) ([]otklik.Case, time.Duration) {
	e.t.Helper()
	start := time.Now()
	for {
		var out struct{ Items []otklik.Case }
		e.must(200, "GET", "/api/v1/cases?customer="+customer, token, nil, &out)
		if ok(out.Items) {
			return out.Items, time.Since(start)
		}
		if time.Since(start) > within {
			e.t.Fatalf("cases of %s after %v: %+v", customer, within, out.Items)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestClosedLoopThroughAPI is the closed loop end to end: a 3 opens a case
// within a second, owned by the account manager and watched by the
// manager's lead, both mailed in their own language; the SLA is counted
// across a weekend and a public holiday; the call-back and the resolution
// are recorded; the customer's next 9 counts as won back to promoter.
func TestClosedLoopThroughAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		e, sink := loopEnv(t, dialect)
		admin := e.user("admin@x.ru", otklik.RoleAdmin, "")
		manager := e.user("anna@x.ru", otklik.RoleManager, "Продажи")
		e.user("lead@x.ru", otklik.RoleLead, "Продажи")
		other := e.user("oleg@x.ru", otklik.RoleManager, "Продажи")
		viewer := e.user("view@x.ru", otklik.RoleViewer, "")
		setLocale(t, e, "lead@x.ru", "en")

		e.must(201, "POST", "/api/v1/surveys", admin, npsSurvey("nps"), nil)
		e.must(201, "POST", "/api/v1/customers", admin, map[string]any{"external_id": "C-1", "name": "Иван Петров",
			"manager": "anna@x.ru", "team": "Продажи"}, nil)

		// Friday 30 October 2026, 16:00 in Moscow.
		e.clock.Add(time.Date(2026, 10, 30, 13, 0, 0, 0, time.UTC).Sub(apptest.T0))
		e.must(201, "POST", "/api/v1/responses", admin, map[string]any{"survey": "nps", "customer": "C-1", "score": 3,
			"comment": "Долго ждали ответа <script>alert(1)</script>"}, nil)

		cases, took := e.waitCase(admin, "C-1", time.Second, func(cs []otklik.Case) bool { return len(cs) == 1 })
		t.Logf("%s: case opened %v after the answer", dialect, took)
		c := cases[0]
		if c.Kind != otklik.CaseDetractor || c.Owner != "anna@x.ru" || fmt.Sprint(c.Watchers) != "[lead@x.ru]" ||
			c.Status != otklik.CaseOpen || c.Score != 3 || c.Team != "Продажи" {
			t.Fatalf("case = %+v", c)
		}
		// First contact within 4 working hours: Fri 16:00–18:00, then Mon
		// 2 Nov 09:00–11:00. Resolution within 3 working days after the
		// opening day: Mon 2, Tue 3 (a short day before the holiday), Wed 4
		// November is a public holiday, Thu 5 → its close, 18:00.
		msk := time.FixedZone("MSK", 3*3600)
		if want := time.Date(2026, 11, 2, 11, 0, 0, 0, msk); !c.FirstContactDue.Equal(want) {
			t.Errorf("first contact due %v, want %v", c.FirstContactDue.In(msk), want)
		}
		if want := time.Date(2026, 11, 5, 18, 0, 0, 0, msk); !c.ResolutionDue.Equal(want) {
			t.Errorf("resolution due %v, want %v", c.ResolutionDue.In(msk), want)
		}

		mails := sink.WaitFor(2, 10*time.Second)
		if len(mails) != 2 {
			t.Fatalf("%d notifications, want 2", len(mails))
		}
		byTo := map[string]smtptest.Received{}
		for _, m := range mails {
			byTo[strings.Join(m.To, ",")] = m
		}
		ru, en := byTo["anna@x.ru"], byTo["lead@x.ru"]
		if !strings.Contains(ru.Subject, "Недовольный клиент: Иван Петров поставил 3") ||
			!strings.Contains(ru.Text, fmt.Sprintf("http://otklik.test/cases/%d", c.ID)) ||
			!strings.Contains(ru.Text, "Связаться до: 2 ноября 2026, 11:00") {
			t.Errorf("owner's mail: %q\n%s", ru.Subject, ru.Text)
		}
		if !strings.Contains(en.Subject, "Unhappy customer: Иван Петров gave 3") || !strings.Contains(en.Text, "Долго ждали ответа") {
			t.Errorf("lead's mail: %q\n%s", en.Subject, en.Text)
		}

		// Roles: a viewer reads but may not work the case; another manager
		// does not see it at all.
		e.must(200, "GET", fmt.Sprintf("/api/v1/cases/%d", c.ID), viewer, nil, nil)
		e.must(403, "POST", fmt.Sprintf("/api/v1/cases/%d/notes", c.ID), viewer, map[string]any{"body": "x"}, nil)
		e.must(404, "GET", fmt.Sprintf("/api/v1/cases/%d", c.ID), other, nil, nil)
		e.must(404, "POST", fmt.Sprintf("/api/v1/cases/%d/resolve", c.ID), other,
			map[string]any{"root_cause": "speed", "decision": "x"}, nil)

		// Monday 10:00: the manager calls back and reaches the customer.
		e.clock.Add(time.Date(2026, 11, 2, 7, 0, 0, 0, time.UTC).Sub(e.clock.Now()))
		e.must(201, "POST", fmt.Sprintf("/api/v1/cases/%d/notes", c.ID), manager, map[string]any{"body": "Позвоню в 10"}, nil)
		var contacted otklik.Case
		e.must(200, "POST", fmt.Sprintf("/api/v1/cases/%d/contact", c.ID), manager,
			map[string]any{"outcome": "reached", "note": "Извинился, обещал ускорить ответы"}, &contacted)
		if contacted.Status != otklik.CaseContacted || contacted.ContactedAt == nil {
			t.Fatalf("after the call-back: %+v", contacted)
		}
		status, body := e.do("POST", fmt.Sprintf("/api/v1/cases/%d/resolve", c.ID), manager, map[string]any{"root_cause": "weather"})
		if status != 422 || !strings.Contains(string(body), "root_cause") || !strings.Contains(string(body), "decision") {
			t.Errorf("bad resolution: %d %s", status, body)
		}
		var resolved otklik.Case
		e.must(200, "POST", fmt.Sprintf("/api/v1/cases/%d/resolve", c.ID), manager, map[string]any{"root_cause": "speed",
			"decision": "Отвечать в течение часа", "action": "Дежурный менеджер", "customer_told": true}, &resolved)
		if resolved.Status != otklik.CaseResolved || resolved.ResurveyAt == nil ||
			!resolved.ResurveyAt.Equal(e.clock.Now().AddDate(0, 0, 14)) {
			t.Fatalf("resolved: %+v", resolved)
		}
		e.must(409, "POST", fmt.Sprintf("/api/v1/cases/%d/resolve", c.ID), manager, map[string]any{"root_cause": "speed",
			"decision": "again"}, nil)
		// The re-survey is planned in the same transaction, first in priority.
		resurvey := e.waitInvitation(admin, "C-1", fmt.Sprintf("case:%d", c.ID), time.Second, func(otklik.Invitation) bool { return true })
		if resurvey.Source != "loop" || resurvey.Status != otklik.InvitationPlanned || !resurvey.EarliestAt.Equal(*resolved.ResurveyAt) {
			t.Errorf("re-survey: %+v", resurvey)
		}

		// Two weeks later the customer answers 9: won back to promoter.
		e.clock.Add(14 * 24 * time.Hour)
		e.must(201, "POST", "/api/v1/responses", admin, map[string]any{"survey": "nps", "customer": "C-1", "score": 9}, nil)
		cases, _ = e.waitCase(admin, "C-1", 5*time.Second, func(cs []otklik.Case) bool {
			won := false
			for _, c := range cs {
				won = won || c.Kind == otklik.CaseDetractor && c.WonBack == "promoter"
			}
			return won && len(cs) == 2
		})
		kinds := map[string]int{}
		for _, c := range cases {
			kinds[c.Kind]++
		}
		if kinds[otklik.CaseThanks] != 1 {
			t.Errorf("the promoter's answer opened %d thank-you tasks, want 1", kinds[otklik.CaseThanks])
		}

		var m struct {
			Figures struct {
				Opened                    int      `json:"opened"`
				ContactedInSLA            int      `json:"contacted_in_sla"`
				ResolvedInSLA             int      `json:"resolved_in_sla"`
				MedianFirstContactMinutes *float64 `json:"median_first_contact_minutes"`
				WonBackPromoter           int      `json:"won_back_promoter"`
				WonBackRate               *float64 `json:"won_back_rate"`
			} `json:"figures"`
		}
		e.must(200, "GET", "/api/v1/metrics/loop?from=2026-10-01&to=2026-11-30", admin, nil, &m)
		f := m.Figures
		// Opened Fri 16:00, reached Mon 10:00: 66 hours = 3,960 minutes.
		if f.Opened != 1 || f.ContactedInSLA != 1 || f.ResolvedInSLA != 1 || f.WonBackPromoter != 1 ||
			f.MedianFirstContactMinutes == nil || *f.MedianFirstContactMinutes != 3960 || f.WonBackRate == nil || *f.WonBackRate != 1 {
			t.Errorf("loop figures = %+v", f)
		}
	})
}

// TestPromoterReferralThroughAPI: a promoter's 10 opens a thank-you task;
// the promoter gets a coupon; a new customer redeems it and is attributed
// to the promoter, whose later won deal counts as a secondary sale; the
// promoter cannot use their own coupon and a long-standing customer
// cannot be referred.
func TestPromoterReferralThroughAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		e, _ := loopEnv(t, dialect)
		admin := e.user("admin@x.ru", otklik.RoleAdmin, "")
		manager := e.user("anna@x.ru", otklik.RoleManager, "Продажи")
		e.must(201, "POST", "/api/v1/surveys", admin, npsSurvey("nps"), nil)
		e.must(201, "POST", "/api/v1/customers", admin, map[string]any{"external_id": "P-1", "name": "Ольга", "manager": "anna@x.ru",
			"team": "Продажи", "started_at": "2024-05-01"}, nil)
		e.must(200, "PUT", "/api/v1/referrals/program", admin, map[string]any{"enabled": true, "coupons": 3,
			"offer": "−10 % на первую сделку", "prefix": "OTK", "valid_days": 90}, nil)

		e.must(201, "POST", "/api/v1/responses", admin, map[string]any{"survey": "nps", "customer": "P-1", "score": 10}, nil)
		cases, _ := e.waitCase(admin, "P-1", 5*time.Second, func(cs []otklik.Case) bool { return len(cs) == 1 })
		if cases[0].Kind != otklik.CaseThanks || cases[0].Owner != "anna@x.ru" {
			t.Fatalf("promoter's task: %+v", cases[0])
		}
		var kit struct {
			Coupon struct {
				Code string `json:"code"`
				Uses int    `json:"uses"`
			} `json:"coupon"`
			LinkURL string `json:"link_url"`
		}
		e.must(200, "POST", "/api/v1/customers/P-1/referral-codes", manager, nil, &kit)
		if kit.Coupon.Uses != 3 || !strings.HasPrefix(kit.Coupon.Code, "OTK-") || !strings.HasPrefix(kit.LinkURL, "http://otklik.test/r/") {
			t.Fatalf("kit: %+v", kit)
		}

		e.must(409, "POST", "/api/v1/referrals/redeem", manager, map[string]any{"code": kit.Coupon.Code, "customer": "P-1"}, nil)
		e.must(201, "POST", "/api/v1/customers", admin, map[string]any{"external_id": "N-1", "name": "Новый клиент",
			"manager": "anna@x.ru", "team": "Продажи"}, nil)
		// Typed by hand, in lower case and without dashes.
		typed := strings.ToLower(strings.ReplaceAll(kit.Coupon.Code, "-", ""))
		var ref otklik.Referral
		e.must(201, "POST", "/api/v1/referrals/redeem", manager, map[string]any{"code": typed, "customer": "N-1"}, &ref)
		if ref.Promoter != "P-1" || ref.Customer != "N-1" {
			t.Fatalf("referral: %+v", ref)
		}
		e.must(200, "POST", "/api/v1/referrals/redeem", manager, map[string]any{"code": kit.Coupon.Code, "customer": "N-1"}, nil)

		e.must(201, "POST", "/api/v1/events", admin, map[string]any{"id": "deal-N1", "type": "deal_won", "customer": "N-1",
			"attributes": map[string]any{"amount": "150000.00"}}, nil)
		var rep struct {
			Promoters []struct {
				Promoter string  `json:"promoter"`
				Referred int     `json:"referred"`
				Deals    int     `json:"deals"`
				Revenue  float64 `json:"revenue"`
			} `json:"promoters"`
			Managers []struct {
				Manager string  `json:"manager"`
				Revenue float64 `json:"revenue"`
			} `json:"managers"`
		}
		e.must(200, "GET", "/api/v1/referrals/report?from=2026-01-01", admin, nil, &rep)
		if len(rep.Promoters) != 1 || rep.Promoters[0].Promoter != "P-1" || rep.Promoters[0].Referred != 1 ||
			rep.Promoters[0].Deals != 1 || rep.Promoters[0].Revenue != 150000 ||
			len(rep.Managers) != 1 || rep.Managers[0].Manager != "anna@x.ru" || rep.Managers[0].Revenue != 150000 {
			t.Errorf("report: %+v", rep)
		}
	})
}
