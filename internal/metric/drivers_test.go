package metric

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// obs builds DriverObs rows from {score, driver…} tuples.
func obs(rows ...[]float64) []DriverObs {
	out := make([]DriverObs, len(rows))
	for i, r := range rows {
		out[i] = DriverObs{Score: r[0], Drivers: append([]float64(nil), r[1:]...)}
	}
	return out
}

func TestRelativeWeightsFromCorrHand(t *testing.T) {
	// Two drivers correlated ρ = 0.6, with r_y1 = 0.5, r_y2 = 0.3.
	// R = [[1, .6], [.6, 1]] has eigenvalues 1.6 and 0.4 with eigenvectors
	// (1,1)/√2 and (1,−1)/√2, so Λ = R^½ = [[a, b], [b, a]] with
	// a = (√1.6 + √0.4)/2 and b = (√1.6 − √0.4)/2; then
	// a² = (1.6 + 0.4 + 2√0.64)/4 = 3.6/4 = 0.9 and b² = (2 − 1.6)/4 = 0.1,
	// i.e. a = √0.9 = 3√0.1, b = √0.1.
	// Λ⁻¹ = [[a, −b], [−b, a]]/(a² − b²) = [[a, −b], [−b, a]]/0.8, so
	//   β₁ = (a·0.5 − b·0.3)/0.8 = √0.1·(1.5 − 0.3)/0.8 = 1.5√0.1 → β₁² = 0.225,
	//   β₂ = (a·0.3 − b·0.5)/0.8 = √0.1·(0.9 − 0.5)/0.8 = 0.5√0.1 → β₂² = 0.025.
	//   ε₁ = a²β₁² + b²β₂² = 0.9·0.225 + 0.1·0.025 = 0.2025 + 0.0025 = 0.205,
	//   ε₂ = b²β₁² + a²β₂² = 0.1·0.225 + 0.9·0.025 = 0.0225 + 0.0225 = 0.045.
	// Σε = 0.25 = R² = (r₁² + r₂² − 2ρr₁r₂)/(1 − ρ²) = (0.25 + 0.09 − 0.18)/0.64.
	eps, err := relativeWeightsFromCorr([][]float64{{1, 0.6}, {0.6, 1}}, []float64{0.5, 0.3})
	if err != nil {
		t.Fatal(err)
	}
	if !approx(eps[0], 0.205, 1e-14) || !approx(eps[1], 0.045, 1e-14) {
		t.Errorf("ε = %v, want [0.205 0.045]", eps)
	}

	// Uncorrelated drivers (R = I): Λ = I, β = r, so εⱼ = rⱼ² exactly.
	eps, err = relativeWeightsFromCorr([][]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, []float64{0.1, -0.2, 0.3})
	if err != nil {
		t.Fatal(err)
	}
	for j, want := range []float64{0.01, 0.04, 0.09} {
		if !approx(eps[j], want, 1e-15) {
			t.Errorf("identity R: ε[%d] = %v, want %v", j, eps[j], want)
		}
	}

	// Perfectly collinear: R = [[1,1],[1,1]].
	if _, err := relativeWeightsFromCorr([][]float64{{1, 1}, {1, 1}}, []float64{0.5, 0.5}); !errors.Is(err, ErrCollinearDrivers) {
		t.Errorf("singular R: err = %v", err)
	}
}

