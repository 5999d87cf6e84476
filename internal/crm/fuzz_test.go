package crm

import (
	"strings"
	"testing"
	"time"

	"otklik"
)

// checkCoded fails unless err is one the API can show: a coded error, not
// an internal one.
func checkCoded(t *testing.T, err error) {
	t.Helper()
	if code := otklik.ErrorCode(err); code == otklik.EINTERNAL {
		t.Fatalf("uncoded error: %v", err)
	}
}

func FuzzParseAmoCRM(f *testing.F) {
	f.Add(form(join(lead("status", "0", "31926521", "142", "[last_modified]", "1795166100",
		"[custom_fields][0][id]", "1119321", "[custom_fields][0][values][0][value]", "C-1042"),
		[]string{"account[subdomain]", "remont"})...), "1119321")
	f.Add(form(join(lead("update", "1", "7", "143"), lead("add", "0", "8", "142"), []string{"account[subdomain]", "x"})...), "")
	f.Add([]byte("leads%5Bstatus%5D%5B0%5D%5Bid%5D=40337679&leads%5Bstatus%5D%5B0%5D%5Bstatus_id%5D=142&leads%5Bstatus%5D%5B0%5D%5B&account%5Bsubdomain%5D=test"), "x")
	f.Add([]byte("leads[status][0][custom_fields][0][name]=N&leads[status][0][custom_fields][0][values][0][value]=%D0%AF&leads[status][0][id]=1&leads[status][0][status_id]=143&account[subdomain]=a"), "n")
	f.Add([]byte(`{"leads":1}`), "")
	f.Add([]byte("%"), "")
	f.Fuzz(func(t *testing.T, body []byte, field string) {
		events, err := ParseAmoCRM(body, AmoMapping{CustomerField: field}, now)
		if err != nil {
			checkCoded(t, err)
			if events != nil {
				t.Fatalf("events with an error")
			}
			return
		}
		seen := map[string]bool{}
		for _, ev := range events {
			checkEvent(t, ev)
			if ev.Type != TypeDealWon && ev.Type != TypeDealLost || !strings.HasPrefix(ev.ID, "amocrm:") || seen[ev.ID] {
				t.Fatalf("event %+v", ev)
			}
			seen[ev.ID] = true
		}
		if len(events) > MaxLeads {
			t.Fatalf("%d events", len(events))
		}
	})
}

func FuzzParseBitrixEvent(f *testing.F) {
	f.Add(appNotice)
	f.Add([]byte("event=ONCRMDEALUPDATE&data%5BFIELDS%5D%5BID%5D=662&ts=1724140800&auth%5Bdomain%5D=example.bitrix24.com&auth%5Bapplication_token%5D=t"))
	f.Add([]byte("event=x&data[FIELDS][ID]=&ts=0"))
	f.Add([]byte(`{"event":"ONCRMDEALUPDATE"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := ParseBitrixEvent(body)
		if err != nil {
			checkCoded(t, err)
			return
		}
		if !bitrixEventName.MatchString(n.Event) || !isDigits(n.ID) || !bitrixDomain.MatchString(n.Domain) ||
			n.At.IsZero() || n.At.Location() != time.UTC {
			t.Fatalf("notice %+v", n)
		}
		if n.Authentic("") || n.ApplicationToken != "" && !n.Authentic(n.ApplicationToken) {
			t.Fatalf("Authentic is wrong for %+v", n)
		}
		// A notice of a deal in a closed stage makes a valid event.
		d := BitrixDeal{ID: n.ID, StageID: "C1:WON", Modified: n.At}
		if ev, ok := BitrixDealEvent(d, BitrixMapping{}, n.Domain); !ok {
			t.Fatalf("no event for %+v", d)
		} else {
			checkEvent(t, ev)
		}
	})
}

func FuzzParseEvent(f *testing.F) {
	f.Add([]byte(`{"id":"order-5512","type":"delivered","customer":"C-1","occurred_at":"2026-11-20T10:00:00Z","attributes":{"k":"v","n":1.5,"b":true}}`), int64(0))
	f.Add([]byte(`{"id":"1","type":"deal_won","customer":"C","occurred_at":"2026-11-20T13:04:59+03:00"}`), int64(-1))
	f.Add([]byte(`{"id":"","type":"","customer":"","attributes":{"":null}}`), int64(3600))
	f.Add([]byte(`[{"id":"1"}]`), int64(0))
	f.Fuzz(func(t *testing.T, body []byte, shift int64) {
		at := now.Add(time.Duration(shift%(1<<40)) * time.Second)
		ev, err := ParseEvent(body, at)
		if err != nil {
			checkCoded(t, err)
		} else {
			checkEvent(t, ev)
			if ev.OccurredAt.After(at.Add(MaxFutureSkew)) || len(ev.Attributes) > MaxAttributes {
				t.Fatalf("event %+v accepted at %s", ev, at)
			}
		}
		// The same item in a batch gives the same answer.
		res, err := ParseEvents(append(append([]byte("["), body...), ']'), at)
		if err != nil {
			checkCoded(t, err)
			return
		}
		for _, r := range res {
			if r.Err != nil {
				checkCoded(t, r.Err)
			} else {
				checkEvent(t, r.Event)
			}
		}
	})
}
