package dispatch_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"otklik"
	"otklik/internal/app"
	"otklik/internal/apptest"
	"otklik/internal/channel/webhook"
	"otklik/internal/dispatch"
	"otklik/internal/storetest"
)

// reply is what a receiver answers to one delivery.
type reply struct {
	status     int
	retryAfter string
}

// arrival is one delivery as the receiver saw it.
type arrival struct {
	header http.Header
	body   []byte
	at     time.Time // the real clock: River waits in real time
}

// receiver is a subscriber on loopback: it answers the deliveries with its
// scripted replies in turn (200 after the script) and keeps what arrived.
type receiver struct {
	srv     *httptest.Server
	mu      sync.Mutex
	script  []reply
	got     []arrival
	arrived chan struct{}
}

func newReceiver(t testing.TB, script ...reply) *receiver {
	r := &receiver{script: script, arrived: make(chan struct{}, 100)}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, arrival{header: req.Header.Clone(), body: body, at: time.Now()})
		next := reply{status: http.StatusOK}
		if len(r.script) > 0 {
			next, r.script = r.script[0], r.script[1:]
		}
		r.mu.Unlock()
		if next.retryAfter != "" {
			w.Header().Set("Retry-After", next.retryAfter)
		}
		w.WriteHeader(next.status)
		io.WriteString(w, http.StatusText(next.status))
		r.arrived <- struct{}{}
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// wait returns the first n arrivals once they are in.
func (r *receiver) wait(t *testing.T, n int) []arrival {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		if got := r.arrivals(); len(got) >= n {
			return got[:n]
		}
		select {
		case <-r.arrived:
		case <-deadline:
			t.Fatalf("%s: %d deliveries within 20 s, want %d", r.srv.URL, len(r.arrivals()), n)
		}
	}
}

func (r *receiver) arrivals() []arrival {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]arrival(nil), r.got...)
}

// envelope checks an arrival's signature against secret, as a subscriber
// does, and decodes it.
func envelope(t *testing.T, site *apptest.Site, secret string, a arrival) webhook.Envelope {
	t.Helper()
	if err := webhook.Verify([]byte(secret), a.header.Get(webhook.HeaderSignature), a.body, site.Clock.Now(), 0); err != nil {
		t.Fatalf("signature: %v (body %s)", err, a.body)
	}
	var env webhook.Envelope
	if err := json.Unmarshal(a.body, &env); err != nil {
		t.Fatalf("envelope %s: %v", a.body, err)
	}
	if got := a.header.Get(webhook.HeaderID); got != env.ID {
		t.Fatalf("%s header %q, envelope id %q", webhook.HeaderID, got, env.ID)
	}
	return env
}

// webhookSite is a site whose retries wait 10 ms instead of minutes.
func webhookSite(t testing.TB, dialect string) *apptest.Site {
	return apptest.Start(t, dialect, func(c *app.Config) {
		c.RetryDelay = func(int) time.Duration { return 10 * time.Millisecond }
	})
}

func subscribe(t testing.TB, site *apptest.Site, r *receiver, events ...string) *otklik.Webhook {
	t.Helper()
	w, err := site.App.Outreach.CreateWebhook(context.Background(), r.srv.URL+"/hook?token=t", events)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func emit(site *apptest.Site, eventType string, data any, fail error) error {
	ctx := context.Background()
	return site.App.DB.InTx(ctx, func(tx *sql.Tx) error {
		if err := site.App.Outreach.Emit(ctx, tx, eventType, data); err != nil {
			return err
		}
		return fail
	})
}

// settle waits until no delivery job is left to run and returns how many
// there were.
func settle(t *testing.T, site *apptest.Site) int {
	t.Helper()
	ctx := context.Background()
	kind := dispatch.DeliverArgs{}.Kind()
	deadline := time.Now().Add(20 * time.Second)
	for {
		pending, err := site.App.Jobs.Client().JobList(ctx, river.NewJobListParams().Kinds(kind).First(100).
			States(rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
				rivertype.JobStateRetryable, rivertype.JobStateScheduled))
		if err != nil {
			t.Fatal(err)
		}
		if len(pending.Jobs) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d delivery jobs still pending after 20 s", len(pending.Jobs))
		}
		time.Sleep(20 * time.Millisecond) // polling the queue, not waiting for a guess
	}
	all, err := site.App.Jobs.Client().JobList(ctx, river.NewJobListParams().Kinds(kind).First(1000))
	if err != nil {
		t.Fatal(err)
	}
	return len(all.Jobs)
}