func TestJacobiEigen(t *testing.T) {
	// [[2,1],[1,2]]: eigenvalues 1 and 3.
	vals, _, ok := jacobiEigen([][]float64{{2, 1}, {1, 2}})
	lo, hi := min(vals[0], vals[1]), max(vals[0], vals[1])
	if !ok || !approx(lo, 1, 1e-15) || !approx(hi, 3, 1e-15) {
		t.Errorf("eigenvalues %v, want 1 and 3", vals)
	}

	// Random symmetric matrices up to 20×20 (and one with a huge diagonal
	// spread, which exercises the θ² overflow guard): A·v = λ·v, VᵀV = I,
	// Σλ = trace A.
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 3, 7, 20} {
		for trial := range 5 {
			a := make([][]float64, n)
			for i := range n {
				a[i] = make([]float64, n)
			}
			for i := range n {
				for j := i; j < n; j++ {
					v := rng.NormFloat64()
					if trial == 4 && i == j {
						v *= math.Pow(10, float64(i%5)*40)
					}
					a[i][j], a[j][i] = v, v
				}
			}
			vals, vecs, ok := jacobiEigen(a)
			if !ok {
				t.Fatalf("n=%d: no convergence", n)
			}
			norm, trace, sum := 0.0, 0.0, 0.0
			for i := range n {
				trace += a[i][i]
				sum += vals[i]
				for j := range n {
					norm = max(norm, math.Abs(a[i][j]))
				}
			}
			tol := 1e-12 * norm * float64(n)
			if !approx(sum, trace, tol) {
				t.Errorf("n=%d: Σλ = %v, trace = %v", n, sum, trace)
			}
			for m := range n {
				for i := range n {
					av := 0.0
					for j := range n {
						av += a[i][j] * vecs[j][m]
					}
					if !approx(av, vals[m]*vecs[i][m], tol) {
						t.Fatalf("n=%d: (Av − λv)[%d] for λ=%v: %v vs %v", n, i, vals[m], av, vals[m]*vecs[i][m])
					}
				}
				for l := range n {
					dot := 0.0
					for i := range n {
						dot += vecs[i][m] * vecs[i][l]
					}
					want := 0.0
					if l == m {
						want = 1
					}
					if !approx(dot, want, 1e-12) {
						t.Fatalf("n=%d: v%d·v%d = %v", n, m, l, dot)
					}
				}
			}
		}
	}
}

func TestRelativeWeightsUncorrelated(t *testing.T) {
	// Drivers orthogonal by design: deviations of x1 = (1,1,−1,−1) and
	// x2 = (1,−1,1,−1) have Σ x1·x2 = 1 − 1 − 1 + 1 = 0, so r12 = 0.
	// Score y = (9,7,8,4): mean 7, deviations (2,0,1,−3),
	// Syy = 4 + 0 + 1 + 9 = 14, S11 = S22 = 4,
	// S1y = 2 + 0 − 1 + 3 = 4 → r_y1² = 16/(4·14) = 2/7 = 0.285714,
	// S2y = 2 − 0 + 1 + 3 = 6 → r_y2² = 36/(4·14) = 9/14 = 0.642857.
	// With R = I, ε = (2/7, 9/14) exactly, R² = 4/14 + 9/14 = 13/14, and
	// the shares are 4/13 and 9/13.
	// Rows with a NaN, an Inf or too few drivers are not complete and are
	// dropped; a third driver value is ignored (k = 2).
	data := obs(
		[]float64{9, 4, 5},
		[]float64{7, 4, 3},
		[]float64{8, 2, 5, 100},
		[]float64{4, 2, 3},
		[]float64{math.NaN(), 1, 1},
		[]float64{10, math.Inf(1), 1},
		[]float64{10, 5},
	)
	res, err := RelativeWeights(data, 2)
	if err != nil {
		t.Fatal(err)
	}
	if res.N != 4 || res.Method != "Johnson's relative weights" {
		t.Errorf("N, Method = %d, %q", res.N, res.Method)
	}
	want := []float64{2.0 / 7, 9.0 / 14}
	wantShares := []float64{4.0 / 13, 9.0 / 13}
	for j := range 2 {
		if !approx(res.Weights[j], want[j], 1e-14) || !approx(res.Shares[j], wantShares[j], 1e-14) {
			t.Errorf("driver %d: weight %v share %v, want %v %v", j, res.Weights[j], res.Shares[j], want[j], wantShares[j])
		}
	}
	if !approx(res.R2, 13.0/14, 1e-14) {
		t.Errorf("R2 = %v, want 13/14", res.R2)
	}
}

func TestRelativeWeightsOneDriver(t *testing.T) {
	// x = 1..5 (deviations −2,−1,0,1,2; Sxx = 10), y = (2,1,4,3,5)
	// (mean 3, deviations −1,−2,1,0,2; Syy = 10), Sxy = 2 + 2 + 0 + 0 + 4 = 8,
	// r = 8/√(10·10) = 0.8, so ε = R² = r² = 0.64 and the share is 1.
	res, err := RelativeWeights(obs(
		[]float64{2, 1}, []float64{1, 2}, []float64{4, 3}, []float64{3, 4}, []float64{5, 5},
	), 1)
	if err != nil {
		t.Fatal(err)
	}
	if res.N != 5 || !approx(res.Weights[0], 0.64, 1e-14) || !approx(res.R2, 0.64, 1e-14) || res.Shares[0] != 1 {
		t.Errorf("got %+v", res)
	}
	// A perfectly negative relation: r = −1, ε = 1.
	res, err = RelativeWeights(obs([]float64{10, 1}, []float64{5, 2}, []float64{0, 3}), 1)
	if err != nil || !approx(res.R2, 1, 1e-14) || !approx(res.Shares[0], 1, 1e-15) {
		t.Errorf("r = −1: %+v, %v", res, err)
	}
}

