package metric

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// RelativeWeightsMethod names the driver-importance method, for display next
// to the figures.
const RelativeWeightsMethod = "Johnson's relative weights"

// MaxDrivers is the largest number of driver questions RelativeWeights
// accepts.
const MaxDrivers = 20

// collinearEigen is the eigenvalue of the drivers' correlation matrix below
// which the matrix is taken as singular. The eigenvalues of a k×k
// correlation matrix sum to k and the largest is at least 1, so this is a
// relative threshold, some six orders of magnitude above rounding noise
// (≈ k·1e−16); drivers that collinear carry the same information.
const collinearEigen = 1e-10

// Errors of RelativeWeights. The returned error wraps one of them with the
// details (counts, which driver), so callers can test with errors.Is and
// show the message.
var (
	ErrDriverCount      = errors.New("metric: number of drivers out of range")
	ErrTooFewAnswers    = errors.New("metric: too few complete answers for driver analysis")
	ErrConstantScore    = errors.New("metric: the score is the same in every complete answer, nothing to explain")
	ErrConstantDriver   = errors.New("metric: a driver has the same rating in every complete answer")
	ErrCollinearDrivers = errors.New("metric: drivers are collinear (one is a linear combination of others)")
	ErrNumeric          = errors.New("metric: driver analysis failed numerically")
)

// DriverObs is one answer for driver analysis: the outcome score (e.g. the
// 0–10 NPS answer) and the ratings of the driver questions, in a fixed order.
// NaN (or ±Inf) marks a missing value.
type DriverObs struct {
	Score   float64
	Drivers []float64
}

// RelativeWeightsResult is the importance of each driver for the score.
type RelativeWeightsResult struct {
	// N is the number of complete answers used.
	N int `json:"n"`
	// R2 is the R² of the linear regression of the score on all drivers
	// (0–1); it equals the sum of Weights.
	R2 float64 `json:"r2"`
	// Weights are the raw relative weights εⱼ: the part of R² due to
	// driver j, in the order of DriverObs.Drivers.
	Weights []float64 `json:"weights"`
	// Shares are Weights/R2 (they sum to 1), the relative importance to
	// show. All zero when R2 is 0 or the analysis failed.
	Shares []float64 `json:"shares"`
	Method string    `json:"method"`
}

// RelativeWeights computes Johnson's relative weights (J. W. Johnson, "A
// heuristic method for estimating the relative weight of predictor variables
// in multiple regression", Multivariate Behavioral Research 35(1), 2000) of k
// drivers for the score: how much of the explained variance R² each driver
// accounts for, fairly apportioned even when drivers are correlated (as
// ratings of one manager's speed and quality always are), which regression
// coefficients are not.
//
// Only complete answers are used: a Score and the first k Drivers all
// finite; a row with fewer than k drivers is incomplete, extra values are
// ignored. With R the k×k correlation matrix of the drivers and r the
// correlations of each driver with the score:
//
//   - R = V·diag(λ)·Vᵀ (Jacobi eigendecomposition);
//   - Λ = V·diag(√λ)·Vᵀ = R^½: the drivers regressed on their closest
//     orthogonal counterparts Z;
//   - β = Λ⁻¹r = V·diag(1/√λ)·Vᵀ·r: the score regressed on Z;
//   - εⱼ = Σₘ Λⱼₘ²·βₘ²; R² = Σⱼ εⱼ = rᵀR⁻¹r, the R² of the ordinary
//     regression; Sharesⱼ = εⱼ/R².
//
// Correlations are unchanged by shifting or rescaling a driver, and so are
// the weights.
//
// Errors (the result then has N, Method and zero Weights and Shares of
// length k, never NaN): k outside 1…MaxDrivers (ErrDriverCount); fewer
// than k + 2 complete answers, which leaves no degree of freedom beyond the
// intercept and the k slopes (ErrTooFewAnswers); a constant score
// (ErrConstantScore) or driver (ErrConstantDriver), whose correlations are
// undefined; drivers whose correlation matrix is singular — e.g. two
// questions answered identically by everyone — (ErrCollinearDrivers).
func RelativeWeights(obs []DriverObs, k int) (RelativeWeightsResult, error) {
	res := RelativeWeightsResult{Method: RelativeWeightsMethod}
	if k < 1 || k > MaxDrivers {
		return res, fmt.Errorf("%w: %d drivers, want 1 to %d", ErrDriverCount, k, MaxDrivers)
	}
	res.Weights = make([]float64, k)
	res.Shares = make([]float64, k)

	rows := make([]int, 0, len(obs))
	for i, o := range obs {
		if completeObs(o, k) {
			rows = append(rows, i)
		}
	}
	res.N = len(rows)
	if res.N < k+2 {
		return res, fmt.Errorf("%w: %d complete answers, %d drivers need at least %d",
			ErrTooFewAnswers, res.N, k, k+2)
	}

	corr, err := correlations(obs, rows, k)
	if err != nil {
		return res, err
	}
	// corr is (k+1)×(k+1): index 0 is the score, 1…k the drivers.
	rxx := make([][]float64, k)
	rxy := make([]float64, k)
	for i := range k {
		rxx[i] = corr[i+1][1:]
		rxy[i] = corr[0][i+1]
	}
	eps, err := relativeWeightsFromCorr(rxx, rxy)
	if err != nil {
		return res, err
	}
	r2 := 0.0
	for _, e := range eps {
		r2 += e
	}
	if math.IsNaN(r2) || math.IsInf(r2, 0) {
		return res, fmt.Errorf("%w: non-finite R²", ErrNumeric)
	}
	copy(res.Weights, eps)
	res.R2 = r2
	if r2 > 0 {
		for j, e := range eps {
			res.Shares[j] = min(e/r2, 1)
		}
	}
	return res, nil
}