func webhookOf(t *testing.T, site *apptest.Site, id int64) *otklik.Webhook {
	t.Helper()
	w, err := site.App.DB.Webhook(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

type attempt struct {
	Attempt int
	Status  int
	Failed  bool
}

func attempts(t *testing.T, site *apptest.Site, id int64) (out []attempt) {
	t.Helper()
	log, err := site.App.DB.Deliveries(context.Background(), id, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range log {
		out = append(out, attempt{d.Attempt, d.Status, d.Error != ""})
	}
	return out
}

// TestWebhookDeliveries emits one event to seven subscribers, each showing
// one rule, plus one in a transaction that rolls back.
func TestWebhookDeliveries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		site := webhookSite(t, dialect)
		ctx := context.Background()
		db := site.App.DB

		okR := newReceiver(t)
		flakyR := newReceiver(t, reply{status: 503, retryAfter: "1"}, reply{status: 500})
		goneR := newReceiver(t, reply{status: http.StatusGone})
		refusedR := newReceiver(t, reply{status: http.StatusBadRequest})
		exhaustedR := newReceiver(t, reply{status: 500}, reply{status: 502})
		lateR, offR, otherR := newReceiver(t), newReceiver(t), newReceiver(t)

		ok := subscribe(t, site, okR, "case.opened")
		flaky := subscribe(t, site, flakyR, "*")
		gone := subscribe(t, site, goneR, "case.opened")
		refused := subscribe(t, site, refusedR, "case.opened", "case.resolved")
		late := subscribe(t, site, lateR, "case.opened")
		off := subscribe(t, site, offR, "case.opened")
		other := subscribe(t, site, otherR, "response.created")
		exhausted := subscribe(t, site, exhaustedR, "invitation.sent")
		if _, err := db.SetWebhookEnabled(ctx, off.ID, false); err != nil {
			t.Fatal(err)
		}
		// refused has failed for a day: 19 events given up since
		// yesterday, so one more crosses webhook.ShouldDisable's 20 in 24 h.
		if _, _, err := db.NoteFailure(ctx, refused.ID, apptest.T0.Add(-25*time.Hour)); err != nil {
			t.Fatal(err)
		}
		for range 18 {
			db.NoteFailure(ctx, refused.ID, apptest.T0)
		}

		// An event in a transaction that rolls back never leaves.
		rollback := errors.New("the case was not opened after all")
		if err := emit(site, "case.opened", map[string]int{"n": 0}, rollback); !errors.Is(err, rollback) {
			t.Fatalf("rolled back emit: %v", err)
		}
		if err := emit(site, "case.opened", map[string]any{"n": 1, "customer": "C-1"}, nil); err != nil {
			t.Fatal(err)
		}
		// exhausted's event may be tried twice (the schedule's eight
		// attempts would take eight polls of the queue): it fails both.
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			_, err := site.App.Jobs.InsertTx(ctx, tx, dispatch.DeliverArgs{WebhookID: exhausted.ID, EventID: "evt_exhausted",
				Type: "invitation.sent", CreatedAt: apptest.T0, Data: json.RawMessage(`{"invitation":7}`)}, &river.InsertOpts{MaxAttempts: 2})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// late is switched off while its delivery waits in the queue.
		if _, err := db.SetWebhookEnabled(ctx, late.ID, false); err != nil {
			t.Fatal(err)
		}
		site.Background(t)

		// ok: once, signed, the event as emitted.
		env := envelope(t, site, ok.Secret, okR.wait(t, 1)[0])
		want := webhook.Envelope{ID: env.ID, Type: "case.opened", CreatedAt: apptest.T0, Data: json.RawMessage(`{"customer":"C-1","n":1}`)}
		if diff := cmp.Diff(want, env); diff != "" || len(env.ID) != len("evt_")+26 {
			t.Errorf("envelope (-want +got):\n%s (id %q)", diff, env.ID)
		}

		// flaky: 503 with Retry-After: 1, 500, then 200 — the same event
		// three times, each signed afresh; the first retry waited the
		// second the subscriber asked for, not the 10 ms configured.
		got := flakyR.wait(t, 3)
		for i, a := range got {
			if e := envelope(t, site, flaky.Secret, a); e.ID != env.ID {
				t.Errorf("flaky attempt %d carries event %s, want %s", i+1, e.ID, env.ID)
			}
		}
		if gap := got[1].at.Sub(got[0].at); gap < time.Second {
			t.Errorf("retried %v after a Retry-After of 1 s", gap)
		}

		goneR.wait(t, 1)
		refusedR.wait(t, 1)
		exhaustedR.wait(t, 2)
		if n := settle(t, site); n != 6 {
			t.Errorf("%d delivery jobs, want 6 (ok, flaky, gone, refused, late, exhausted; none from the rollback)", n)
		}

		for _, tc := range []struct {
			name     string
			r        *receiver
			w        *otklik.Webhook
			arrivals int
			log      []attempt // newest first
			enabled  bool
			failures int
			disabled bool
		}{
			{"ok", okR, ok, 1, []attempt{{1, 200, false}}, true, 0, false},
			{"flaky", flakyR, flaky, 3, []attempt{{3, 200, false}, {2, 500, true}, {1, 503, true}}, true, 0, false},
			{"gone", goneR, gone, 1, []attempt{{1, 410, true}}, false, 0, true},
			{"refused", refusedR, refused, 1, []attempt{{1, 400, true}}, false, 20, true},
			{"exhausted", exhaustedR, exhausted, 2, []attempt{{2, 502, true}, {1, 500, true}}, true, 1, false},
			{"late", lateR, late, 0, nil, false, 0, true},
			{"off", offR, off, 0, nil, false, 0, true},
			{"other", otherR, other, 0, nil, true, 0, false},
		} {
			if n := len(tc.r.arrivals()); n != tc.arrivals {
				t.Errorf("%s: %d deliveries, want %d", tc.name, n, tc.arrivals)
			}
			if diff := cmp.Diff(tc.log, attempts(t, site, tc.w.ID)); diff != "" {
				t.Errorf("%s: delivery log (-want +got):\n%s", tc.name, diff)
			}
			w := webhookOf(t, site, tc.w.ID)
			if w.Enabled != tc.enabled || w.Failures != tc.failures || (w.DisabledAt != nil) != tc.disabled {
				t.Errorf("%s: enabled %v, %d failures, disabled at %v; want %v, %d, disabled %v",
					tc.name, w.Enabled, w.Failures, w.DisabledAt, tc.enabled, tc.failures, tc.disabled)
			}
		}
	})
}