// surveyRows is a small made-up survey: NPS score 0–10 and three 1–5 driver
// ratings (manager speed, manager quality, deliverables), strongly
// correlated with each other as real ratings are: r12 = 0.6742,
// r13 = 0.8538, r23 = 0.7824; r_y = 0.9089, 0.9039, 0.8992.
var surveyRows = [][]float64{
	{10, 5, 5, 5}, {9, 5, 4, 5}, {9, 4, 5, 4}, {8, 4, 4, 4}, {7, 3, 4, 4},
	{6, 3, 3, 4}, {3, 2, 2, 3}, {5, 3, 2, 3}, {8, 5, 3, 4}, {2, 1, 2, 2},
	{4, 2, 3, 2}, {10, 4, 5, 5}, {7, 4, 3, 3}, {6, 2, 4, 3}, {0, 1, 1, 2},
}

// surveyR2 is the R² of the OLS regression of the score on the three
// drivers (with intercept) for surveyRows, computed with exact rational
// arithmetic (normal equations over fractions, R² = 1 − SSE/SST):
// 25722743/26183528.
const surveyR2 = 25722743.0 / 26183528.0

func TestRelativeWeightsCorrelated(t *testing.T) {
	res, err := RelativeWeights(obs(surveyRows...), 3)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("weights %.10f, shares %.10f, R² %.10f", res.Weights, res.Shares, res.R2)

	// 1. Σε equals the OLS R², computed here from the raw data through the
	// normal equations (no correlations, no eigenvectors), and the exact
	// rational value.
	if ols := olsR2(surveyRows); !approx(res.R2, ols, 1e-12) || !approx(ols, surveyR2, 1e-12) {
		t.Errorf("R² = %.15f, OLS %.15f, exact %.15f", res.R2, ols, surveyR2)
	}

	// 2. The weights agree with an independent implementation of Johnson's
	// method: correlations by the one-pass textbook formula, R^½ by the
	// Denman–Beavers iteration and β by Gauss–Jordan inversion.
	want := johnsonReference(surveyRows)
	shareSum := 0.0
	for j := range 3 {
		if !approx(res.Weights[j], want[j], 1e-10) {
			t.Errorf("ε[%d] = %.12f, reference %.12f", j, res.Weights[j], want[j])
		}
		shareSum += res.Shares[j]
	}
	if !approx(shareSum, 1, 1e-12) {
		t.Errorf("shares sum to %v", shareSum)
	}
	// The figures both implementations agree on, frozen against regressions:
	// ε = (0.3425719, 0.3585883, 0.2812416), shares (34.9 %, 36.5 %, 28.6 %).
	// Speed has the highest simple correlation with the score (0.909) yet
	// quality gets the largest weight: speed overlaps more with deliverables
	// (r13 = 0.854) than quality does (r23 = 0.782).
	for j, w := range []float64{0.3425718892, 0.3585882602, 0.2812415728} {
		if !approx(res.Weights[j], w, 1e-9) {
			t.Errorf("ε[%d] = %.10f, want %.10f", j, res.Weights[j], w)
		}
	}

	// 3. Invariant to shifting and rescaling drivers and the score (a 1–5
	// rating recoded to 0–100, the score as a share).
	scaled := make([][]float64, len(surveyRows))
	for i, r := range surveyRows {
		scaled[i] = []float64{r[0]/10 - 3, r[1]*25 - 25, -r[2] * 7, r[3]*1e6 + 1e9}
	}
	res2, err := RelativeWeights(obs(scaled...), 3)
	if err != nil {
		t.Fatal(err)
	}
	for j := range 3 {
		if !approx(res2.Weights[j], res.Weights[j], 1e-10) {
			t.Errorf("rescaled: ε[%d] = %v, was %v", j, res2.Weights[j], res.Weights[j])
		}
	}

	// 4. Permuting the drivers permutes the weights.
	perm := make([][]float64, len(surveyRows))
	for i, r := range surveyRows {
		perm[i] = []float64{r[0], r[3], r[1], r[2]}
	}
	res3, err := RelativeWeights(obs(perm...), 3)
	if err != nil {
		t.Fatal(err)
	}
	for j, from := range []int{2, 0, 1} {
		if !approx(res3.Weights[j], res.Weights[from], 1e-12) {
			t.Errorf("permuted: ε[%d] = %v, want %v", j, res3.Weights[j], res.Weights[from])
		}
	}
}

