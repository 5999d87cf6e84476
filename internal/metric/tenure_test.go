package metric

import (
	"slices"
	"testing"
)

func TestTenureBand(t *testing.T) {
	want := []string{"0-2", "3-5", "6-8", "9-11", "12-23", "24+"}
	if got := TenureBands(); !slices.Equal(got, want) {
		t.Fatalf("TenureBands() = %v, want %v", got, want)
	}
	// Callers get a copy.
	TenureBands()[0] = "x"
	if TenureBands()[0] != "0-2" {
		t.Error("TenureBands exposes its table")
	}

	tests := []struct {
		months int
		band   string
		index  int
	}{
		{-1000, "", -1},
		{-1, "", -1},
		{0, "0-2", 0},
		{2, "0-2", 0},
		{3, "3-5", 1}, // the 3-month survey falls in its own band
		{5, "3-5", 1},
		{6, "6-8", 2},
		{8, "6-8", 2},
		{9, "9-11", 3},
		{11, "9-11", 3},
		{12, "12-23", 4},
		{23, "12-23", 4},
		{24, "24+", 5},
		{240, "24+", 5},
		{int(^uint(0) >> 1), "24+", 5},
	}
	for _, tt := range tests {
		if got := TenureBand(tt.months); got != tt.band {
			t.Errorf("TenureBand(%d) = %q, want %q", tt.months, got, tt.band)
		}
		if got := TenureBandIndex(tt.months); got != tt.index {
			t.Errorf("TenureBandIndex(%d) = %d, want %d", tt.months, got, tt.index)
		}
	}
	// Every month 0…100 maps to a band whose index agrees with its label,
	// and bands never go backwards.
	prev := 0
	for m := range 101 {
		i := TenureBandIndex(m)
		if i < prev || want[i] != TenureBand(m) {
			t.Fatalf("month %d: index %d, band %q", m, i, TenureBand(m))
		}
		prev = i
	}
}
