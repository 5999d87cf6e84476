package cube

import (
	"fmt"
	"slices"
	"time"

	"otklik"
	"otklik/internal/metric"
)

// fail is added to an answer's group index when a lookup table rejects it.
// A row's group is the sum of up to four table entries (origin, day,
// profile, tenure), so rejecting needs no branch: any sum ≥ fail is clamped
// to the trash group. Four fails still fit in an int32, and real group
// indexes stay far below fail.
const (
	failBits = 26
	fail     = 1 << failBits
)

// plan is a query compiled into lookup tables, one entry per dictionary
// code, so the scan does no map lookup, string compare or allocation per
// row. Each table entry is the row's contribution to its group index, or
// fail.
type plan struct {
	oT []int32 // by origin code: survey and channel filters, channel groups
	dT []int32 // by day: the period, time filters, time groups
	pT []int32 // by profile: scope, dimension filters, their groups
	tT []int32 // by tenure+1: the tenure filter, tenure bands

	useP, useT bool // pT / tT are not all zero
	// With DimService the scan groups by set of services (Cube.sets) and
	// result spreads each set's counts over its services.
	svc  bool
	sets [][]uint32

	groups     int      // group indexes 0…groups-1; groups itself is the trash
	keys       []string // key of each group
	tenureKeys []string // Cohorts: the band of group g is g % len(tenureKeys)
	ordered    bool
	by         Dim
	weighted   bool
	empty      bool // nothing can match: skip the scan
	blocks     []*block
}

// plan compiles q grouped by `by`; with cohorts, groups are cohort × band.
// It runs under the read lock.
func (c *Cube) plan(q Query, by Dim, cohorts bool) *plan {
	if !by.Valid() {
		by = DimNone
	}
	p := &plan{by: by, weighted: q.Weighted, ordered: by.ordered(), groups: 1, keys: []string{""}}
	if c.rows == 0 {
		p.empty = true
		return p
	}
	lo, hi := c.minDay, c.maxDay+1
	if !q.From.IsZero() {
		y, m, d := q.From.In(c.loc).Date()
		lo = max(lo, civilDay(y, m, d))
	}
	if !q.To.IsZero() {
		t := q.To.In(c.loc)
		y, m, d := t.Date()
		end := civilDay(y, m, d)
		if t.After(time.Date(y, m, d, 0, 0, 0, 0, c.loc)) {
			end++ // a bound inside a day keeps that day
		}
		hi = min(hi, end)
	}
	f, ok := c.filters(q)
	if !ok || lo >= hi {
		p.empty = true
		return p
	}
	p.originTable(c, q, f)
	p.dayTable(c, lo, hi, f)
	p.tenureTable(c, f, cohorts)
	p.profileTable(c, f, cohorts)
	for _, b := range c.blocks {
		if b.n > 0 && int(b.maxDay) >= lo && int(b.minDay) < hi {
			p.blocks = append(p.blocks, b)
		}
	}
	return p
}

// filters is a query's scope and filters resolved to codes; -1 is "any".
type filters struct {
	manager, team, segment, region, service, channel int64
	cohort                                           int64 // months since 1970-01 or cohortUnknown
	tenure                                           int   // band index; len(bands) is unknown
	times                                            map[Dim]string
}