// olsR2 fits y = b0 + Σ bⱼxⱼ by solving the normal equations XᵀX·b = Xᵀy and
// returns 1 − SSE/SST. rows are {y, x1, …}.
func olsR2(rows [][]float64) float64 {
	p := len(rows[0]) // intercept + k slopes
	xtx := make([][]float64, p)
	xty := make([]float64, p)
	for i := range p {
		xtx[i] = make([]float64, p)
	}
	x := make([]float64, p)
	for _, r := range rows {
		x[0] = 1
		copy(x[1:], r[1:])
		for i := range p {
			for j := range p {
				xtx[i][j] += x[i] * x[j]
			}
			xty[i] += x[i] * r[0]
		}
	}
	b := matVec(matInv(xtx), xty)
	ybar := 0.0
	for _, r := range rows {
		ybar += r[0]
	}
	ybar /= float64(len(rows))
	sse, sst := 0.0, 0.0
	for _, r := range rows {
		fit := b[0]
		for j := 1; j < p; j++ {
			fit += b[j] * r[j]
		}
		sse += (r[0] - fit) * (r[0] - fit)
		sst += (r[0] - ybar) * (r[0] - ybar)
	}
	return 1 - sse/sst
}

// johnsonReference computes Johnson's raw weights without eigenvectors.
func johnsonReference(rows [][]float64) []float64 {
	p := len(rows[0])
	k := p - 1
	n := float64(len(rows))
	corr := func(a, b int) float64 {
		var sa, sb, saa, sbb, sab float64
		for _, r := range rows {
			sa += r[a]
			sb += r[b]
			saa += r[a] * r[a]
			sbb += r[b] * r[b]
			sab += r[a] * r[b]
		}
		return (n*sab - sa*sb) / math.Sqrt((n*saa-sa*sa)*(n*sbb-sb*sb))
	}
	rxx := make([][]float64, k)
	rxy := make([]float64, k)
	for i := range k {
		rxx[i] = make([]float64, k)
		for j := range k {
			rxx[i][j] = corr(i+1, j+1)
		}
		rxy[i] = corr(0, i+1)
	}
	// Denman–Beavers: Y₀ = R, Z₀ = I; Yₖ₊₁ = (Yₖ + Zₖ⁻¹)/2, Zₖ₊₁ = (Zₖ + Yₖ⁻¹)/2
	// converge quadratically to R^½ and R^−½.
	y := rxx
	z := identity(k)
	for range 50 {
		yi, zi := matInv(y), matInv(z)
		ny, nz := identity(k), identity(k)
		for i := range k {
			for j := range k {
				ny[i][j] = (y[i][j] + zi[i][j]) / 2
				nz[i][j] = (z[i][j] + yi[i][j]) / 2
			}
		}
		y, z = ny, nz
	}
	beta := matVec(z, rxy) // Λ⁻¹·r with Λ⁻¹ = R^−½
	eps := make([]float64, k)
	for j := range k {
		for m := range k {
			eps[j] += y[j][m] * y[j][m] * beta[m] * beta[m]
		}
	}
	return eps
}

func identity(n int) [][]float64 {
	m := make([][]float64, n)
	for i := range n {
		m[i] = make([]float64, n)
		m[i][i] = 1
	}
	return m
}

// matInv inverts a by Gauss–Jordan elimination with partial pivoting.
func matInv(a [][]float64) [][]float64 {
	n := len(a)
	m := make([][]float64, n)
	for i := range n {
		m[i] = make([]float64, 2*n)
		copy(m[i], a[i])
		m[i][n+i] = 1
	}
	for c := range n {
		piv := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[piv][c]) {
				piv = r
			}
		}
		m[c], m[piv] = m[piv], m[c]
		d := m[c][c]
		for j := range 2 * n {
			m[c][j] /= d
		}
		for r := range n {
			if r != c {
				f := m[r][c]
				for j := range 2 * n {
					m[r][j] -= f * m[c][j]
				}
			}
		}
	}
	inv := make([][]float64, n)
	for i := range n {
		inv[i] = m[i][n:]
	}
	return inv
}

