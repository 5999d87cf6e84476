package crm

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"otklik"
)

func TestParseAmoCRM(t *testing.T) {
	// A won lead shaped like the 2016 capture: the customer's id in a
	// custom field, old_status_id after the custom fields.
	won := join(lead("status", "0", "31926521", "142",
		"[last_modified]", "1795166100", // 2026-11-20T09:15:00Z
		"[custom_fields][0][id]", "1119321",
		"[custom_fields][0][name]", "Номер клиента",
		"[custom_fields][0][values][0][value]", "C-1042",
		"[old_status_id]", "10216995"),
		[]string{"account[subdomain]", "remont"})
	wonEvent := Event{
		ID: "amocrm:remont:31926521:142", Type: TypeDealWon, Customer: "C-1042",
		OccurredAt: time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC),
		Attributes: map[string]string{"source": "amocrm", "account": "remont", "lead_id": "31926521",
			"status_id": "142", "old_status_id": "10216995", "pipeline_id": "53218",
			"responsible_user_id": "504141", "amount": "250000.00", "customer_from": "field"},
	}
	reversed := make([]string, 0, len(won))
	for i := len(won) - 2; i >= 0; i -= 2 {
		reversed = append(reversed, won[i], won[i+1])
	}
	lost := func(index, id string) []string {
		return lead("status", index, id, "143", "[updated_at]", "1795105800", // 2026-11-19T16:30:00Z
			"[custom_fields][0][id]", "77",
			"[custom_fields][0][name]", "Прочее",
			"[custom_fields][0][values][0][value]", "not this one",
			"[custom_fields][1][id]", "1119321",
			"[custom_fields][1][name]", "НОМЕР клиента",
			"[custom_fields][1][values][0][value]", "  ",
			"[custom_fields][1][values][1][value]", "C-7")
	}
	lostEvent := func(id string) Event {
		return Event{
			ID: "amocrm:remont:" + id + ":143", Type: TypeDealLost, Customer: "C-7",
			OccurredAt: time.Date(2026, 11, 19, 16, 30, 0, 0, time.UTC),
			Attributes: map[string]string{"source": "amocrm", "account": "remont", "lead_id": id,
				"status_id": "143", "pipeline_id": "53218", "responsible_user_id": "504141",
				"amount": "250000.00", "customer_from": "field"},
		}
	}
	// A lead without the mapped field and without any time: the customer
	// falls back to the lead, the time to now.
	bare := func(action, index, id string, extra ...string) []string {
		p := "leads[" + action + "][" + index + "]"
		kv := []string{p + "[id]", id, p + "[status_id]", "142"}
		for i := 0; i+1 < len(extra); i += 2 {
			kv = append(kv, p+extra[i], extra[i+1])
		}
		return kv
	}
	bareEvent := func(id string) Event {
		return Event{ID: "amocrm:remont:" + id + ":142", Type: TypeDealWon, Customer: "amo-lead-" + id, OccurredAt: nowUTC,
			Attributes: map[string]string{"source": "amocrm", "account": "remont", "lead_id": id, "status_id": "142", "customer_from": "lead"}}
	}
	account := []string{"account[subdomain]", "Remont", "account[id]", "29744371"}
	mapping := AmoMapping{CustomerField: "номер клиента"}

	tests := []struct {
		name    string
		body    []byte
		mapping AmoMapping
		want    []Event
	}{
		{"won, field by id", form(won...), AmoMapping{CustomerField: "1119321"}, []Event{wonEvent}},
		{"won, field by name in another case", form(won...), mapping, []Event{wonEvent}},
		{"keys in reverse order", form(reversed...), mapping, []Event{wonEvent}},
		{"lost: first non-empty value of the matching field", form(join(lost("0", "500"), account)...), mapping,
			[]Event{lostEvent("500")}},
		{"several leads, in index order, open ones skipped",
			form(join(account, lost("1", "502"), lead("status", "2", "503", "10216994"), lost("0", "501"))...), mapping,
			[]Event{lostEvent("501"), lostEvent("502")}},
		{"index 10 after index 2", form(join(account, lost("10", "510"), lost("2", "502"))...), mapping,
			[]Event{lostEvent("502"), lostEvent("510")}},
		{"status and update hooks of one lead are one event",
			form(join(account, bare("update", "0", "600", "[price]", "10"), bare("status", "0", "600"))...), AmoMapping{},
			[]Event{bareEvent("600")}},
		{"a lead added as won", form(join(account, bare("add", "0", "601"))...), AmoMapping{}, []Event{bareEvent("601")}},
		{"deleted and restored leads ask nobody",
			form(join(account, bare("delete", "0", "602"), bare("restore", "0", "603"))...), AmoMapping{}, nil},
		{"no mapping: the lead is the customer", form(join(account, bare("status", "0", "604"))...), AmoMapping{},
			[]Event{bareEvent("604")}},
		{"mapped field absent", form(join(account, bare("status", "0", "605"))...), mapping, []Event{bareEvent("605")}},
		{"mapped value that cannot be a customer id falls back to the lead",
			form(join(account, bare("status", "0", "606",
				"[custom_fields][0][name]", "Номер клиента",
				"[custom_fields][0][values][0][value]", "Иван Петров +7 999 123-45-67"))...), mapping,
			[]Event{bareEvent("606")}},
		{"truncated key is skipped (like the cut capture)",
			[]byte(string(form(join(bare("status", "0", "607"))...)) + "&leads%5Bstatus%5D%5B0%5D%5B&account%5Bsubdomain%5D=remont"),
			AmoMapping{}, []Event{bareEvent("607")}},
		{"other stray keys are skipped",
			[]byte("leads[status]=x&leads[status][x][id]=1&leads[status][0]=y&leads[status][0][id]][=2&" +
				string(form(join(bare("status", "0", "608"), account)...)) + "&&=&novalue"),
			AmoMapping{}, []Event{bareEvent("608")}},
		{"a zero or absurd time is now", form(join(account, bare("status", "0", "609", "[updated_at]", "0", "[last_modified]", "99999999999999"))...),
			AmoMapping{}, []Event{bareEvent("609")}},
		{"a time an hour ahead of now is now", form(join(account, bare("status", "0", "613", "[updated_at]", "1795172400"))...),
			AmoMapping{}, []Event{bareEvent("613")}},
		{"updated_at wins over last_modified",
			form(join(account, bare("status", "0", "610", "[last_modified]", "1", "[updated_at]", "1795166100"))...), AmoMapping{},
			[]Event{{ID: "amocrm:remont:610:142", Type: TypeDealWon, Customer: "amo-lead-610",
				OccurredAt: time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC), Attributes: bareEvent("610").Attributes}}},
		{"a price with kopecks", form(join(account, bare("status", "0", "611", "[price]", "1500,5"))...), AmoMapping{},
			[]Event{withAttr(bareEvent("611"), "amount", "1500.50")}},
		{"a price that is not a number is left out", form(join(account, bare("status", "0", "612", "[price]", "много"))...), AmoMapping{},
			[]Event{bareEvent("612")}},
		{"an open lead only", form(join(account, lead("status", "0", "40337679", "9931855", "[old_status_id]", "9931852"))...), mapping, nil},
		{"a contact hook: no leads, no events", form("contacts[add][0][id]", "4242", "contacts[add][0][name]", "Анна", "account[subdomain]", "remont"),
			mapping, nil},
		{"an open lead needs no subdomain", form(lead("status", "0", "40337679", "9931855")...), mapping, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAmoCRM(tt.body, tt.mapping, now)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("events (-want +got):\n%s", diff)
			}
			for _, ev := range got {
				checkEvent(t, ev)
			}
		})
	}
}