// completeObs reports whether o has a finite score and k finite drivers.
func completeObs(o DriverObs, k int) bool {
	if !finite(o.Score) || len(o.Drivers) < k {
		return false
	}
	for _, v := range o.Drivers[:k] {
		if !finite(v) {
			return false
		}
	}
	return true
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// obsValue returns column c of o: 0 is the score, j ≥ 1 driver j−1.
func obsValue(o DriverObs, c int) float64 {
	if c == 0 {
		return o.Score
	}
	return o.Drivers[c-1]
}

// correlations returns the Pearson correlation matrix of the score and the k
// drivers over the given rows (index 0 is the score).
//
// Each column is first divided by its largest absolute value, so that every
// value lies in [−1, 1] and no sum or square can overflow whatever the input
// magnitude; correlations do not depend on that scale. The mean is the
// two-pass corrected mean, and the cross-products are of deviations from it
// (not Σxy − n·x̄·ȳ, which cancels catastrophically for ratings with small
// spread).
func correlations(obs []DriverObs, rows []int, k int) ([][]float64, error) {
	p := k + 1
	n := float64(len(rows))
	scale := make([]float64, p)
	mean := make([]float64, p)
	for c := range p {
		first := obsValue(obs[rows[0]], c)
		constant := true
		for _, i := range rows {
			v := obsValue(obs[i], c)
			scale[c] = max(scale[c], math.Abs(v))
			if v != first {
				constant = false
			}
		}
		if constant {
			if c == 0 {
				return nil, fmt.Errorf("%w (%g in all %d answers)", ErrConstantScore, first, len(rows))
			}
			return nil, fmt.Errorf("%w: Drivers[%d] is %g in all %d answers", ErrConstantDriver, c-1, first, len(rows))
		}
		sum := 0.0
		for _, i := range rows {
			sum += obsValue(obs[i], c) / scale[c]
		}
		m := sum / n
		fix := 0.0
		for _, i := range rows {
			fix += obsValue(obs[i], c)/scale[c] - m
		}
		mean[c] = m + fix/n
	}

	ss := make([][]float64, p)
	for c := range p {
		ss[c] = make([]float64, p)
	}
	dev := make([]float64, p)
	for _, i := range rows {
		for c := range p {
			dev[c] = obsValue(obs[i], c)/scale[c] - mean[c]
		}
		for c := range p {
			for d := c; d < p; d++ {
				ss[c][d] += dev[c] * dev[d]
			}
		}
	}
	sd := make([]float64, p)
	for c := range p {
		sd[c] = math.Sqrt(ss[c][c])
		if !(sd[c] > 0) || math.IsInf(sd[c], 0) {
			// Distinct values that became equal after scaling (they differ in
			// the last bit only): constant as far as arithmetic can tell.
			if c == 0 {
				return nil, fmt.Errorf("%w (no variation beyond rounding)", ErrConstantScore)
			}
			return nil, fmt.Errorf("%w: Drivers[%d] has no variation beyond rounding", ErrConstantDriver, c-1)
		}
	}
	corr := make([][]float64, p)
	for c := range p {
		corr[c] = make([]float64, p)
		corr[c][c] = 1
	}
	for c := range p {
		for d := c + 1; d < p; d++ {
			r := ss[c][d] / sd[c] / sd[d]
			if math.IsNaN(r) {
				return nil, fmt.Errorf("%w: correlation of columns %d and %d", ErrNumeric, c, d)
			}
			r = min(max(r, -1), 1)
			corr[c][d], corr[d][c] = r, r
		}
	}
	return corr, nil
}

// relativeWeightsFromCorr returns Johnson's raw relative weights εⱼ for the
// driver correlation matrix rxx (k×k, symmetric, unit diagonal) and the
// driver–score correlations rxy. See RelativeWeights.
func relativeWeightsFromCorr(rxx [][]float64, rxy []float64) ([]float64, error) {
	k := len(rxy)
	lambda, v, ok := jacobiEigen(rxx)
	if !ok {
		return nil, fmt.Errorf("%w: eigendecomposition did not converge", ErrNumeric)
	}
	minAt := 0
	for m := range k {
		if lambda[m] < lambda[minAt] {
			minAt = m
		}
	}
	if !(lambda[minAt] > collinearEigen) {
		// The eigenvector of the (near-)zero eigenvalue holds the
		// coefficients of the linear relation: name the drivers in it.
		var in []string
		for j := range k {
			if math.Abs(v[j][minAt]) >= 0.1 {
				in = append(in, fmt.Sprintf("Drivers[%d]", j))
			}
		}
		return nil, fmt.Errorf("%w: %s (smallest eigenvalue of their correlation matrix %.3g)",
			ErrCollinearDrivers, strings.Join(in, ", "), max(lambda[minAt], 0))
	}
	sqrtL := make([]float64, k)
	for m := range k {
		sqrtL[m] = math.Sqrt(lambda[m])
	}
	// Λ = V·diag(√λ)·Vᵀ.
	lam := make([][]float64, k)
	for j := range k {
		lam[j] = make([]float64, k)
		for l := range k {
			s := 0.0
			for m := range k {
				s += v[j][m] * sqrtL[m] * v[l][m]
			}
			lam[j][l] = s
		}
	}
	// β = V·diag(1/√λ)·(Vᵀ·r).
	u := make([]float64, k)
	for m := range k {
		s := 0.0
		for j := range k {
			s += v[j][m] * rxy[j]
		}
		u[m] = s / sqrtL[m]
	}
	beta := make([]float64, k)
	for j := range k {
		s := 0.0
		for m := range k {
			s += v[j][m] * u[m]
		}
		beta[j] = s
	}
	// εⱼ = Σₘ Λⱼₘ²·βₘ².
	eps := make([]float64, k)
	for j := range k {
		s := 0.0
		for m := range k {
			s += lam[j][m] * lam[j][m] * beta[m] * beta[m]
		}
		if !finite(s) {
			return nil, fmt.Errorf("%w: non-finite weight", ErrNumeric)
		}
		eps[j] = s
	}
	return eps, nil
}

// jacobiEigen diagonalises the symmetric matrix a (which it does not modify)
// by the cyclic Jacobi method: A ← JᵀAJ with plane rotations J chosen to zero
// one off-diagonal element at a time, sweeping over all pairs until the
// off-diagonal part vanishes. It returns the eigenvalues (unsorted) and the
// matrix whose column m is the unit eigenvector of eigenvalue m, so that
// a = V·diag(λ)·Vᵀ. ok is false if 100 sweeps did not converge (Jacobi
// converges quadratically; a 20×20 matrix needs about ten).
//
// The rotation follows Numerical Recipes (Press et al., 3rd ed., §11.1):
// θ = (a_qq − a_pp)/(2a_pq), t = tan φ = sgn(θ)/(|θ| + √(θ²+1)) (the smaller
// root, for stability), c = 1/√(t²+1), s = t·c. An off-diagonal element
// too small to change either diagonal element it couples is set to zero.
func jacobiEigen(a [][]float64) (vals []float64, vecs [][]float64, ok bool) {
	n := len(a)
	m := make([][]float64, n)
	vecs = make([][]float64, n)
	for i := range n {
		m[i] = append([]float64(nil), a[i][:n]...)
		vecs[i] = make([]float64, n)
		vecs[i][i] = 1
	}
	diag := func() []float64 {
		d := make([]float64, n)
		for i := range n {
			d[i] = m[i][i]
		}
		return d
	}
	for sweep := 0; sweep < 100; sweep++ {
		off := 0.0
		for p := range n {
			for q := p + 1; q < n; q++ {
				off += math.Abs(m[p][q])
			}
		}
		if off == 0 {
			return diag(), vecs, true
		}
		for p := range n {
			for q := p + 1; q < n; q++ {
				apq := m[p][q]
				if apq == 0 {
					continue
				}
				g := 100 * math.Abs(apq)
				app, aqq := m[p][p], m[q][q]
				if sweep > 3 && math.Abs(app)+g == math.Abs(app) && math.Abs(aqq)+g == math.Abs(aqq) {
					m[p][q], m[q][p] = 0, 0
					continue
				}
				h := aqq - app
				var t float64
				if math.Abs(h)+g == math.Abs(h) {
					t = apq / h // θ so large that θ² would overflow: t ≈ 1/(2θ)
				} else {
					theta := 0.5 * h / apq
					t = 1 / (math.Abs(theta) + math.Sqrt(1+theta*theta))
					if theta < 0 {
						t = -t
					}
				}
				c := 1 / math.Sqrt(1+t*t)
				s := t * c
				for i := range n { // columns p and q: M·J
					mip, miq := m[i][p], m[i][q]
					m[i][p] = c*mip - s*miq
					m[i][q] = s*mip + c*miq
				}
				for i := range n { // rows p and q: Jᵀ·M
					mpi, mqi := m[p][i], m[q][i]
					m[p][i] = c*mpi - s*mqi
					m[q][i] = s*mpi + c*mqi
				}
				m[p][q], m[q][p] = 0, 0
				for i := range n { // V·J
					vip, viq := vecs[i][p], vecs[i][q]
					vecs[i][p] = c*vip - s*viq
					vecs[i][q] = s*vip + c*viq
				}
			}
		}
	}
	return diag(), vecs, false
}
