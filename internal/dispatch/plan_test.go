package dispatch_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"otklik"
	"otklik/internal/apptest"
	"otklik/internal/channel/email/smtptest"
	"otklik/internal/store"
	"otklik/internal/storetest"
)

func invitationsOf(t *testing.T, site *apptest.Site, customer string) []*otklik.Invitation {
	t.Helper()
	invs, err := site.App.DB.Invitations(context.Background(), otklik.Scope{Reach: otklik.ReachAll}, storeOf(customer))
	if err != nil {
		t.Fatal(err)
	}
	return invs
}

// TestLifetimeScheduleAndReminder: a customer who started three months ago
// (to the day) gets the month-3 survey at 10:00 on the milestone, once
// however often the planner runs; unanswered, one reminder follows three
// days later, and no second one. A customer whose month-3 milestone was 41 days ago is past
// the 30-day validity: never invited.
func TestLifetimeScheduleAndReminder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		sink := smtptest.Start(t)
		site := outreachSite(t, dialect, sink)
		ctx := context.Background()
		// The clock starts on Monday 2 March 2026, 12:00 in Moscow.
		customer(t, site, "L-1", func(c *otklik.Customer) {
			c.StartedAt = &otklik.Date{Time: time.Date(2025, 12, 2, 0, 0, 0, 0, time.UTC)}
		})
		customer(t, site, "L-2", func(c *otklik.Customer) {
			c.StartedAt = &otklik.Date{Time: time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC)}
		})
		site.Background(t)

		for range 2 {
			if _, err := site.App.Outreach.Plan(ctx); err != nil {
				t.Fatal(err)
			}
		}
		invs := invitationsOf(t, site, "L-1")
		if len(invs) != 1 || invs[0].Ref != "lifetime:1:3" || invs[0].Source != "lifetime" ||
			!invs[0].EarliestAt.Equal(time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)) {
			t.Fatalf("L-1's invitations: %+v", invs)
		}
		if got := invitationsOf(t, site, "L-2"); len(got) != 0 {
			t.Errorf("L-2, past the window, was invited: %+v", got)
		}
		mails := sink.WaitFor(1, 10*time.Second)
		if len(mails) != 1 || mails[0].To[0] != "l-1@example.ru" {
			t.Fatalf("mails: %d", len(mails))
		}
		waitFor(t, 5*time.Second, "sent recorded", func() bool {
			invs := invitationsOf(t, site, "L-1")
			return len(invs) == 1 && invs[0].Status == otklik.InvitationSent
		})

		// Thursday 5 March 12:00: not yet three days after Monday's 12:00…
		site.Clock.Add(3*24*time.Hour - time.Hour)
		if _, err := site.App.Outreach.Plan(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		if sink.Count() != 1 {
			t.Fatalf("a reminder went early: %d mails", sink.Count())
		}
		// …an hour later it is.
		site.Clock.Add(time.Hour)
		if _, err := site.App.Outreach.Plan(ctx); err != nil {
			t.Fatal(err)
		}
		mails = sink.WaitFor(2, 10*time.Second)
		if len(mails) != 2 || !strings.HasPrefix(mails[1].Subject, "Напоминание") {
			t.Fatalf("reminder: %d mails, %q", len(mails), mails[len(mails)-1].Subject)
		}
		waitFor(t, 5*time.Second, "reminder recorded", func() bool {
			invs := invitationsOf(t, site, "L-1")
			return len(invs) == 1 && invs[0].Reminders == 1 && invs[0].Status == otklik.InvitationSent
		})
		site.Clock.Add(4 * 24 * time.Hour)
		if _, err := site.App.Outreach.Plan(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		if sink.Count() != 2 {
			t.Errorf("%d mails: the policy allows one reminder", sink.Count())
		}
	})
}

func storeOf(customer string) store.InvitationFilter {
	return store.InvitationFilter{Customer: customer, Limit: 100}
}

// TestLifetimeRoundsLookBackSinceTheLastOne: a regular round plans only
// the milestones since the previous one; a customer added later with a
// start date in the past is caught by the daily sweep of the whole
// validity, or at once when the schedule is saved.
func TestLifetimeRoundsLookBackSinceTheLastOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		sink := smtptest.Start(t)
		site := outreachSite(t, dialect, sink)
		ctx := context.Background()
		if _, err := site.App.Outreach.Plan(ctx); err != nil { // the first round: the whole window, empty
			t.Fatal(err)
		}
		// Added after that round, with a month-3 milestone 3 days ago.
		customer(t, site, "L-3", func(c *otklik.Customer) {
			c.StartedAt = &otklik.Date{Time: time.Date(2025, 11, 27, 0, 0, 0, 0, time.UTC)}
		})
		site.Clock.Add(30 * time.Second)
		if _, err := site.App.Outreach.Plan(ctx); err != nil {
			t.Fatal(err)
		}
		if got := invitationsOf(t, site, "L-3"); len(got) != 0 {
			t.Fatalf("a regular round looked back a whole month: %+v", got)
		}
		site.Clock.Add(24 * time.Hour)
		if _, err := site.App.Outreach.Plan(ctx); err != nil {
			t.Fatal(err)
		}
		if got := invitationsOf(t, site, "L-3"); len(got) != 1 || got[0].Ref != "lifetime:1:3" {
			t.Fatalf("the daily sweep: %+v", got)
		}

		// Saving the schedule makes the next round sweep its whole validity.
		customer(t, site, "L-4", func(c *otklik.Customer) {
			c.StartedAt = &otklik.Date{Time: time.Date(2025, 11, 28, 0, 0, 0, 0, time.UTC)}
		})
		ss, err := site.App.Outreach.Schedules(ctx)
		if err != nil || len(ss) != 1 {
			t.Fatalf("schedules: %v %v", ss, err)
		}
		ss[0].Enabled = true
		if _, err := site.App.Outreach.SaveSchedule(ctx, ss[0]); err != nil {
			t.Fatal(err)
		}
		site.Clock.Add(30 * time.Second)
		if _, err := site.App.Outreach.Plan(ctx); err != nil {
			t.Fatal(err)
		}
		if got := invitationsOf(t, site, "L-4"); len(got) != 1 {
			t.Errorf("after saving the schedule: %+v", got)
		}
	})
}