func withAttr(ev Event, k, v string) Event {
	attrs := map[string]string{k: v}
	for a, b := range ev.Attributes {
		if a != k {
			attrs[a] = b
		}
	}
	ev.Attributes = attrs
	return ev
}

func TestParseAmoCRMErrors(t *testing.T) {
	account := []string{"account[subdomain]", "remont"}
	many := func(n int) []byte {
		var kv []string
		for i := range n {
			kv = append(kv, "leads[update]["+strconv.Itoa(i)+"][id]", strconv.Itoa(1000+i))
		}
		return form(join(kv, account)...)
	}
	tests := []struct {
		name   string
		body   []byte
		code   string
		fields []string
		msg    string
	}{
		{"JSON", []byte(` {"leads":{"status":[{"id":1}]}}`), otklik.EMALFORMED, nil, "is JSON"},
		{"broken escape", []byte("leads%5Bstatus%5D%5B0%5D%5Bid%5D=1&account%ZZsubdomain=x"), otklik.EMALFORMED, nil, "escape"},
		{"not UTF-8", []byte("account%5Bsubdomain%5D=%FF%FE"), otklik.EMALFORMED, nil, "UTF-8"},
		{"empty", nil, otklik.EINVALID, nil, "neither account"},
		{"some other form", []byte("name=Anna&phone=%2B79991234567"), otklik.EINVALID, nil, "neither account"},
		{"lead id not a number", form(join(lead("status", "0", "31926520x", "142"), account)...), otklik.EINVALID,
			[]string{"leads[status][0][id]"}, "not valid"},
		{"lead id of 19 digits", form(join(lead("status", "0", "1234567890123456789", "142"), account)...), otklik.EINVALID,
			[]string{"leads[status][0][id]"}, ""},
		{"lead without id", form("leads[status][3][status_id]", "142", "account[subdomain]", "remont"), otklik.EINVALID,
			[]string{"leads[status][3][id]"}, ""},
		{"status id not a number", form(join(lead("update", "1", "7", "14 2"), account)...), otklik.EINVALID,
			[]string{"leads[update][1][status_id]"}, ""},
		{"pipeline id not a number, and the next lead's id", form(join(
			lead("status", "0", "7", "142", "[pipeline_id]", "main"), lead("status", "1", "-8", "143"), account)...),
			otklik.EINVALID, []string{"leads[status][0][pipeline_id]", "leads[status][1][id]"}, ""},
		{"closed lead without subdomain", form(lead("status", "0", "7", "142")...), otklik.EINVALID,
			[]string{"account[subdomain]"}, ""},
		{"subdomain that is not one", form(join(lead("status", "0", "7", "142"), []string{"account[subdomain]", "re mont"})...),
			otklik.EINVALID, []string{"account[subdomain]"}, ""},
		{"501 leads", many(MaxLeads + 1), otklik.EINVALID, nil, "more than 500 leads"},
		{"over 1 MiB", append(form(account...), strings.Repeat("&x=y", MaxBody/4)...), otklik.ETOOLARGE, nil, "at most 1048576"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			events, err := ParseAmoCRM(tt.body, AmoMapping{}, now)
			if events != nil {
				t.Errorf("events %v with an error", events)
			}
			wantCode(t, err, tt.code, tt.fields...)
			if !strings.Contains(otklik.ErrorMessage(err), tt.msg) || !strings.HasPrefix(otklik.ErrorMessage(err), "amocrm: ") {
				t.Fatalf("message %q does not say %q", otklik.ErrorMessage(err), tt.msg)
			}
		})
	}
	// 500 leads is the limit, not over it.
	if _, err := ParseAmoCRM(many(MaxLeads), AmoMapping{}, now); err != nil {
		t.Fatalf("500 leads: %v", err)
	}
}