func matVec(a [][]float64, v []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		for j := range v {
			out[i] += a[i][j] * v[j]
		}
	}
	return out
}

func TestRelativeWeightsErrors(t *testing.T) {
	tests := []struct {
		name string
		data []DriverObs
		k    int
		err  error
		n    int
	}{
		{"k = 0", obs(surveyRows...), 0, ErrDriverCount, 0},
		{"k > MaxDrivers", obs(surveyRows...), MaxDrivers + 1, ErrDriverCount, 0},
		{"no data", nil, 2, ErrTooFewAnswers, 0},
		// k = 3 needs 5 complete answers; 4 given.
		{"n < k+2", obs(surveyRows[:4]...), 3, ErrTooFewAnswers, 4},
		// Many rows, but only 3 complete.
		{"incomplete rows", obs([]float64{1, 2, math.NaN()}, []float64{3, 1, 2}, []float64{4, 2, 1},
			[]float64{5, 3, 3}, []float64{math.NaN(), 1, 1}, []float64{2, 1}), 2, ErrTooFewAnswers, 3},
		{"constant driver", obs([]float64{1, 3, 1}, []float64{2, 3, 2}, []float64{3, 3, 5},
			[]float64{4, 3, 4}, []float64{5, 3, 4}), 2, ErrConstantDriver, 5},
		{"constant score", obs([]float64{7, 3, 1}, []float64{7, 2, 2}, []float64{7, 1, 5},
			[]float64{7, 4, 4}, []float64{7, 5, 4}), 2, ErrConstantScore, 5},
		// x2 = 2·x1 + 1: perfectly collinear.
		{"collinear", obs([]float64{1, 1, 3}, []float64{4, 2, 5}, []float64{2, 3, 7},
			[]float64{6, 4, 9}, []float64{5, 5, 11}), 2, ErrCollinearDrivers, 5},
		// x3 = x1 + x2: collinear in three.
		{"collinear three", obs([]float64{1, 1, 2, 3}, []float64{4, 2, 1, 3}, []float64{2, 3, 3, 6},
			[]float64{6, 4, 1, 5}, []float64{5, 5, 4, 9}, []float64{7, 1, 1, 2}), 3, ErrCollinearDrivers, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := RelativeWeights(tt.data, tt.k)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			t.Log(err)
			if res.N != tt.n || res.R2 != 0 || res.Method != RelativeWeightsMethod {
				t.Errorf("result %+v", res)
			}
			wantLen := tt.k
			if tt.err == ErrDriverCount {
				wantLen = 0
			}
			if len(res.Weights) != wantLen || len(res.Shares) != wantLen {
				t.Errorf("lengths %d/%d, want %d", len(res.Weights), len(res.Shares), wantLen)
			}
			for j := range res.Weights {
				if res.Weights[j] != 0 || res.Shares[j] != 0 {
					t.Errorf("nonzero weight on error: %+v", res)
				}
			}
		})
	}

	// Score uncorrelated with the driver: R² = 0, shares all 0, no error.
	// x deviations (−1, 1, −1, 1), y deviations (−1, −1, 1, 1): Σ = 1 − 1 − 1 + 1 = 0.
	res, err := RelativeWeights(obs([]float64{1, 1}, []float64{1, 3}, []float64{3, 1}, []float64{3, 3}), 1)
	if err != nil || res.R2 != 0 || res.Shares[0] != 0 || res.N != 4 {
		t.Errorf("r = 0: %+v, %v", res, err)
	}
}

