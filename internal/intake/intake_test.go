package intake_test

import (
	"context"
	"testing"
	"time"

	"otklik"
	"otklik/internal/intake"
	"otklik/internal/store"
	"otklik/internal/storetest"
)

var (
	now    = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	admin  = otklik.Actor{Email: "boss@example.com", Role: otklik.RoleAdmin}
	moscow = func() *time.Location { l, _ := time.LoadLocation("Europe/Moscow"); return l }()
)

func setup(t *testing.T, dialect string) (*store.DB, *intake.Service) {
	db := storetest.Open(t, dialect, func() time.Time { return now })
	ctx := context.Background()
	if err := db.CreateSurvey(ctx, &otklik.Survey{Key: "csat", Kind: otklik.KindCSAT, Title: otklik.Text{RU: "Т", EN: "T"},
		ScoreQuestion: otklik.Text{RU: "В", EN: "Q"}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.UpsertCustomer(ctx, otklik.Scope{Reach: otklik.ReachAll}, "c1", func(c *otklik.Customer) {
		c.Manager = "anna@example.com"
		// Started on 2 January in Moscow: at 2026-03-01T21:30Z it is 2 March
		// in Moscow, two whole months later; in UTC it would still be one.
		c.StartedAt = &otklik.Date{Time: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}
	}); err != nil {
		t.Fatal(err)
	}
	return db, intake.New(db, func() time.Time { return now }, moscow)
}

func score(v int) *int { return &v }

func TestRecordSnapshotsInTheBusinessZone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		_, svc := setup(t, dialect)
		r, created, err := svc.Record(context.Background(), admin, intake.Answer{Survey: "csat", Customer: "c1", Score: score(4),
			AnsweredAt: time.Date(2026, 3, 1, 21, 30, 0, 0, time.UTC)})
		if err != nil || !created {
			t.Fatalf("record: %v", err)
		}
		if r.Channel != otklik.ChannelAPI || *r.Snapshot.TenureMonths != 2 || r.Snapshot.Manager != "anna@example.com" || r.IdempotencyKey == "" {
			t.Fatalf("recorded %+v", r)
		}
	})
}

func TestPrepareNamesWhatIsWrong(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		_, svc := setup(t, dialect)
		ctx := context.Background()
		for _, c := range []struct {
			a     intake.Answer
			field string
		}{
			{intake.Answer{Customer: "c1", Score: score(4)}, "survey"},
			{intake.Answer{Survey: "csat", Score: score(4)}, "customer"},
			{intake.Answer{Survey: "csat", Customer: "c1"}, "score"},
			{intake.Answer{Survey: "csat", Customer: "c1", Score: score(6)}, "score"},
			{intake.Answer{Survey: "nope", Customer: "c1", Score: score(4)}, "survey"},
			{intake.Answer{Survey: "csat", Customer: "ghost", Score: score(4)}, "customer"},
		} {
			_, err := svc.Prepare(ctx, admin, c.a)
			fields := otklik.ErrorFields(err)
			if len(fields) == 0 || fields[0].Field != c.field {
				t.Errorf("%+v: %v, want a problem with %s", c.a, err, c.field)
			}
		}
		if _, err := svc.Prepare(ctx, otklik.Actor{Role: otklik.RoleViewer}, intake.Answer{}); otklik.ErrorCode(err) != otklik.EFORBIDDEN {
			t.Errorf("a viewer may record answers: %v", err)
		}
	})
}

func TestReusedKeyForAnotherCustomerIsAConflict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, svc := setup(t, dialect)
		ctx := context.Background()
		if _, _, err := db.UpsertCustomer(ctx, otklik.Scope{Reach: otklik.ReachAll}, "c2", func(*otklik.Customer) {}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Record(ctx, admin, intake.Answer{Survey: "csat", Customer: "c1", Score: score(5), Key: "k"}); err != nil {
			t.Fatal(err)
		}
		r, created, err := svc.Record(ctx, admin, intake.Answer{Survey: "csat", Customer: "c1", Score: score(1), Key: "k"})
		if err != nil || created || r.Score != 5 {
			t.Fatalf("replay: %+v %v %v", r, created, err)
		}
		if _, _, err := svc.Record(ctx, admin, intake.Answer{Survey: "csat", Customer: "c2", Score: score(1), Key: "k"}); otklik.ErrorCode(err) != otklik.ECONFLICT {
			t.Fatalf("a key reused for another customer: %v", err)
		}
		res := svc.RecordBatch(ctx, admin, []intake.Answer{
			{Survey: "csat", Customer: "c2", Score: score(3), Key: "k"},
			{Survey: "csat", Customer: "c2", Score: score(3), Key: "k2"},
		})
		if otklik.ErrorCode(res[0].Err) != otklik.ECONFLICT || res[1].Err != nil || !res[1].Created {
			t.Fatalf("batch: %+v", res)
		}
	})
}
