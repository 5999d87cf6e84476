package outreach

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"otklik/internal/calendar"
)

func TestDefaultPolicy(t *testing.T) {
	p := DefaultPolicy()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	want := `{"caps":[{"name":"new_customers","tenure_below_months":6,"segments":[],"max":1,"period_days":30},` +
		`{"name":"established_customers","tenure_below_months":0,"segments":[],"max":2,"period_days":365}],` +
		`"time_zone":"Europe/Moscow","quiet":{"from":"21:00","to":"09:00"},"business_days":[1,2,3,4,5],` +
		`"holidays":true,"priorities":["loop","event","lifetime","marketing"],"reminder_after":"P3D","reminders":1}`
	b, err := json.Marshal(p)
	if err != nil || string(b) != want {
		t.Errorf("JSON\n%s\nwant\n%s (%v)", b, want, err)
	}
	if p.Caps[0].Segments != nil {
		t.Error("MarshalJSON changed the policy's caps")
	}
	var back Policy
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestPolicyJSONKeepsWhatItDoesNotMention(t *testing.T) {
	p := DefaultPolicy()
	if err := json.Unmarshal([]byte(`{"time_zone": "Asia/Vladivostok", "quiet": {"from": "22:00", "to": "08:00"},
		"reminders": 0, "caps": [{"name": "vip", "segments": ["VIP"], "max": 1, "period_days": 90}]}`), &p); err != nil {
		t.Fatal(err)
	}
	want := DefaultPolicy()
	want.TimeZone, want.Quiet, want.Reminders = "Asia/Vladivostok", calendar.Quiet{From: "22:00", To: "08:00"}, 0
	want.Caps = []Cap{{Name: "vip", Segments: []string{"VIP"}, Max: 1, PeriodDays: 90}}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if err := p.Validate(); err != nil {
		t.Error(err)
	}
	wantFields(t, "bad reminder_after", json.Unmarshal([]byte(`{"reminder_after": "P1M"}`), &p), "reminder_after")
	if p.TimeZone != "Asia/Vladivostok" {
		t.Error("a failed decode changed the policy")
	}
}

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*Policy)
		fields []string
	}{
		{"no caps at all is allowed", func(p *Policy) { p.Caps = nil }, nil},
		{"every day", func(p *Policy) { p.BusinessDays = nil }, nil},
		{"bad caps", func(p *Policy) {
			p.Caps = []Cap{{Name: "", Max: 0, PeriodDays: 0, TenureBelowMonths: -1, Segments: []string{""}}}
		}, []string{"caps[0].name", "caps[0].max", "caps[0].period_days", "caps[0].tenure_below_months", "caps[0].segments[0]"}},
		{"zone", func(p *Policy) { p.TimeZone = "Europe/Mordor" }, []string{"time_zone"}},
		{"local zone", func(p *Policy) { p.TimeZone = "Local" }, []string{"time_zone"}},
		{"quiet", func(p *Policy) { p.Quiet.From = "25:00" }, []string{"quiet.from"}},
		{"half quiet", func(p *Policy) { p.Quiet.To = "" }, []string{"quiet.to"}},
		{"quiet all day", func(p *Policy) { p.Quiet = calendar.Quiet{From: "00:00", To: "24:00"} }, []string{"quiet"}},
		{"weekdays", func(p *Policy) { p.BusinessDays = []int{1, 0, 1} }, []string{"business_days[1]", "business_days[2]"}},
		{"priorities", func(p *Policy) { p.Priorities = []string{"loop", "spam", "loop"} }, []string{"priorities[1]", "priorities[2]"}},
		{"reminders", func(p *Policy) { p.Reminders = 2 }, []string{"reminders"}},
		{"reminder without delay", func(p *Policy) { p.ReminderAfter = 0 }, []string{"reminder_after"}},
		{"no reminder, no delay", func(p *Policy) { p.Reminders, p.ReminderAfter = 0, 0 }, nil},
	}
	for _, tt := range tests {
		p := DefaultPolicy()
		tt.edit(&p)
		err := p.Validate()
		if tt.fields == nil {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		wantFields(t, tt.name, err, tt.fields...)
	}
}