// FuzzRelativeWeights feeds arbitrary bytes as rows of a score and k driver
// values: mostly 0–10 ratings, with NaN, huge, tiny and negative values mixed
// in. Whatever the input, nothing is NaN or Inf, shares lie in [0, 1] and sum
// to 1 when R2 > 0, weights are ≥ 0 and sum to R2 ≤ 1.
func FuzzRelativeWeights(f *testing.F) {
	f.Add([]byte{1, 9, 5, 7, 4, 8, 3, 2, 1, 10, 5, 6, 6})
	f.Add([]byte{2, 10, 5, 5, 9, 5, 4, 9, 4, 5, 8, 4, 4, 7, 3, 4, 6, 3, 3, 3, 2, 2})
	f.Add([]byte{3, 1, 1, 2, 3, 4, 2, 1, 3, 2, 3, 3, 6, 6, 4, 4, 1, 5, 5, 4, 9, 7, 1, 1, 2})
	f.Add([]byte{0, 245, 1, 250, 2, 255, 3, 4, 5, 6, 7, 8})
	f.Add([]byte{1, 1, 2, 2, 4, 3, 6, 4, 8, 5, 10}) // y = 2x: R² = 1
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		k := 1 + int(data[0])%4
		data = data[1:]
		var rows []DriverObs
		for len(data) >= k+1 {
			vals := make([]float64, k+1)
			for i := range vals {
				vals[i] = fuzzValue(data[i])
			}
			data = data[k+1:]
			rows = append(rows, DriverObs{Score: vals[0], Drivers: vals[1:]})
		}
		res, err := RelativeWeights(rows, k)
		if len(res.Weights) != k || len(res.Shares) != k || res.Method != RelativeWeightsMethod {
			t.Fatalf("shape: %+v", res)
		}
		if math.IsNaN(res.R2) || math.IsInf(res.R2, 0) || res.R2 < 0 || res.R2 > 1+1e-9 {
			t.Fatalf("R2 = %v (%v)", res.R2, err)
		}
		sumW, sumS := 0.0, 0.0
		for j := range k {
			w, s := res.Weights[j], res.Shares[j]
			if math.IsNaN(w) || math.IsInf(w, 0) || w < 0 || math.IsNaN(s) || s < 0 || s > 1 {
				t.Fatalf("driver %d: weight %v share %v (%v)", j, w, s, err)
			}
			sumW += w
			sumS += s
		}
		if err != nil {
			if res.R2 != 0 || sumW != 0 || sumS != 0 {
				t.Fatalf("error %v with nonzero result %+v", err, res)
			}
			return
		}
		if !approx(sumW, res.R2, 1e-12) {
			t.Fatalf("Σε = %v, R2 = %v", sumW, res.R2)
		}
		if res.R2 > 0 && !approx(sumS, 1, 1e-9) {
			t.Fatalf("shares sum to %v: %+v", sumS, res)
		}
		if res.R2 == 0 && sumS != 0 {
			t.Fatalf("R2 = 0 with shares %v", res.Shares)
		}
	})
}

// fuzzValue maps a byte to a test value: 0–239 → a 0–10 rating, and the top
// sixteen to NaN, ±Inf, huge, tiny and negative values.
func fuzzValue(b byte) float64 {
	if b < 240 {
		return float64(b % 11)
	}
	specials := [16]float64{
		math.NaN(), math.Inf(1), math.Inf(-1), 1e300, -1e300, math.MaxFloat64, -math.MaxFloat64,
		1e-300, 5e-324, -1, -1e-10, 0.5, 3.000000000000001, 1e15, 7, 2,
	}
	return specials[b-240]
}

// TestRelativeWeightsRandom checks the invariants and the OLS identity on
// random correlated data with up to MaxDrivers drivers.
func TestRelativeWeightsRandom(t *testing.T) {
	for trial := range 40 {
		rng := rand.New(rand.NewPCG(uint64(trial), 7))
		k := 1 + trial%MaxDrivers
		n := k + 2 + rng.IntN(200)
		rows := make([][]float64, n)
		for i := range rows {
			common := rng.NormFloat64()
			r := make([]float64, k+1)
			y := 0.0
			for j := 1; j <= k; j++ {
				r[j] = math.Round(3 + common + rng.NormFloat64()) // rating-like, correlated
				y += float64(j%3) * r[j]
			}
			r[0] = y + 2*rng.NormFloat64()
			rows[i] = r
		}
		res, err := RelativeWeights(obs(rows...), k)
		if err != nil {
			t.Logf("trial %d (k=%d, n=%d): %v", trial, k, n, err)
			continue
		}
		if ols := olsR2(rows); !approx(res.R2, ols, 1e-8) {
			t.Errorf("trial %d (k=%d, n=%d): R² %v vs OLS %v", trial, k, n, res.R2, ols)
		}
		sum := 0.0
		for _, s := range res.Shares {
			sum += s
		}
		if !approx(sum, 1, 1e-12) {
			t.Errorf("trial %d: shares sum to %v", trial, sum)
		}
	}
}
