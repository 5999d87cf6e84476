package metric

import "math"

// MeanStats is what a two-sample test of means needs from one sample: the
// answer count, the mean and the sample variance (denominator n − 1; 0 when
// N < 2, where it is undefined).
type MeanStats struct {
	N    int     `json:"n"`
	Mean float64 `json:"mean"`
	Var  float64 `json:"var"`
}

// Stats returns the count, mean and sample variance of the 1–5 answers.
func (c CSATCounts) Stats() MeanStats { return histStats(c.hist[:], csatMin) }

// Stats returns the count, mean and sample variance of the 1–7 answers.
func (c CESCounts) Stats() MeanStats { return histStats(c.hist[:], cesMin) }

// histStats computes MeanStats from a histogram whose index 0 holds score lo,
// with the same two-pass variance as summarize (so that
// MeanCI95 = 1.96·√(Var/N) holds exactly).
func histStats(hist []int, lo int) MeanStats {
	var s MeanStats
	sum := 0.0
	for i, c := range hist {
		s.N += c
		sum += float64(c) * float64(lo+i)
	}
	if s.N == 0 {
		return s
	}
	fn := float64(s.N)
	s.Mean = sum / fn
	if s.N < 2 {
		return s
	}
	ss := 0.0
	for i, c := range hist {
		d := float64(lo+i) - s.Mean
		ss += float64(c) * d * d
	}
	s.Var = ss / (fn - 1)
	return s
}

// MeanComparison is a two-sample test of the difference between two means
// (CSAT, CES). The embedded Comparison carries Delta = b.Mean − a.Mean and
// StdErr in the units of the scale (not points), Z (the Welch t statistic),
// PValue, Significant and SmallSample; its fields appear at the top level in
// JSON.
type MeanComparison struct {
	Comparison
	// DF is the Welch–Satterthwaite degrees of freedom when the p-value came
	// from Student's t distribution (either sample has n < SmallSampleN).
	// It is 0 when the normal approximation was used (both n ≥ SmallSampleN)
	// or when no test was possible.
	DF float64 `json:"df"`
}

// CompareMeans tests whether the mean of b differs from that of a with
// Welch's unequal-variances t test: pass the earlier period as a and the
// later one as b, so that a positive Delta is a rise.
//
//	SE² = Var_a/N_a + Var_b/N_b,   t = (Mean_b − Mean_a)/SE.
//
// When both samples have at least SmallSampleN answers the two-sided p-value
// is taken from the standard normal, P(|N(0,1)| ≥ |t|) = erfc(|t|/√2).
// Otherwise it is taken from Student's t with the Welch–Satterthwaite degrees
// of freedom
//
//	df = SE⁴ / ((Var_a/N_a)²/(N_a − 1) + (Var_b/N_b)²/(N_b − 1)),
//
// P(|T_df| ≥ |t|) = I_{df/(df+t²)}(df/2, 1/2), with I the regularized
// incomplete beta function.
//
// Edge cases, chosen so that the output is always finite:
//   - N < 2 on either side: a single answer has no variance estimate, so
//     there is no test. Delta is reported when both sides have an answer;
//     PValue is 1, not significant, SmallSample set.
//   - Both variances zero (every answer the same on each side): as in
//     CompareNPS, a nonzero Delta is certain (PValue 0) and a zero Delta is
//     no change (PValue 1); StdErr and Z are 0.
//   - A MeanStats with a non-finite Mean or a negative or non-finite Var
//     (only possible when built by hand) is treated as no data.
func CompareMeans(a, b MeanStats) MeanComparison {
	c := MeanComparison{Comparison: Comparison{
		PValue:      1,
		SmallSample: a.N < SmallSampleN || b.N < SmallSampleN,
	}}
	if !validMeanStats(a) || !validMeanStats(b) {
		return c
	}
	delta := b.Mean - a.Mean
	if math.IsInf(delta, 0) {
		return c
	}
	c.Delta = delta
	if a.N < 2 || b.N < 2 {
		return c
	}
	sa, sb := a.Var/float64(a.N), b.Var/float64(b.N)
	se := math.Sqrt(sa + sb)
	if se == 0 {
		if delta != 0 {
			c.PValue = 0
			c.Significant = true
		}
		return c
	}
	if math.IsInf(se, 0) {
		return c // variances beyond float64: nothing meaningful to test
	}
	t := delta / se
	c.StdErr = se
	c.Z = t
	if a.N >= SmallSampleN && b.N >= SmallSampleN {
		c.PValue = math.Erfc(math.Abs(t) / math.Sqrt2)
	} else {
		c.DF = welchDF(sa, sb, a.N, b.N)
		c.PValue = studentTTwoSided(t, c.DF)
	}
	c.Significant = c.PValue < SignificanceLevel
	return c
}

func validMeanStats(s MeanStats) bool {
	return s.N > 0 && !math.IsNaN(s.Mean) && !math.IsInf(s.Mean, 0) &&
		s.Var >= 0 && !math.IsInf(s.Var, 0)
}

// welchDF is the Welch–Satterthwaite degrees of freedom for the variance
// terms sa = Var_a/N_a and sb = Var_b/N_b (sa + sb > 0, both N ≥ 2). It is
// computed from the fractions fa = sa/(sa+sb), fb = sb/(sa+sb) as
// 1/(fa²/(N_a−1) + fb²/(N_b−1)), which equals (sa+sb)²/(sa²/(N_a−1) +
// sb²/(N_b−1)) but cannot overflow. It lies between min(N_a, N_b) − 1 and
// N_a + N_b − 2.
func welchDF(sa, sb float64, na, nb int) float64 {
	s := sa + sb
	fa, fb := sa/s, sb/s
	return 1 / (fa*fa/float64(na-1) + fb*fb/float64(nb-1))
}

