package cube

import (
	"math"
	"time"

	"otklik"
	"otklik/internal/metric"
)

// Dim is a dimension to group or filter by. The values are the API's
// group_by names.
type Dim string

// Dimensions. Time keys: day "2026-03-01", ISO week "2026-W09", month
// "2026-03", quarter "2026-Q1", cohort (the month the customer started)
// "2025-11". Tenure keys are the bands of metric.TenureBands ("0-2" … "24+").
// An answer without a value — no manager, no services, an unknown start or
// tenure — is keyed "" in every dimension, and Filter{dim: ""} selects those.
const (
	DimNone    Dim = ""
	DimDay     Dim = "day"
	DimWeek    Dim = "week"
	DimMonth   Dim = "month"
	DimQuarter Dim = "quarter"
	DimSegment Dim = "segment"
	DimService Dim = "service" // an answer counts in the group of each of its services
	DimChannel Dim = "channel"
	DimManager Dim = "manager"
	DimTeam    Dim = "team"
	DimRegion  Dim = "region"
	DimTenure  Dim = "tenure"
	DimCohort  Dim = "cohort"
)

// Dims lists every dimension one can group or filter by.
var Dims = []Dim{DimDay, DimWeek, DimMonth, DimQuarter, DimSegment, DimService, DimChannel,
	DimManager, DimTeam, DimRegion, DimTenure, DimCohort}

// Valid reports whether d is DimNone or one of Dims.
func (d Dim) Valid() bool {
	if d == DimNone {
		return true
	}
	for _, k := range Dims {
		if d == k {
			return true
		}
	}
	return false
}

func (d Dim) isTime() bool {
	return d == DimDay || d == DimWeek || d == DimMonth || d == DimQuarter
}

// ordered reports whether groups of d have a natural order (time, bands)
// rather than being ranked by size.
func (d Dim) ordered() bool { return d.isTime() || d == DimTenure || d == DimCohort }

// Query selects answers and says how to cut them.
type Query struct {
	// Surveys are survey ids; empty means all.
	Surveys []int64
	// From and To bound answered_at to [From, To); a zero value leaves that
	// side open. The cube resolves time by calendar day in its zone: a bound
	// inside a day includes that whole day, so bounds at midnight (what a
	// YYYY-MM-DD period yields) are exact.
	From, To time.Time
	// Scope is the caller's reach: ReachOwn keeps answers whose snapshot
	// manager is Scope.Manager, ReachTeam those whose snapshot team is
	// Scope.Team, ReachAll everything; anything else selects nothing.
	Scope otklik.Scope
	// Filter keeps answers whose value in each dimension equals the given
	// key: for DimService, answers that have that service; for DimTenure,
	// answers in that band; for time dimensions, answers in that period.
	// A key that no answer has, or a dimension that is not Valid, selects
	// nothing (a mistyped filter must not widen the figures).
	Filter map[Dim]string
	// GroupBy cuts the answers into groups; DimNone gives the overall only.
	// A GroupBy that is not Valid gives the overall only too.
	GroupBy Dim
	// Weighted also sums revenue weights for the weighted NPS. It reads
	// another column and updates three more counters per row (about three
	// times the scan time), so it is asked for.
	Weighted bool
}

// Result is the outcome of a query. Groups are in chronological order for
// time dimensions and the cohort, in band order for tenure (the unknown ""
// last), and by n descending then key for the others. Only groups with
// answers are listed. With DimService an answer with several services is in
// several groups, but once in Overall.
type Result struct {
	Overall Cell
	Groups  []Group
}

// Group is one group of a result.
type Group struct {
	Key string
	Cell
}

// Cell holds the exact score histogram of a set of answers and the revenue
// weights of its NPS answers, from which every figure is derived.
type Cell struct {
	Hist [101]int32 // answers per score 0…100 (custom scales reach 100)
	// The weighted sums cover answers with a score 0–10 and a known revenue
	// above zero (the weight); other answers are left out of the weighted
	// figure, as metric.WeightedNPS does. Filled only for Query.Weighted.
	WeightedN        int
	WeightSum        float64
	WeightSq         float64 // Σw², for Kish's effective sample size
	WeightPromoters  float64
	WeightDetractors float64
}

