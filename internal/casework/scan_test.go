package casework_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"otklik"
	"otklik/internal/apptest"
	"otklik/internal/intake"
	"otklik/internal/store"
	"otklik/internal/storetest"
)

// TestScanPagesPastTheWindow: with more answers than a page and than
// PostgreSQL's re-read window, one scan reaches the last answer — the
// scan pages forward from the window instead of re-reading it.
func TestScanPagesPastTheWindow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		site := apptest.Start(t, dialect, nil)
		ctx := context.Background()
		sv := &otklik.Survey{Key: "nps", Kind: otklik.KindNPS, Title: otklik.Text{RU: "Оценка", EN: "Rating"},
			ScoreQuestion: otklik.Text{RU: "Порекомендуете?", EN: "Recommend?"}}
		sv.Normalize()
		if err := site.App.DB.CreateSurvey(ctx, sv); err != nil {
			t.Fatal(err)
		}
		actor := otklik.Actor{Email: "test", Role: otklik.RoleAdmin}
		const n = 2600 // over the page (500) and over LoopWindow (1000), twice
		for start := 0; start < n; start += 500 {
			var batch []intake.Answer
			for i := start; i < min(start+500, n); i++ {
				score := 8 // passives open nothing
				if i == n-1 {
					score = 2
				}
				batch = append(batch, intake.Answer{Survey: "nps", Customer: fmt.Sprintf("S-%d", i%50), Score: &score,
					Channel: otklik.ChannelAPI, NewCustomer: &otklik.Customer{ExternalID: fmt.Sprintf("S-%d", i%50)}})
			}
			for i, r := range site.App.Intake.RecordBatch(ctx, actor, batch) {
				if r.Err != nil {
					t.Fatalf("answer %d: %v", start+i, r.Err)
				}
			}
		}
		opened, err := site.App.Cases.Scan(ctx)
		if err != nil || opened != 1 {
			t.Fatalf("scan opened %d, %v; want the last answer's case", opened, err)
		}
		cases, err := site.App.DB.Cases(ctx, otklik.Scope{Reach: otklik.ReachAll}, store.CaseFilter{})
		if err != nil || len(cases) != 1 || cases[0].Score != 2 {
			t.Fatalf("cases: %+v %v", cases, err)
		}
		if opened, err := site.App.Cases.Scan(ctx); err != nil || opened != 0 {
			t.Errorf("a second scan opened %d, %v", opened, err)
		}
	})
}

// TestImportedHistoryOpensNoCases: an unhappy answer from a month ago (an
// imported history) opens no case; one from today does.
func TestImportedHistoryOpensNoCases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		site := apptest.Start(t, dialect, nil)
		ctx := context.Background()
		sv := &otklik.Survey{Key: "nps", Kind: otklik.KindNPS, Title: otklik.Text{RU: "Оценка", EN: "Rating"},
			ScoreQuestion: otklik.Text{RU: "Порекомендуете?", EN: "Recommend?"}}
		sv.Normalize()
		if err := site.App.DB.CreateSurvey(ctx, sv); err != nil {
			t.Fatal(err)
		}
		actor := otklik.Actor{Email: "test", Role: otklik.RoleAdmin}
		two := 2
		for _, at := range []time.Time{site.Clock.Now().AddDate(0, -1, 0), site.Clock.Now().Add(-time.Hour)} {
			_, _, err := site.App.Intake.Record(ctx, actor, intake.Answer{Survey: "nps", Customer: "H-1", Score: &two,
				Channel: otklik.ChannelImport, AnsweredAt: at, NewCustomer: &otklik.Customer{ExternalID: "H-1"}})
			if err != nil {
				t.Fatal(err)
			}
		}
		if opened, err := site.App.Cases.Scan(ctx); err != nil || opened != 1 {
			t.Fatalf("scan opened %d, %v; want only today's answer's case", opened, err)
		}
	})
}
