package outreach

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"otklik"
)

func TestDefaultTriggers(t *testing.T) {
	want := map[string]struct {
		survey           string
		lo, hi, validity Duration
	}{
		// validity = delay_max + max(delay_max, 3 days)
		EventDelivered:            {"nps", Hours(12), Hours(72), Days(6)},
		EventWorkHandedOver:       {"nps", Days(3), Days(7), Days(14)},
		EventComplaintResolved:    {"csat", Days(1), Days(2), Days(5)},
		EventSupportContactClosed: {"csat", 0, Minutes(30), Days(3) + Minutes(30)},
		EventDealWon:              {"nps", 0, Hours(24), Days(4)},
		EventDealLost:             {"nps", 0, Hours(24), Days(4)},
	}
	got := DefaultTriggers()
	if len(got) != len(want) {
		t.Fatalf("%d default triggers, want %d", len(got), len(want))
	}
	for _, tr := range got {
		w, ok := want[tr.EventType]
		if !ok {
			t.Errorf("unexpected trigger for %q", tr.EventType)
			continue
		}
		if tr.Survey != w.survey || tr.DelayMin != w.lo || tr.DelayMax != w.hi || tr.Validity != w.validity || !tr.Enabled {
			t.Errorf("%s: survey %s, %s–%s, valid %s, enabled %v; want %s, %s–%s, valid %s",
				tr.EventType, tr.Survey, tr.DelayMin, tr.DelayMax, tr.Validity, tr.Enabled, w.survey, w.lo, w.hi, w.validity)
		}
		if err := tr.Validate(); err != nil {
			t.Errorf("%s: %v", tr.EventType, err)
		}
	}
}

