package casework

import (
	"slices"
	"time"

	"otklik"
)

// Figures are the closed loop's numbers over a set of detractor cases.
//
//   - Opened: cases opened.
//   - ContactedInSLA / ResolvedInSLA: reached (resolved) no later than the
//     due time; a case not yet contacted (resolved) is not in SLA.
//   - MedianFirstContactMinutes: the median of opened → first contact over
//     the cases contacted, in wall-clock minutes; nil when none was.
//   - AnsweredAgain: cases whose customer has answered NPS again;
//     WonBackPassive / WonBackPromoter: of those, a 7–8 / a 9–10.
//   - WonBackRate: (passive + promoter) / answered again — the share of
//     detractors who came round among those we heard from again; nil when
//     nobody answered again.
type Figures struct {
	Key                       string   `json:"key,omitempty"`
	Opened                    int      `json:"opened"`
	ContactedInSLA            int      `json:"contacted_in_sla"`
	ResolvedInSLA             int      `json:"resolved_in_sla"`
	MedianFirstContactMinutes *float64 `json:"median_first_contact_minutes"`
	AnsweredAgain             int      `json:"answered_again"`
	WonBackPassive            int      `json:"won_back_passive"`
	WonBackPromoter           int      `json:"won_back_promoter"`
	WonBackRate               *float64 `json:"won_back_rate"`
}

// GroupBys are the cuts the loop's figures come in.
var GroupBys = []string{"day", "week", "month", "owner", "team", "root_cause"}

// Summarize computes the figures of the detractor cases among cs, overall
// when groupBy is empty, else per group (in key order); periods are
// calendar days, ISO weeks (their Monday) and months in loc.
func Summarize(cs []*otklik.Case, groupBy string, loc *time.Location) []Figures {
	groups := map[string][]*otklik.Case{}
	for _, c := range cs {
		if c.Kind != otklik.CaseDetractor {
			continue
		}
		k := groupKey(c, groupBy, loc)
		groups[k] = append(groups[k], c)
	}
	if groupBy == "" {
		f := figures(groups[""])
		return []Figures{f}
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]Figures, 0, len(keys))
	for _, k := range keys {
		f := figures(groups[k])
		f.Key = k
		out = append(out, f)
	}
	return out
}

func groupKey(c *otklik.Case, groupBy string, loc *time.Location) string {
	t := c.OpenedAt.In(loc)
	switch groupBy {
	case "day":
		return t.Format(time.DateOnly)
	case "week":
		wd := (int(t.Weekday()) + 6) % 7 // Monday = 0
		return t.AddDate(0, 0, -wd).Format(time.DateOnly)
	case "month":
		return t.Format("2006-01")
	case "owner":
		return c.Owner
	case "team":
		return c.Team
	case "root_cause":
		return c.RootCause
	}
	return ""
}

func figures(cs []*otklik.Case) Figures {
	var f Figures
	var minutes []float64
	for _, c := range cs {
		f.Opened++
		if c.ContactedAt != nil {
			minutes = append(minutes, c.ContactedAt.Sub(c.OpenedAt).Minutes())
			if c.FirstContactDue == nil || !c.ContactedAt.After(*c.FirstContactDue) {
				f.ContactedInSLA++
			}
		}
		if c.ResolvedAt != nil && (c.ResolutionDue == nil || !c.ResolvedAt.After(*c.ResolutionDue)) {
			f.ResolvedInSLA++
		}
		switch c.WonBack {
		case "":
			continue
		case "passive":
			f.WonBackPassive++
		case "promoter":
			f.WonBackPromoter++
		}
		f.AnsweredAgain++
	}
	if len(minutes) > 0 {
		m := median(minutes)
		f.MedianFirstContactMinutes = &m
	}
	if f.AnsweredAgain > 0 {
		r := float64(f.WonBackPassive+f.WonBackPromoter) / float64(f.AnsweredAgain)
		f.WonBackRate = &r
	}
	return f
}

func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
