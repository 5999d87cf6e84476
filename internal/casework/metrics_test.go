package casework

import (
	"testing"
	"time"

	"otklik"
)

func at(day, hour, minute int) time.Time {
	return time.Date(2026, 3, day, hour, minute, 0, 0, time.UTC)
}

func ptr(t time.Time) *time.Time { return &t }

// TestSummarizeByHand checks the loop's figures on five cases worked out
// by hand.
func TestSummarizeByHand(t *testing.T) {
	due := func(c *otklik.Case) *otklik.Case {
		c.FirstContactDue, c.ResolutionDue = ptr(c.OpenedAt.Add(4*time.Hour)), ptr(c.OpenedAt.Add(72*time.Hour))
		return c
	}
	cs := []*otklik.Case{
		// contacted after 30 min, resolved in time, won back to promoter
		due(&otklik.Case{Kind: otklik.CaseDetractor, Owner: "anna", Team: "A", OpenedAt: at(2, 9, 0),
			ContactedAt: ptr(at(2, 9, 30)), ResolvedAt: ptr(at(3, 9, 0)), RootCause: "speed", WonBack: "promoter"}),
		// contacted after 5 h (late), resolved late, answered again still unhappy
		due(&otklik.Case{Kind: otklik.CaseDetractor, Owner: "anna", Team: "A", OpenedAt: at(2, 10, 0),
			ContactedAt: ptr(at(2, 15, 0)), ResolvedAt: ptr(at(6, 10, 0)), RootCause: "price", WonBack: "none"}),
		// contacted after 60 min, not resolved, won back to passive
		due(&otklik.Case{Kind: otklik.CaseDetractor, Owner: "oleg", Team: "B", OpenedAt: at(9, 12, 0),
			ContactedAt: ptr(at(9, 13, 0)), WonBack: "passive"}),
		// never contacted
		due(&otklik.Case{Kind: otklik.CaseDetractor, Owner: "oleg", Team: "B", OpenedAt: at(10, 8, 0)}),
		// a thank-you task: not a detractor, not counted
		due(&otklik.Case{Kind: otklik.CaseThanks, Owner: "oleg", Team: "B", OpenedAt: at(10, 9, 0), ContactedAt: ptr(at(10, 9, 1))}),
	}
	all := Summarize(cs, "", time.UTC)
	if len(all) != 1 {
		t.Fatalf("overall: %d groups", len(all))
	}
	f := all[0]
	// Contact times 30, 300, 60 minutes: the median is 60. Answered again:
	// 3 (promoter, none, passive), won back 2 → rate 2/3.
	if f.Opened != 4 || f.ContactedInSLA != 2 || f.ResolvedInSLA != 1 || f.AnsweredAgain != 3 ||
		f.WonBackPassive != 1 || f.WonBackPromoter != 1 || *f.MedianFirstContactMinutes != 60 ||
		*f.WonBackRate != 2.0/3 {
		t.Errorf("overall = %+v (median %v, rate %v)", f, *f.MedianFirstContactMinutes, *f.WonBackRate)
	}

	byOwner := Summarize(cs, "owner", time.UTC)
	if len(byOwner) != 2 || byOwner[0].Key != "anna" || byOwner[1].Key != "oleg" {
		t.Fatalf("by owner: %+v", byOwner)
	}
	// anna: 30 and 300 minutes → median 165; oleg: one contact, 60.
	if *byOwner[0].MedianFirstContactMinutes != 165 || *byOwner[1].MedianFirstContactMinutes != 60 ||
		byOwner[1].Opened != 2 || *byOwner[1].WonBackRate != 1 {
		t.Errorf("by owner: anna %+v, oleg %+v", byOwner[0], byOwner[1])
	}

	// Weeks start on Monday: 2 March (two cases) and 9 March (two).
	byWeek := Summarize(cs, "week", time.UTC)
	if len(byWeek) != 2 || byWeek[0].Key != "2026-03-02" || byWeek[0].Opened != 2 || byWeek[1].Key != "2026-03-09" {
		t.Errorf("by week: %+v", byWeek)
	}
	// In Moscow the case opened at 08:00 UTC on the 10th is still the 10th;
	// one opened at 22:00 UTC on the 9th would be the 10th.
	late := due(&otklik.Case{Kind: otklik.CaseDetractor, OpenedAt: at(9, 22, 0)})
	byDay := Summarize([]*otklik.Case{late}, "day", time.FixedZone("MSK", 3*3600))
	if byDay[0].Key != "2026-03-10" {
		t.Errorf("day in Moscow = %s", byDay[0].Key)
	}
	byCause := Summarize(cs, "root_cause", time.UTC)
	if len(byCause) != 3 || byCause[0].Key != "" || byCause[1].Key != "price" || byCause[2].Key != "speed" {
		t.Errorf("by root cause: %+v", byCause)
	}
	empty := Summarize(nil, "", time.UTC)
	if empty[0].Opened != 0 || empty[0].MedianFirstContactMinutes != nil || empty[0].WonBackRate != nil {
		t.Errorf("no cases: %+v", empty[0])
	}
}
