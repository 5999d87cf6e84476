package crm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"otklik"
)

// dealJSON is a crm.deal.get answer shaped like the one in Bitrix24's REST
// documentation: every value a string, dates with the portal's offset, a
// multiple custom field as an array, the "time" block after the result.
func dealJSON(id, stage, category string) string {
	return fmt.Sprintf(`{"result":{"ID":%q,"TITLE":"Ремонт офиса","TYPE_ID":"COMPLEX","STAGE_ID":%q,"PROBABILITY":null,
"CURRENCY_ID":"RUB","OPPORTUNITY":"1000.00","IS_MANUAL_OPPORTUNITY":"N","TAX_VALUE":"0.00","LEAD_ID":null,
"COMPANY_ID":"0","CONTACT_ID":"84","QUOTE_ID":null,"BEGINDATE":"2026-11-02T03:00:00+03:00",
"CLOSEDATE":"2026-11-20T03:00:00+03:00","ASSIGNED_BY_ID":"1","CREATED_BY_ID":"1","MODIFY_BY_ID":"1",
"DATE_CREATE":"2026-11-02T12:29:00+03:00","DATE_MODIFY":"2026-11-20T12:15:00+03:00","OPENED":"Y","CLOSED":"Y",
"CATEGORY_ID":%q,"STAGE_SEMANTIC_ID":"S","IS_NEW":"N","MOVED_BY_ID":"1","MOVED_TIME":"2026-11-20T12:14:30+03:00",
"UF_CRM_1721244482250":["C-1042","C-1043"],"UF_CRM_FLAG":true,"UF_CRM_RATING":4.5,"UF_CRM_OBJ":{"a":1}},
"time":{"start":1795166100.54,"finish":1795166101.17,"duration":0.63,"processing":0.21,
"date_start":"2026-11-20T12:15:00+03:00","date_finish":"2026-11-20T12:15:01+03:00","operating":0}}`, id, stage, category)
}