// CompareShares tests whether the share p2 (of n2 answers) differs from the
// share p1 (of n1 answers) — e.g. CSAT share_top or CES share_easy in two
// periods — with the pooled two-proportion z-test:
//
//	p̂ = (p1·n1 + p2·n2)/(n1 + n2),  SE = √(p̂(1 − p̂)(1/n1 + 1/n2)),
//	Z = (p2 − p1)/SE,  p-value = erfc(|Z|/√2).
//
// Shares are fractions (0–1), and so are Delta = p2 − p1 and StdErr (the
// pooled standard error used for the test); multiply by 100 for percentage
// points.
//
// SmallSample is set when either n < SmallSampleN or any expected count
// nᵢ·p̂ or nᵢ·(1 − p̂) is below 5, the usual condition for the normal
// approximation to hold (a share of 99 % over 100 answers is such a case).
//
// Shares outside [0, 1] are clamped into it; a NaN share or n ≤ 0 on either
// side means no test (PValue 1). When p̂ is 0 or 1 both shares are equal
// (all 0 % or all 100 %) and the result is no change, PValue 1.
func CompareShares(p1 float64, n1 int, p2 float64, n2 int) Comparison {
	c := Comparison{PValue: 1, SmallSample: true}
	if n1 <= 0 || n2 <= 0 || math.IsNaN(p1) || math.IsNaN(p2) {
		return c
	}
	p1, p2 = min(max(p1, 0), 1), min(max(p2, 0), 1)
	f1, f2 := float64(n1), float64(n2)
	pooled := min(max((p1*f1+p2*f2)/(f1+f2), 0), 1)
	minExpected := min(f1, f2) * min(pooled, 1-pooled)
	c.SmallSample = n1 < SmallSampleN || n2 < SmallSampleN || minExpected < 5
	c.Delta = p2 - p1
	se := math.Sqrt(pooled * (1 - pooled) * (1/f1 + 1/f2))
	if se == 0 {
		// pooled is 0 or 1, so p1 = p2 up to rounding.
		c.Delta = 0
		return c
	}
	z := c.Delta / se
	c.StdErr = se
	c.Z = z
	c.PValue = math.Erfc(math.Abs(z) / math.Sqrt2)
	c.Significant = c.PValue < SignificanceLevel
	return c
}

// studentTTwoSided returns P(|T| ≥ |t|) for Student's t distribution with df
// degrees of freedom (df > 0, not necessarily an integer):
//
//	P = I_x(df/2, 1/2),  x = df/(df + t²),
//
// with 1 − x = t²/(df + t²) passed separately so that it keeps full
// precision when x is close to 1. Beyond df = 10⁷ the normal distribution is
// used instead: it differs from the t by less than 3·10⁻⁸ there, which is
// below the rounding error of the beta-function route at such df (the
// log-gamma terms are ~10⁸ and cancel).
func studentTTwoSided(t, df float64) float64 {
	switch {
	case math.IsNaN(t) || math.IsNaN(df) || !(df > 0):
		return 1
	case math.IsInf(t, 0):
		return 0
	case df > 1e7:
		return math.Erfc(math.Abs(t) / math.Sqrt2)
	}
	t2 := t * t
	if math.IsInf(t2, 0) {
		return 0
	}
	den := df + t2
	p := regIncBeta(df/2, 0.5, df/den, t2/den)
	return min(max(p, 0), 1)
}

// regIncBeta is the regularized incomplete beta function
//
//	I_x(a, b) = B(x; a, b)/B(a, b) = 1/B(a,b) ∫₀ˣ u^(a−1) (1−u)^(b−1) du
//
// for a, b > 0 and 0 ≤ x ≤ 1, where y = 1 − x is supplied by the caller
// (computed without cancellation). It uses the continued fraction of
// Numerical Recipes (Press et al., 3rd ed., §6.4), evaluated with the
// modified Lentz method, on x when x < (a+1)/(a+b+2), where it converges
// quickly, and otherwise on the symmetric form I_x(a,b) = 1 − I_y(b,a).
func regIncBeta(a, b, x, y float64) float64 {
	if x <= 0 {
		return 0
	}
	if y <= 0 {
		return 1
	}
	lga, _ := math.Lgamma(a)
	lgb, _ := math.Lgamma(b)
	lgab, _ := math.Lgamma(a + b)
	// front = x^a · y^b / B(a, b), in logs to avoid overflow and underflow.
	front := math.Exp(a*math.Log(x) + b*math.Log(y) + lgab - lga - lgb)
	if x < (a+1)/(a+b+2) {
		return front * betaCF(a, b, x) / a
	}
	return 1 - front*betaCF(b, a, y)/b
}

// betaCF evaluates the continued fraction for I_x(a, b):
//
//	1/(1+ d₁/(1+ d₂/(1+ …))),
//	d₂ₘ₊₁ = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1)),
//	d₂ₘ   = m(b−m)x / ((a+2m−1)(a+2m)),
//
// by the modified Lentz method. It needs O(√max(a, b)) iterations for
// x < (a+1)/(a+b+2); the cap leaves ample room for the df of any sample.
func betaCF(a, b, x float64) float64 {
	const (
		maxIter = 100000
		eps     = 1e-16
		tiny    = 1e-300
	)
	qab, qap, qam := a+b, a+1, a-1
	c := 1.0
	d := 1 - qab*x/qap
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	for m := 1; m <= maxIter; m++ {
		fm := float64(m)
		m2 := 2 * fm
		// Even step.
		aa := fm * (b - fm) * x / ((qam + m2) * (a + m2))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		h *= d * c
		// Odd step.
		aa = -(a + fm) * (qab + fm) * x / ((a + m2) * (qap + m2))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) <= eps {
			break
		}
	}
	return h
}
