package crm

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"otklik"
)

// appNotice is shaped like an application's event handler call: the auth
// block carries OAuth tokens besides the application token.
var appNotice = form(
	"event", "ONCRMDEALUPDATE",
	"event_handler_id", "201",
	"data[FIELDS][ID]", "759",
	"ts", "1795166100", // 2026-11-20T09:15:00Z
	"auth[access_token]", "not-kept",
	"auth[expires_in]", "3600",
	"auth[scope]", "crm",
	"auth[domain]", "Remont.Bitrix24.ru",
	"auth[server_endpoint]", "https://oauth.bitrix.info/rest/",
	"auth[status]", "F",
	"auth[client_endpoint]", "https://evil.example/rest/",
	"auth[member_id]", "a223c6b3710f85df22e9377d6c4f7553",
	"auth[application_token]", "51856fefc120afa4b628cc82d3935cce",
)

func TestParseBitrixEvent(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want BitrixNotice
	}{
		{"application event", appNotice, BitrixNotice{Event: "ONCRMDEALUPDATE", ID: "759", Domain: "remont.bitrix24.ru",
			MemberID: "a223c6b3710f85df22e9377d6c4f7553", ApplicationToken: "51856fefc120afa4b628cc82d3935cce",
			At: time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC)}},
		// The outgoing-webhook shape: fewer auth keys, in another order.
		{"outgoing webhook", form("auth[application_token]", "jvh9y1ulvt2m6k5or90v9mg8nn32ozas", "ts", "1795105800",
			"data[FIELDS][ID]", "7405", "auth[domain]", "crm.example.ru:8443", "event", "onCrmDealAdd"),
			BitrixNotice{Event: "ONCRMDEALADD", ID: "7405", Domain: "crm.example.ru:8443",
				ApplicationToken: "jvh9y1ulvt2m6k5or90v9mg8nn32ozas", At: time.Date(2026, 11, 19, 16, 30, 0, 0, time.UTC)}},
		{"another entity's event", form("event", "ONCRMCONTACTADD", "event_handler_id", "58", "data[FIELDS][ID]", "134806",
			"ts", "1795105800", "auth[domain]", "remont.bitrix24.ru", "auth[application_token]", "3c6c9248"),
			BitrixNotice{Event: "ONCRMCONTACTADD", ID: "134806", Domain: "remont.bitrix24.ru", ApplicationToken: "3c6c9248",
				At: time.Date(2026, 11, 19, 16, 30, 0, 0, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseBitrixEvent(tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("notice (-want +got):\n%s", diff)
			}
		})
	}
	n, _ := ParseBitrixEvent(appNotice)
	if !n.DealEvent() {
		t.Error("ONCRMDEALUPDATE is not a deal event")
	}
	if n.Event = "ONCRMCONTACTADD"; n.DealEvent() {
		t.Error("ONCRMCONTACTADD is a deal event")
	}
}

func TestParseBitrixEventErrors(t *testing.T) {
	tests := []struct {
		name   string
		body   []byte
		code   string
		fields []string
	}{
		{"JSON as the docs print it", []byte(`{"event":"ONCRMDEALUPDATE","data":{"FIELDS":{"ID":"759"}}}`), otklik.EMALFORMED, nil},
		{"broken escape", []byte("event=ONCRMDEALUPDATE&data%5BFIELDS%5D%5BID%5D=7%G9"), otklik.EMALFORMED, nil},
		{"empty", nil, otklik.EINVALID, []string{"event", "data[FIELDS][ID]", "auth[domain]", "ts"}},
		{"no id", form("event", "ONCRMDEALUPDATE", "ts", "1795105800", "auth[domain]", "remont.bitrix24.ru"),
			otklik.EINVALID, []string{"data[FIELDS][ID]"}},
		{"id not a number, bad domain, bad ts", form("event", "ONCRMDEALUPDATE", "data[FIELDS][ID]", "7 OR 1",
			"ts", "yesterday", "auth[domain]", "https://remont.bitrix24.ru/"),
			otklik.EINVALID, []string{"data[FIELDS][ID]", "auth[domain]", "ts"}},
		{"event name with spaces", form("event", "ON CRM", "data[FIELDS][ID]", "7", "ts", "1795105800", "auth[domain]", "a.ru"),
			otklik.EINVALID, []string{"event"}},
		{"over 1 MiB", []byte("event=ONCRMDEALUPDATE&x=" + strings.Repeat("y", MaxBody)), otklik.ETOOLARGE, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseBitrixEvent(tt.body)
			if n != (BitrixNotice{}) {
				t.Errorf("notice %+v with an error", n)
			}
			wantCode(t, err, tt.code, tt.fields...)
		})
	}
}

func TestAuthentic(t *testing.T) {
	n := BitrixNotice{ApplicationToken: "51856fefc120afa4b628cc82d3935cce"}
	tests := []struct {
		token string
		want  bool
	}{
		{"51856fefc120afa4b628cc82d3935cce", true},
		{"51856fefc120afa4b628cc82d3935ccf", false}, // last character
		{"51856fefc120afa4b628cc82d3935cc", false},  // a prefix
		{"51856fefc120afa4b628cc82d3935cce ", false},
		{"51856FEFC120AFA4B628CC82D3935CCE", false},
		{"", false}, // nothing configured matches nothing
	}
	for _, tt := range tests {
		if got := n.Authentic(tt.token); got != tt.want {
			t.Errorf("Authentic(%q) = %v, want %v", tt.token, got, tt.want)
		}
	}
	if (BitrixNotice{}).Authentic("") {
		t.Error("a notice without a token matched an empty one")
	}
}

