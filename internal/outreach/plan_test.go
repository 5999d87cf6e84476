package outreach

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"otklik"
)

const resurvey = "Повторный опрос после жалобы"

func TestPlanLoopOutranksLifetime(t *testing.T) {
	p := DefaultPolicy()
	who := reachable(date(2026, 1, 10)) // 3 months on 10 April: still a new customer
	s := DefaultSchedule()
	s.ID = 5
	milestone := s.Milestone(*who.StartedAt, 3, msk) // Friday 10 April 2026, 10:00
	lifetime := s.Request(3, milestone)
	loop := Request{Source: SourceLoop, Ref: "case:7", Survey: "nps", Label: resurvey,
		Channels: []otklik.Channel{otklik.ChannelEmail}, Earliest: at(2026, 4, 10, 11, 0), Latest: at(2026, 4, 17, 11, 0)}
	now := at(2026, 4, 10, 12, 0)

	got := Plan(p, who, []Request{lifetime, loop}, nil, now)
	want := []Decision{
		// The re-survey goes now, so the new-customer cap holds the lifetime
		// survey until 10 May 12:00 — two hours after it goes stale.
		{Ref: "lifetime:5:3", Action: Skip, At: now, Reason: Reason{CodeSkippedOutranked, map[string]string{
			"winner_label": resurvey, "winner_ref": "case:7", "winner_at": utc(now), "limit": "cap",
			"cap": CapNewCustomers, "max": "1", "period_days": "30", "latest": utc(at(2026, 5, 10, 10, 0))}}},
		{Ref: "case:7", Action: Send, At: now, Channel: otklik.ChannelEmail,
			Reason: Reason{CodeSent, map[string]string{"channel": "email", "label": resurvey, "survey": "nps"}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	// Ranked the other way, the lifetime survey goes and the re-survey waits
	// — and, valid only a week, is skipped naming the lifetime survey.
	p.Priorities = []string{SourceLifetime, SourceLoop}
	got = Plan(p, who, []Request{lifetime, loop}, nil, now)
	if got[0].Action != Send || got[1].Action != Skip || got[1].Reason.Code != CodeSkippedOutranked ||
		got[1].Reason.Params["winner_label"] != s.Name {
		t.Errorf("lifetime first: %+v", got)
	}
}

func TestPlanDeferredWinnerKeepsItsSlot(t *testing.T) {
	p := DefaultPolicy()
	who := reachable(date(2026, 10, 1)) // new customer: one invitation per 30 days
	now := at(2026, 11, 20, 22, 0)      // Friday night
	event := request("event:9:1", delivery, at(2026, 11, 20, 21, 30), at(2026, 11, 26, 21, 30))
	marketing := Request{Source: SourceMarketing, Ref: "wave:2", Survey: "nps", Label: "Осенняя волна",
		Channels: []otklik.Channel{otklik.ChannelEmail}, Earliest: at(2026, 11, 20, 20, 0), Latest: at(2026, 12, 30, 20, 0)}

	got := Plan(p, who, []Request{marketing, event}, nil, now)
	monday := at(2026, 11, 23, 9, 0)
	if got[1].Action != Defer || !got[1].At.Equal(monday) {
		t.Fatalf("event: %+v, want deferred to Monday 09:00", got[1])
	}
	// The wave may not go before the delivery survey booked for Monday, nor
	// within 30 days after it: Wednesday 23 December, 09:00.
	want := Decision{Ref: "wave:2", Action: Defer, At: at(2026, 12, 23, 9, 0), Channel: otklik.ChannelEmail,
		Reason: Reason{CodeDeferredOutranked, map[string]string{"winner_label": delivery, "winner_ref": "event:9:1",
			"winner_at": utc(monday), "limit": "cap", "cap": CapNewCustomers, "max": "1", "period_days": "30",
			"until": utc(at(2026, 12, 23, 9, 0))}}}
	if diff := cmp.Diff(want, got[0]); diff != "" {
		t.Errorf("marketing (-want +got):\n%s", diff)
	}
}

func TestPlanWithinTheCapSendsBoth(t *testing.T) {
	p := DefaultPolicy()
	who := reachable(established) // two per 365 days
	now := at(2026, 3, 10, 12, 0)
	a := request("event:1:1", dealWon, at(2026, 3, 10, 11, 0), at(2026, 3, 14, 11, 0))
	b := request("event:2:1", delivery, at(2026, 3, 10, 10, 0), at(2026, 3, 16, 10, 0))
	c := request("event:3:1", "третье", at(2026, 3, 10, 9, 0), at(2026, 3, 16, 9, 0))
	got := Plan(p, who, []Request{a, b, c}, nil, now)
	// Same source: the earliest goes first, c then b; a finds both slots of
	// the year taken.
	if got[2].Action != Send || got[1].Action != Send || got[0].Action != Skip || got[0].Reason.Code != CodeSkippedOutranked {
		t.Errorf("got %s %s %s (%s)", got[0].Action, got[1].Action, got[2].Action, got[0].Reason.Code)
	}
	if w := got[0].Reason.Params["winner_ref"]; w != "event:3:1" {
		t.Errorf("winner named %q, want the older of the two, event:3:1", w)
	}
}

func TestPlanEmpty(t *testing.T) {
	if got := Plan(DefaultPolicy(), reachable(established), nil, nil, at(2026, 3, 10, 12, 0)); len(got) != 0 {
		t.Errorf("Plan of nothing = %v", got)
	}
}