func TestTriggerValidate(t *testing.T) {
	ok := DefaultTriggers()[0]
	tests := []struct {
		name   string
		edit   func(*Trigger)
		fields []string
	}{
		{"valid", func(*Trigger) {}, nil},
		{"no name", func(t *Trigger) { t.Name = "  " }, []string{"name"}},
		{"bad event type", func(t *Trigger) { t.EventType = "Deal Won" }, []string{"event_type"}},
		{"bad survey", func(t *Trigger) { t.Survey = "" }, []string{"survey"}},
		{"empty filters", func(t *Trigger) { t.Segments = []string{""}; t.Services = []string{"ok", " "} },
			[]string{"segments[0]", "services[1]"}},
		{"no channels", func(t *Trigger) { t.Channels = nil }, []string{"channels"}},
		{"bad channels", func(t *Trigger) {
			t.Channels = []otklik.Channel{otklik.ChannelEmail, otklik.ChannelPhone, otklik.ChannelEmail}
		}, []string{"channels[1]", "channels[2]"}},
		{"negative delay", func(t *Trigger) { t.DelayMin = -1 }, []string{"delay_min"}},
		{"window backwards", func(t *Trigger) { t.DelayMin, t.DelayMax = Days(3), Days(1) }, []string{"delay_max"}},
		{"validity before the window ends", func(t *Trigger) { t.Validity = Hours(48) }, []string{"validity"}},
		{"no validity", func(t *Trigger) { t.Validity = 0 }, []string{"validity"}},
		{"delay beyond a year", func(t *Trigger) { t.DelayMax, t.Validity = Days(400), Days(400) },
			[]string{"delay_max", "validity"}},
	}
	for _, tt := range tests {
		tr := ok
		tt.edit(&tr)
		err := tr.Validate()
		if tt.fields == nil {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		wantFields(t, tt.name, err, tt.fields...)
	}
}

func TestTriggerMatches(t *testing.T) {
	tr := Trigger{EventType: EventDealWon, Segments: []string{"VIP", "corporate"}, Services: []string{"Ипотека"}, Enabled: true}
	who := Person{Segment: "vip", Services: []string{"автокредит", "ипотека"}}
	tests := []struct {
		name  string
		event string
		edit  func(*Trigger, *Person)
		want  bool
	}{
		{"segment and service match, whatever the case", EventDealWon, nil, true},
		{"another event", EventDealLost, nil, false},
		{"disabled", EventDealWon, func(t *Trigger, _ *Person) { t.Enabled = false }, false},
		{"segment outside", EventDealWon, func(_ *Trigger, p *Person) { p.Segment = "retail" }, false},
		{"no such service", EventDealWon, func(_ *Trigger, p *Person) { p.Services = []string{"автокредит"} }, false},
		{"empty filters match anyone", EventDealWon, func(t *Trigger, p *Person) {
			t.Segments, t.Services, p.Segment, p.Services = nil, nil, "", nil
		}, true},
	}
	for _, tt := range tests {
		tr2, who2 := tr, who
		if tt.edit != nil {
			tt.edit(&tr2, &who2)
		}
		if got := tr2.Matches(tt.event, who2); got != tt.want {
			t.Errorf("%s: Matches = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestTriggerRequest(t *testing.T) {
	tr := DefaultTriggers()[0] // delivered: 12–72 h, valid 6 days
	tr.ID = 42
	occurred := at(2026, 11, 16, 15, 30)
	got := tr.Request("ev-981", occurred)
	want := Request{Source: SourceEvent, Ref: "event:ev-981:42", Survey: "nps", Label: "NPS после доставки",
		Channels: tr.Channels, Earliest: at(2026, 11, 17, 3, 30), Latest: at(2026, 11, 22, 15, 30)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Request (-want +got):\n%s", diff)
	}
	got.Channels[0] = otklik.ChannelSMS
	if tr.Channels[0] != otklik.ChannelEmail {
		t.Error("the request shares its channels with the trigger")
	}
}

func TestTriggerJSON(t *testing.T) {
	var tr Trigger
	err := json.Unmarshal([]byte(`{"id": 7, "name": "NPS после сделки", "event_type": "deal_won",
		"survey": "nps", "channels": ["telegram"], "delay_min": "PT1H", "delay_max": "P1D"}`), &tr)
	if err != nil {
		t.Fatal(err)
	}
	want := Trigger{ID: 7, Name: "NPS после сделки", EventType: "deal_won", Survey: "nps",
		Channels: []otklik.Channel{otklik.ChannelTelegram}, DelayMin: Hours(1), DelayMax: Days(1),
		Validity: Days(4), Enabled: true} // absent validity: the default grace; absent enabled: true
	if diff := cmp.Diff(want, tr); diff != "" {
		t.Errorf("decoded (-want +got):\n%s", diff)
	}
	b, err := json.Marshal(tr)
	if err != nil {
		t.Fatal(err)
	}
	const wire = `{"id":7,"name":"NPS после сделки","event_type":"deal_won","segments":[],"services":[],"survey":"nps",` +
		`"channels":["telegram"],"delay_min":"PT1H","delay_max":"P1D","validity":"P4D","enabled":true}`
	if string(b) != wire {
		t.Errorf("encoded\n%s\nwant\n%s", b, wire)
	}
	err = json.Unmarshal([]byte(`{"delay_min": "P1M", "delay_max": "soon", "validity": "-P1D"}`), &tr)
	wantFields(t, "bad delays", err, "delay_min", "delay_max", "validity")
	if tr.ID != 7 {
		t.Error("a failed decode changed the trigger")
	}
}

func TestDefaultValidityCoversAWeekend(t *testing.T) {
	// A CSAT request that became due on a Friday at 20:50 must still be valid
	// on Monday at 09:00, after the quiet night and the weekend.
	tr := DefaultTriggers()[3]
	r := tr.Request("chat-1", at(2026, 11, 20, 20, 20))
	if monday := at(2026, 11, 23, 9, 0); r.Latest.Before(monday) {
		t.Errorf("Latest %s is before Monday 09:00", r.Latest.In(msk))
	}
	if got := DefaultValidity(Days(10)); got != Days(20) {
		t.Errorf("DefaultValidity(10 days) = %s, want P20D", got)
	}
}
