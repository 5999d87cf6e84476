package crm

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"otklik"
)

func TestParseEvent(t *testing.T) {
	tests := []struct {
		name string
		body string
		want Event
	}{
		{"full", `{"id":"order-5512-delivered","type":"delivered","customer":"C-1","occurred_at":"2026-11-20T10:00:00Z",
			"attributes":{"order":"5512","amount":1000.50,"express":true,"weight":-0.5e1,"note":""}}`,
			Event{ID: "order-5512-delivered", Type: TypeDelivered, Customer: "C-1", OccurredAt: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC),
				Attributes: map[string]string{"order": "5512", "amount": "1000.50", "express": "true", "weight": "-0.5e1", "note": ""}}},
		{"defaults: now, no attributes", `{"id":"1","type":"complaint_resolved","customer":"ООО-Ромашка"}`,
			Event{ID: "1", Type: TypeComplaintResolved, Customer: "ООО-Ромашка", OccurredAt: nowUTC, Attributes: map[string]string{}}},
		{"nulls are absent", `{"id":"2","type":"x","customer":"c@example.ru","occurred_at":null,"attributes":null}`,
			Event{ID: "2", Type: "x", Customer: "c@example.ru", OccurredAt: nowUTC, Attributes: map[string]string{}}},
		{"an offset becomes UTC; a custom type", `{"id":" 3 ","type":"onboarding.call-done_2","customer":" C-3 ","occurred_at":"2026-11-20T12:30:00.25+03:00"}`,
			Event{ID: "3", Type: "onboarding.call-done_2", Customer: "C-3", OccurredAt: time.Date(2026, 11, 20, 9, 30, 0, 250e6, time.UTC),
				Attributes: map[string]string{}}},
		{"five minutes ahead is clock skew, not the future", `{"id":"4","type":"deal_won","customer":"C-4","occurred_at":"2026-11-20T10:05:00Z"}`,
			Event{ID: "4", Type: TypeDealWon, Customer: "C-4", OccurredAt: time.Date(2026, 11, 20, 10, 5, 0, 0, time.UTC), Attributes: map[string]string{}}},
		{"limits reached, not passed", `{"id":"` + strings.Repeat("я", 128) + `","type":"a` + strings.Repeat("b", 63) +
			`","customer":"C-5","attributes":{"` + strings.Repeat("k", 64) + `":"` + strings.Repeat("ж", 1000) + `"}}`,
			Event{ID: strings.Repeat("я", 128), Type: "a" + strings.Repeat("b", 63), Customer: "C-5", OccurredAt: nowUTC,
				Attributes: map[string]string{strings.Repeat("k", 64): strings.Repeat("ж", 1000)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEvent([]byte(tt.body), now)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("event (-want +got):\n%s", diff)
			}
			checkEvent(t, got)
		})
	}
}

func TestParseEventErrors(t *testing.T) {
	fifty := func(n int) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"k%d":%d`, i, i)
		}
		return "{" + b.String() + "}"
	}
	tests := []struct {
		name   string
		body   string
		code   string
		fields []string
	}{
		{"not JSON", `id=1&type=x`, otklik.EMALFORMED, nil},
		{"empty", ``, otklik.EMALFORMED, nil},
		{"cut short", `{"id":"1",`, otklik.EMALFORMED, nil},
		{"two values", `{"id":"1"} {}`, otklik.EMALFORMED, nil},
		{"an array", `[{"id":"1"}]`, otklik.EINVALID, []string{"body"}},
		{"null", `null`, otklik.EINVALID, []string{"body"}},
		{"everything missing", `{}`, otklik.EINVALID, []string{"id", "type", "customer"}},
		{"unknown and misspelt members, sorted", `{"id":"1","type":"delivered","customer":"C-1","occured_at":"2026-11-20T10:00:00Z","ID":"2"}`,
			otklik.EINVALID, []string{"ID", "occured_at"}},
		{"wrong types", `{"id":1,"type":["delivered"],"customer":{"id":"C-1"},"occurred_at":1795166100,"attributes":"x"}`,
			otklik.EINVALID, []string{"id", "type", "customer", "occurred_at", "attributes"}},
		{"id too long", `{"id":"` + strings.Repeat("я", 129) + `","type":"delivered","customer":"C-1"}`, otklik.EINVALID, []string{"id"}},
		{"id with a control character", `{"id":"a\u0000b","type":"delivered","customer":"C-1"}`, otklik.EINVALID, []string{"id"}},
		{"blank id", `{"id":"   ","type":"delivered","customer":"C-1"}`, otklik.EINVALID, []string{"id"}},
		{"types", `{"id":"1","type":"Deal_Won","customer":"C-1"}`, otklik.EINVALID, []string{"type"}},
		{"type too long", `{"id":"1","type":"a` + strings.Repeat("b", 64) + `","customer":"C-1"}`, otklik.EINVALID, []string{"type"}},
		{"customer that cannot exist", `{"id":"1","type":"delivered","customer":"Иван Петров"}`, otklik.EINVALID, []string{"customer"}},
		{"time without zone", `{"id":"1","type":"delivered","customer":"C-1","occurred_at":"2026-11-20T10:00:00"}`, otklik.EINVALID, []string{"occurred_at"}},
		{"a date only", `{"id":"1","type":"delivered","customer":"C-1","occurred_at":"2026-11-20"}`, otklik.EINVALID, []string{"occurred_at"}},
		{"future", `{"id":"1","type":"delivered","customer":"C-1","occurred_at":"2026-11-20T10:05:01Z"}`, otklik.EINVALID, []string{"occurred_at"}},
		{"year zero", `{"id":"1","type":"delivered","customer":"C-1","occurred_at":"0000-01-01T00:00:00Z"}`, otklik.EINVALID, []string{"occurred_at"}},
		{"attributes: bad values", `{"id":"1","type":"delivered","customer":"C-1","attributes":{"a":null,"b":[1],"c":{"d":1},"ok":"x"}}`,
			otklik.EINVALID, []string{"attributes.a", "attributes.b", "attributes.c"}},
		{"attributes: 51 names", `{"id":"1","type":"delivered","customer":"C-1","attributes":` + fifty(51) + `}`, otklik.EINVALID, []string{"attributes"}},
		{"attributes: long value and names", `{"id":"1","type":"delivered","customer":"C-1","attributes":{"":"x","` + strings.Repeat("k", 65) +
			`":"x","v":"` + strings.Repeat("ж", 1001) + `"}}`, otklik.EINVALID, []string{"attributes", "attributes", "attributes.v"}},
		{"over 1 MiB", `{"id":"1","type":"delivered","customer":"C-1","attributes":{"a":"` + strings.Repeat(" ", MaxBody) + `"}}`, otklik.ETOOLARGE, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := ParseEvent([]byte(tt.body), now)
			if ev.ID != "" || ev.Attributes != nil {
				t.Errorf("event %+v with an error", ev)
			}
			wantCode(t, err, tt.code, tt.fields...)
		})
	}
	if _, err := ParseEvent([]byte(`{"id":"1","type":"delivered","customer":"C-1","attributes":`+fifty(50)+`}`), now); err != nil {
		t.Fatalf("50 attributes: %v", err)
	}
}

