package metric

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestBenchmarks(t *testing.T) {
	list := Benchmarks()
	if len(list) < 9 {
		t.Fatalf("%d benchmarks, want the required one and about 8 others", len(list))
	}
	if list[0].Key != "credit_brokerage" || list[0].Low != 25 || list[0].High != 35 {
		t.Errorf("first benchmark %+v, want credit brokerage 25–35", list[0])
	}
	seen := map[string]bool{}
	for _, b := range list {
		if b.Key == "" || b.Key != strings.ToLower(b.Key) || strings.ContainsAny(b.Key, " -") {
			t.Errorf("key %q: want lower_snake_case", b.Key)
		}
		if seen[b.Key] {
			t.Errorf("duplicate key %q", b.Key)
		}
		seen[b.Key] = true
		if b.Industry == "" || len(b.Source) < 20 {
			t.Errorf("%s: industry or source missing: %+v", b.Key, b)
		}
		if !(b.Low < b.High) || b.Low < -100 || b.High > 100 {
			t.Errorf("%s: bad range %v–%v", b.Key, b.Low, b.High)
		}
		got, ok := BenchmarkFor(b.Key)
		if !ok || got != b {
			t.Errorf("BenchmarkFor(%q) = %+v, %v", b.Key, got, ok)
		}
	}

	// Callers get a copy.
	list[0].Low = -100
	if Benchmarks()[0].Low != 25 {
		t.Error("Benchmarks() exposes the table")
	}

	if b, ok := BenchmarkFor("  Credit_Brokerage "); !ok || b.Key != "credit_brokerage" {
		t.Errorf("case/space-insensitive lookup failed: %+v %v", b, ok)
	}
	if _, ok := BenchmarkFor("astrology"); ok {
		t.Error("unknown key found")
	}
	if _, ok := BenchmarkFor(""); ok {
		t.Error("empty key found")
	}

	b, _ := json.Marshal(Benchmark{Industry: "I", Key: "k", Low: 1, High: 2, Source: "s"})
	if string(b) != `{"industry":"I","key":"k","low":1,"high":2,"source":"s"}` {
		t.Errorf("JSON: %s", b)
	}
}

func TestBenchmarkPosition(t *testing.T) {
	b, _ := BenchmarkFor("credit_brokerage") // 25–35
	tests := []struct {
		nps  float64
		want string
	}{
		{-100, "below"},
		{24.9, "below"},
		{24.96, "below"}, // unrounded: callers pass what they display
		{25, "within"},   // bounds belong to the range
		{30, "within"},
		{35, "within"},
		{35.04, "above"},
		{100, "above"},
		{math.Inf(1), "above"},
		{math.Inf(-1), "below"},
		{math.NaN(), ""},
	}
	for _, tt := range tests {
		if got := b.Position(tt.nps); got != tt.want {
			t.Errorf("Position(%v) = %q, want %q", tt.nps, got, tt.want)
		}
	}
	if PositionBelow != "below" || PositionWithin != "within" || PositionAbove != "above" {
		t.Error("position constants changed")
	}
}
