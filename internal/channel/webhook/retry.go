package webhook

import (
	"math"
	"time"
)

// MaxAttempts is how many times one event is tried before it is given up.
// With the Backoff schedule the last attempt comes about 31 hours after the
// first, so a subscriber that is down for a whole day — broken by an evening
// deploy and fixed next morning — still receives every event.
const MaxAttempts = 8

// BackoffJitter is the spread Backoff applies: ±10 %.
const BackoffJitter = 0.10

// Backoff returns how long to wait after the attempt-th failed attempt
// (1-based): 30s, 2m, 10m, 1h, 6h, then 12h each time. jitter in [0, 1]
// (e.g. rand.Float64() from the caller) stretches the delay by −10 % … +10 %
// so that, when a subscriber comes back after an outage, its queued retries
// do not all arrive in the same second; 0.5 gives the exact schedule.
// Out-of-range jitter is clamped and NaN counts as 0.5.
func Backoff(attempt int, jitter float64) time.Duration {
	// The delay after the n-th failed attempt is schedule[n-1]; later
	// attempts wait as long as the last entry.
	schedule := [...]time.Duration{
		30 * time.Second,
		2 * time.Minute,
		10 * time.Minute,
		time.Hour,
		6 * time.Hour,
		12 * time.Hour, // the cap
	}
	d := schedule[min(max(attempt, 1), len(schedule))-1]
	if math.IsNaN(jitter) {
		jitter = 0.5
	}
	jitter = min(max(jitter, 0), 1)
	factor := 1 + BackoffJitter*(2*jitter-1)
	return time.Duration(float64(d) * factor).Round(time.Millisecond)
}

// NextRetry says whether an event whose attempt-th attempt ended with r is
// tried again, and after how long: not after a success, a permanent failure
// or the MaxAttempts-th attempt; otherwise after Backoff, or the
// subscriber's Retry-After when that is longer.
func NextRetry(attempt int, r Result, jitter float64) (time.Duration, bool) {
	if r.Err == nil || r.Permanent || attempt >= MaxAttempts {
		return 0, false
	}
	return max(Backoff(attempt, jitter), r.RetryAfter), true
}

// Auto-disable thresholds; see ShouldDisable.
const (
	DisableAfterFailures = 20
	DisableAfterSpan     = 24 * time.Hour
	DisableAfterBurst    = 100
)

// ShouldDisable says whether a subscription is switched off (and its owner
// told) after consecutiveFailures failed deliveries in a row, the first of
// which failed at firstFailure. Any successful delivery resets the count.
//
// A failed delivery is an event given up on — a permanent failure, or a
// temporary one after MaxAttempts — not a single attempt. Counting attempts
// would let a busy workspace (hundreds of answers an hour, each retried)
// disable a subscriber over a ten-minute outage, and every event that
// arrives while a subscription is disabled is lost to it.
//
// The rule: at least DisableAfterFailures (20) failures spanning at least
// DisableAfterSpan (24 h) — a quiet workspace with a few events a day waits
// a day of failures, not a blip; or DisableAfterBurst (100) failures
// whatever their span — in practice a burst of permanent refusals (a 404
// after the receiver was removed, a 401 after its token changed), where
// each event is lost anyway and hammering the receiver helps nobody. A
// temporary outage cannot reach the burst rule before the span rule, since
// its first event is given up only ~31 h after it first failed.
//
// A zero firstFailure (unknown) only lets the burst rule apply. A 410 Gone
// reply is not counted here: it disables the subscription at once.
func ShouldDisable(consecutiveFailures int, firstFailure, now time.Time) bool {
	if consecutiveFailures >= DisableAfterBurst {
		return true
	}
	return consecutiveFailures >= DisableAfterFailures &&
		!firstFailure.IsZero() && now.Sub(firstFailure) >= DisableAfterSpan
}