// fakePortal serves crm.deal.get under /rest/1/s3cr3t/ the way a portal
// answers: the deal id picks the scenario.
func fakePortal(t *testing.T) (*httptest.Server, *atomic.Int32) {
	release := make(chan struct{})
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Method != http.MethodGet || r.URL.Path != "/rest/1/s3cr3t/crm.deal.get.json" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"INVALID_CREDENTIALS","error_description":"Invalid request credentials"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		switch id := r.URL.Query().Get("id"); id {
		case "10":
			fmt.Fprint(w, dealJSON("10", "WON", "0"))
		case "11":
			fmt.Fprint(w, dealJSON("11", "C1:LOSE", "1"))
		case "12":
			fmt.Fprint(w, dealJSON("12", "PREPARATION", "0"))
		case "404":
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":"","error_description":"Not found"}`)
		case "403":
			fmt.Fprint(w, `{"error":"ACCESS_DENIED","error_description":"Access denied"}`) // an error with status 200
		case "429":
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error":"OPERATION_TIME_LIMIT","error_description":"Method is blocked due to operation time limit"}`)
		case "500":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, "<html><body>Internal Server Error</body></html>")
		case "503":
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"error":"QUERY_LIMIT_EXCEEDED","error_description":"Too many requests"}`)
		case "20":
			fmt.Fprint(w, `<html>login</html>`)
		case "21":
			fmt.Fprint(w, `{"result":false}`)
		case "22":
			fmt.Fprint(w, dealJSON("23", "WON", "0"))
		case "99":
			// Hang until the client gives up (or the test ends).
			select {
			case <-r.Context().Done():
			case <-release:
			}
		default:
			t.Errorf("unexpected deal id %q", id)
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	return srv, &calls
}

func TestBitrixDeal(t *testing.T) {
	srv, _ := fakePortal(t)
	b := &Bitrix{BaseURL: srv.URL + "/rest/1/s3cr3t", HTTP: srv.Client()} // no trailing slash: added
	ctx := context.Background()

	d, err := b.Deal(ctx, "10")
	if err != nil {
		t.Fatal(err)
	}
	want := BitrixDeal{ID: "10", StageID: "WON", CategoryID: "0", Opportunity: "1000.00", CurrencyID: "RUB",
		ContactID: "84", CompanyID: "0", AssignedBy: "1",
		Modified: time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC), Moved: time.Date(2026, 11, 20, 9, 14, 30, 0, time.UTC)}
	got := d
	got.Fields = nil
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("deal (-want +got):\n%s", diff)
	}
	for k, v := range map[string]string{"TITLE": "Ремонт офиса", "UF_CRM_1721244482250": "C-1042", "UF_CRM_RATING": "4.5"} {
		if d.Fields[k] != v {
			t.Errorf("Fields[%s] = %q, want %q", k, d.Fields[k], v)
		}
	}
	for _, k := range []string{"PROBABILITY", "UF_CRM_FLAG", "UF_CRM_OBJ", "LEAD_ID"} {
		if _, ok := d.Fields[k]; ok {
			t.Errorf("Fields holds %s = %q", k, d.Fields[k])
		}
	}

	// Won, lost and in progress, through to the event.
	ev, ok := BitrixDealEvent(d, BitrixMapping{CustomerField: "UF_CRM_1721244482250"}, "remont.bitrix24.ru")
	wantEv := Event{ID: "bitrix24:remont.bitrix24.ru:10:WON", Type: TypeDealWon, Customer: "C-1042",
		OccurredAt: time.Date(2026, 11, 20, 9, 14, 30, 0, time.UTC),
		Attributes: map[string]string{"source": "bitrix24", "portal": "remont.bitrix24.ru", "deal_id": "10", "stage_id": "WON",
			"category_id": "0", "amount": "1000.00", "currency": "RUB", "contact_id": "84", "assigned_by_id": "1",
			"customer_from": "field"}}
	if diff := cmp.Diff(wantEv, ev); !ok || diff != "" {
		t.Fatalf("won deal: ok %v, event (-want +got):\n%s", ok, diff)
	}
	lost, err := b.Deal(ctx, "11")
	if err != nil {
		t.Fatal(err)
	}
	if ev, ok := BitrixDealEvent(lost, BitrixMapping{}, "remont.bitrix24.ru"); !ok || ev.Type != TypeDealLost ||
		ev.ID != "bitrix24:remont.bitrix24.ru:11:C1:LOSE" || ev.Customer != "84" {
		t.Fatalf("lost deal: ok %v, %+v", ok, ev)
	}
	open, err := b.Deal(ctx, "12")
	if err != nil {
		t.Fatal(err)
	}
	if ev, ok := BitrixDealEvent(open, BitrixMapping{}, "remont.bitrix24.ru"); ok {
		t.Fatalf("deal in progress gave %+v", ev)
	}
}

func TestBitrixDealErrors(t *testing.T) {
	srv, calls := fakePortal(t)
	base := srv.URL + "/rest/1/s3cr3t/"
	b := &Bitrix{BaseURL: base, HTTP: srv.Client()}
	tests := []struct {
		id        string
		status    int
		code      string
		desc      string
		temporary bool
	}{
		{"404", 400, "", "Not found", false},
		{"403", 200, "ACCESS_DENIED", "Access denied", false},
		{"429", 429, "OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit", true},
		{"500", 500, "", "the answer is not a REST error: Internal Server Error", true},
		{"503", 503, "QUERY_LIMIT_EXCEEDED", "Too many requests", true},
		{"20", 200, "", "the answer is not JSON", false},
		{"21", 200, "", "the answer's result is not a deal", false},
		{"22", 200, "", `asked for deal 22, the answer is deal "23"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			_, err := b.Deal(context.Background(), tt.id)
			var be *BitrixError
			if !errors.As(err, &be) {
				t.Fatalf("error %v is not a BitrixError", err)
			}
			if be.Method != "crm.deal.get" || be.Status != tt.status || be.Code != tt.code || be.Description != tt.desc {
				t.Fatalf("error = %+v", be)
			}
			if IsTemporary(err) != tt.temporary {
				t.Fatalf("IsTemporary(%v) = %v", err, !tt.temporary)
			}
			kind := "(permanent)"
			if tt.temporary {
				kind = "(temporary)"
			}
			if !strings.Contains(err.Error(), kind) || strings.Contains(err.Error(), "s3cr3t") {
				t.Fatalf("message %q", err)
			}
		})
	}

	t.Run("wrong webhook secret", func(t *testing.T) {
		_, err := (&Bitrix{BaseURL: srv.URL + "/rest/1/wrong/", HTTP: srv.Client()}).Deal(context.Background(), "10")
		var be *BitrixError
		if !errors.As(err, &be) || be.Status != 401 || be.Code != "INVALID_CREDENTIALS" || IsTemporary(err) {
			t.Fatalf("error %v", err)
		}
	})

	t.Run("time-out", func(t *testing.T) {
		client := srv.Client()
		client.Timeout = 50 * time.Millisecond
		_, err := (&Bitrix{BaseURL: base, HTTP: client}).Deal(context.Background(), "99")
		var be *BitrixError
		if !errors.As(err, &be) || !be.Temporary || be.Status != 0 || !IsTemporary(err) {
			t.Fatalf("error %v", err)
		}
		if !strings.Contains(err.Error(), "no answer in time") || strings.Contains(err.Error(), "s3cr3t") {
			t.Fatalf("message %q", err)
		}
	})

	t.Run("context deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := b.Deal(ctx, "99")
		if !IsTemporary(err) || !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "s3cr3t") {
			t.Fatalf("error %v", err)
		}
	})

	t.Run("portal down", func(t *testing.T) {
		down := httptest.NewServer(http.NotFoundHandler())
		url := down.URL + "/rest/1/s3cr3t/"
		down.Close()
		_, err := (&Bitrix{BaseURL: url}).Deal(context.Background(), "10")
		if !IsTemporary(err) || strings.Contains(err.Error(), "s3cr3t") {
			t.Fatalf("error %v", err)
		}
	})

	t.Run("caller mistakes send nothing", func(t *testing.T) {
		before := calls.Load()
		for _, c := range []struct{ base, id string }{
			{base, "10&id=11"}, {base, ""}, {base, "-1"}, {"ftp://portal/rest/1/s3cr3t/", "10"}, {"", "10"}, {"portal/rest/", "10"},
		} {
			_, err := (&Bitrix{BaseURL: c.base, HTTP: srv.Client()}).Deal(context.Background(), c.id)
			if otklik.ErrorCode(err) != otklik.EINVALID || IsTemporary(err) || strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("Deal(%q, %q): %v", c.base, c.id, err)
			}
		}
		if n := calls.Load() - before; n != 0 {
			t.Fatalf("%d requests sent", n)
		}
	})
}

func TestIsTemporary(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("boom"), false},
		{otklik.Errorf(otklik.EINVALID, "bad"), false},
		{context.DeadlineExceeded, true},
		{fmt.Errorf("wrapped: %w", context.Canceled), true},
		{&BitrixError{Method: "crm.deal.get", Status: 502, Temporary: true}, true},
		{fmt.Errorf("job: %w", &BitrixError{Method: "crm.deal.get", Status: 400}), false},
	}
	for _, tt := range tests {
		if got := IsTemporary(tt.err); got != tt.want {
			t.Errorf("IsTemporary(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
