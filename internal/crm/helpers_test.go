package crm

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"otklik"
)

// form encodes key/value pairs in the order given, as a CRM would send
// them: keys percent-encoded ("leads%5Bstatus%5D…"), spaces as '+'.
func form(kv ...string) []byte {
	if len(kv)%2 != 0 {
		panic("form: odd number of arguments")
	}
	var b strings.Builder
	for i := 0; i < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(kv[i]))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(kv[i+1]))
	}
	return []byte(b.String())
}

// lead returns the pairs of one amoCRM lead under leads[action][index],
// shaped like the 2016 status-change capture: the lead's fields, then
// extra pairs (field, value) appended under the same prefix.
func lead(action, index, id, status string, extra ...string) []string {
	p := "leads[" + action + "][" + index + "]"
	kv := []string{
		p + "[id]", id,
		p + "[name]", "Ремонт офиса на Тверской",
		p + "[status_id]", status,
		p + "[price]", "250000",
		p + "[responsible_user_id]", "504141",
		p + "[pipeline_id]", "53218",
		p + "[account_id]", "9931843",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		kv = append(kv, p+extra[i], extra[i+1])
	}
	return kv
}

func join(parts ...[]string) []string { return slices.Concat(parts...) }

// wantCode fails unless err is an *otklik.Error with the code and, when
// fields are given, exactly those bad fields in that order.
func wantCode(t *testing.T, err error, code string, fields ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	if got := otklik.ErrorCode(err); got != code {
		t.Fatalf("error %v has code %s, want %s", err, got, code)
	}
	if fields == nil {
		return
	}
	var got []string
	for _, f := range otklik.ErrorFields(err) {
		got = append(got, f.Field)
	}
	if !slices.Equal(got, fields) {
		t.Fatalf("error %v names fields %q, want %q", err, got, fields)
	}
}

var (
	msk    = time.FixedZone("MSK", 3*3600)
	now    = time.Date(2026, 11, 20, 13, 0, 0, 0, msk) // 10:00 UTC
	nowUTC = now.UTC()
)

// checkEvent asserts the invariants every accepted event keeps.
func checkEvent(t testing.TB, ev Event) {
	t.Helper()
	if ev.ID == "" || !ValidType(ev.Type) || !validCustomer(ev.Customer) ||
		ev.OccurredAt.IsZero() || ev.OccurredAt.Location() != time.UTC || ev.Attributes == nil {
		t.Fatalf("event breaks an invariant: %+v", ev)
	}
}
