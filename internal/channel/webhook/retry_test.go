package webhook

import (
	"errors"
	"math"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	tests := []struct {
		attempt int
		jitter  float64
		want    time.Duration
	}{
		{1, 0.5, 30 * time.Second},
		{2, 0.5, 2 * time.Minute},
		{3, 0.5, 10 * time.Minute},
		{4, 0.5, time.Hour},
		{5, 0.5, 6 * time.Hour},
		{6, 0.5, 12 * time.Hour},
		{7, 0.5, 12 * time.Hour},
		{100, 0.5, 12 * time.Hour},
		{0, 0.5, 30 * time.Second},  // below 1 counts as the first
		{-3, 0.5, 30 * time.Second}, // likewise
		{1, 0, 27 * time.Second},    // −10 %
		{1, 1, 33 * time.Second},    // +10 %
		{4, 0.25, 57 * time.Minute}, // 1h × 0.95
		{6, 0.75, 12*time.Hour + 36*time.Minute},
		{1, -5, 27 * time.Second}, // clamped
		{1, 7, 33 * time.Second},
		{1, math.NaN(), 30 * time.Second},
	}
	for _, tt := range tests {
		if got := Backoff(tt.attempt, tt.jitter); got != tt.want {
			t.Errorf("Backoff(%d, %v) = %v, want %v", tt.attempt, tt.jitter, got, tt.want)
		}
	}
}

// The schedule's promise: the last of MaxAttempts attempts comes more than
// a day after the first (30s+2m+10m+1h+6h+12h+12h = 31h12m30s).
func TestScheduleSpansMoreThanADay(t *testing.T) {
	var total time.Duration
	temporary := Result{Err: errors.New("503"), Status: 503}
	for attempt := 1; ; attempt++ {
		d, retry := NextRetry(attempt, temporary, 0.5)
		if !retry {
			if attempt != MaxAttempts {
				t.Fatalf("gave up after attempt %d", attempt)
			}
			break
		}
		total += d
	}
	if want := 31*time.Hour + 12*time.Minute + 30*time.Second; total != want {
		t.Fatalf("total %v, want %v", total, want)
	}
	if total < DisableAfterSpan {
		t.Fatal("the schedule must outlast the disable span")
	}
}

func TestNextRetry(t *testing.T) {
	fail := errors.New("x")
	tests := []struct {
		name    string
		attempt int
		r       Result
		want    time.Duration
		retry   bool
	}{
		{"success", 1, Result{Status: 200}, 0, false},
		{"permanent", 1, Result{Status: 404, Err: fail, Permanent: true}, 0, false},
		{"gone", 1, Result{Status: 410, Err: fail, Permanent: true}, 0, false},
		{"temporary", 2, Result{Status: 500, Err: fail}, 2 * time.Minute, true},
		{"retry-after shorter than backoff", 3, Result{Status: 429, Err: fail, RetryAfter: time.Minute}, 10 * time.Minute, true},
		{"retry-after longer than backoff", 1, Result{Status: 429, Err: fail, RetryAfter: 5 * time.Minute}, 5 * time.Minute, true},
		{"second to last", MaxAttempts - 1, Result{Err: fail}, 12 * time.Hour, true},
		{"last attempt", MaxAttempts, Result{Err: fail}, 0, false},
	}
	for _, tt := range tests {
		d, retry := NextRetry(tt.attempt, tt.r, 0.5)
		if d != tt.want || retry != tt.retry {
			t.Errorf("%s: got %v %v, want %v %v", tt.name, d, retry, tt.want, tt.retry)
		}
	}
}

func TestShouldDisable(t *testing.T) {
	now := testNow
	tests := []struct {
		name     string
		failures int
		first    time.Time
		want     bool
	}{
		{"none", 0, time.Time{}, false},
		{"20 within a day", 20, now.Add(-23*time.Hour - 59*time.Minute), false},
		{"20 over exactly a day", 20, now.Add(-24 * time.Hour), true},
		{"19 over a week", 19, now.Add(-7 * 24 * time.Hour), false},
		{"50 over two days", 50, now.Add(-48 * time.Hour), true},
		{"99 in an hour", 99, now.Add(-time.Hour), false},
		{"100 in an hour", 100, now.Add(-time.Hour), true},
		{"20, first failure unknown", 20, time.Time{}, false},
		{"100, first failure unknown", 100, time.Time{}, true},
		{"first failure in the future (clock skew)", 30, now.Add(time.Hour), false},
	}
	for _, tt := range tests {
		if got := ShouldDisable(tt.failures, tt.first, now); got != tt.want {
			t.Errorf("%s: ShouldDisable(%d, %v) = %v, want %v", tt.name, tt.failures, tt.first, got, tt.want)
		}
	}
}
