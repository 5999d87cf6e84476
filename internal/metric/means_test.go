package metric

import (
	"encoding/json"
	"math"
	"testing"
)

// Reference p-values below were computed independently of the code under
// test: by Simpson integration of the Student-t density (200,000 panels,
// checked against the closed forms for df = 1 and 2 to 1e−12), and they
// agree with published t tables (e.g. t = 2.228 is the two-sided 5 % point
// for df = 10, so t = 2.0 must give p a little above 0.05).

func TestRegIncBeta(t *testing.T) {
	tests := []struct {
		name       string
		a, b, x    float64
		want       float64
		derivation string
	}{
		{"I_x(1,1) = x", 1, 1, 0.3, 0.3, "uniform CDF"},
		// I_x(a,1) = x^a: 0.4³ = 0.064.
		{"I_x(3,1)", 3, 1, 0.4, 0.064, "x^a"},
		// I_x(1,b) = 1 − (1−x)^b: 1 − 0.8⁴ = 1 − 0.4096 = 0.5904.
		{"I_x(1,4)", 1, 4, 0.2, 0.5904, "1 − (1−x)^b"},
		// I_x(2,2) = 3x² − 2x³: x = 0.25 → 0.1875 − 0.03125 = 0.15625.
		{"I_x(2,2)", 2, 2, 0.25, 0.15625, "3x² − 2x³"},
		// Symmetric parameters at x = ½ give ½ (both branches meet there).
		{"I_0.5(0.5,0.5)", 0.5, 0.5, 0.5, 0.5, "symmetry"},
		{"I_0.5(3,3)", 3, 3, 0.5, 0.5, "symmetry"},
		{"I_0.5(50.5,50.5)", 50.5, 50.5, 0.5, 0.5, "symmetry"},
		// I_x(½,½) = (2/π)·asin(√x): x = 0.25 → (2/π)·(π/6) = 1/3.
		{"I_0.25(0.5,0.5)", 0.5, 0.5, 0.25, 1.0 / 3, "arcsine law"},
		// Upper branch: I_0.9(2,2) = 3·0.81 − 2·0.729 = 2.43 − 1.458 = 0.972.
		{"I_0.9(2,2)", 2, 2, 0.9, 0.972, "3x² − 2x³"},
		{"x = 0", 2, 3, 0, 0, "bound"},
		{"x = 1", 2, 3, 1, 1, "bound"},
	}
	for _, tt := range tests {
		got := regIncBeta(tt.a, tt.b, tt.x, 1-tt.x)
		if !approx(got, tt.want, 1e-13) {
			t.Errorf("%s (%s): got %.15g, want %.15g", tt.name, tt.derivation, got, tt.want)
		}
	}
}

func TestStudentTTwoSided(t *testing.T) {
	tests := []struct {
		t, df, want float64
	}{
		{2.0, 10, 0.0733880348},  // brief's reference value
		{-2.0, 10, 0.0733880348}, // two-sided: sign does not matter
		{1.0, 5, 0.3632174676},   // brief's reference value
		{2.5, 3.7, 0.0718220229}, // non-integer df (Welch)
		{0.3, 40, 0.7657307168},
		// df = 1 is the Cauchy distribution: p = 1 − (2/π)·atan|t|;
		// t = 4: 1 − 0.636620·1.325818 = 0.1559583.
		{4, 1, 1 - 2/math.Pi*math.Atan(4)},
		// df = 2: p = 1 − |t|/√(t² + 2); t = 1.5: 1 − 1.5/2.061553 = 0.2723931.
		{1.5, 2, 0.2723931249},
		{0, 7, 1},
		// Large df tends to the normal: P(|Z| ≥ 1.96) = 0.0499958; with
		// df = 10⁶ the t tail is larger by O(1/df).
		{1.96, 1e6, 0.0499958},
		{1.96, 1e12, 0.0499957903},
	}
	for _, tt := range tests {
		got := studentTTwoSided(tt.t, tt.df)
		if !approx(got, tt.want, 1e-9) && !(tt.df == 1e6 && approx(got, tt.want, 1e-6)) {
			t.Errorf("p(t=%v, df=%v) = %.10f, want %.10f", tt.t, tt.df, got, tt.want)
		}
	}
	for _, c := range []struct{ t, df, want float64 }{
		{math.Inf(1), 3, 0}, {math.NaN(), 3, 1}, {2, 0, 1}, {2, -1, 1}, {2, math.NaN(), 1},
		{1e200, 3, 0}, {1e-200, 3, 1},
	} {
		if got := studentTTwoSided(c.t, c.df); !approx(got, c.want, 1e-12) {
			t.Errorf("p(t=%v, df=%v) = %v, want %v", c.t, c.df, got, c.want)
		}
	}
	// Monotone in |t| and in df (heavier tails for fewer df).
	prev := 1.0
	for x := 0.0; x <= 10; x += 0.25 {
		p := studentTTwoSided(x, 4)
		if p > prev+1e-15 || p < 0 {
			t.Fatalf("not decreasing in t at %v: %v after %v", x, p, prev)
		}
		prev = p
	}
	if !(studentTTwoSided(2, 3) > studentTTwoSided(2, 30)) {
		t.Error("p should fall as df grows")
	}
}