// TestEmitCase: a case's webhook carries the case as it commits, with the
// customer's and survey's names and a link to its page.
func TestEmitCase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		site := webhookSite(t, dialect)
		ctx := context.Background()
		db := site.App.DB
		r := newReceiver(t)
		hook := subscribe(t, site, r, "case.resolved")

		sv := &otklik.Survey{Key: "nps-after-deal", Kind: otklik.KindNPS, Title: otklik.Text{RU: "Оценка", EN: "Rating"},
			ScoreQuestion: otklik.Text{RU: "Порекомендуете ли вы нас?", EN: "Would you recommend us?"}}
		if err := db.CreateSurvey(ctx, sv); err != nil {
			t.Fatal(err)
		}
		c, _, err := db.UpsertCustomer(ctx, otklik.Scope{Reach: otklik.ReachAll}, "C-77", func(c *otklik.Customer) {
			c.Name, c.Manager, c.Team = "ООО «Ромашка»", "anna@example.ru", "Север"
		})
		if err != nil {
			t.Fatal(err)
		}
		at := apptest.T0.Add(-time.Hour)
		resp := &otklik.Response{SurveyID: sv.ID, CustomerID: c.ID, Survey: sv.Key, Customer: c.ExternalID, Channel: otklik.ChannelAPI,
			Score: 3, Comment: "долго ждали", AnsweredAt: at, Snapshot: c.Dimensions(at), IdempotencyKey: "case-77"}
		if _, err := db.AddResponse(ctx, resp); err != nil {
			t.Fatal(err)
		}
		k := &otklik.Case{Kind: otklik.CaseDetractor, ResponseID: resp.ID, CustomerID: c.ID, SurveyID: sv.ID, Score: 3,
			Channel: otklik.ChannelAPI, Rule: "detractors", Owner: "anna@example.ru", OpenedAt: apptest.T0, AnsweredAt: at}
		created, err := db.OpenCase(ctx, k, func(tx *sql.Tx, id int64) error {
			k.ID = id
			return site.App.Outreach.EmitCase(ctx, tx, "case.resolved", k)
		})
		if err != nil || !created {
			t.Fatalf("open case: created %v, %v", created, err)
		}
		site.Background(t)

		env := envelope(t, site, hook.Secret, r.wait(t, 1)[0])
		var data map[string]any
		if err := json.Unmarshal(env.Data, &data); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"id": float64(k.ID), "customer": "C-77", "customer_name": "ООО «Ромашка»", "survey": "nps-after-deal",
			"score": float64(3), "comment": "долго ждали", "status": "open", "owner": "anna@example.ru",
			"url": "http://otklik.test/cases/" + jsonNumber(k.ID)}
		for key, v := range want {
			if diff := cmp.Diff(v, data[key]); diff != "" {
				t.Errorf("data.%s (-want +got):\n%s", key, diff)
			}
		}
		if env.Type != "case.resolved" {
			t.Errorf("type %q", env.Type)
		}
		if _, ok := data["events"]; ok {
			t.Errorf("the case's timeline was sent: %s", env.Data)
		}
	})
}

