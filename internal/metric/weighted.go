package metric

import "math"

// WeightedNPS accumulates an NPS in which every answer counts with a weight
// (typically the customer's budget or revenue), so that a loyal low-margin
// segment cannot hide unhappy large accounts. The zero value is ready to use.
type WeightedNPS struct {
	n          int
	sumW       float64
	sumW2      float64
	promotersW float64
	detractorW float64
}

// WeightedNPSResult is a weighted NPS, in points (−100…100), unrounded.
type WeightedNPSResult struct {
	// N counts the answers that carried weight (> 0).
	N int `json:"n"`
	// Weight is the total weight Σw.
	Weight float64 `json:"weight"`
	NPS    float64 `json:"nps"`
	// EffectiveN is Kish's effective sample size (Σw)²/Σw². A weighted NPS
	// over 1,000 answers where one account holds almost all the weight is
	// really a sample of about one, and N alone would hide that.
	EffectiveN float64 `json:"effective_n"`
	// SmallSample is EffectiveN < SmallSampleN, for the same reason.
	SmallSample bool `json:"small_sample"`
}

// Add counts one answer with the given weight. Answers are ignored (and not
// counted in N) when the score is outside 0–10 or the weight is negative, NaN
// or +Inf: none of those has a meaningful share of a total, and accepting
// them would make the result NaN or push it outside ±100. A zero weight is
// accepted but contributes nothing, so it is not counted in N either.
func (w *WeightedNPS) Add(score int, weight float64) {
	if !ValidNPSScore(score) || !(weight > 0) || math.IsInf(weight, 1) {
		return
	}
	w.n++
	w.sumW += weight
	w.sumW2 += weight * weight
	switch {
	case score >= npsPromoterFrom:
		w.promotersW += weight
	case score < npsPassiveFrom:
		w.detractorW += weight
	}
}

// Result computes the weighted NPS = 100·(Σw promoters − Σw detractors)/Σw.
// With no weighted answer it returns NPS 0 and SmallSample true, as NPS does
// for n = 0.
func (w WeightedNPS) Result() WeightedNPSResult {
	r := WeightedNPSResult{N: w.n, Weight: w.sumW, SmallSample: true}
	if w.n == 0 || !(w.sumW > 0) {
		return r
	}
	nps := 100 * (w.promotersW - w.detractorW) / w.sumW
	// Weights so large that the sums overflow float64 yield Inf/Inf = NaN;
	// report 0 rather than NaN, which JSON cannot carry. Real revenues are
	// many orders of magnitude below that.
	if math.IsNaN(nps) || math.IsInf(nps, 0) {
		return r
	}
	// Clamp the last-ulp excess that summing in different orders can produce.
	r.NPS = min(max(nps, -100), 100)
	// (Σw/√Σw²)² rather than (Σw)²/Σw²: the ratio is at most √n, so it
	// cannot overflow even when (Σw)² would. Weights so tiny that w² underflows
	// leave EffectiveN at 0, which errs on the side of the small-sample warning.
	if w.sumW2 > 0 && !math.IsInf(w.sumW2, 0) {
		k := w.sumW / math.Sqrt(w.sumW2)
		r.EffectiveN = k * k
		r.SmallSample = r.EffectiveN < SmallSampleN
	}
	return r
}
