package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"otklik"
	"otklik/internal/storetest"
)

// postForm posts a form-encoded body without a token, as a CRM does.
func (e *env) postForm(path, body string) (int, []byte) {
	e.t.Helper()
	return e.do("POST", path, "", []byte(body), "Content-Type", "application/x-www-form-urlencoded")
}

// TestCRMWebhooksBecomeEvents: an amoCRM "lead status changed" hook with
// status 142 (won) and a Bitrix24 ONCRMDEALUPDATE notice whose deal the
// portal reports in the WON stage both become deal_won events that plan
// an invitation; a wrong secret, a forged token and a malformed body are
// refused and record nothing.
func TestCRMWebhooksBecomeEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		e := newEnv(t, dialect)
		admin := e.user("admin@x.ru", otklik.RoleAdmin, "")
		e.must(201, "POST", "/api/v1/surveys", admin, npsSurvey("nps"), nil)
		for _, id := range []string{"C-100", "C-200"} {
			e.must(201, "POST", "/api/v1/customers", admin, map[string]any{"external_id": id, "email": strings.ToLower(id) + "@x.ru",
				"consent": map[string]any{"email": map[string]any{"granted": true}}}, nil)
		}

		// A fake Bitrix24 portal answering crm.deal.get over real HTTP.
		var calls atomic.Int32
		portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			if !strings.HasSuffix(r.URL.Path, "/rest/1/hook-key/crm.deal.get.json") || r.URL.Query().Get("id") != "4711" {
				w.WriteHeader(http.StatusBadRequest)
				json.NewEncoder(w).Encode(map[string]string{"error": "NOT_FOUND", "error_description": "Not found"})
				return
			}
			json.NewEncoder(w).Encode(map[string]any{"result": map[string]any{"ID": "4711", "STAGE_ID": "C2:WON", "CATEGORY_ID": "2",
				"OPPORTUNITY": "150000.00", "CURRENCY_ID": "RUB", "CONTACT_ID": "C-200", "MOVED_TIME": "2026-03-02T11:30:00+03:00"}})
		}))
		defer portal.Close()

		var in map[string]any
		e.must(200, "GET", "/api/v1/integrations", admin, nil, &in)
		secret, _ := in["secret"].(string)
		if len(secret) < 32 {
			t.Fatalf("integration secret %q", secret)
		}
		in["amocrm"] = map[string]any{"customer_field": "Номер клиента"}
		in["bitrix24"] = map[string]any{"portal_url": portal.URL + "/rest/1/hook-key/", "application_token": "app-token-1",
			"customer_field": "CONTACT_ID", "won_stages": []string{"WON"}, "lost_stages": []string{"LOSE"}}
		e.must(200, "PUT", "/api/v1/integrations", admin, in, nil)

		amo := url.Values{
			"leads[status][0][id]":                                 {"31926520"},
			"leads[status][0][status_id]":                          {"142"},
			"leads[status][0][pipeline_id]":                        {"2116"},
			"leads[status][0][price]":                              {"1000"},
			"leads[status][0][custom_fields][0][id]":               {"1119321"},
			"leads[status][0][custom_fields][0][name]":             {"Номер клиента"},
			"leads[status][0][custom_fields][0][values][0][value]": {"C-100"},
			"leads[status][0][old_status_id]":                      {"10216995"},
			"account[subdomain]":                                   {"broker"},
		}.Encode()
		if status, body := e.postForm("/api/v1/integrations/amocrm/wrong-secret", amo); status != 404 {
			t.Errorf("wrong secret: %d %s", status, body)
		}
		if status, body := e.postForm("/api/v1/integrations/amocrm/"+secret, "leads[status][0][id]=abc&account[subdomain]=x"); status != 422 && status != 400 {
			t.Errorf("malformed amoCRM body: %d %s", status, body)
		}
		status, body := e.postForm("/api/v1/integrations/amocrm/"+secret, amo)
		if status != 200 || !strings.Contains(string(body), `"created":true`) {
			t.Fatalf("amoCRM hook: %d %s", status, body)
		}
		if status, body = e.postForm("/api/v1/integrations/amocrm/"+secret, amo); !strings.Contains(string(body), `"created":false`) {
			t.Errorf("a retried amoCRM hook: %d %s", status, body)
		}

		notice := url.Values{"event": {"ONCRMDEALUPDATE"}, "data[FIELDS][ID]": {"4711"}, "ts": {"1772440200"},
			"auth[domain]": {"broker.bitrix24.ru"}, "auth[application_token]": {"app-token-1"}}
		forged := url.Values{"event": {"ONCRMDEALUPDATE"}, "data[FIELDS][ID]": {"4711"}, "ts": {"1772440200"},
			"auth[domain]": {"broker.bitrix24.ru"}, "auth[application_token]": {"someone-else"}}
		if status, body := e.postForm("/api/v1/integrations/bitrix24/"+secret, forged.Encode()); status != 401 {
			t.Errorf("forged Bitrix24 token: %d %s", status, body)
		}
		if calls.Load() != 0 {
			t.Error("the portal was called for a forged notice")
		}
		status, body = e.postForm("/api/v1/integrations/bitrix24/"+secret, notice.Encode())
		if status != 200 || !strings.Contains(string(body), `"created":true`) || calls.Load() != 1 {
			t.Fatalf("Bitrix24 notice: %d %s (portal called %d times)", status, body, calls.Load())
		}

		for _, c := range []struct{ customer, ref string }{{"C-100", "event:amocrm:broker:31926520:142:"},
			{"C-200", "event:bitrix24:broker.bitrix24.ru:4711:C2:WON:"}} {
			invs := e.invitationsOf(admin, c.customer)
			if len(invs) != 1 || !strings.HasPrefix(invs[0].Ref, c.ref) || invs[0].Status != otklik.InvitationPlanned {
				t.Errorf("%s: invitations %+v", c.customer, invs)
			}
		}
	})
}
