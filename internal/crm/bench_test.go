package crm

import (
	"strconv"
	"testing"
)

// BenchmarkParseAmoCRM reads the largest hook accepted: 500 leads, each
// with the capture's fields and two custom fields.
func BenchmarkParseAmoCRM(b *testing.B) {
	var kv []string
	for i := range MaxLeads {
		status := "142"
		if i%2 == 1 {
			status = "10216994"
		}
		kv = append(kv, lead("status", strconv.Itoa(i), strconv.Itoa(31926520+i), status,
			"[last_modified]", "1795166100", "[created_user_id]", "102525", "[date_create]", "1795105800",
			"[custom_fields][0][id]", "1119321", "[custom_fields][0][name]", "Номер клиента",
			"[custom_fields][0][values][0][value]", "C-"+strconv.Itoa(i),
			"[custom_fields][1][id]", "1119322", "[custom_fields][1][name]", "Источник",
			"[custom_fields][1][values][0][value]", "Яндекс.Директ",
			"[old_status_id]", "10216995")...)
	}
	body := form(append(kv, "account[subdomain]", "remont")...)
	m := AmoMapping{CustomerField: "1119321"}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		events, err := ParseAmoCRM(body, m, now)
		if err != nil || len(events) != MaxLeads/2 {
			b.Fatalf("%d events, %v", len(events), err)
		}
	}
}

func BenchmarkParseEvent(b *testing.B) {
	body := []byte(`{"id":"order-5512-delivered","type":"delivered","customer":"C-1","occurred_at":"2026-11-20T10:00:00Z",
		"attributes":{"order":"5512","amount":1000.50,"express":true,"city":"Москва"}}`)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseEvent(body, now); err != nil {
			b.Fatal(err)
		}
	}
}