func TestMeanStats(t *testing.T) {
	// CSAT [5,4,4,3,1]: n = 5, mean 17/5 = 3.4, squared deviations
	// 2.56 + 0.36 + 0.36 + 0.16 + 5.76 = 9.2, variance 9.2/4 = 2.3.
	c := CSATCounts{}
	for _, s := range []int{5, 4, 4, 3, 1, 0, 6} { // 0 and 6 ignored
		c.Add(s)
	}
	if got := c.Stats(); got.N != 5 || !approx(got.Mean, 3.4, 1e-12) || !approx(got.Var, 2.3, 1e-12) {
		t.Errorf("CSAT stats = %+v", got)
	}
	// MeanCI95 is 1.96·√(Var/N).
	r, s := c.Result(), c.Stats()
	if !approx(r.MeanCI95, 1.96*math.Sqrt(s.Var/float64(s.N)), 1e-12) || r.Mean != s.Mean {
		t.Errorf("Stats %+v disagrees with Result %+v", s, r)
	}

	// CES [7,6,5,4,1,7]: n = 6, mean 30/6 = 5, squares 4+1+0+1+16+4 = 26,
	// variance 26/5 = 5.2.
	e := CESCounts{}
	for _, s := range []int{7, 6, 5, 4, 1, 7, 8} {
		e.Add(s)
	}
	if got := e.Stats(); got.N != 6 || got.Mean != 5 || !approx(got.Var, 5.2, 1e-12) {
		t.Errorf("CES stats = %+v", got)
	}

	// Empty and single answers: variance undefined, reported as 0.
	if got := (CSATCounts{}).Stats(); got != (MeanStats{}) {
		t.Errorf("empty: %+v", got)
	}
	var one CESCounts
	one.Add(3)
	if got := one.Stats(); got != (MeanStats{N: 1, Mean: 3}) {
		t.Errorf("one answer: %+v", got)
	}
	b, _ := json.Marshal(MeanStats{N: 2, Mean: 4.5, Var: 0.5})
	if string(b) != `{"n":2,"mean":4.5,"var":0.5}` {
		t.Errorf("JSON: %s", b)
	}
}

