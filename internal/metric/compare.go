package metric

import "math"

// SignificanceLevel is the two-sided p-value below which a change is marked
// significant.
const SignificanceLevel = 0.05

// Comparison is a two-sample test of the difference between two NPS values.
type Comparison struct {
	// Delta is b.NPS − a.NPS in points: pass the earlier period as a and the
	// later one as b, and a positive Delta is an improvement.
	Delta float64 `json:"delta"`
	// StdErr is the standard error of Delta, in points.
	StdErr float64 `json:"std_err"`
	// Z is Delta/StdErr (0 when StdErr is 0, see CompareNPS).
	Z float64 `json:"z"`
	// PValue is the two-sided p-value under the normal approximation.
	PValue      float64 `json:"p_value"`
	Significant bool    `json:"significant"`
	// SmallSample is set when either side has n < SmallSampleN: the normal
	// approximation is then rough and the UI should say so next to the verdict.
	SmallSample bool `json:"small_sample"`
}

// CompareNPS tests whether the NPS of b differs from that of a. The two
// samples are independent, so Var(Δ) = var_a + var_b, each the trinomial
// variance (p + d − (p − d)²)/n in share units (see npsVariance); Z = Δ/SE
// and the two-sided p-value is P(|N(0,1)| ≥ |Z|) = erfc(|Z|/√2).
//
// Everything is recomputed from the counts (Promoters, Detractors, N), so a
// result whose NPS field was rounded by a caller still compares exactly.
//
// Edge cases, chosen so the output is always finite (JSON-encodable):
//   - n = 0 on either side: there is nothing to compare; everything is zero,
//     PValue is 1 and the change is not significant.
//   - Both variances zero (each side unanimous: all promoters, all
//     detractors or all passives): the estimates carry no sampling noise
//     under this model, so a nonzero Delta is certain (PValue 0, significant)
//     and a zero Delta is no change (PValue 1). StdErr and Z are reported as
//     0 because Δ/0 is undefined. With tiny samples (one answer each) this
//     verdict is formally right but practically weak, which is what
//     SmallSample is for.
func CompareNPS(a, b NPSResult) Comparison {
	c := Comparison{PValue: 1, SmallSample: a.N < SmallSampleN || b.N < SmallSampleN}
	if a.N <= 0 || b.N <= 0 {
		return c
	}
	shareA := float64(a.Promoters-a.Detractors) / float64(a.N)
	shareB := float64(b.Promoters-b.Detractors) / float64(b.N)
	delta := shareB - shareA
	c.Delta = 100 * delta

	se := math.Sqrt(npsVariance(a.Promoters, a.Detractors, a.N) +
		npsVariance(b.Promoters, b.Detractors, b.N))
	if se == 0 {
		if delta != 0 {
			c.PValue = 0
			c.Significant = true
		}
		return c
	}
	z := delta / se
	c.StdErr = 100 * se
	c.Z = z
	c.PValue = math.Erfc(math.Abs(z) / math.Sqrt2)
	c.Significant = c.PValue < SignificanceLevel
	return c
}