func TestParseEvents(t *testing.T) {
	body := `[
		{"id":"a","type":"delivered","customer":"C-1","occurred_at":"2026-11-20T09:00:00Z"},
		{"id":"b","type":"Delivered","customer":"C-2"},
		"not an event",
		{"id":"d","type":"support_contact_closed","customer":"C-4","attributes":{"channel":"chat"}}
	]`
	got, err := ParseEvents([]byte(body), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("%d results, want 4", len(got))
	}
	want0 := Event{ID: "a", Type: TypeDelivered, Customer: "C-1", OccurredAt: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC), Attributes: map[string]string{}}
	want3 := Event{ID: "d", Type: TypeSupportContactClosed, Customer: "C-4", OccurredAt: nowUTC, Attributes: map[string]string{"channel": "chat"}}
	if diff := cmp.Diff(want0, got[0].Event); got[0].Err != nil || diff != "" {
		t.Errorf("item 0: %v %s", got[0].Err, diff)
	}
	wantCode(t, got[1].Err, otklik.EINVALID, "type")
	wantCode(t, got[2].Err, otklik.EINVALID, "body")
	if diff := cmp.Diff(want3, got[3].Event); got[3].Err != nil || diff != "" {
		t.Errorf("item 3: %v %s", got[3].Err, diff)
	}

	batch := func(n int) []byte {
		items := make([]string, n)
		for i := range items {
			items[i] = fmt.Sprintf(`{"id":"e%d","type":"delivered","customer":"C-%d"}`, i, i)
		}
		return []byte("[" + strings.Join(items, ",") + "]")
	}
	if res, err := ParseEvents(batch(MaxBatch), now); err != nil || len(res) != MaxBatch || res[499].Event.ID != "e499" {
		t.Fatalf("500 events: %v", err)
	}
	for _, tt := range []struct {
		name, body string
		code       string
	}{
		{"object", `{"id":"a"}`, otklik.EINVALID},
		{"empty array", `[]`, otklik.EINVALID},
		{"501 events", string(batch(MaxBatch + 1)), otklik.EINVALID},
		{"not JSON", `[{"id":"a"},`, otklik.EMALFORMED},
		{"over 16 MiB", "[" + strings.Repeat(" ", MaxBatchBody) + "]", otklik.ETOOLARGE},
	} {
		res, err := ParseEvents([]byte(tt.body), now)
		if res != nil {
			t.Errorf("%s: results with an error", tt.name)
		}
		if otklik.ErrorCode(err) != tt.code {
			t.Errorf("%s: error %v, want %s", tt.name, err, tt.code)
		}
	}
}

func TestValidType(t *testing.T) {
	for _, typ := range KnownTypes {
		if !ValidType(typ) {
			t.Errorf("known type %q is not valid", typ)
		}
	}
	for typ, want := range map[string]bool{
		"nps.quarterly": true, "a": true, "x-1_y.z": true, "a" + strings.Repeat("0", 63): true,
		"": false, "1st": false, "_x": false, "Deal_won": false, "deal won": false, "сделка": false,
		"a" + strings.Repeat("0", 64): false, "deal_won\n": false,
	} {
		if ValidType(typ) != want {
			t.Errorf("ValidType(%q) = %v, want %v", typ, !want, want)
		}
	}
}
