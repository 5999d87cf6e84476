package outreach

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"otklik"
)

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"PT30M", "PT12H", "P3D", "P1DT12H", "P2W", "PT1.5S", "P1Y", "-P1D", "", "P", "PT",
		"P106751DT23H47M16.854775807S", "p1dt2h3m4,5s", "P1W2DT3H4M5S", "PT0.0000000001S", "P99999999999999999999D"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			return
		}
		if d < 0 {
			t.Fatalf("%q parsed to a negative %d", s, d)
		}
		back, err := ParseDuration(d.String())
		if err != nil || back != d {
			t.Fatalf("%q → %d → %q → %d, %v", s, d, d.String(), back, err)
		}
	})
}

// roundTrip checks that a decoded, valid value encodes and decodes to
// itself.
func roundTrip[T interface{ Validate() error }](t *testing.T, data []byte) {
	var v T
	if json.Unmarshal(data, &v) != nil || v.Validate() != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode %+v: %v", v, err)
	}
	var back T
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	if diff := cmp.Diff(v, back); diff != "" {
		t.Fatalf("round trip of %s (-first +second):\n%s", data, diff)
	}
}

func FuzzPolicyJSON(f *testing.F) {
	def, _ := json.Marshal(DefaultPolicy())
	f.Add(def)
	f.Add([]byte(`{"time_zone": "Asia/Vladivostok", "quiet": {"from": "22:00", "to": "08:00"}, "business_days": [],
		"caps": [{"name": "vip", "segments": ["VIP"], "max": 1, "period_days": 90}], "reminder_after": "PT12H"}`))
	f.Add([]byte(`{"quiet": {"from": "00:00", "to": "24:00"}, "holidays": false, "priorities": ["marketing"]}`))
	f.Add([]byte(`{"caps": null, "reminders": 1, "reminder_after": "P1M"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		roundTrip[Policy](t, data)
		// A valid policy never makes Decide panic, and a deferral it gives
		// is a moment the policy allows.
		var p Policy
		if json.Unmarshal(data, &p) != nil || p.Validate() != nil {
			return
		}
		who := reachable(date(2026, 1, 10))
		now := at(2026, 11, 20, 22, 0)
		d := Decide(p, who, request("r", "R", now, now.Add(40*24*time.Hour)), []Contact{contact(at(2026, 11, 1, 12, 0), "x")}, now)
		if d.Action == Defer {
			checkAllowed(t, p, who, d.At)
		}
	})
}

func FuzzTriggerJSON(f *testing.F) {
	for _, tr := range DefaultTriggers() {
		b, _ := json.Marshal(tr)
		f.Add(b)
	}
	f.Add([]byte(`{"name": "x", "event_type": "deal_won", "survey": "nps", "channels": ["email"], "delay_max": "PT1H"}`))
	f.Add([]byte(`{"segments": [], "services": null, "delay_min": "P1W", "validity": null, "enabled": false}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		roundTrip[Trigger](t, data)
	})
}

func FuzzScheduleJSON(f *testing.F) {
	b, _ := json.Marshal(DefaultSchedule())
	f.Add(b)
	f.Add([]byte(`{"name": "x", "survey": "nps", "channels": ["telegram"], "months": [1, 120], "send_hour": 23}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		roundTrip[Schedule](t, data)
	})
}

// checkAllowed fails unless at is outside quiet hours, on a business day
// and not a holiday, in the customer's zone.
func checkAllowed(t *testing.T, p Policy, who Person, at time.Time) {
	t.Helper()
	pl := newPlanner(p, who, at)
	if ok, why := pl.quiet.Allowed(at); !ok {
		t.Fatalf("deferred to %s, which is not allowed: %s", at.In(pl.loc), why)
	}
	if p.Holidays && pl.isHoliday(at) {
		t.Fatalf("deferred to %s, a holiday", at.In(pl.loc))
	}
}

// TestDecideProperties decides random requests against random histories
// and checks what must always hold: a send is now, a deferral lies after
// now and within the request's validity at a moment the policy allows, and
// deciding again at that moment, nothing else changed, sends.
func TestDecideProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	zones := []*time.Location{nil, msk, vvo, nyc}
	base := at(2025, 12, 1, 0, 0)
	counts := map[Action]int{}
	for i := range 3000 {
		p := DefaultPolicy()
		if rng.IntN(3) == 0 {
			p.Caps = []Cap{{Name: "tight", Max: 1 + rng.IntN(3), PeriodDays: 1 + rng.IntN(20)}}
		}
		who := reachable(date(2025, 1+time.Month(rng.IntN(12)), 1+rng.IntN(28)))
		who.Location = zones[rng.IntN(len(zones))]
		if rng.IntN(4) == 0 {
			who.ContactPeriodDays = intp(1 + rng.IntN(60))
		}
		now := base.Add(time.Duration(rng.Int64N(int64(400 * day))))
		var history []Contact
		for range rng.IntN(6) {
			history = append(history, contact(now.Add(-time.Duration(rng.Int64N(int64(200*day)))), "h"))
		}
		earliest := now.Add(time.Duration(rng.Int64N(int64(4*day))) - 2*day)
		req := request("r", "R", earliest, earliest.Add(time.Duration(1+rng.Int64N(int64(40*day)))))
		d := Decide(p, who, req, history, now)
		counts[d.Action]++
		switch d.Action {
		case Send:
			if !d.At.Equal(now) || d.Channel != otklik.ChannelEmail {
				t.Fatalf("case %d: send %+v", i, d)
			}
		case Defer:
			if !d.At.After(now) || d.At.After(req.Latest) || d.At.Before(req.Earliest) {
				t.Fatalf("case %d: deferred to %s, now %s, window %s … %s", i, d.At, now, req.Earliest, req.Latest)
			}
			checkAllowed(t, p, who, d.At)
			if again := Decide(p, who, req, history, d.At); again.Action != Send {
				t.Fatalf("case %d: deferred to %s (%s), but then: %+v", i, d.At, d.Reason.Code, again)
			}
		case Skip:
			if d.Reason.Code == CodeSkippedNoTime {
				t.Fatalf("case %d: a valid policy left no time: %+v", i, d)
			}
		}
	}
	if counts[Send] == 0 || counts[Defer] == 0 || counts[Skip] == 0 {
		t.Errorf("the cases do not cover every action: %v", counts)
	}
}
