package store_test

import (
	"context"
	"testing"

	"otklik"
	"otklik/internal/storetest"
)

// TestErasureReachesTheLoopAndOutreach: erasing a person also clears the
// free text about them in cases (notes, call-backs, decision, action) and
// their events' attributes, keeps the case's score and status, and the
// export before erasure holds their cases, invitations and events.
func TestErasureReachesTheLoopAndOutreach(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, clock := open(t, dialect)
		ctx := context.Background()
		s := seedSurvey(t, db)
		c := seedCustomer(t, db, "E-1", "anna@x.ru", "Север")
		r := answer(s, c, 2, "erase-1", clock.Now())
		if _, err := db.AddResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
		k := &otklik.Case{Kind: otklik.CaseDetractor, ResponseID: r.ID, CustomerID: c.ID, SurveyID: s.ID, Score: 2,
			Channel: otklik.ChannelAPI, Owner: "anna@x.ru", Team: "Север", OpenedAt: clock.Now(), AnsweredAt: clock.Now()}
		if created, err := db.OpenCase(ctx, k, nil); err != nil || !created {
			t.Fatalf("open case: %v %v", created, err)
		}
		if err := db.AddCaseNote(ctx, all, k.ID, "anna@x.ru", "Иван просил звонить на +7 999 123-45-67"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ResolveCase(ctx, all, k.ID, "anna@x.ru", otklik.Resolution{RootCause: "speed",
			Decision: "Иван Петров получит скидку", Action: "Позвонить жене Ивана"}, nil); err != nil {
			t.Fatal(err)
		}
		ev := &otklik.Event{ExternalID: "ev-1", Type: "delivered", CustomerID: c.ID, OccurredAt: clock.Now(),
			Attributes: map[string]string{"address": "ул. Ленина, 1"}, Source: "api"}
		if _, err := db.AddEvent(ctx, ev, nil); err != nil {
			t.Fatal(err)
		}

		data, err := db.ExportCustomer(ctx, otklik.Actor{Email: "admin@x.ru", Role: otklik.RoleAdmin}, "E-1")
		if err != nil {
			t.Fatal(err)
		}
		if len(data.Cases) != 1 || len(data.Cases[0].Events) < 3 || len(data.Events) != 1 || data.Events[0].Attributes["address"] == "" {
			t.Fatalf("export: %d cases, %d events", len(data.Cases), len(data.Events))
		}

		if err := db.EraseCustomer(ctx, otklik.Actor{Email: "admin@x.ru", Role: otklik.RoleAdmin}, "E-1"); err != nil {
			t.Fatal(err)
		}
		got, err := db.Case(ctx, all, k.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Decision != "" || got.Action != "" || got.Score != 2 || got.Status != otklik.CaseResolved || got.RootCause != "speed" {
			t.Errorf("case after erasure: %+v", got)
		}
		for _, e := range got.Events {
			if (e.Kind == "note" || e.Kind == "resolved") && (e.Body != "" || len(e.Data) > 0) {
				t.Errorf("%s entry kept %q %s", e.Kind, e.Body, e.Data)
			}
		}
		events, err := db.EventsOf(ctx, c.ID)
		if err != nil || len(events) != 1 || len(events[0].Attributes) != 0 {
			t.Errorf("events after erasure: %+v %v", events, err)
		}
	})
}
