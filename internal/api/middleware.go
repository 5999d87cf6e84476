package api

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"otklik"
	"otklik/internal/auth"
	"otklik/internal/store"
)

type actorKey struct{}

// actorOf returns the authenticated actor of a request.
func actorOf(r *http.Request) otklik.Actor {
	a, _ := r.Context().Value(actorKey{}).(otklik.Actor)
	return a
}

// authed wraps a handler that needs a valid bearer token. A client address
// that keeps failing is refused for a while without the token being checked.
func (s *Server) authed(h func(http.ResponseWriter, *http.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := auth.ClientIP(r)
		if s.failures.Blocked(ip) {
			w.Header().Set("Retry-After", "60")
			s.writeError(w, r, otklik.Errorf(otklik.ERATELIMIT, "too many failed sign-ins from your address; wait a minute"))
			return
		}
		token, err := auth.BearerToken(r.Header.Get("Authorization"))
		if err != nil {
			s.writeError(w, r, otklik.Errorf(otklik.EUNAUTHORIZED, "send an API token: Authorization: Bearer <token>"))
			return
		}
		user, err := s.tokens.user(r.Context(), token)
		if err != nil {
			if otklik.ErrorCode(err) == otklik.EUNAUTHORIZED {
				s.failures.Allow(ip)
			}
			s.writeError(w, r, err)
			return
		}
		ctx := context.WithValue(r.Context(), actorKey{}, user.Actor())
		h(w, r.WithContext(ctx))
	})
}

// tokenCache remembers valid tokens for a few seconds so that the write path
// does not read the token table on every answer. A token revoked here stops
// working at once (Forget); on other replicas within ttl.
type tokenCache struct {
	db  *store.DB
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]cachedToken
}

type cachedToken struct {
	user    *otklik.User
	expires time.Time
}

func newTokenCache(db *store.DB, ttl time.Duration) *tokenCache {
	return &tokenCache{db: db, ttl: ttl, m: map[string]cachedToken{}}
}

// forget drops every cached token: one was revoked or its user changed.
func (c *tokenCache) forget() {
	c.mu.Lock()
	c.m = map[string]cachedToken{}
	c.mu.Unlock()
}

func (c *tokenCache) user(ctx context.Context, token string) (*otklik.User, error) {
	hash := auth.HashToken(token)
	now := time.Now()
	c.mu.Lock()
	e, ok := c.m[hash]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.user, nil
	}
	u, tokenID, err := c.db.UserByTokenHash(ctx, hash)
	if err != nil {
		return nil, err
	}
	// Recorded on a cache miss only: at most once per ttl per replica.
	if err := c.db.TouchToken(ctx, tokenID); err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.m) > 10000 {
		c.m = map[string]cachedToken{}
	}
	c.m[hash] = cachedToken{u, now.Add(c.ttl)}
	c.mu.Unlock()
	return u, nil
}

// httpMetrics counts requests and their durations per route for /metrics.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg *prometheus.Registry) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "otklik_api_requests_total", Help: "API requests by route and status.",
		}, []string{"route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "otklik_api_request_seconds", Help: "API request durations by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.duration)
	}
	return m
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (m *httpMetrics) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		route := r.Pattern // set by the mux on the request it was given
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, strconv.Itoa(rec.status)).Inc()
		m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}
