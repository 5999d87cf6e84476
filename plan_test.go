package otklik

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func day(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestPlanWaves(t *testing.T) {
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		from, to           string
		days               int
		waveFrom, waveTo   string // UTC instants: Moscow midnight is 21:00 the day before
		nextFrom, nextTo   string
		nextFirst, nextEnd string
	}{
		// March 2026: 31 days; the next wave is the 31 days from 1 April.
		{"2026-03-01", "2026-03-31", 31, "2026-02-28T21:00:00Z", "2026-03-31T21:00:00Z",
			"2026-03-31T21:00:00Z", "2026-05-01T21:00:00Z", "2026-04-01", "2026-05-01"},
		// One day.
		{"2026-02-10", "2026-02-10", 1, "2026-02-09T21:00:00Z", "2026-02-10T21:00:00Z",
			"2026-02-10T21:00:00Z", "2026-02-11T21:00:00Z", "2026-02-11", "2026-02-11"},
		// Across a leap day: 2028-02-15 … 2028-03-15 is 30 days.
		{"2028-02-15", "2028-03-15", 30, "2028-02-14T21:00:00Z", "2028-03-15T21:00:00Z",
			"2028-03-15T21:00:00Z", "2028-04-14T21:00:00Z", "2028-03-16", "2028-04-14"},
	} {
		p := Plan{From: day(c.from), To: day(c.to)}
		if got := p.Days(); got != c.days {
			t.Errorf("%s…%s: %d days, want %d", c.from, c.to, got, c.days)
		}
		f, e := p.Wave(moscow)
		nf, ne := p.NextWave(moscow)
		first, last := p.NextWaveDays()
		got := []string{f.UTC().Format(time.RFC3339), e.UTC().Format(time.RFC3339), nf.UTC().Format(time.RFC3339),
			ne.UTC().Format(time.RFC3339), first.String(), last.String()}
		want := []string{c.waveFrom, c.waveTo, c.nextFrom, c.nextTo, c.nextFirst, c.nextEnd}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s…%s:\n got %v\nwant %v", c.from, c.to, got, want)
		}
	}
}

func TestPlanValidate(t *testing.T) {
	ok := func() Plan {
		return Plan{Survey: "nps", Team: "Север", From: day("2026-01-01"), To: day("2026-03-31")}
	}
	for _, c := range []struct {
		name   string
		edit   func(*Plan)
		fields string
	}{
		{"valid", func(*Plan) {}, ""},
		{"no survey, no team", func(p *Plan) { p.Survey, p.Team = " ", "" }, "survey team"},
		{"no dates", func(p *Plan) { p.From, p.To = Date{}, Date{} }, "from"},
		{"backwards", func(p *Plan) { p.To = day("2025-12-31") }, "to"},
		{"367 days is too long", func(p *Plan) { p.To = day("2027-01-02") }, "to"},
		{"366 days is fine", func(p *Plan) { p.To = day("2027-01-01") }, ""},
		{"unknown status", func(p *Plan) { p.Status = "closed" }, "status"},
		{"done needs results", func(p *Plan) { p.Status = PlanDone }, "results"},
		{"done with results", func(p *Plan) { p.Status, p.Results = PlanDone, "NPS +12" }, ""},
		{"long problems", func(p *Plan) { p.Problems = strings.Repeat("я", MaxPlanTextLength+1) }, "problems"},
		{"bad UTF-8 title", func(p *Plan) { p.Title = "\xff" }, "title"},
	} {
		p := ok()
		c.edit(&p)
		p.Normalize()
		if got := fieldNames(p.Validate()); got != c.fields {
			t.Errorf("%s: fields %q, want %q", c.name, got, c.fields)
		}
	}
	p := ok()
	p.Normalize()
	if p.Status != PlanDraft {
		t.Errorf("default status %q, want draft", p.Status)
	}
}

func fieldNames(err error) string {
	var names []string
	for _, f := range ErrorFields(err) {
		names = append(names, f.Field)
	}
	return strings.Join(names, " ")
}

func TestPlanItemValidate(t *testing.T) {
	for _, c := range []struct {
		item   PlanItem
		fields string
	}{
		{PlanItem{What: "Перезвонить всем нейтральным", Owner: " Anna@Example.com ", Due: day("2026-04-01")}, ""},
		{PlanItem{Owner: "anna@example.com", Due: day("2026-04-01")}, "what"},
		{PlanItem{What: "x", Owner: "Анна <anna@example.com>", Due: day("2026-04-01")}, "owner"},
		{PlanItem{What: "x", Owner: "anna", Due: day("2026-04-01")}, "owner"},
		{PlanItem{What: "x"}, "owner due"},
		{PlanItem{What: "x", Owner: "a@b.c", Due: day("2026-04-01"), Status: "later"}, "status"},
	} {
		it := c.item
		it.Normalize()
		if got := fieldNames(it.Validate()); got != c.fields {
			t.Errorf("%+v: fields %q, want %q", c.item, got, c.fields)
		}
	}
	it := PlanItem{What: " x ", Owner: " Anna@Example.com "}
	it.Normalize()
	if it.Owner != "anna@example.com" || it.What != "x" || it.Status != ItemOpen {
		t.Errorf("normalized %+v", it)
	}
}

func TestDueState(t *testing.T) {
	today := day("2026-03-10")
	items := []PlanItem{
		{ID: 1, Due: day("2026-03-20"), Status: ItemOpen}, // later: 10 days away, window 7
		{ID: 2, Due: day("2026-03-17"), Status: ItemOpen}, // soon: the window's last day
		{ID: 3, Due: day("2026-03-10"), Status: ItemOpen}, // soon: today
		{ID: 4, Due: day("2026-03-09"), Status: ItemOpen}, // overdue since yesterday
		{ID: 5, Due: day("2026-03-01"), Status: ItemDone}, // done, however late
		{ID: 6, Due: day("2026-02-01"), Status: ItemOpen}, // overdue for long
		{ID: 7, Due: day("2026-03-18"), Status: ItemOpen}, // later: one day past the window
	}
	want := map[int64]string{1: DueLater, 2: DueSoon, 3: DueSoon, 4: DueOverdue, 5: DueDone, 6: DueOverdue, 7: DueLater}
	for _, it := range items {
		if got := it.DueState(today, 7); got != want[it.ID] {
			t.Errorf("item %d due %s: %s, want %s", it.ID, it.Due, got, want[it.ID])
		}
	}
	var ids []int64
	for _, it := range DueWithin(items, today, 7) {
		ids = append(ids, it.ID)
	}
	if got := fmt.Sprint(ids); got != "[6 4 3 2]" {
		t.Errorf("due within 7 days: %s, want [6 4 3 2]", got)
	}
	if got := DueWithin(items, today, 0); len(got) != 3 {
		t.Errorf("due today or before: %d items, want 3 (6, 4, 3)", len(got))
	}
}

func TestToday(t *testing.T) {
	moscow, _ := time.LoadLocation("Europe/Moscow")
	// 21:30 UTC on 28 February is already 1 March in Moscow.
	if got := Today(time.Date(2026, 2, 28, 21, 30, 0, 0, time.UTC), moscow); got.String() != "2026-03-01" {
		t.Errorf("today %s, want 2026-03-01", got)
	}
	if got := Today(time.Date(2026, 2, 28, 20, 59, 0, 0, time.UTC), moscow); got.String() != "2026-02-28" {
		t.Errorf("today %s, want 2026-02-28", got)
	}
}
