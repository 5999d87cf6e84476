package webhook

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"otklik"
)

func TestValidateURL(t *testing.T) {
	tests := []struct {
		url  string
		want string // "" = valid; else a fragment of the field message
	}{
		{"https://crm.example.ru/hooks/otklik", ""},
		{"http://10.0.0.5:8080/n8n/webhook/abc?token=x", ""},
		{"HTTPS://Example.COM", ""},
		{"http://[::1]:9000/hook", ""},
		{"https://пример.рф/hook", ""},
		{"https://example.com/" + strings.Repeat("a", MaxURLLength-len("https://example.com/")), ""},
		{"https://example.com/" + strings.Repeat("a", MaxURLLength-len("https://example.com/")+1), "longer than 2000"},
		{"", "is required"},
		{"example.com/hook", "absolute http or https"},
		{"/hook", "absolute http or https"},
		{"ftp://example.com/hook", "absolute http or https"},
		{"javascript:alert(1)", "absolute http or https"},
		{"http:example.com", "absolute http or https"},
		{"http://exa mple.com/", "absolute http or https"},
		{"https://user:secret@example.com/", "user name or password"},
		{"https://user@example.com/", "user name or password"},
		{"https:///hook", "has no host"},
		{"http://:8080/hook", "has no host"},
	}
	for _, tt := range tests {
		err := ValidateURL(tt.url)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%q refused: %v", tt.url, err)
			}
			continue
		}
		fields := otklik.ErrorFields(err)
		if otklik.ErrorCode(err) != otklik.EINVALID || len(fields) != 1 || fields[0].Field != "url" ||
			!strings.Contains(fields[0].Message, tt.want) {
			t.Errorf("%q: got %v (%+v), want url: …%s…", tt.url, err, fields, tt.want)
		}
	}
}

func FuzzValidateURL(f *testing.F) {
	for _, s := range []string{"https://example.com/hook", "http://[::1]:80/", "https://u@h/", "http:x", "%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if ValidateURL(raw) != nil {
			return
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil || len(raw) > MaxURLLength {
			t.Fatalf("accepted %q", raw)
		}
	})
}

func TestEnvelopeJSON(t *testing.T) {
	e := Envelope{ID: "evt_9", Type: EventCaseOpened, CreatedAt: time.Date(2026, 1, 5, 3, 4, 5, 600_000_000, time.FixedZone("", 3*3600))}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"id":"evt_9","type":"case.opened","created_at":"2026-01-05T00:04:05.6Z","data":null}`; string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
}
