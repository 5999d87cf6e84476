package demo

import (
	"math"
	"math/rand/v2"
)

// weighted is a value with its relative frequency.
type weighted[T any] struct {
	v T
	w float64
}

// pick draws one value in proportion to its weight.
func pick[T any](r *rand.Rand, items []weighted[T]) T {
	total := 0.0
	for _, it := range items {
		total += it.w
	}
	x := r.Float64() * total
	for _, it := range items {
		if x < it.w {
			return it.v
		}
		x -= it.w
	}
	return items[len(items)-1].v
}

// one draws a uniformly random element.
func one[T any](r *rand.Rand, items []T) T { return items[r.IntN(len(items))] }

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// ordinal maps a latent normal value onto a scale whose categories have the
// given shares when the value is standard normal (an ordered probit): the
// shape of real score distributions, shifted as a whole by the effects.
type ordinal struct {
	min  int
	cuts []float64
}

func newOrdinal(min int, shares ...float64) ordinal {
	total := 0.0
	for _, s := range shares {
		total += s
	}
	o := ordinal{min: min}
	acc := 0.0
	for _, s := range shares[:len(shares)-1] {
		acc += s / total
		o.cuts = append(o.cuts, normalQuantile(acc))
	}
	return o
}

func (o ordinal) score(x float64) int {
	for i, c := range o.cuts {
		if x < c {
			return o.min + i
		}
	}
	return o.min + len(o.cuts)
}

// normalQuantile inverts the standard normal distribution by bisection: slow,
// exact enough, and computed only at start.
func normalQuantile(p float64) float64 {
	lo, hi := -10.0, 10.0
	for range 100 {
		mid := (lo + hi) / 2
		if 0.5*(1+math.Erf(mid/math.Sqrt2)) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}