// N returns the number of answers in the cell.
func (c Cell) N() int {
	n := 0
	for _, k := range c.Hist {
		n += int(k)
	}
	return n
}

// NPS returns the NPS over the answers scored 0–10.
func (c Cell) NPS() metric.NPSResult {
	var n metric.NPSCounts
	for s := 0; s <= 10; s++ {
		n.AddN(s, int(c.Hist[s]))
	}
	return n.Result()
}

// CSAT returns the CSAT summary over the answers scored 1–5.
func (c Cell) CSAT() metric.CSATResult { return c.CSATCounts().Result() }

// CSATCounts returns the 1–5 histogram, for summaries and tests on means.
func (c Cell) CSATCounts() metric.CSATCounts {
	var n metric.CSATCounts
	for s := 1; s <= 5; s++ {
		n.AddN(s, int(c.Hist[s]))
	}
	return n
}

// CES returns the CES summary over the answers scored 1–7.
func (c Cell) CES() metric.CESResult { return c.CESCounts().Result() }

// CESCounts returns the 1–7 histogram, for summaries and tests on means.
func (c Cell) CESCounts() metric.CESCounts {
	var n metric.CESCounts
	for s := 1; s <= 7; s++ {
		n.AddN(s, int(c.Hist[s]))
	}
	return n
}

// WeightedNPS returns the revenue-weighted NPS in points and how many
// answers carried a weight (the API's weighted_n; n − weighted_n answers had
// no revenue). With no weighted answer it is 0.
func (c Cell) WeightedNPS() (nps float64, n int) {
	r := c.Weighted()
	return r.NPS, r.N
}

// Weighted returns the weighted NPS with its effective sample size, computed
// by the same rules as metric.WeightedNPS.Result.
func (c Cell) Weighted() metric.WeightedNPSResult {
	r := metric.WeightedNPSResult{N: c.WeightedN, Weight: c.WeightSum, SmallSample: true}
	if c.WeightedN == 0 || !(c.WeightSum > 0) {
		return r
	}
	r.NPS = min(max(100*(c.WeightPromoters-c.WeightDetractors)/c.WeightSum, -100), 100)
	if c.WeightSq > 0 {
		k := c.WeightSum / math.Sqrt(c.WeightSq)
		r.EffectiveN = k * k
		r.SmallSample = r.EffectiveN < metric.SmallSampleN
	}
	return r
}

func (c *Cell) merge(o *Cell) {
	for i, k := range o.Hist {
		c.Hist[i] += k
	}
	c.WeightedN += o.WeightedN
	c.WeightSum += o.WeightSum
	c.WeightSq += o.WeightSq
	c.WeightPromoters += o.WeightPromoters
	c.WeightDetractors += o.WeightDetractors
}

// Query computes the figures of q. It holds the read lock for the scan only.
func (c *Cube) Query(q Query) Result {
	c.mu.RLock()
	p := c.plan(q, q.GroupBy, false)
	a := c.scan(p)
	c.mu.RUnlock()
	return p.result(a)
}

// Cohorts computes the acquisition-cohort table of q: cohort month ("2025-11",
// "" unknown) → tenure band ("0-2" … "24+", "" unknown) → cell. q.GroupBy is
// ignored. Empty cells are absent; sort the cohort keys as strings (they are
// chronological) and the bands by metric.TenureBands.
func (c *Cube) Cohorts(q Query) map[string]map[string]Cell {
	c.mu.RLock()
	p := c.plan(q, DimCohort, true)
	a := c.scan(p)
	c.mu.RUnlock()
	out := map[string]map[string]Cell{}
	if p.empty {
		return out
	}
	bands := len(p.tenureKeys)
	for g, key := range p.keys {
		cell := a.cell(g)
		if cell.N() == 0 {
			continue
		}
		cohort, band := key, p.tenureKeys[g%bands]
		if out[cohort] == nil {
			out[cohort] = map[string]Cell{}
		}
		out[cohort][band] = cell
	}
	return out
}