func TestBitrixDealEvent(t *testing.T) {
	modified := time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC)
	moved := time.Date(2026, 11, 20, 6, 40, 0, 0, time.UTC)
	deal := func(stage string) BitrixDeal {
		return BitrixDeal{ID: "410", StageID: stage, CategoryID: "0", Opportunity: "1000000.00", CurrencyID: "RUB",
			ContactID: "84", CompanyID: "9", AssignedBy: "1", Modified: modified, Moved: moved,
			Fields: map[string]string{"ID": "410", "STAGE_ID": stage, "CONTACT_ID": "84", "UF_CRM_1721244482250": "C-1042",
				"UF_CRM_PHONE": "+7 999 123-45-67"}}
	}
	event := func(typ, stage, category string) Event {
		return Event{ID: "bitrix24:remont.bitrix24.ru:410:" + stage, Type: typ, Customer: "84", OccurredAt: moved,
			Attributes: map[string]string{"source": "bitrix24", "portal": "remont.bitrix24.ru", "deal_id": "410",
				"stage_id": stage, "category_id": category, "amount": "1000000.00", "currency": "RUB",
				"contact_id": "84", "company_id": "9", "assigned_by_id": "1", "customer_from": "field"}}
	}
	inFunnel := func(d BitrixDeal, category string) BitrixDeal { d.CategoryID = category; return d }
	custom := BitrixMapping{WonStages: []string{"C3:FINAL"}, LostStages: []string{"C3:WON"}, CustomerField: "UF_CRM_1721244482250"}

	tests := []struct {
		name    string
		deal    BitrixDeal
		mapping BitrixMapping
		want    Event
		ok      bool
	}{
		{"won, general funnel", deal("WON"), BitrixMapping{}, event(TypeDealWon, "WON", "0"), true},
		{"won in funnel 2", inFunnel(deal("C2:WON"), "2"), BitrixMapping{}, event(TypeDealWon, "C2:WON", "2"), true},
		{"lost", deal("LOSE"), BitrixMapping{}, event(TypeDealLost, "LOSE", "0"), true},
		{"lost: analysing the failure", inFunnel(deal("C1:APOLOGY"), "1"), DefaultBitrixMapping(),
			event(TypeDealLost, "C1:APOLOGY", "1"), true},
		{"in progress", deal("PREPARATION"), BitrixMapping{}, Event{}, false},
		{"in progress in a funnel", deal("C1:EXECUTING"), BitrixMapping{}, Event{}, false},
		{"a stage named like a closed one in part", deal("C1:WONDER"), BitrixMapping{}, Event{}, false},
		{"custom stages: funnel-specific", inFunnel(deal("C3:FINAL"), "3"), custom,
			func() Event {
				e := withAttr(event(TypeDealWon, "C3:FINAL", "3"), "customer_from", "field")
				e.Customer = "C-1042"
				return e
			}(), true},
		{"custom stages: C3:WON listed as lost", inFunnel(deal("C3:WON"), "3"), custom,
			func() Event { e := event(TypeDealLost, "C3:WON", "3"); e.Customer = "C-1042"; return e }(), true},
		{"custom stages: plain WON is not listed", deal("WON"), custom, Event{}, false},
		{"custom stages: a funnel-specific entry does not match another funnel", inFunnel(deal("C4:FINAL"), "4"), custom, Event{}, false},
		{"empty lists close nothing", deal("WON"), BitrixMapping{WonStages: []string{}, LostStages: []string{}}, Event{}, false},
		{"customer field that cannot be an id falls back to the deal", deal("WON"), BitrixMapping{CustomerField: "UF_CRM_PHONE"},
			func() Event {
				e := withAttr(event(TypeDealWon, "WON", "0"), "customer_from", "deal")
				e.Customer = "b24-deal-410"
				return e
			}(), true},
		{"no contact (0) falls back to the deal", func() BitrixDeal {
			d := deal("WON")
			d.ContactID, d.Fields["CONTACT_ID"] = "0", "0"
			return d
		}(), BitrixMapping{}, func() Event {
			e := withAttr(event(TypeDealWon, "WON", "0"), "customer_from", "deal")
			delete(e.Attributes, "contact_id")
			e.Customer = "b24-deal-410"
			return e
		}(), true},
		{"a deal built without Fields: CONTACT_ID from ContactID",
			func() BitrixDeal { d := deal("WON"); d.Fields = nil; return d }(), BitrixMapping{}, event(TypeDealWon, "WON", "0"), true},
		{"no MOVED_TIME: DATE_MODIFY", func() BitrixDeal { d := deal("WON"); d.Moved = time.Time{}; return d }(), BitrixMapping{},
			func() Event { e := event(TypeDealWon, "WON", "0"); e.OccurredAt = modified; return e }(), true},
		{"no time at all", func() BitrixDeal { d := deal("WON"); d.Moved, d.Modified = time.Time{}, time.Time{}; return d }(),
			BitrixMapping{}, Event{}, false},
		{"no deal id", func() BitrixDeal { d := deal("WON"); d.ID = ""; return d }(), BitrixMapping{}, Event{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := BitrixDealEvent(tt.deal, tt.mapping, " Remont.Bitrix24.ru")
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v (%+v)", ok, tt.ok, got)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("event (-want +got):\n%s", diff)
			}
			if ok {
				checkEvent(t, got)
			}
		})
	}
	if _, ok := BitrixDealEvent(deal("WON"), BitrixMapping{}, ""); ok {
		t.Error("an event without the portal's domain")
	}
}
