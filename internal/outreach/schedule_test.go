package outreach

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"otklik"
)

func TestMilestone(t *testing.T) {
	s := DefaultSchedule() // due at 10:00
	tests := []struct {
		started *otklik.Date
		month   int
		want    time.Time
	}{
		{date(2026, 1, 15), 3, at(2026, 4, 15, 10, 0)},
		{date(2026, 1, 31), 1, at(2026, 2, 28, 10, 0)},  // February is short
		{date(2024, 1, 31), 1, at(2024, 2, 29, 10, 0)},  // leap year
		{date(2026, 8, 31), 6, at(2027, 2, 28, 10, 0)},  // not 3 March
		{date(2027, 8, 31), 6, at(2028, 2, 29, 10, 0)},  // leap year, across the new year
		{date(2024, 2, 29), 12, at(2025, 2, 28, 10, 0)}, // a leap day's anniversary
		{date(2024, 2, 29), 48, at(2028, 2, 29, 10, 0)},
		{date(2026, 3, 31), 3, at(2026, 6, 30, 10, 0)},
		{date(2026, 5, 31), 1, at(2026, 6, 30, 10, 0)},
		{date(2026, 11, 15), 3, at(2027, 2, 15, 10, 0)},
		{date(2026, 12, 31), 12, at(2027, 12, 31, 10, 0)},
		{date(2025, 10, 1), 120, at(2035, 10, 1, 10, 0)},
	}
	for _, tt := range tests {
		got := s.Milestone(*tt.started, tt.month, msk)
		if !got.Equal(tt.want) {
			t.Errorf("Milestone(%s, %d) = %s, want %s", tt.started, tt.month, got, tt.want)
		}
	}
	// The hour is local wall-clock time, on either side of a DST change.
	s.SendHour = 9
	if got := s.Milestone(*date(2026, 1, 8), 2, nyc); got.Format(time.RFC3339) != "2026-03-08T09:00:00-04:00" {
		t.Errorf("New York milestone on the day DST starts = %s", got.Format(time.RFC3339))
	}
}

func TestStartWindow(t *testing.T) {
	s := DefaultSchedule()
	tests := []struct {
		name     string
		month    int
		validity Duration
		now      time.Time
		from, to string
	}{
		// Milestones in [27 Feb 12:00, 28 Feb 12:00]: only 28 Feb at 10:00,
		// which every start from 28 to 31 January reaches.
		{"month end", 1, Days(1), at(2026, 2, 28, 12, 0), "2026-01-28", "2026-01-31"},
		// Before 10:00 the day's milestone has not come: 27 Feb 10:00 is in.
		{"before the hour", 1, Days(1), at(2026, 2, 28, 9, 0), "2026-01-27", "2026-01-27"},
		// Exactly at the hour both ends are in.
		{"at the hour", 1, Days(1), at(2026, 2, 28, 10, 0), "2026-01-27", "2026-01-31"},
		// 30 days back from 15 Apr 12:00 is 16 Mar 12:00: milestones from
		// 17 Mar to 15 Apr, of starts from 17 Dec to 15 Jan.
		{"default validity", 3, Days(30), at(2026, 4, 15, 12, 0), "2025-12-17", "2026-01-15"},
		// 1 Mar 10:00 in a leap year: 29 Jan → 29 Feb 10:00 < 1 Mar 09:00.
		{"leap March", 1, Hours(1), at(2024, 3, 1, 10, 0), "2024-02-01", "2024-02-01"},
		// A window where no milestone falls: 30 Mar 11:00–12:00.
		{"empty", 1, Hours(1), at(2026, 3, 30, 12, 0), "2026-03-01", "2026-02-28"},
	}
	for _, tt := range tests {
		s.Validity = tt.validity
		from, to := s.StartWindow(tt.month, tt.now, msk)
		if from.String() != tt.from || to.String() != tt.to {
			t.Errorf("%s: StartWindow = %s … %s, want %s … %s", tt.name, from, to, tt.from, tt.to)
		}
	}
}