// filters resolves the scope and filters of q. It reports false when they
// can match nothing: an unknown value, an invalid dimension, no reach.
func (c *Cube) filters(q Query) (filters, bool) {
	f := filters{-1, -1, -1, -1, -1, -1, -1, -1, nil}
	code := func(d *dict, v string) (int64, bool) {
		k, ok := d.codes[v]
		return int64(k), ok
	}
	var ok bool
	switch q.Scope.Reach {
	case otklik.ReachAll:
	case otklik.ReachOwn:
		if f.manager, ok = code(&c.managers, q.Scope.Manager); !ok || q.Scope.Manager == "" {
			return f, false
		}
	case otklik.ReachTeam:
		if f.team, ok = code(&c.teams, q.Scope.Team); !ok || q.Scope.Team == "" {
			return f, false
		}
	default:
		return f, false
	}
	for d, v := range q.Filter {
		var k int64
		ok := true
		switch d {
		case DimManager:
			k, ok = code(&c.managers, v)
			if f.manager >= 0 && f.manager != k { // outside the caller's reach
				return f, false
			}
			f.manager = k
		case DimTeam:
			k, ok = code(&c.teams, v)
			if f.team >= 0 && f.team != k {
				return f, false
			}
			f.team = k
		case DimSegment:
			f.segment, ok = code(&c.segments, v)
		case DimRegion:
			f.region, ok = code(&c.regions, v)
		case DimService:
			f.service, ok = code(&c.services, v)
		case DimChannel:
			f.channel, ok = code(&c.channels, v)
		case DimCohort:
			f.cohort = cohortUnknown
			if v != "" {
				t, err := time.Parse("2006-01", v)
				ok = err == nil
				f.cohort = int64((t.Year()-1970)*12 + int(t.Month()) - 1)
			}
		case DimTenure:
			bands := metric.TenureBands()
			f.tenure = len(bands)
			if v != "" {
				f.tenure = slices.Index(bands, v)
				ok = f.tenure >= 0
			}
		case DimDay, DimWeek, DimMonth, DimQuarter:
			if f.times == nil {
				f.times = map[Dim]string{}
			}
			f.times[d] = v
		default:
			ok = false
		}
		if !ok {
			return f, false
		}
	}
	return f, true
}

func (p *plan) originTable(c *Cube, q Query, f filters) {
	var surveys map[int64]bool
	if len(q.Surveys) > 0 {
		surveys = make(map[int64]bool, len(q.Surveys))
		for _, id := range q.Surveys {
			surveys[id] = true
		}
	}
	if p.by == DimChannel {
		p.setKeys(c.channels.names)
	}
	p.oT = make([]int32, len(c.origins))
	p.oT[0] = fail // empty slots
	for o := 1; o < len(c.origins); o++ {
		k := c.origins[o]
		switch {
		case surveys != nil && !surveys[k.survey], f.channel >= 0 && int64(k.channel) != f.channel:
			p.oT[o] = fail
		case p.by == DimChannel:
			p.oT[o] = int32(k.channel)
		}
	}
}

// dayTable fills the day table: fail outside [lo, hi) and outside the time
// filters; for time groups, consecutive group indexes in calendar order.
func (p *plan) dayTable(c *Cube, lo, hi int, f filters) {
	p.dT = make([]int32, c.maxDay+1)
	for d := range p.dT {
		if d < lo || d >= hi {
			p.dT[d] = fail
		}
	}
	if !p.by.isTime() && len(f.times) == 0 {
		return
	}
	if p.by.isTime() {
		p.keys = nil
	}
	for d := lo; d < hi; d++ {
		t := dayDate(d)
		pass := true
		for dim, v := range f.times {
			pass = pass && timeKey(dim, t) == v
		}
		if !pass {
			p.dT[d] = fail
			continue
		}
		if p.by.isTime() {
			k := timeKey(p.by, t)
			if len(p.keys) == 0 || p.keys[len(p.keys)-1] != k {
				p.keys = append(p.keys, k)
			}
			p.dT[d] = int32(len(p.keys) - 1)
		}
	}
	if p.by.isTime() {
		p.groups = len(p.keys)
	}
}

// timeKey is the key of the period of dim holding date t.
func timeKey(dim Dim, t time.Time) string {
	switch dim {
	case DimDay:
		return t.Format(time.DateOnly)
	case DimWeek:
		y, w := t.ISOWeek()
		return fmt.Sprintf("%04d-W%02d", y, w)
	case DimMonth:
		return t.Format("2006-01")
	case DimQuarter:
		return fmt.Sprintf("%04d-Q%d", t.Year(), (int(t.Month())+2)/3)
	}
	return ""
}

