package api_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"otklik"
	"otklik/internal/storetest"
)

// invitationsOf lists a customer's invitations through the API.
func (e *env) invitationsOf(token, customer string) []otklik.Invitation {
	e.t.Helper()
	var out struct{ Items []otklik.Invitation }
	e.must(200, "GET", "/api/v1/customers/"+customer+"/outreach", token, nil, &out)
	return out.Items
}

// waitInvitation polls until the customer's invitation with ref prefix
// satisfies ok.
func (e *env) waitInvitation(token, customer, ref string, within time.Duration, ok func(otklik.Invitation) bool) otklik.Invitation {
	e.t.Helper()
	deadline := time.Now().Add(within)
	for {
		for _, inv := range e.invitationsOf(token, customer) {
			if strings.HasPrefix(inv.Ref, ref) && ok(inv) {
				return inv
			}
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("invitation %s of %s not as expected after %v: %+v", ref, customer, within, e.invitationsOf(token, customer))
		}
		time.Sleep(25 * time.Millisecond)
	}
}

var scoreLink = regexp.MustCompile(`http://otklik\.test(/s/[A-Za-z0-9_.-]+/score/)(\d+)`)

// TestOutreachThroughAPI: a delivered event becomes an e-mail within its
// 12–72 hour window — moved out of the night to 09:00 —, a click on 8 in
// it records the answer and closes the invitation, and a second trigger
// inside the frequency cap is deferred with the reason in words.
func TestOutreachThroughAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		e, sink := loopEnv(t, dialect)
		ctx := context.Background()
		admin := e.user("admin@x.ru", otklik.RoleAdmin, "")
		e.must(201, "POST", "/api/v1/surveys", admin, npsSurvey("nps"), nil)
		e.must(201, "POST", "/api/v1/customers", admin, map[string]any{"external_id": "C-1", "name": "Иван Петров",
			"email": "ivan@example.ru", "started_at": "2026-02-01", "manager": "anna@x.ru",
			"consent": map[string]any{"email": map[string]any{"granted": true}}}, nil)
		// A new customer: at most one invitation per two days, so a deal
		// won the same day waits.
		var policy map[string]any
		e.must(200, "GET", "/api/v1/outreach/policy", admin, nil, &policy)
		policy["caps"] = []map[string]any{{"name": "new_customers", "tenure_below_months": 6, "max": 1, "period_days": 2},
			{"name": "established_customers", "max": 2, "period_days": 365}}
		e.must(200, "PUT", "/api/v1/outreach/policy", admin, policy, nil)

		// Monday 2 March 2026, 12:00 in Moscow: the order is delivered.
		var res struct {
			Created bool `json:"created"`
			Planned int  `json:"invitations_planned"`
		}
		ev := map[string]any{"id": "ord-1001", "type": "delivered", "customer": "C-1", "occurred_at": e.clock.Now().Format(time.RFC3339)}
		e.must(201, "POST", "/api/v1/events", admin, ev, &res)
		if !res.Created || res.Planned != 1 {
			t.Fatalf("event: %+v", res)
		}
		e.must(200, "POST", "/api/v1/events", admin, ev, &res) // a retry changes nothing
		if res.Created || res.Planned != 0 {
			t.Fatalf("retried event: %+v", res)
		}
		inv := e.waitInvitation(admin, "C-1", "event:ord-1001", time.Second, func(otklik.Invitation) bool { return true })
		if inv.Status != otklik.InvitationPlanned || !inv.EarliestAt.Equal(e.clock.Now().Add(12*time.Hour)) {
			t.Fatalf("planned: %+v", inv)
		}

		// 12 hours later it is midnight in Moscow: quiet hours defer it to 09:00.
		e.clock.Add(12 * time.Hour)
		if _, err := e.app.Outreach.Plan(ctx); err != nil {
			t.Fatal(err)
		}
		inv = e.waitInvitation(admin, "C-1", "event:ord-1001", time.Second, func(otklik.Invitation) bool { return true })
		if inv.Status != otklik.InvitationDeferred || inv.Reason != "deferred.quiet_hours" ||
			!inv.NextAt.Equal(time.Date(2026, 3, 3, 6, 0, 0, 0, time.UTC)) || !strings.Contains(inv.Explanation, "тихие часы") {
			t.Fatalf("at night: %+v", inv)
		}
		if sink.Count() != 0 {
			t.Fatal("an e-mail went out at night")
		}

		// 09:00: it goes, 21 hours after the delivery.
		e.clock.Add(9 * time.Hour)
		if _, err := e.app.Outreach.Plan(ctx); err != nil {
			t.Fatal(err)
		}
		mails := sink.WaitFor(1, 10*time.Second)
		if len(mails) != 1 {
			t.Fatalf("%d e-mails, want 1", len(mails))
		}
		m := mails[0]
		if m.Headers.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" ||
			!strings.HasPrefix(m.Headers.Get("List-Unsubscribe"), "<http://otklik.test/u/") ||
			!strings.Contains(m.Subject, "Оценка") || !strings.Contains(m.Text, "Здравствуйте, Иван Петров!") {
			t.Errorf("invitation e-mail: %q %v\n%s", m.Subject, m.Headers, m.Text)
		}
		links := scoreLink.FindAllStringSubmatch(m.HTML, -1)
		if len(links) != 11 || links[8][2] != "8" {
			t.Fatalf("score links in the HTML: %v", links)
		}
		e.waitInvitation(admin, "C-1", "event:ord-1001", 5*time.Second, func(i otklik.Invitation) bool {
			return i.Status == otklik.InvitationSent && i.Channel == otklik.ChannelEmail
		})

		// The customer clicks 8: the link's page posts the score (as the
		// browser's script does), the answer is recorded, "why?" opens.
		client := e.srv.Client()
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		resp, err := client.Get(e.srv.URL + links[8][1] + links[8][2])
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		form := regexp.MustCompile(`<form method="post" action="(/s/[^"]+)" data-autosubmit>\s*<input type="hidden" name="score" value="(\d+)">`).FindStringSubmatch(string(page))
		if resp.StatusCode != http.StatusOK || form == nil || form[2] != "8" {
			t.Fatalf("the link's page: %d %s", resp.StatusCode, page)
		}
		resp, err = client.PostForm(e.srv.URL+form[1], url.Values{"score": {form[2]}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "?step=why") {
			t.Fatalf("click: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		var answers struct{ Items []otklik.Response }
		e.must(200, "GET", "/api/v1/responses?survey=nps", admin, nil, &answers)
		if len(answers.Items) != 1 || answers.Items[0].Score != 8 || answers.Items[0].Channel != otklik.ChannelEmail {
			t.Fatalf("answers after the click: %+v", answers.Items)
		}
		e.waitInvitation(admin, "C-1", "event:ord-1001", 5*time.Second, func(i otklik.Invitation) bool {
			return i.Status == otklik.InvitationAnswered
		})

		// A deal won an hour later falls inside the cap: deferred, the
		// reason in words.
		e.clock.Add(time.Hour)
		e.must(201, "POST", "/api/v1/events", admin, map[string]any{"id": "deal-77", "type": "deal_won", "customer": "C-1"}, nil)
		inv = e.waitInvitation(admin, "C-1", "event:deal-77", 5*time.Second, func(i otklik.Invitation) bool {
			return i.Status == otklik.InvitationDeferred
		})
		if inv.Reason != "deferred.cap" || !strings.Contains(inv.Explanation, "отложено до") ||
			!strings.Contains(inv.Explanation, "NPS после доставки") {
			t.Errorf("second trigger: %s %q", inv.Reason, inv.Explanation)
		}
		if n := sink.Count(); n != 1 {
			t.Errorf("%d e-mails after the second trigger, want 1", n)
		}
	})
}
