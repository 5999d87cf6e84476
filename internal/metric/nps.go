package metric

import "math"

// SmallSampleN is the answer count below which an NPS is flagged as too small
// to mean much: with n < 30 the 95 % margin of error can exceed ±35 points and
// the normal approximation behind it is itself unreliable.
const SmallSampleN = 30

// z95 is the two-sided 95 % quantile of the standard normal distribution.
const z95 = 1.96

// NPS score bounds and category thresholds (0–10 scale).
const (
	npsMinScore     = 0
	npsMaxScore     = 10
	npsPromoterFrom = 9 // 9–10
	npsPassiveFrom  = 7 // 7–8; everything below is a detractor
)

// NPSResult is an NPS with its counts and 95 % margin of error. NPS and MOE95
// are in points (−100…100 and ≥ 0) and unrounded.
type NPSResult struct {
	N           int     `json:"n"`
	Promoters   int     `json:"promoters"`
	Passives    int     `json:"passives"`
	Detractors  int     `json:"detractors"`
	NPS         float64 `json:"nps"`
	MOE95       float64 `json:"moe95"`
	SmallSample bool    `json:"small_sample"`
}

// NPSCounts accumulates NPS answers. The zero value is ready to use. Fields are
// exported so that callers holding aggregated counts (e.g. from SQL) can fill
// them directly and call Result.
type NPSCounts struct {
	Promoters, Passives, Detractors int
}

// ValidNPSScore reports whether score is on the 0–10 NPS scale.
func ValidNPSScore(score int) bool {
	return score >= npsMinScore && score <= npsMaxScore
}

// Add counts one answer. Scores outside 0–10 are ignored rather than clamped:
// a 12 is a data error, and guessing its category would bias the result.
// Callers that must report bad rows should check ValidNPSScore first.
func (c *NPSCounts) Add(score int) {
	c.AddN(score, 1)
}

// AddN counts n answers with the same score, for callers that receive
// per-score counts (GROUP BY score). Invalid scores and n ≤ 0 are ignored.
func (c *NPSCounts) AddN(score, n int) {
	if n <= 0 || !ValidNPSScore(score) {
		return
	}
	switch {
	case score >= npsPromoterFrom:
		c.Promoters += n
	case score >= npsPassiveFrom:
		c.Passives += n
	default:
		c.Detractors += n
	}
}

// Merge adds the counts of o, so partial aggregates (per shard, per day) can
// be combined without revisiting rows.
func (c *NPSCounts) Merge(o NPSCounts) {
	c.Promoters += max(o.Promoters, 0)
	c.Passives += max(o.Passives, 0)
	c.Detractors += max(o.Detractors, 0)
}

// Result computes the NPS. Negative counts (only possible when the fields were
// set by hand) are treated as zero so that the result stays within its bounds.
func (c NPSCounts) Result() NPSResult {
	p, pa, d := max(c.Promoters, 0), max(c.Passives, 0), max(c.Detractors, 0)
	n := p + pa + d
	r := NPSResult{N: n, Promoters: p, Passives: pa, Detractors: d, SmallSample: n < SmallSampleN}
	if n == 0 {
		return r
	}
	r.NPS = 100 * float64(p-d) / float64(n)
	r.MOE95 = z95 * math.Sqrt(npsVariance(p, d, n)) * 100
	return r
}

// NPS computes the NPS of a slice of 0–10 scores; invalid scores are ignored
// (see NPSCounts.Add).
func NPS(scores []int) NPSResult {
	var c NPSCounts
	for _, s := range scores {
		c.Add(s)
	}
	return c.Result()
}

// npsVariance is the variance of the NPS estimator in share units (NPS/100).
// Each answer is a trinomial variable X ∈ {+1, 0, −1} with P(+1)=p and
// P(−1)=d, so Var(X) = E[X²] − E[X]² = (p + d) − (p − d)², and the mean of n
// answers has variance Var(X)/n. It is 0 for n ≤ 0 so callers never divide
// by zero.
func npsVariance(promoters, detractors, n int) float64 {
	if n <= 0 {
		return 0
	}
	fn := float64(n)
	p := float64(promoters) / fn
	d := float64(detractors) / fn
	v := (p + d - (p-d)*(p-d)) / fn
	// Mathematically v ≥ 0 (since (p−d)² ≤ (p+d)² ≤ p+d); the guard only
	// absorbs a possible −1e−17 from floating-point cancellation, which
	// would otherwise turn Sqrt into NaN.
	return max(v, 0)
}

// Round1 rounds x to one decimal, half away from zero (−35.85 → −35.9), the
// way figures are shown in the API and in spreadsheets. NaN and ±Inf are
// returned unchanged, and negative zero is normalised to 0 so that JSON never
// shows "-0".
func Round1(x float64) float64 {
	// Beyond 2^52 every float64 is an integer, and x*10 could overflow.
	if math.IsNaN(x) || math.Abs(x) >= 1<<52 {
		return x
	}
	r := math.Round(x*10) / 10
	if r == 0 {
		return 0
	}
	return r
}
