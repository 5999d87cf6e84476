package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"otklik"
	"otklik/internal/storetest"
)

func TestWebhookSubscriptions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, clock := open(t, dialect)
		ctx := context.Background()
		crm, err := db.CreateWebhook(ctx, "https://crm.example.ru/hooks/otklik?token=abc", "whsec_one", []string{"case.opened", "case.resolved"})
		if err != nil {
			t.Fatal(err)
		}
		want := &otklik.Webhook{ID: crm.ID, URL: "https://crm.example.ru/hooks/otklik?token=abc", Events: []string{"case.opened", "case.resolved"},
			Enabled: true, CreatedAt: t0, UpdatedAt: t0, Secret: "whsec_one"}
		if diff := cmp.Diff(want, crm); diff != "" {
			t.Fatalf("created (-want +got):\n%s", diff)
		}
		clock.Add(time.Minute)
		all, err := db.CreateWebhook(ctx, "http://n8n.local:5678/webhook/x", "whsec_two", []string{"*"})
		if err != nil {
			t.Fatal(err)
		}
		off, err := db.CreateWebhook(ctx, "https://off.example.com/", "whsec_three", []string{"case.opened"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetWebhookEnabled(ctx, off.ID, false); err != nil {
			t.Fatal(err)
		}

		// The worker's read has the secret; the list never does.
		got, err := db.Webhook(ctx, crm.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("read back (-want +got):\n%s", diff)
		}
		list, err := db.Webhooks(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 3 || list[0].ID != crm.ID || list[1].ID != all.ID || list[2].ID != off.ID {
			t.Fatalf("list: %+v", list)
		}
		for _, w := range list {
			if w.Secret != "" {
				t.Fatalf("webhook %d listed with its secret", w.ID)
			}
		}
		if b, _ := json.Marshal(got); strings.Contains(string(b), "whsec_") {
			t.Fatalf("the secret is encoded: %s", b)
		}
		if _, err := db.Webhook(ctx, 999); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Fatalf("missing webhook: %v", err)
		}

		// Subscribers: by name or "*", enabled only.
		for _, tc := range []struct {
			event string
			want  []int64
		}{
			{"case.opened", []int64{crm.ID, all.ID}},
			{"case.resolved", []int64{crm.ID, all.ID}},
			{"response.created", []int64{all.ID}},
			{"case.opene", []int64{all.ID}},
		} {
			var ids []int64
			err := db.InTx(ctx, func(tx *sql.Tx) error {
				subs, err := db.SubscribersTx(ctx, tx, tc.event)
				for _, s := range subs {
					ids = append(ids, s.ID)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, ids); diff != "" {
				t.Errorf("subscribers of %s (-want +got):\n%s", tc.event, diff)
			}
		}

		if err := db.DeleteWebhook(ctx, all.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteWebhook(ctx, all.ID); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Fatalf("deleted twice: %v", err)
		}
		if _, err := db.SetWebhookEnabled(ctx, all.ID, true); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Fatalf("enable a deleted webhook: %v", err)
		}
	})
}

func TestWebhookFailuresAndDisabling(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, clock := open(t, dialect)
		ctx := context.Background()
		w, err := db.CreateWebhook(ctx, "https://crm.example.ru/h", "whsec_x", []string{"*"})
		if err != nil {
			t.Fatal(err)
		}
		// Three events given up: the count climbs, the first failure stays.
		for i, want := range []int{1, 2, 3} {
			n, first, err := db.NoteFailure(ctx, w.ID, t0.Add(time.Duration(i)*time.Hour))
			if err != nil || n != want || !first.Equal(t0) {
				t.Fatalf("failure %d: n=%d first=%v err=%v, want %d at %v", i+1, n, first, err, want, t0)
			}
		}
		if _, _, err := db.NoteFailure(ctx, 999, t0); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Fatalf("failure of a missing webhook: %v", err)
		}
		// A success forgets them; the next failure starts a new run.
		if err := db.NoteSuccess(ctx, w.ID); err != nil {
			t.Fatal(err)
		}
		got, _ := db.Webhook(ctx, w.ID)
		if got.Failures != 0 || got.FirstFailureAt != nil {
			t.Fatalf("after a success: %d failures since %v", got.Failures, got.FirstFailureAt)
		}
		t5 := t0.Add(5 * time.Hour)
		if n, first, _ := db.NoteFailure(ctx, w.ID, t5); n != 1 || !first.Equal(t5) {
			t.Fatalf("new run: n=%d first=%v", n, first)
		}

		// Switched off automatically once; the count is kept for the admin.
		t6 := t0.Add(6 * time.Hour)
		for i, want := range []bool{true, false} {
			if off, err := db.DisableWebhook(ctx, w.ID, t6.Add(time.Duration(i)*time.Minute)); err != nil || off != want {
				t.Fatalf("disable #%d: off=%v err=%v, want %v", i+1, off, err, want)
			}
		}
		got, _ = db.Webhook(ctx, w.ID)
		if got.Enabled || got.DisabledAt == nil || !got.DisabledAt.Equal(t6) || got.Failures != 1 {
			t.Fatalf("disabled: %+v", got)
		}
		// Switched on by hand: a clean slate.
		clock.Add(7 * time.Hour)
		on, err := db.SetWebhookEnabled(ctx, w.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		want := &otklik.Webhook{ID: w.ID, URL: w.URL, Events: []string{"*"}, Enabled: true, CreatedAt: t0, UpdatedAt: t0.Add(7 * time.Hour)}
		if diff := cmp.Diff(want, on); diff != "" {
			t.Fatalf("re-enabled (-want +got):\n%s", diff)
		}
		// Switched off by hand: when is recorded, failures are not invented.
		clock.Add(time.Hour)
		off, err := db.SetWebhookEnabled(ctx, w.ID, false)
		if err != nil || off.Enabled || off.DisabledAt == nil || !off.DisabledAt.Equal(t0.Add(8*time.Hour)) || off.Failures != 0 {
			t.Fatalf("switched off by hand: %+v %v", off, err)
		}
	})
}

func TestWebhookDeliveryLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, clock := open(t, dialect)
		ctx := context.Background()
		a, _ := db.CreateWebhook(ctx, "https://a.example.com/", "s", []string{"*"})
		b, _ := db.CreateWebhook(ctx, "https://b.example.com/", "s", []string{"*"})
		attempts := []otklik.WebhookDelivery{
			{WebhookID: a.ID, EventID: "evt_1", Type: "case.opened", Attempt: 1, Status: 503, DurationMS: 12,
				Error: "webhook: https://a.example.com/ answered 503 Service Unavailable", Response: "try later"},
			{WebhookID: b.ID, EventID: "evt_1", Type: "case.opened", Attempt: 1, Status: 200, DurationMS: 3},
			{WebhookID: a.ID, EventID: "evt_1", Type: "case.opened", Attempt: 2, Status: 0, DurationMS: 10000,
				Error: "webhook: POST https://a.example.com/: no reply within 10s: " + strings.Repeat("я", 600)},
			{WebhookID: a.ID, EventID: "evt_1", Type: "case.opened", Attempt: 3, Status: 204, DurationMS: 5, Response: "ок"},
		}
		for i := range attempts {
			clock.Add(time.Second)
			if err := db.RecordDelivery(ctx, &attempts[i]); err != nil {
				t.Fatal(err)
			}
			if attempts[i].ID == 0 || !attempts[i].At.Equal(t0.Add(time.Duration(i+1)*time.Second)) {
				t.Fatalf("attempt %d recorded as %+v", i, attempts[i])
			}
		}
		// The long error is cut at 1000 bytes, on a character boundary:
		// the prefix is 59 bytes, so 470 two-byte "я" fit (999 bytes).
		if e := attempts[2].Error; len(e) != 59+2*470 || !strings.HasSuffix(e, "я") {
			t.Fatalf("cut error: %d bytes, ends %q", len(e), e[len(e)-4:])
		}

		got, err := db.Deliveries(ctx, a.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := []otklik.WebhookDelivery{attempts[3], attempts[2], attempts[0]}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("log of a (-want +got):\n%s", diff)
		}
		if got, _ := db.Deliveries(ctx, a.ID, 2); len(got) != 2 || got[0].Attempt != 3 || got[1].Attempt != 2 {
			t.Fatalf("limit 2: %+v", got)
		}
		if got, _ := db.Deliveries(ctx, 999, 10); got == nil || len(got) != 0 {
			t.Fatalf("log of a missing webhook: %#v", got)
		}
		// Deleting a webhook deletes its log.
		if err := db.DeleteWebhook(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Deliveries(ctx, a.ID, 10); len(got) != 0 {
			t.Fatalf("log outlived its webhook: %+v", got)
		}
		if got, _ := db.Deliveries(ctx, b.ID, 10); len(got) != 1 {
			t.Fatalf("log of b: %+v", got)
		}
	})
}

// TestForgetOldRows: the daily clean-up deletes delivery attempts and
// once-marks older than their retention, and nothing newer.
func TestForgetOldRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, clock := open(t, dialect)
		ctx := context.Background()
		w, _ := db.CreateWebhook(ctx, "https://a.example.com/", "s", []string{"*"})
		mark := func(key string) {
			if err := db.InTx(ctx, func(tx *sql.Tx) error { _, err := db.MarkOnce(ctx, tx, key); return err }); err != nil {
				t.Fatal(err)
			}
		}
		old := &otklik.WebhookDelivery{WebhookID: w.ID, EventID: "evt_old", Type: "case.opened", Attempt: 1, Status: 200}
		if err := db.RecordDelivery(ctx, old); err != nil {
			t.Fatal(err)
		}
		mark("old")
		clock.Add(10 * 24 * time.Hour)
		recent := &otklik.WebhookDelivery{WebhookID: w.ID, EventID: "evt_new", Type: "case.opened", Attempt: 1, Status: 200}
		if err := db.RecordDelivery(ctx, recent); err != nil {
			t.Fatal(err)
		}
		mark("new")
		now := clock.Now()
		// Deliveries kept 5 days and marks 5 days: the old one of each goes.
		n, err := db.Forget(ctx, now.Add(-5*24*time.Hour), now.Add(-5*24*time.Hour))
		if err != nil || n != 2 {
			t.Fatalf("forgot %d rows, %v; want 2", n, err)
		}
		got, _ := db.Deliveries(ctx, w.ID, 10)
		if len(got) != 1 || got[0].EventID != "evt_new" {
			t.Errorf("deliveries left: %+v", got)
		}
		var first bool
		db.InTx(ctx, func(tx *sql.Tx) error { first, err = db.MarkOnce(ctx, tx, "old"); return err })
		if !first {
			t.Error("the old mark is still there")
		}
		db.InTx(ctx, func(tx *sql.Tx) error { first, err = db.MarkOnce(ctx, tx, "new"); return err })
		if first {
			t.Error("the new mark was deleted")
		}
	})
}
