package outreach

import (
	"errors"
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // the zones the tests use, whatever the machine has

	"otklik"
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

var (
	msk = mustZone("Europe/Moscow")    // UTC+3, no DST
	vvo = mustZone("Asia/Vladivostok") // UTC+10
	nyc = mustZone("America/New_York") // 2026: EDT from 8 March, EST from 1 November
)

// at is a wall-clock instant in Moscow.
func at(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, msk)
}

func date(y int, m time.Month, d int) *otklik.Date {
	return &otklik.Date{Time: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

func intp(v int) *int { return &v }

// reachable is a customer who started on started and may be e-mailed.
func reachable(started *otklik.Date) Person {
	return Person{
		ID:        1,
		StartedAt: started,
		Email:     "anna@example.ru",
		Consent:   map[otklik.Channel]otklik.Consent{otklik.ChannelEmail: {Granted: true}},
	}
}

// established started long before any test's now.
var established = date(2024, 1, 15)

// request is an event request due from earliest and valid until latest.
func request(ref, label string, earliest, latest time.Time) Request {
	return Request{Source: SourceEvent, Ref: ref, Survey: "nps", Label: label,
		Channels: []otklik.Channel{otklik.ChannelEmail, otklik.ChannelTelegram}, Earliest: earliest, Latest: latest}
}

func contact(when time.Time, label string) Contact {
	return Contact{At: when, Source: SourceEvent, Survey: "nps", Label: label, Ref: "event:old:" + label}
}

// utc writes an instant as Reason params hold it.
func utc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// fields lists the field names of an otklik validation error.
func fields(t *testing.T, err error) []string {
	t.Helper()
	var e *otklik.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *otklik.Error", err)
	}
	if e.Code != otklik.EINVALID {
		t.Errorf("code = %q, want %q", e.Code, otklik.EINVALID)
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func wantFields(t *testing.T, what string, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want problems with %v", what, want)
		return
	}
	got := fields(t, err)
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("%s: problems %v do not name %q (%v)", what, got, w, err)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%s: problems %v, want exactly %v", what, got, want)
	}
}
