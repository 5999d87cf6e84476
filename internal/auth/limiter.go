package auth

import (
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter rate-limits by key (a client address, an e-mail): each key gets a
// token bucket. Buckets idle for longer than it takes to refill are forgotten,
// so memory stays bounded by the keys active recently. Limits are per
// replica: behind N replicas a client gets at most N times the rate.
type Limiter struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	buckets map[string]*bucket
	now     func() time.Time
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// NewLimiter allows burst events at once per key, refilled at perMinute.
func NewLimiter(perMinute float64, burst int, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{every: rate.Limit(perMinute / 60), burst: burst, buckets: map[string]*bucket{}, now: now}
}

// Allow takes one event for key and reports whether it is within the limit.
func (l *Limiter) Allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweep(now)
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(l.every, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}

// Blocked reports whether key has used up its events, without taking one.
func (l *Limiter) Blocked(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	return ok && b.lim.TokensAt(l.now()) < 1
}

// sweep forgets buckets that would be full again by now.
func (l *Limiter) sweep(now time.Time) {
	refill := time.Duration(float64(l.burst) / float64(l.every) * float64(time.Second))
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	for k, b := range l.buckets {
		if now.Sub(b.seen) > refill {
			delete(l.buckets, k)
		}
	}
}

// ClientIP is the peer address of a request, the key for per-client limits.
// A proxy's forwarded headers are not trusted: they are the client's to forge.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