// tenureTable maps tenure+1 (0 is unknown) to its band: the tenure filter,
// tenure groups, and the band part of cohort cells.
func (p *plan) tenureTable(c *Cube, f filters, cohorts bool) {
	bands := metric.TenureBands()
	group := cohorts || p.by == DimTenure
	p.useT = group || f.tenure >= 0
	p.tT = make([]int32, c.maxTenure+2)
	if !p.useT {
		return
	}
	for i := range p.tT {
		b := len(bands) // unknown
		if i > 0 {
			b = metric.TenureBandIndex(i - 1)
		}
		switch {
		case f.tenure >= 0 && b != f.tenure:
			p.tT[i] = fail
		case group:
			p.tT[i] = int32(b)
		}
	}
	keys := append(bands, "")
	if cohorts {
		p.tenureKeys = keys
	} else if group {
		p.setKeys(keys)
	}
}

// profileTable applies the scope and the dimension filters to each profile
// and gives it its group for profile dimensions.
func (p *plan) profileTable(c *Cube, f filters, cohorts bool) {
	pr := &c.prof
	n := len(pr.manager)
	p.pT = make([]int32, n)
	var dim []uint32 // the grouped dimension's code per profile
	switch p.by {
	case DimManager:
		dim = pr.manager
		p.setKeys(c.managers.names)
	case DimTeam:
		dim = pr.team
		p.setKeys(c.teams.names)
	case DimSegment:
		dim = pr.segment
		p.setKeys(c.segments.names)
	case DimRegion:
		dim = pr.region
		p.setKeys(c.regions.names)
	case DimService:
		p.svc, p.sets = true, c.sets
		p.keys, p.groups = c.services.names, len(c.sets)
	}
	var cohortIdx map[int32]int32
	if p.by == DimCohort || cohorts {
		cohortIdx = p.cohortGroups(pr.cohort, cohorts)
	}
	p.useP = f.manager >= 0 || f.team >= 0 || f.segment >= 0 || f.region >= 0 ||
		f.service >= 0 || f.cohort >= 0 || dim != nil || cohortIdx != nil || p.svc
	for i := 0; i < n; i++ {
		pass := i > 0 &&
			(f.manager < 0 || int64(pr.manager[i]) == f.manager) &&
			(f.team < 0 || int64(pr.team[i]) == f.team) &&
			(f.segment < 0 || int64(pr.segment[i]) == f.segment) &&
			(f.region < 0 || int64(pr.region[i]) == f.region) &&
			(f.cohort < 0 || int64(pr.cohort[i]) == f.cohort) &&
			(f.service < 0 || slices.Contains(c.sets[pr.services[i]], uint32(f.service)))
		switch {
		case !pass:
			p.pT[i] = fail
		case dim != nil:
			p.pT[i] = int32(dim[i])
		case cohortIdx != nil:
			p.pT[i] = cohortIdx[pr.cohort[i]]
		case p.svc:
			p.pT[i] = int32(pr.services[i])
		}
	}
}

// cohortGroups numbers the cohorts in calendar order, unknown last; with
// cells, each cohort spans one group per tenure band.
func (p *plan) cohortGroups(cohort []int32, cells bool) map[int32]int32 {
	months := slices.Clone(cohort[1:])
	slices.Sort(months)
	months = slices.Compact(months)
	if len(months) > 0 && months[0] == cohortUnknown {
		months = append(months[1:], cohortUnknown) // unknown sorts first: move it last
	}
	span := int32(1)
	if cells {
		span = int32(len(p.tenureKeys))
	}
	idx := make(map[int32]int32, len(months))
	p.keys = nil
	for i, m := range months {
		idx[m] = int32(i) * span
		key := ""
		if m != cohortUnknown {
			y, mo := int(m)/12, int(m)%12
			if mo < 0 { // a start before 1970: floor, not truncate
				y, mo = y-1, mo+12
			}
			key = fmt.Sprintf("%04d-%02d", 1970+y, mo+1)
		}
		for range span {
			p.keys = append(p.keys, key)
		}
	}
	p.groups = len(p.keys)
	return idx
}

func (p *plan) setKeys(keys []string) {
	p.keys = keys
	p.groups = len(keys)
}
