package metric

import (
	"math"
	"strings"
)

// Benchmark is a typical NPS range (points, −100…100) for an industry, with
// the source of the figure.
type Benchmark struct {
	// Industry is the display name; Key the stable identifier used in the
	// API and settings.
	Industry string  `json:"industry"`
	Key      string  `json:"key"`
	Low      float64 `json:"low"`
	High     float64 `json:"high"`
	Source   string  `json:"source"`
}

// Positions of an NPS against a benchmark range.
const (
	PositionBelow  = "below"
	PositionWithin = "within"
	PositionAbove  = "above"
)

// benchmarks is the industry table. Published benchmarks are industry
// averages, not ranges, so except for credit brokerage (whose 25–35 comes
// from the product brief) each range is the published average ± 5 points,
// and the Source names the average it is built on.
//
// Treat these as orientation, not targets: they mix methods (consumer panels
// rating brands they use — XM Institute, Satmetrix — versus vendors'
// aggregates of their clients' own surveys — Retently, ClearlyRated — which
// run higher), years and mostly US samples, and NPS differs by country.
var benchmarks = []Benchmark{
	{"Credit brokerage / financial advisory", "credit_brokerage", 25, 35,
		"Product brief (PRODUCT.md): credit brokerage typically 25–35; for comparison, " +
			"NICE Satmetrix 2010 US consumer benchmarks: brokerage & investment sector average 29"},
	{"Retail banking", "banking", 30, 40,
		"Satmetrix US consumer NPS data via Member Loyalty Group (Aug 2015): banks' average 35"},
	{"Telecom: TV & internet providers", "telecom", 4, 14,
		"Qualtrics XM Institute, Economics of NPS 2024: TV/internet service providers 9 " +
			"(Temkin Group NPS Benchmark Study 2017: also 9)"},
	{"Retail", "retail", 24, 34,
		"Qualtrics XM Institute, Economics of NPS 2023: retail 28; 2024: 29 (US consumers)"},
	{"Grocery", "grocery", 23, 33,
		"Qualtrics XM Institute, Economics of NPS 2023: grocery 26; 2024: 30 (US consumers)"},
	{"E-commerce", "ecommerce", 40, 50,
		"Retently NPS benchmarks (2021 edition): e-commerce 45, down from 62 a year earlier"},
	{"B2B software / SaaS", "saas_b2b", 35, 45,
		"Retently NPS benchmarks 2022: B2B software & SaaS average 40"},
	{"IT services (managed services, resellers), B2B", "it_services", 39, 49,
		"ClearlyRated 2022 NPS benchmarks for B2B service industries: IT services 44 (US & Canada)"},
	{"HR services / staffing, B2B", "hr_services", 32, 42,
		"ClearlyRated 2022 NPS benchmarks for B2B service industries: HR services 37 (US)"},
	{"Accounting", "accounting", 19, 29,
		"ClearlyRated 2019 accounting benchmark: 24 (US & Canada)"},
	{"Logistics & transportation", "logistics", 38, 48,
		"Retently NPS benchmarks (2022 edition): logistics & transportation 43, " +
			"up from 3 a year earlier — a volatile figure"},
}

// Benchmarks returns the industry benchmark table, credit brokerage first.
// The slice is a copy; callers may modify it.
func Benchmarks() []Benchmark {
	return append([]Benchmark(nil), benchmarks...)
}

// BenchmarkFor returns the benchmark with the given key (case-insensitive,
// surrounding spaces ignored).
func BenchmarkFor(key string) (Benchmark, bool) {
	key = strings.TrimSpace(key)
	for _, b := range benchmarks {
		if strings.EqualFold(b.Key, key) {
			return b, true
		}
	}
	return Benchmark{}, false
}

// Position reports where nps stands against the range: PositionBelow when
// nps < Low, PositionAbove when nps > High, otherwise PositionWithin (the
// bounds belong to the range). Pass the same figure that is displayed: a
// caller showing Round1(nps) should pass Round1(nps), or 24.96 would show as
// 25.0 yet be "below" 25. A NaN nps has no position and yields "".
func (b Benchmark) Position(nps float64) string {
	switch {
	case math.IsNaN(nps):
		return ""
	case nps < b.Low:
		return PositionBelow
	case nps > b.High:
		return PositionAbove
	default:
		return PositionWithin
	}
}