func jsonNumber(id int64) string { b, _ := json.Marshal(id); return string(b) }

// TestCreateWebhook: what an admin may subscribe, with the problems named
// by field.
func TestCreateWebhook(t *testing.T) {
	site := webhookSite(t, "sqlite")
	ctx := context.Background()
	for _, tc := range []struct {
		url        string
		events     []string
		wantEvents []string
		problems   []string // fields
	}{
		{"https://crm.example.ru/in", []string{" case.opened", "case.resolved", "case.opened"}, []string{"case.opened", "case.resolved"}, nil},
		{" http://10.0.0.5:5678/webhook ", []string{"*"}, []string{"*"}, nil},
		{"", []string{"*"}, nil, []string{"url"}},
		{"ftp://crm.example.ru/in", []string{"*"}, nil, []string{"url"}},
		{"https://user:pass@crm.example.ru/in", []string{"*"}, nil, []string{"url"}},
		{"https://crm.example.ru/in", nil, nil, []string{"events"}},
		{"https://crm.example.ru/in", []string{"case.opened", "deal.won", "all"}, nil, []string{"events[1]", "events[2]"}},
		{"/relative", []string{}, nil, []string{"url", "events"}},
	} {
		w, err := site.App.Outreach.CreateWebhook(ctx, tc.url, tc.events)
		var fields []string
		for _, f := range otklik.ErrorFields(err) {
			fields = append(fields, f.Field)
		}
		if diff := cmp.Diff(tc.problems, fields); diff != "" {
			t.Errorf("%q %q: problems (-want +got):\n%s (%v)", tc.url, tc.events, diff, err)
			continue
		}
		if tc.problems != nil {
			if otklik.ErrorCode(err) != otklik.EINVALID {
				t.Errorf("%q: code %q", tc.url, otklik.ErrorCode(err))
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", tc.url, err)
		}
		if diff := cmp.Diff(tc.wantEvents, w.Events); diff != "" || !w.Enabled || len(w.Secret) != len(webhook.NewSecret()) {
			t.Errorf("%q: events (-want +got):\n%s enabled %v secret %q", tc.url, diff, w.Enabled, w.Secret)
		}
		stored := webhookOf(t, site, w.ID)
		if stored.Secret != w.Secret || stored.URL == "" || stored.URL[0] == ' ' {
			t.Errorf("%q stored as %q with secret %q, created with %q", tc.url, stored.URL, stored.Secret, w.Secret)
		}
	}
}

// TestDeliverArgsKeepData: the event's data travels through the queue as
// text, so jsonb cannot reorder it.
func TestDeliverArgsKeepData(t *testing.T) {
	a := dispatch.DeliverArgs{WebhookID: 3, EventID: "evt_x", Type: "case.opened", CreatedAt: apptest.T0,
		Data: json.RawMessage(`{"z":1,"a":[true,null],"я":"ё"}`)}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"webhook_id":3,"event_id":"evt_x","type":"case.opened","created_at":"2026-03-02T09:00:00Z",` +
		`"data":"{\"z\":1,\"a\":[true,null],\"я\":\"ё\"}"}`
	if string(b) != want {
		t.Fatalf("encoded\n got %s\nwant %s", b, want)
	}
	var back dispatch.DeliverArgs
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, back); diff != "" {
		t.Fatalf("round trip (-want +got):\n%s", diff)
	}
}

// BenchmarkEmit measures a transaction that emits an event, on SQLite:
// without subscribers (the usual case: one read of the webhooks table, no
// write) and with one or eight (a job each). With subscribers the commit's
// fsync dominates; each further subscriber adds tens of microseconds.
func BenchmarkEmit(b *testing.B) {
	for _, subs := range []int{0, 1, 8} {
		b.Run(fmt.Sprintf("subscribers=%d", subs), func(b *testing.B) {
			site := webhookSite(b, "sqlite")
			for range subs {
				subscribe(b, site, newReceiver(b), "case.opened")
			}
			data := map[string]any{"id": 42, "customer": "C-1", "score": 3}
			for b.Loop() {
				if err := emit(site, "case.opened", data, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
