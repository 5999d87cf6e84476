package outreach

import (
	"testing"
	"time"
)

// BenchmarkDecide decides one request for an established customer with ten
// contacts in the history, two within the year: the cap defers it.
func BenchmarkDecide(b *testing.B) {
	p := DefaultPolicy()
	now := at(2026, 3, 10, 12, 0)
	var history []Contact
	for i := range 10 {
		history = append(history, contact(now.Add(-time.Duration(i*100+200)*day), "h"))
	}
	req := request("event:1:1", delivery, at(2026, 3, 10, 11, 0), at(2026, 9, 10, 11, 0))
	for _, bc := range []struct {
		name string
		loc  *time.Location
	}{{"zone_given", msk}, {"policy_zone", nil}} {
		who := reachable(established)
		who.Location = bc.loc
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var d Decision
			for b.Loop() {
				d = Decide(p, who, req, history, now)
			}
			if d.Action != Defer || d.Reason.Code != CodeDeferredCap {
				b.Fatalf("decision %+v", d)
			}
		})
	}
}
