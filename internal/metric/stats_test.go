package metric

import (
	"math"
	"testing"
)

// Split from metric_test.go to keep each file short: weighted NPS, the
// two-sample comparison, CSAT, CES and the happiness index.

func TestWeightedNPS(t *testing.T) {
	type answer struct {
		score  int
		weight float64
	}
	tests := []struct {
		name    string
		answers []answer
		n       int
		weight  float64
		nps     float64
		effN    float64
		small   bool
	}{
		// Nothing added: NPS 0, flagged small.
		{name: "empty", small: true},
		// Only ignored or zero-weight answers: still nothing counted.
		{name: "nothing usable", answers: []answer{{10, 0}, {9, -1}, {0, math.NaN()}, {12, 5}},
			small: true},
		// Valid weighted answers: (10,3) promoter, (9,1) promoter, (8,2) passive,
		// (5,6) detractor → N = 4, Σw = 3+1+2+6 = 12.
		// Ignored: (0,0) zero weight, (10,−1) negative, (3,NaN), (11,5) bad
		// score, (6,+Inf).
		// Weighted NPS = 100·((3+1) − 6)/12 = 100·(−2/12) = −16.6667, while the
		// plain NPS of [10,9,8,5] is (2−1)/4·100 = +25: the large unhappy
		// account shows.
		// Σw² = 9+1+4+36 = 50 → EffectiveN = 12²/50 = 144/50 = 2.88.
		{name: "hand figures", answers: []answer{{10, 3}, {9, 1}, {8, 2}, {5, 6},
			{0, 0}, {10, -1}, {3, math.NaN()}, {11, 5}, {6, math.Inf(1)}},
			n: 4, weight: 12, nps: -16.6667, effN: 2.88, small: true},
		// Equal weights 2.5 on the mixed ten [10,10,9,8,7,6,5,0,9,10]:
		// Σw = 25, promoters 5·2.5 = 12.5, detractors 3·2.5 = 7.5 →
		// NPS = 100·(12.5−7.5)/25 = 20, same as unweighted.
		// EffectiveN = 25²/(10·2.5²) = 625/62.5 = 10.
		{name: "equal weights", answers: []answer{{10, 2.5}, {10, 2.5}, {9, 2.5}, {8, 2.5},
			{7, 2.5}, {6, 2.5}, {5, 2.5}, {0, 2.5}, {9, 2.5}, {10, 2.5}},
			n: 10, weight: 25, nps: 20, effN: 10, small: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w WeightedNPS
			for _, a := range tt.answers {
				w.Add(a.score, a.weight)
			}
			r := w.Result()
			if r.N != tt.n || !approx(r.Weight, tt.weight, 1e-9) || !approx(r.NPS, tt.nps, 1e-4) ||
				!approx(r.EffectiveN, tt.effN, 1e-4) || r.SmallSample != tt.small {
				t.Errorf("got %+v, want n=%d weight=%v nps=%v effN=%v small=%v",
					r, tt.n, tt.weight, tt.nps, tt.effN, tt.small)
			}
		})
	}

	// One dominant account: 100 promoters of weight 1, one detractor of
	// weight 10⁶. N = 101 looks large, but Σw = 1,000,100,
	// NPS = 100·(100 − 10⁶)/1,000,100 = −99.9800, and
	// EffectiveN = 1,000,100² / (100 + 10¹²) ≈ 1.0002 → small sample.
	var w WeightedNPS
	for range 100 {
		w.Add(10, 1)
	}
	w.Add(0, 1e6)
	r := w.Result()
	if r.N != 101 || !approx(r.NPS, -99.9800, 1e-4) || !approx(r.EffectiveN, 1.0002, 1e-4) || !r.SmallSample {
		t.Errorf("dominant account: %+v", r)
	}
}