func TestCompareMeans(t *testing.T) {
	tests := []struct {
		name        string
		a, b        MeanStats
		delta, se   float64
		z, df, p    float64
		sig, small  bool
		checkSEZ    bool
		description string
	}{
		// Small samples → Welch t.
		// Var_a/N_a = 1/10 = 0.1, Var_b/N_b = 0.64/12 = 0.0533333;
		// SE = √0.1533333 = 0.3915780; t = 0.6/0.3915780 = 1.5322618;
		// df = 0.1533333²/(0.1²/9 + 0.0533333²/11)
		//    = 0.0235111/(0.0011111 + 0.0002586) = 17.1651917;
		// p = P(|T₁₇.₁₆₅| ≥ 1.5323) = 0.1436806 → not significant.
		{name: "welch", a: MeanStats{10, 4.0, 1.0}, b: MeanStats{12, 4.6, 0.64},
			delta: 0.6, se: 0.3915780041, z: 1.5322617554, df: 17.1651917404, p: 0.1436805907,
			small: true, checkSEZ: true},
		// Both n ≥ 30 → normal.
		// SE = √(0.81/100 + 0.64/100) = √0.0145 = 0.1204159;
		// z = 0.25/0.1204159 = 2.0761370; p = erfc(2.0761370/√2) = 0.0378813
		// → significant; DF 0 marks the normal approximation.
		{name: "normal", a: MeanStats{100, 4.2, 0.81}, b: MeanStats{100, 4.45, 0.64},
			delta: 0.25, se: 0.1204159458, z: 2.0761369963, p: 0.0378812823, sig: true, checkSEZ: true},
		// A decline gives a negative Delta and Z, same p.
		{name: "normal reversed", a: MeanStats{100, 4.45, 0.64}, b: MeanStats{100, 4.2, 0.81},
			delta: -0.25, se: 0.1204159458, z: -2.0761369963, p: 0.0378812823, sig: true, checkSEZ: true},
		// One side < 30 → t even though the other is large: with Var_a = 0
		// only the large side contributes and df = N_b − 1 = 199.
		// SE = √(0.25/200) = 0.0353553; t = 0.1/0.0353553 = 2.8284271.
		{name: "one side constant", a: MeanStats{5, 4, 0}, b: MeanStats{200, 4.1, 0.25},
			delta: 0.1, se: 0.0353553391, z: 2.8284271247, df: 199,
			p: studentTTwoSided(2.8284271247, 199), sig: true, small: true, checkSEZ: true},
		{name: "a empty", a: MeanStats{}, b: MeanStats{40, 4, 1}, p: 1, small: true},
		{name: "b empty", a: MeanStats{40, 4, 1}, b: MeanStats{}, p: 1, small: true},
		// One answer: no variance estimate, no test, but Delta is known.
		{name: "one answer", a: MeanStats{1, 5, 0}, b: MeanStats{40, 4, 1}, delta: -1, p: 1, small: true},
		// Unanimous on both sides and different: certain, as in CompareNPS.
		{name: "zero variance differ", a: MeanStats{40, 5, 0}, b: MeanStats{40, 4, 0},
			delta: -1, p: 0, sig: true},
		{name: "zero variance same", a: MeanStats{40, 5, 0}, b: MeanStats{35, 5, 0}, p: 1},
		{name: "identical", a: MeanStats{50, 4, 1}, b: MeanStats{50, 4, 1}, se: 0.2, p: 1, checkSEZ: true},
		// Hand-built garbage is no data.
		{name: "NaN mean", a: MeanStats{40, math.NaN(), 1}, b: MeanStats{40, 4, 1}, p: 1},
		{name: "negative var", a: MeanStats{40, 4, -1}, b: MeanStats{40, 4, 1}, p: 1},
		{name: "infinite mean", a: MeanStats{40, math.Inf(1), 1}, b: MeanStats{40, 4, 1}, p: 1},
		{name: "huge var", a: MeanStats{40, 4, math.MaxFloat64}, b: MeanStats{40, 5, math.MaxFloat64},
			delta: 1, p: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := CompareMeans(tt.a, tt.b)
			if !approx(c.Delta, tt.delta, 1e-9) || !approx(c.PValue, tt.p, 1e-8) ||
				!approx(c.DF, tt.df, 1e-7) || c.Significant != tt.sig || c.SmallSample != tt.small {
				t.Errorf("got %+v, want Δ=%v df=%v p=%v sig=%v small=%v", c, tt.delta, tt.df, tt.p, tt.sig, tt.small)
			}
			if tt.checkSEZ && (!approx(c.StdErr, tt.se, 1e-9) || !approx(c.Z, tt.z, 1e-8)) {
				t.Errorf("SE, Z = %v, %v; want %v, %v", c.StdErr, c.Z, tt.se, tt.z)
			}
			if !finiteComparison(c.Comparison) || math.IsNaN(c.DF) || math.IsInf(c.DF, 0) {
				t.Errorf("non-finite: %+v", c)
			}
		})
	}

	// End to end from counts. a = CSAT [5,4,4,3,1]: N 5, mean 3.4, var 2.3.
	// b = CSAT [5,5,4,5,4]: N 5, mean 4.6, deviations 0.4,0.4,−0.6,0.4,−0.6,
	// squares 3·0.16 + 2·0.36 = 1.2, var 1.2/4 = 0.3.
	// SE = √(2.3/5 + 0.3/5) = √0.52 = 0.7211103; t = 1.2/0.7211103 = 1.6641006;
	// df = 0.52²/(0.46²/4 + 0.06²/4) = 0.2704/0.0538 = 5.0260223;
	// p = 0.1566733 → not significant.
	var a, b CSATCounts
	for _, s := range []int{5, 4, 4, 3, 1} {
		a.Add(s)
	}
	for _, s := range []int{5, 5, 4, 5, 4} {
		b.Add(s)
	}
	c := CompareMeans(a.Stats(), b.Stats())
	if !approx(c.Delta, 1.2, 1e-12) || !approx(c.StdErr, 0.7211102551, 1e-9) || !approx(c.Z, 1.6641005887, 1e-9) ||
		!approx(c.DF, 5.0260223048, 1e-9) || !approx(c.PValue, 0.1566732908, 1e-8) || c.Significant || !c.SmallSample {
		t.Errorf("from counts: %+v", c)
	}

	// JSON: the embedded Comparison's fields sit at the top level.
	js, _ := json.Marshal(c)
	var m map[string]any
	if err := json.Unmarshal(js, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"delta", "std_err", "z", "p_value", "significant", "small_sample", "df"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON %s lacks %q", js, k)
		}
	}
}

