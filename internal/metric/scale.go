package metric

import "math"

// Scale bounds and the "good" thresholds of the CSAT and CES questions.
const (
	csatMin, csatMax = 1, 5
	// csatTopFrom: 4 and 5 are the "satisfied" answers; anything below is a
	// low score that needs a call back.
	csatTopFrom = 4

	cesMin, cesMax = 1, 7
	// cesEasyFrom: CES 2.0 (Dixon, Toman & DeLisi, "The Effortless
	// Experience", CEB 2013) asks agreement with "The company made it easy
	// for me to handle my issue" on 1 = strongly disagree … 7 = strongly
	// agree. The common convention reports the share who agree, i.e. 5
	// (somewhat agree), 6 (agree) and 7 (strongly agree); 4 is the neutral
	// midpoint and is not counted as easy.
	cesEasyFrom = 5
)

// CSATResult summarises 1–5 satisfaction answers. ShareTop is a fraction
// (0–1); Mean and MeanCI95 are on the 1–5 scale; nothing is rounded.
type CSATResult struct {
	N        int     `json:"n"`
	Mean     float64 `json:"mean"`
	ShareTop float64 `json:"share_top"`
	// Low counts answers below 4: each one is a customer to call back.
	Low int `json:"low"`
	// MeanCI95 is the half-width of the 95 % interval of Mean,
	// 1.96·s/√n with the sample standard deviation s; 0 when n < 2.
	MeanCI95 float64 `json:"mean_ci95"`
}

// CSATCounts accumulates 1–5 answers as a histogram, so that mean and
// variance are computed exactly from integer counts however many rows are
// added. The zero value is ready to use.
type CSATCounts struct {
	hist [csatMax - csatMin + 1]int
}

// Add counts one answer; scores outside 1–5 are ignored.
func (c *CSATCounts) Add(score int) { c.AddN(score, 1) }

// AddN counts n answers with the same score (GROUP BY score input).
// Scores outside 1–5 and n ≤ 0 are ignored.
func (c *CSATCounts) AddN(score, n int) { addHist(c.hist[:], csatMin, score, n) }

// Merge adds the histogram of o.
func (c *CSATCounts) Merge(o CSATCounts) { mergeHist(c.hist[:], o.hist[:]) }

// Result computes the CSAT summary.
func (c CSATCounts) Result() CSATResult {
	s := summarize(c.hist[:], csatMin, csatTopFrom)
	return CSATResult{N: s.n, Mean: s.mean, ShareTop: s.shareTop, Low: s.n - s.top, MeanCI95: s.ci95}
}

// CSAT computes the CSAT summary of a slice of 1–5 scores.
func CSAT(scores []int) CSATResult {
	var c CSATCounts
	for _, s := range scores {
		c.Add(s)
	}
	return c.Result()
}

// CESResult summarises 1–7 customer-effort answers. ShareEasy is a fraction
// (0–1) of answers 5–7; Mean and MeanCI95 are on the 1–7 scale.
type CESResult struct {
	N         int     `json:"n"`
	Mean      float64 `json:"mean"`
	ShareEasy float64 `json:"share_easy"`
	// MeanCI95 is 1.96·s/√n with the sample standard deviation; 0 when n < 2.
	MeanCI95 float64 `json:"mean_ci95"`
}

// CESCounts accumulates 1–7 answers as a histogram. The zero value is ready
// to use.
type CESCounts struct {
	hist [cesMax - cesMin + 1]int
}

// Add counts one answer; scores outside 1–7 are ignored.
func (c *CESCounts) Add(score int) { c.AddN(score, 1) }

// AddN counts n answers with the same score. Scores outside 1–7 and n ≤ 0
// are ignored.
func (c *CESCounts) AddN(score, n int) { addHist(c.hist[:], cesMin, score, n) }

// Merge adds the histogram of o.
func (c *CESCounts) Merge(o CESCounts) { mergeHist(c.hist[:], o.hist[:]) }

// Result computes the CES summary.
func (c CESCounts) Result() CESResult {
	s := summarize(c.hist[:], cesMin, cesEasyFrom)
	return CESResult{N: s.n, Mean: s.mean, ShareEasy: s.shareTop, MeanCI95: s.ci95}
}

// CES computes the CES summary of a slice of 1–7 scores.
func CES(scores []int) CESResult {
	var c CESCounts
	for _, s := range scores {
		c.Add(s)
	}
	return c.Result()
}

// HappinessResult is the share of positive items among all feedback items.
type HappinessResult struct {
	N     int     `json:"n"`
	Index float64 `json:"index"`
}

// Happiness computes the happiness index: positive / (positive + neutral +
// negative), a fraction 0–1. Neutral items stay in the denominator on
// purpose: the index answers "how much of what customers say is positive",
// and dropping neutrals would inflate it. Negative counts are treated as 0;
// with no items the index is 0.
func Happiness(positive, neutral, negative int) HappinessResult {
	positive, neutral, negative = max(positive, 0), max(neutral, 0), max(negative, 0)
	n := positive + neutral + negative
	if n == 0 {
		return HappinessResult{}
	}
	return HappinessResult{N: n, Index: float64(positive) / float64(n)}
}

// addHist adds n answers of score to hist, whose index 0 holds score lo.
func addHist(hist []int, lo, score, n int) {
	i := score - lo
	if n <= 0 || i < 0 || i >= len(hist) {
		return
	}
	hist[i] += n
}

func mergeHist(dst, src []int) {
	for i, n := range src {
		dst[i] += n
	}
}

// histSummary holds the figures shared by CSAT and CES.
type histSummary struct {
	n, top               int
	mean, shareTop, ci95 float64
}

// summarize computes count, mean, the share of answers ≥ topFrom and the 95 %
// half-width of the mean from a histogram. The variance is taken as
// Σ cᵢ(xᵢ − mean)² over the bins (two passes) rather than
// (Σx² − (Σx)²/n): the latter cancels catastrophically for millions of
// near-identical answers and its integer form overflows int64 near 10⁹ rows.
func summarize(hist []int, lo, topFrom int) histSummary {
	var s histSummary
	sum := 0.0
	for i, c := range hist {
		s.n += c
		sum += float64(c) * float64(lo+i)
		if lo+i >= topFrom {
			s.top += c
		}
	}
	if s.n == 0 {
		return s
	}
	fn := float64(s.n)
	s.mean = sum / fn
	s.shareTop = float64(s.top) / fn
	if s.n < 2 {
		return s
	}
	ss := 0.0
	for i, c := range hist {
		d := float64(lo+i) - s.mean
		ss += float64(c) * d * d
	}
	sd := math.Sqrt(ss / (fn - 1))
	s.ci95 = z95 * sd / math.Sqrt(fn)
	return s
}