func TestCompareNPS(t *testing.T) {
	counts := func(p, pa, d int) NPSResult {
		return NPSCounts{Promoters: p, Passives: pa, Detractors: d}.Result()
	}
	tests := []struct {
		name          string
		a, b          NPSResult
		delta, se, z  float64
		p             float64
		sig, smallSmp bool
	}{
		// a: n=100, P=50, D=20 → NPS 30; var_a = (0.5+0.2 − 0.3²)/100 = 0.61/100 = 0.0061.
		// b: n=100, P=40, D=30 → NPS 10; var_b = (0.4+0.3 − 0.1²)/100 = 0.69/100 = 0.0069.
		// Δ = 10 − 30 = −20; SE = √(0.0061+0.0069)·100 = √0.013·100 = 11.40175.
		// Z = −20/11.40175 = −1.754116.
		// p = 2·(1 − Φ(1.754116)); Φ(1.75) = 0.959941, φ(1.75) = 0.086277,
		// so Φ(1.754116) ≈ 0.959941 + 0.004116·0.086277 = 0.960296;
		// p ≈ 2·0.039704 = 0.07941 → not significant at 0.05.
		{name: "n=100 not significant", a: counts(50, 30, 20), b: counts(40, 30, 30),
			delta: -20, se: 11.40175, z: -1.754116, p: 0.07941},
		// Same shares with n=200 each: var_a = 0.61/200 = 0.00305,
		// var_b = 0.69/200 = 0.00345; SE = √0.0065·100 = 8.062258;
		// Z = −20/8.062258 = −2.480695.
		// Φ(2.48) = 0.993431, φ(2.48) = 0.018396 →
		// Φ(2.480695) ≈ 0.993431 + 0.000695·0.018396 = 0.993444;
		// p ≈ 2·0.006556 = 0.01311 → significant.
		{name: "n=200 significant", a: counts(100, 60, 40), b: counts(80, 60, 60),
			delta: -20, se: 8.062258, z: -2.480695, p: 0.01311, sig: true},
		// Identical samples: Δ = 0, Z = 0, p = erfc(0) = 1.
		{name: "identical", a: counts(50, 30, 20), b: counts(50, 30, 20),
			se: 11.04536, p: 1}, // SE = √(2·0.0061)·100 = √0.0122·100 = 11.04536
		// n = 0 on one side: nothing to compare.
		{name: "a empty", a: counts(0, 0, 0), b: counts(40, 30, 30), p: 1, smallSmp: true},
		{name: "b empty", a: counts(40, 30, 30), b: NPSResult{}, p: 1, smallSmp: true},
		// Both unanimous (zero variance) and different: Δ = −100 − 100 = −200,
		// certain under the model → p 0, significant; SE and Z reported as 0.
		{name: "zero variance differ", a: counts(40, 0, 0), b: counts(0, 0, 40),
			delta: -200, p: 0, sig: true},
		// Both unanimous and equal: no change, p 1.
		{name: "zero variance same", a: counts(40, 0, 0), b: counts(35, 0, 0), p: 1},
		// One answer each: the same rule applies, but SmallSample warns.
		{name: "one each", a: counts(1, 0, 0), b: counts(0, 1, 0),
			delta: -100, p: 0, sig: true, smallSmp: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := CompareNPS(tt.a, tt.b)
			if !approx(c.Delta, tt.delta, 1e-6) || !approx(c.StdErr, tt.se, 1e-4) ||
				!approx(c.Z, tt.z, 1e-5) || !approx(c.PValue, tt.p, 5e-5) ||
				c.Significant != tt.sig || c.SmallSample != tt.smallSmp {
				t.Errorf("got %+v, want Δ=%v se=%v z=%v p=%v sig=%v small=%v",
					c, tt.delta, tt.se, tt.z, tt.p, tt.sig, tt.smallSmp)
			}
		})
	}

	// The comparison uses the counts, not the (possibly rounded) NPS field.
	a, b := counts(50, 30, 20), counts(40, 30, 30)
	want := CompareNPS(a, b)
	a.NPS, b.NPS = Round1(a.NPS)+0.04, Round1(b.NPS)-0.04
	if got := CompareNPS(a, b); got != want {
		t.Errorf("rounded NPS fields changed the comparison: %+v vs %+v", got, want)
	}
}

