package dispatch_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"otklik"
	"otklik/internal/app"
	"otklik/internal/apptest"
	"otklik/internal/channel/email/smtptest"
	"otklik/internal/crm"
	"otklik/internal/store"
	"otklik/internal/storetest"
)

// outreachSite is a site with e-mail to a sink, quick retries and one NPS
// survey.
func outreachSite(t *testing.T, dialect string, sink *smtptest.Sink) *apptest.Site {
	t.Helper()
	site := apptest.Start(t, dialect, func(c *app.Config) {
		c.SMTPURL, c.MailFrom = sink.URL(), "Otklik <otklik@otklik.test>"
		c.RetryDelay = func(int) time.Duration { return 50 * time.Millisecond }
	})
	sv := &otklik.Survey{Key: "nps", Kind: otklik.KindNPS, Title: otklik.Text{RU: "Оценка", EN: "Rating"},
		ScoreQuestion: otklik.Text{RU: "Порекомендуете ли вы нас?", EN: "Would you recommend us?"}}
	sv.Normalize()
	if err := site.App.DB.CreateSurvey(context.Background(), sv); err != nil {
		t.Fatal(err)
	}
	return site
}

// customer creates a customer who agreed to e-mail.
func customer(t *testing.T, site *apptest.Site, ext string, edit func(*otklik.Customer)) *otklik.Customer {
	t.Helper()
	now := site.Clock.Now()
	c, _, err := site.App.DB.UpsertCustomer(context.Background(), otklik.Scope{Reach: otklik.ReachAll}, ext, func(c *otklik.Customer) {
		c.Name, c.Email = "Клиент "+ext, ext+"@example.ru"
		c.Consent = map[otklik.Channel]otklik.Consent{otklik.ChannelEmail: {Granted: true, At: now, Source: "test"}}
		if edit != nil {
			edit(c)
		}
		c.Normalize()
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestThreeReplicasSendEachInvitationOnce: three `otklik serve` on one
// database, each working the queue, the mail server refusing the first
// attempts and then recovering — every invitation reaches its customer
// exactly once.
func TestThreeReplicasSendEachInvitationOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		sink := smtptest.Start(t)
		a := outreachSite(t, dialect, sink)
		b, c := a.Replica(t), a.Replica(t)
		const n = 30
		for i := range n {
			customer(t, a, fmt.Sprintf("R-%02d", i), nil)
		}
		sink.FailNext(7, 451) // a greylisting server: try again later
		for _, s := range []*apptest.Site{a, b, c} {
			s.Background(t)
		}
		// A won deal asks at once (a trigger with no delay): the events
		// arrive on every replica in turn.
		ctx := context.Background()
		sites := []*apptest.Site{a, b, c}
		for i := range n {
			ev := crm.Event{ID: fmt.Sprintf("deal-%d", i), Type: "deal_won", Customer: fmt.Sprintf("R-%02d", i),
				OccurredAt: a.Clock.Now()}
			if _, created, planned, err := sites[i%3].App.Outreach.RecordEvent(ctx, ev, "test"); err != nil || !created || planned != 1 {
				t.Fatalf("event %d: created %v, planned %d, %v", i, created, planned, err)
			}
		}
		mails := sink.WaitFor(n, 60*time.Second)
		// Let any late duplicate arrive before counting.
		deadline := time.Now().Add(2 * time.Second)
		for time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		mails = sink.Messages()
		seen := map[string]int{}
		for _, m := range mails {
			seen[m.To[0]]++
		}
		if len(mails) != n || len(seen) != n {
			t.Fatalf("%d messages to %d customers, want %d each once: %v", len(mails), len(seen), n, seen)
		}
		if sink.Rejected() < 7 {
			t.Errorf("the sink refused %d attempts, want the 7 it was told to", sink.Rejected())
		}
		invs, err := a.App.DB.Invitations(ctx, otklik.Scope{Reach: otklik.ReachAll}, storeAll())
		if err != nil {
			t.Fatal(err)
		}
		sent := 0
		for _, inv := range invs {
			if inv.Status == otklik.InvitationSent {
				sent++
			}
		}
		if sent != n {
			t.Errorf("%d invitations sent, want %d", sent, n)
		}
	})
}

func storeAll() store.InvitationFilter { return store.InvitationFilter{Limit: 1000} }

func storeResponses() store.ResponseFilter { return store.ResponseFilter{Limit: 100} }