func TestWelchDF(t *testing.T) {
	// Equal variances and sizes: df = (2s)²/(2s²/(n−1)) = 2(n−1).
	if got := welchDF(0.1, 0.1, 10, 10); !approx(got, 18, 1e-12) {
		t.Errorf("equal: %v, want 18", got)
	}
	// Bounds: min(n)−1 ≤ df ≤ n_a + n_b − 2.
	for _, c := range [][4]float64{{1, 0.001, 5, 50}, {0.001, 1, 5, 50}, {3, 7, 2, 2}, {1e-300, 1e-300, 3, 4}} {
		df := welchDF(c[0], c[1], int(c[2]), int(c[3]))
		if df < min(c[2], c[3])-1-1e-9 || df > c[2]+c[3]-2+1e-9 {
			t.Errorf("welchDF%v = %v out of bounds", c, df)
		}
	}
}

func TestCompareShares(t *testing.T) {
	tests := []struct {
		name       string
		p1         float64
		n1         int
		p2         float64
		n2         int
		delta, se  float64
		z, p       float64
		sig, small bool
	}{
		// p̂ = (120 + 140)/400 = 0.65; SE = √(0.65·0.35·(1/200 + 1/200))
		// = √(0.2275·0.01) = √0.002275 = 0.0476970; Z = 0.1/0.0476970 = 2.0965697;
		// p = erfc(2.0965697/√2) = 0.0360317 → significant.
		{name: "significant", p1: 0.6, n1: 200, p2: 0.7, n2: 200,
			delta: 0.1, se: 0.0476969601, z: 2.0965696734, p: 0.0360316862, sig: true},
		// Same shares: Z 0, p 1; SE = √(0.65·0.35·0.01) as above.
		{name: "equal", p1: 0.65, n1: 200, p2: 0.65, n2: 200, se: 0.0476969601, p: 1},
		// p̂ = 0.98 → expected non-top answers 100·0.02 = 2 < 5 → small.
		// SE = √(0.98·0.02·0.02) = √0.000392 = 0.0197990; Z = −0.02/0.0197990 = −1.0101525;
		// p = erfc(1.0101525/√2) = 0.3124.
		{name: "expected count < 5", p1: 0.99, n1: 100, p2: 0.97, n2: 100,
			delta: -0.02, se: 0.0197989899, z: -1.0101525446, p: math.Erfc(1.0101525446 / math.Sqrt2), small: true},
		{name: "n < 30", p1: 0.5, n1: 20, p2: 0.5, n2: 200, se: math.Sqrt(0.25 * (1.0/20 + 1.0/200)), p: 1, small: true},
		// All 0 % or all 100 %: nothing varies, no change.
		{name: "all zero", p1: 0, n1: 50, p2: 0, n2: 60, p: 1, small: true},
		{name: "all one", p1: 1, n1: 50, p2: 1, n2: 60, p: 1, small: true},
		{name: "n1 = 0", p1: 0.5, n1: 0, p2: 0.5, n2: 60, p: 1, small: true},
		{name: "NaN", p1: math.NaN(), n1: 50, p2: 0.5, n2: 60, p: 1, small: true},
		// Clamped: −0.2 → 0, 1.5 → 1; p̂ = 0.5, SE = √(0.25·(2/100)) = 0.0707107,
		// Z = 1/0.0707107 = 14.142136, p = erfc(10) ≈ 2e−45.
		{name: "clamped", p1: -0.2, n1: 100, p2: 1.5, n2: 100,
			delta: 1, se: 0.0707106781, z: 14.1421356237, p: math.Erfc(10), sig: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := CompareShares(tt.p1, tt.n1, tt.p2, tt.n2)
			if !approx(c.Delta, tt.delta, 1e-12) || !approx(c.StdErr, tt.se, 1e-9) || !approx(c.Z, tt.z, 1e-8) ||
				!approx(c.PValue, tt.p, 1e-9) || c.Significant != tt.sig || c.SmallSample != tt.small {
				t.Errorf("got %+v, want Δ=%v se=%v z=%v p=%v sig=%v small=%v",
					c, tt.delta, tt.se, tt.z, tt.p, tt.sig, tt.small)
			}
			if !finiteComparison(c) {
				t.Errorf("non-finite: %+v", c)
			}
		})
	}
}

func finiteComparison(c Comparison) bool {
	for _, v := range []float64{c.Delta, c.StdErr, c.Z, c.PValue} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return c.PValue >= 0 && c.PValue <= 1
}
