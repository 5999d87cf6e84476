package store_test

import (
	"context"
	"fmt"
	"testing"

	"otklik"
	"otklik/internal/store"
	"otklik/internal/storetest"
)

func date(s string) otklik.Date {
	d, err := otklik.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Scopes of the people in the plan tests.
var (
	leadNorth  = otklik.Scope{Reach: otklik.ReachTeam, Team: "Север"}
	leadSouth  = otklik.Scope{Reach: otklik.ReachTeam, Team: "Юг"}
	annaOwn    = otklik.Scope{Reach: otklik.ReachOwn, Team: "Север", Manager: "anna@example.com"}
	borisOwn   = otklik.Scope{Reach: otklik.ReachOwn, Team: "Юг", Manager: "boris@example.com"}
	vikaOwn    = otklik.Scope{Reach: otklik.ReachOwn, Team: "Юг", Manager: "vika@example.com"}
	noTeamOwn  = otklik.Scope{Reach: otklik.ReachOwn, Manager: "solo@example.com"}
	cannotLead = otklik.Scope{} // a manager may not manage plans at all
)

func planIDs(ps []*otklik.Plan) string {
	var ids []int64
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return fmt.Sprint(ids)
}

func TestPlans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, clock := open(t, dialect)
		ctx := context.Background()
		seedSurvey(t, db)

		p := &otklik.Plan{Survey: "nps-main", Team: "Север", From: date("2026-01-01"), To: date("2026-01-31"),
			Title: "Январская волна", Problems: "Нейтральные жалуются на сроки", Author: "lead.n@example.com"}
		p.Normalize()
		if err := db.CreatePlan(ctx, p); err != nil {
			t.Fatal(err)
		}
		again := *p
		if err := db.CreatePlan(ctx, &again); otklik.ErrorCode(err) != otklik.ECONFLICT {
			t.Fatalf("a second plan for the same wave: %v, want a conflict", err)
		}
		other := &otklik.Plan{Survey: "nope", Team: "Север", From: date("2026-01-01"), To: date("2026-01-31"), Status: otklik.PlanDraft}
		if err := db.CreatePlan(ctx, other); otklik.ErrorCode(err) != otklik.EINVALID || otklik.ErrorFields(err)[0].Field != "survey" {
			t.Fatalf("a plan for an unknown survey: %v, want invalid survey", err)
		}
		south := &otklik.Plan{Survey: "nps-main", Team: "Юг", From: date("2026-02-01"), To: date("2026-02-28"), Status: otklik.PlanActive}
		if err := db.CreatePlan(ctx, south); err != nil {
			t.Fatal(err)
		}

		clock.Add(1000)
		a := &otklik.PlanItem{What: "Перезвонить нейтральным", Owner: "anna@example.com", Due: date("2026-02-10")}
		b := &otklik.PlanItem{What: "Ускорить выдачу", Owner: "boris@example.com", Due: date("2026-03-01")}
		for _, it := range []*otklik.PlanItem{a, b} {
			if err := db.AddPlanItem(ctx, leadNorth, p.ID, it); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.AddPlanItem(ctx, leadSouth, p.ID, &otklik.PlanItem{What: "x", Owner: "x@example.com", Due: date("2026-02-01")}); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Fatalf("another team's lead adds an action: %v, want not found", err)
		}

		// Who sees which plan: a lead their team's; a manager their team's
		// and any plan with an action of theirs (Борис is in Юг but owns
		// one in Север's plan); nobody else's.
		for _, c := range []struct {
			name  string
			scope otklik.Scope
			want  string
		}{
			{"admin", all, fmt.Sprint([]int64{south.ID, p.ID})},
			{"lead north", leadNorth, fmt.Sprint([]int64{p.ID})},
			{"lead south", leadSouth, fmt.Sprint([]int64{south.ID})},
			{"anna", annaOwn, fmt.Sprint([]int64{p.ID})},
			{"boris", borisOwn, fmt.Sprint([]int64{south.ID, p.ID})},
			{"vika", vikaOwn, fmt.Sprint([]int64{south.ID})},
			{"a manager without a team", noTeamOwn, "[]"},
			{"nobody", cannotLead, "[]"},
		} {
			ps, err := db.Plans(ctx, c.scope, store.PlanFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if got := planIDs(ps); got != c.want {
				t.Errorf("%s sees plans %s, want %s", c.name, got, c.want)
			}
		}
		if ps, _ := db.Plans(ctx, all, store.PlanFilter{Team: "Север", Survey: "nps-main", Status: otklik.PlanDraft}); planIDs(ps) != fmt.Sprint([]int64{p.ID}) {
			t.Errorf("filtered plans %s, want [%d]", planIDs(ps), p.ID)
		}
		if _, err := db.Plan(ctx, leadSouth, p.ID); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Errorf("another team's plan: %v, want not found", err)
		}

		got, err := db.Plan(ctx, annaOwn, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Survey != "nps-main" || got.Team != "Север" || got.From.String() != "2026-01-01" || got.To.String() != "2026-01-31" ||
			got.Title != "Январская волна" || got.Status != otklik.PlanDraft || got.Author != "lead.n@example.com" || len(got.Items) != 2 {
			t.Fatalf("plan read back: %+v", got)
		}
		if it := got.Items[0]; it.ID != a.ID || it.What != a.What || it.Owner != a.Owner || it.Due.String() != "2026-02-10" || it.Status != otklik.ItemOpen {
			t.Errorf("first action read back: %+v", it)
		}
		if !got.UpdatedAt.After(got.CreatedAt) {
			t.Errorf("adding an action did not touch the plan: created %v, updated %v", got.CreatedAt, got.UpdatedAt)
		}

		// The owner marks their own action done; someone else's they may not.
		if err := db.CompletePlanItem(ctx, cannotLead, borisOwn, p.ID, b.ID, "boris@example.com", true, "Сократили до 2 дней"); err != nil {
			t.Fatalf("the owner completes their action: %v", err)
		}
		if err := db.CompletePlanItem(ctx, cannotLead, annaOwn, p.ID, b.ID, "anna@example.com", false, ""); otklik.ErrorCode(err) != otklik.EFORBIDDEN {
			t.Errorf("someone else's action: %v, want forbidden", err)
		}
		if err := db.CompletePlanItem(ctx, leadSouth, leadSouth, p.ID, a.ID, "lead.s@example.com", true, ""); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Errorf("another team's lead: %v, want not found", err)
		}
		if err := db.CompletePlanItem(ctx, leadNorth, leadNorth, south.ID, a.ID, "lead.n@example.com", true, ""); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Errorf("an action through another plan: %v, want not found", err)
		}
		got, _ = db.Plan(ctx, all, p.ID)
		if it := got.Items[1]; it.Status != otklik.ItemDone || it.DoneNote != "Сократили до 2 дней" || it.DoneBy != "boris@example.com" ||
			it.DoneAt == nil || !it.DoneAt.Equal(clock.Now().UTC().Truncate(1000)) {
			t.Errorf("completed action: %+v (now %v)", it, clock.Now())
		}

		// Reminders: open actions of live plans due by a day.
		due := func(scope otklik.Scope, f store.DueFilter) string {
			t.Helper()
			items, err := db.DuePlanItems(ctx, scope, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, d := range items {
				out = append(out, fmt.Sprintf("%d %s %s %s", d.ID, d.Due, d.Team, d.Plan))
			}
			return fmt.Sprint(out)
		}
		want := fmt.Sprint([]string{fmt.Sprintf("%d 2026-02-10 Север Январская волна", a.ID)})
		if got := due(all, store.DueFilter{Through: date("2026-03-31")}); got != want {
			t.Errorf("due by March: %s, want %s (Борис's is done)", got, want)
		}
		if got := due(all, store.DueFilter{Through: date("2026-02-09")}); got != "[]" {
			t.Errorf("due by 9 February: %s, want none", got)
		}
		if got := due(all, store.DueFilter{Through: date("2026-03-31"), Owner: "Boris@example.com"}); got != "[]" {
			t.Errorf("Борис's due: %s, want none", got)
		}
		if got := due(leadSouth, store.DueFilter{Through: date("2026-03-31")}); got != "[]" {
			t.Errorf("due in Юг's reach: %s, want none", got)
		}
		// Reopened, Борис's action is due again; a finished plan reminds no one.
		if err := db.CompletePlanItem(ctx, leadNorth, leadNorth, p.ID, b.ID, "lead.n@example.com", false, ""); err != nil {
			t.Fatal(err)
		}
		want = fmt.Sprint([]string{fmt.Sprintf("%d 2026-02-10 Север Январская волна", a.ID), fmt.Sprintf("%d 2026-03-01 Север Январская волна", b.ID)})
		if got := due(all, store.DueFilter{Through: date("2026-03-01")}); got != want {
			t.Errorf("due after reopening: %s, want %s", got, want)
		}
		got, _ = db.Plan(ctx, all, p.ID)
		if it := got.Items[1]; it.Status != otklik.ItemOpen || it.DoneAt != nil || it.DoneBy != "" || it.DoneNote != "Сократили до 2 дней" {
			t.Errorf("reopened action: %+v (the note stays as history)", it)
		}
		got.Status, got.Results = otklik.PlanDone, "NPS нейтральных вырос"
		if err := db.UpdatePlan(ctx, leadNorth, got); err != nil {
			t.Fatal(err)
		}
		if got := due(all, store.DueFilter{Through: date("2026-03-31")}); got != "[]" {
			t.Errorf("due in a finished plan: %s, want none", got)
		}
		if err := db.UpdatePlan(ctx, leadSouth, got); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Errorf("another team's lead updates: %v, want not found", err)
		}

		edit := otklik.PlanItem{ID: a.ID, What: "Перезвонить всем нейтральным", Owner: "vika@example.com", Due: date("2026-02-20")}
		if err := db.UpdatePlanItem(ctx, leadNorth, p.ID, &edit); err != nil {
			t.Fatal(err)
		}
		if err := db.UpdatePlanItem(ctx, all, south.ID, &edit); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Errorf("an action through another plan: %v, want not found", err)
		}
		got, _ = db.Plan(ctx, all, p.ID)
		if it := got.Items[0]; it.What != edit.What || it.Owner != "vika@example.com" || it.Due.String() != "2026-02-20" ||
			got.Status != otklik.PlanDone || got.Results != "NPS нейтральных вырос" {
			t.Errorf("after the edits: %+v", got)
		}
		// Вика now owns an action in Север's plan and sees it.
		if ps, _ := db.Plans(ctx, vikaOwn, store.PlanFilter{}); planIDs(ps) != fmt.Sprint([]int64{south.ID, p.ID}) {
			t.Errorf("Вика sees %s", planIDs(ps))
		}
	})
}