// TestStartWindowAgreesWithMilestone checks on random moments, months,
// validities and zones that a start date is inside the window exactly when
// its milestone falls within [now − validity, now].
func TestStartWindowAgreesWithMilestone(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	zones := []*time.Location{msk, nyc, vvo, time.UTC}
	for i := range 2000 {
		s := DefaultSchedule()
		s.SendHour = rng.IntN(24)
		s.Validity = Duration(rng.Int64N(int64(Days(60)))) + 1
		loc := zones[rng.IntN(len(zones))]
		month := 1 + rng.IntN(24)
		now := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(int64(6 * 365 * day))))
		from, to := s.StartWindow(month, now, loc)
		oldest := now.Add(-s.Validity.Std())
		for d := from.AddDate(0, 0, -40); !d.After(to.AddDate(0, 0, 40)); d = d.AddDate(0, 0, 1) {
			m := s.Milestone(otklik.Date{Time: d}, month, loc)
			want := !m.Before(oldest) && !m.After(now)
			got := !d.Before(from.Time) && !d.After(to.Time)
			if got != want {
				t.Fatalf("case %d: month %d, hour %d, validity %s, now %s in %s: start %s (milestone %s) in window %s…%s = %v, want %v",
					i, month, s.SendHour, s.Validity, now, loc, d.Format(time.DateOnly), m, from, to, got, want)
			}
		}
	}
}

func TestScheduleValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*Schedule)
		fields []string
	}{
		{"default", func(*Schedule) {}, nil},
		{"no months", func(s *Schedule) { s.Months = nil }, []string{"months"}},
		{"months out of range and order", func(s *Schedule) { s.Months = []int{0, 6, 3, 3, 121} },
			[]string{"months[0]", "months[2]", "months[3]", "months[4]"}},
		{"no survey, no channel", func(s *Schedule) { s.Survey, s.Channels = "NPS!", nil }, []string{"survey", "channels"}},
		{"no validity", func(s *Schedule) { s.Validity = 0 }, []string{"validity"}},
		{"bad hour", func(s *Schedule) { s.SendHour = 24 }, []string{"send_hour"}},
		{"no name", func(s *Schedule) { s.Name = "" }, []string{"name"}},
	}
	for _, tt := range tests {
		s := DefaultSchedule()
		tt.edit(&s)
		err := s.Validate()
		if tt.fields == nil {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		wantFields(t, tt.name, err, tt.fields...)
	}
}

func TestScheduleMatchesAndRequest(t *testing.T) {
	s := DefaultSchedule()
	s.ID, s.Service = 3, "Ипотека"
	who := Person{StartedAt: date(2026, 1, 15), Services: []string{"ипотека"}}
	if !s.Matches(who) {
		t.Error("a mortgage customer does not match the mortgage schedule")
	}
	if s.Matches(Person{StartedAt: date(2026, 1, 15), Services: []string{"автокредит"}}) {
		t.Error("a car-loan customer matches the mortgage schedule")
	}
	if s.Matches(Person{Services: []string{"ипотека"}}) {
		t.Error("a customer without a start date matches")
	}
	m := s.Milestone(*who.StartedAt, 3, msk)
	got := s.Request(3, m)
	want := Request{Source: SourceLifetime, Ref: "lifetime:3:3", Survey: "nps", Label: s.Name, Channels: s.Channels,
		Earliest: at(2026, 4, 15, 10, 0), Latest: at(2026, 5, 15, 10, 0)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Request (-want +got):\n%s", diff)
	}
}

func TestScheduleJSON(t *testing.T) {
	var s Schedule
	if err := json.Unmarshal([]byte(`{"id": 2, "name": "Ипотека: полгода", "service": "Ипотека", "survey": "nps",
		"channels": ["email"], "months": [6]}`), &s); err != nil {
		t.Fatal(err)
	}
	want := Schedule{ID: 2, Name: "Ипотека: полгода", Service: "Ипотека", Months: []int{6}, Survey: "nps",
		Channels: []otklik.Channel{otklik.ChannelEmail}, Validity: Days(30), SendHour: 10, Enabled: true}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("decoded (-want +got):\n%s", diff)
	}
	b, _ := json.Marshal(s)
	const wire = `{"id":2,"name":"Ипотека: полгода","service":"Ипотека","months":[6],"survey":"nps","channels":["email"],` +
		`"validity":"P30D","send_hour":10,"enabled":true}`
	if string(b) != wire {
		t.Errorf("encoded\n%s\nwant\n%s", b, wire)
	}
	var d Schedule
	if err := json.Unmarshal([]byte(`{}`), &d); err != nil || !cmp.Equal(d.Months, []int{3, 6, 9, 12}) {
		t.Errorf("absent months = %v, %v", d.Months, err)
	}
	wantFields(t, "bad validity", json.Unmarshal([]byte(`{"validity": "P1Y"}`), &d), "validity")
}
