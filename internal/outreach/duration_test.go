package outreach

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		out  string // String of the result
	}{
		{"PT30M", 30 * time.Minute, "PT30M"},
		{"PT12H", 12 * time.Hour, "PT12H"},
		{"PT72H", 72 * time.Hour, "P3D"},
		{"P3D", 72 * time.Hour, "P3D"},
		{"P1DT12H", 36 * time.Hour, "P1DT12H"},
		{"P2W", 14 * 24 * time.Hour, "P14D"},
		{"P1W2D", 9 * 24 * time.Hour, "P9D"},
		{"PT1H30M15S", time.Hour + 30*time.Minute + 15*time.Second, "PT1H30M15S"},
		{"PT90M", 90 * time.Minute, "PT1H30M"},
		{"PT1.5S", 1500 * time.Millisecond, "PT1.5S"},
		{"PT0,25S", 250 * time.Millisecond, "PT0.25S"},
		{"PT0.0000000019S", 1, "PT0.000000001S"}, // finer than a nanosecond is dropped
		{"pt30m", 30 * time.Minute, "PT30M"},
		{"PT0S", 0, "PT0S"},
		{"P0D", 0, "PT0S"},
		{"P007D", 7 * 24 * time.Hour, "P7D"},
		{"P106751DT23H47M16.854775807S", time.Duration(1<<63 - 1), "P106751DT23H47M16.854775807S"},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if err != nil {
			t.Errorf("ParseDuration(%q): %v", tt.in, err)
			continue
		}
		if got.Std() != tt.want {
			t.Errorf("ParseDuration(%q) = %v, want %v", tt.in, got.Std(), tt.want)
		}
		if s := got.String(); s != tt.out {
			t.Errorf("ParseDuration(%q).String() = %q, want %q", tt.in, s, tt.out)
		}
	}
}

func TestParseDurationRefuses(t *testing.T) {
	tests := []struct{ in, msg string }{
		{"", "empty"},
		{"-P3D", "negative"},
		{"-PT30M", "negative"},
		{"P1Y", "years and months have no fixed length"},
		{"P1M", "years and months have no fixed length"},
		{"P1Y2M3D", "years and months"},
		{"3 days", "must start with P"},
		{"30m", "must start with P"},
		{"P", "no value"},
		{"PT", "nothing follows T"},
		{"P3", "has no unit"},
		{"PT30", "has no unit"},
		{"P1H", "go after T"},
		{"PT1D", "go before T"},
		{"PT1W", "go before T"},
		{"P1DT2H3D", "go before T"},
		{"PT1M2H", "largest first"},
		{"PT1H1H", "largest first"},
		{"P1D2W", "largest first"},
		{"PT1.5H", "only seconds may have a fraction"},
		{"P1.5D", "only seconds"},
		{"PTH", "a number must come before"},
		{"P1DTT1H", "T twice"},
		{"P3X", "unknown unit"},
		{"P106752D", "too long"},
		{"PT99999999999999999999S", "too long"},
		{"P106751DT23H47M17S", "too long"},
	}
	for _, tt := range tests {
		_, err := ParseDuration(tt.in)
		if err == nil {
			t.Errorf("ParseDuration(%q) succeeded", tt.in)
			continue
		}
		if !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("ParseDuration(%q) = %v; want it to say %q", tt.in, err, tt.msg)
		}
	}
	// A megabyte of garbage is not echoed back in full.
	_, err := ParseDuration("P" + strings.Repeat("x", 1<<20))
	if err == nil || len(err.Error()) > 300 {
		t.Errorf("long garbage: error of %d bytes", len(err.Error()))
	}
}

func TestDurationJSON(t *testing.T) {
	var v struct {
		D Duration `json:"d"`
	}
	if err := json.Unmarshal([]byte(`{"d": "P1DT12H"}`), &v); err != nil || v.D != Hours(36) {
		t.Fatalf("decode = %v, %v", v.D, err)
	}
	b, err := json.Marshal(v)
	if err != nil || string(b) != `{"d":"P1DT12H"}` {
		t.Errorf("encode = %s, %v", b, err)
	}
	for _, bad := range []string{`{"d": 3600}`, `{"d": "P1M"}`, `{"d": "-PT1H"}`} {
		if err := json.Unmarshal([]byte(bad), &v); err == nil {
			t.Errorf("%s decoded", bad)
		}
	}
	if s := Duration(-90 * time.Minute).String(); s != "-PT1H30M" {
		t.Errorf("negative String = %q", s)
	}
	if s := Duration(-1 << 63).String(); !strings.HasPrefix(s, "-P106751D") {
		t.Errorf("minimum String = %q", s)
	}
}