func TestCSAT(t *testing.T) {
	tests := []struct {
		name            string
		scores          []int
		n, low          int
		mean, top, ci95 float64
	}{
		{name: "empty"},
		// One answer: mean 2, share of 4–5 = 0, one low score, CI 0 (n < 2).
		{name: "one", scores: []int{2}, n: 1, low: 1, mean: 2},
		// All fives: s = 0 → CI 0.
		{name: "all fives", scores: []int{5, 5, 5}, n: 3, mean: 5, top: 1},
		// [5,4,4,3,1] (0 and 6 ignored): n=5, Σ = 17, mean = 3.4;
		// top = 3/5 = 0.6; low = 2 (3 and 1).
		// Deviations 1.6, 0.6, 0.6, −0.4, −2.4; squares 2.56+0.36+0.36+0.16+5.76 = 9.2;
		// s² = 9.2/4 = 2.3; CI = 1.96·√(2.3/5) = 1.96·√0.46 = 1.96·0.678233 = 1.329337.
		{name: "hand figures", scores: []int{5, 4, 0, 4, 3, 6, 1}, n: 5, low: 2,
			mean: 3.4, top: 0.6, ci95: 1.329337},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := CSAT(tt.scores)
			if r.N != tt.n || r.Low != tt.low || !approx(r.Mean, tt.mean, 1e-9) ||
				!approx(r.ShareTop, tt.top, 1e-9) || !approx(r.MeanCI95, tt.ci95, 1e-6) {
				t.Errorf("got %+v, want n=%d low=%d mean=%v top=%v ci=%v",
					r, tt.n, tt.low, tt.mean, tt.top, tt.ci95)
			}
		})
	}

	// Millions of rows through AddN: 10⁶ fives and 10⁶ fours.
	// n = 2·10⁶, mean = 4.5, top = 1, low = 0; every deviation is ±0.5, so
	// Σ(x−mean)² = 2·10⁶·0.25 = 5·10⁵; s² = 5·10⁵/(2·10⁶ − 1) ≈ 0.250000125;
	// CI = 1.96·0.500000125/√(2·10⁶) = 1.96·0.500000125/1414.2136 ≈ 0.00069296.
	var c CSATCounts
	c.AddN(5, 1_000_000)
	c.AddN(4, 1_000_000)
	c.AddN(9, 3)  // invalid score
	c.AddN(2, -1) // invalid count
	r := c.Result()
	if r.N != 2_000_000 || r.Low != 0 || r.Mean != 4.5 || r.ShareTop != 1 || !approx(r.MeanCI95, 0.00069296, 1e-8) {
		t.Errorf("AddN: %+v", r)
	}
	var d CSATCounts
	d.Merge(c)
	d.Merge(c)
	if r2 := d.Result(); r2.N != 4_000_000 || r2.Mean != 4.5 {
		t.Errorf("Merge: %+v", r2)
	}
}

func TestCES(t *testing.T) {
	tests := []struct {
		name             string
		scores           []int
		n                int
		mean, easy, ci95 float64
	}{
		{name: "empty"},
		// 4 is the neutral midpoint: not easy.
		{name: "neutral", scores: []int{4}, n: 1, mean: 4},
		// 5 (somewhat agree) is the first "easy" answer.
		{name: "somewhat agree", scores: []int{5}, n: 1, mean: 5, easy: 1},
		// [7,6,5,4,1,7] (0 and 8 ignored): n=6, Σ = 30, mean = 5;
		// easy = 7,6,5,7 → 4/6 = 0.666667.
		// Deviations 2,1,0,−1,−4,2; squares 4+1+0+1+16+4 = 26; s² = 26/5 = 5.2;
		// CI = 1.96·√(5.2/6) = 1.96·√0.866667 = 1.96·0.930949 = 1.824661.
		{name: "hand figures", scores: []int{7, 6, 0, 5, 4, 8, 1, 7}, n: 6,
			mean: 5, easy: 0.666667, ci95: 1.824661},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := CES(tt.scores)
			if r.N != tt.n || !approx(r.Mean, tt.mean, 1e-9) ||
				!approx(r.ShareEasy, tt.easy, 1e-6) || !approx(r.MeanCI95, tt.ci95, 1e-6) {
				t.Errorf("got %+v, want n=%d mean=%v easy=%v ci=%v", r, tt.n, tt.mean, tt.easy, tt.ci95)
			}
		})
	}

	// AddN and Merge agree with Add.
	var a, b CESCounts
	a.AddN(7, 2)
	a.AddN(6, 1)
	b.AddN(5, 1)
	b.AddN(4, 1)
	b.AddN(1, 1)
	a.Merge(b)
	if got, want := a.Result(), CES([]int{7, 6, 5, 4, 1, 7}); got != want {
		t.Errorf("AddN/Merge = %+v, want %+v", got, want)
	}
}

func TestHappiness(t *testing.T) {
	tests := []struct {
		pos, neu, neg int
		n             int
		index         float64
	}{
		{0, 0, 0, 0, 0},
		{6, 3, 1, 10, 0.6},         // 6/(6+3+1) = 0.6
		{5, 0, 0, 5, 1},            // all positive
		{1, 1, 1, 3, 1.0 / 3},      // neutrals stay in the denominator
		{-3, 2, 2, 4, 0},           // negative count treated as 0: 0/4
		{0, 0, 7, 7, 0},            // all negative
		{300, 600, 100, 1000, 0.3}, // 300/1000
	}
	for _, tt := range tests {
		r := Happiness(tt.pos, tt.neu, tt.neg)
		if r.N != tt.n || !approx(r.Index, tt.index, 1e-12) {
			t.Errorf("Happiness(%d,%d,%d) = %+v, want n=%d index=%v", tt.pos, tt.neu, tt.neg, r, tt.n, tt.index)
		}
	}
}
