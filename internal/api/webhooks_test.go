package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"otklik"
	"otklik/internal/channel/webhook"
	"otklik/internal/storetest"
)

// receiver is a subscriber's endpoint that checks each delivery's
// signature and keeps the envelopes.
type receiver struct {
	mu     sync.Mutex
	secret []byte
	now    func() time.Time // the site's clock, which signs
	got    []webhook.Envelope
	bad    int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if err := webhook.Verify(rc.secret, r.Header.Get(webhook.HeaderSignature), body, rc.now(), time.Hour); err != nil {
		rc.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var env webhook.Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		rc.bad++
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	rc.got = append(rc.got, env)
}

func (rc *receiver) types() map[string]int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := map[string]int{}
	for _, e := range rc.got {
		out[e.Type]++
	}
	return out
}

// TestWebhooksThroughAPI: a subscription made through the API receives a
// new answer (response.created), the case it opens (case.opened) and its
// resolution (case.resolved), each once and signed; the delivery log
// shows them; a subscription switched off receives nothing more.
func TestWebhooksThroughAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		e, _ := loopEnv(t, dialect)
		admin := e.user("admin@x.ru", otklik.RoleAdmin, "")
		manager := e.user("anna@x.ru", otklik.RoleManager, "")
		rc := &receiver{now: e.clock.Now}
		srv := httptest.NewServer(rc)
		defer srv.Close()

		e.must(403, "POST", "/api/v1/webhooks", manager, map[string]any{"url": srv.URL, "events": []string{"*"}}, nil)
		e.must(422, "POST", "/api/v1/webhooks", admin, map[string]any{"url": "ftp://x", "events": []string{"case.opened"}}, nil)
		var created struct {
			ID     int64  `json:"id"`
			Secret string `json:"secret"`
		}
		e.must(201, "POST", "/api/v1/webhooks", admin, map[string]any{"url": srv.URL + "/hook",
			"events": []string{"response.created", "case.opened", "case.resolved"}}, &created)
		if created.Secret == "" {
			t.Fatal("no secret in the creation's answer")
		}
		rc.mu.Lock()
		rc.secret = []byte(created.Secret)
		rc.mu.Unlock()
		var listed struct{ Items []map[string]any }
		e.must(200, "GET", "/api/v1/webhooks", admin, nil, &listed)
		if len(listed.Items) != 1 || listed.Items[0]["secret"] != nil {
			t.Fatalf("list shows %v", listed.Items)
		}

		e.must(201, "POST", "/api/v1/surveys", admin, npsSurvey("nps"), nil)
		e.must(201, "POST", "/api/v1/customers", admin, map[string]any{"external_id": "C-1", "manager": "anna@x.ru"}, nil)
		e.must(201, "POST", "/api/v1/responses", admin, map[string]any{"survey": "nps", "customer": "C-1", "score": 2}, nil)
		cases, _ := e.waitCase(admin, "C-1", 5*time.Second, func(cs []otklik.Case) bool { return len(cs) == 1 })
		e.must(200, "POST", fmt.Sprintf("/api/v1/cases/%d/resolve", cases[0].ID), manager,
			map[string]any{"root_cause": "price", "decision": "Скидка на следующую сделку"}, nil)

		deadline := time.Now().Add(15 * time.Second)
		for {
			got := rc.types()
			if got["response.created"] == 1 && got["case.opened"] == 1 && got["case.resolved"] == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("deliveries: %v (bad %d)", got, rc.bad)
			}
			time.Sleep(50 * time.Millisecond)
		}
		// The log is written once the subscriber has answered: wait for it.
		var log struct{ Items []otklik.WebhookDelivery }
		for deadline := time.Now().Add(5 * time.Second); ; {
			e.must(200, "GET", fmt.Sprintf("/api/v1/webhooks/%d/deliveries", created.ID), admin, nil, &log)
			if len(log.Items) == 3 || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if len(log.Items) != 3 || log.Items[0].Status != 200 {
			t.Errorf("delivery log: %+v", log.Items)
		}
		e.must(404, "GET", "/api/v1/webhooks/999/deliveries", admin, nil, nil)

		// Switched off: the next answer is not announced.
		e.must(200, "PUT", fmt.Sprintf("/api/v1/webhooks/%d", created.ID), admin, map[string]any{"enabled": false}, nil)
		e.must(201, "POST", "/api/v1/responses", admin, map[string]any{"survey": "nps", "customer": "C-1", "score": 10}, nil)
		time.Sleep(2500 * time.Millisecond)
		if got := rc.types(); got["response.created"] != 1 {
			t.Errorf("a switched-off subscription received %v", got)
		}
		if rc.bad != 0 {
			t.Errorf("%d deliveries failed the signature check", rc.bad)
		}
		e.must(204, "DELETE", fmt.Sprintf("/api/v1/webhooks/%d", created.ID), admin, nil, nil)
		e.must(404, "DELETE", fmt.Sprintf("/api/v1/webhooks/%d", created.ID), admin, nil, nil)
	})
}
