package telegram

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Poller long-polls getUpdates. The zero value uses the defaults below.
type Poller struct {
	// Timeout is the long-poll wait per request, in whole seconds; below
	// 1 s (which would be short polling, a busy loop) the default 30 s.
	Timeout time.Duration
	// MinBackoff is the first wait after a failure, doubled on each
	// failure in a row up to MaxBackoff; defaults 1 s and 1 min. A 429's
	// RetryAfter is waited instead when the server gives one.
	MinBackoff time.Duration
	MaxBackoff time.Duration
}

// Poll runs Poller{}.Run: see there.
func Poll(ctx context.Context, c *Client, handle func(context.Context, Update) error, log *slog.Logger) {
	Poller{}.Run(ctx, c, handle, log)
}

// Run long-polls until ctx ends, passing each update to handle once, in
// order. The offset — which confirms updates to Telegram, so they are never
// sent again — only moves past an update after handle returned nil for it.
// When handle fails, Run backs off and asks again from that update: it and
// the ones after it in the batch come again, and none is skipped. So handle
// should return an error only for failures worth retrying (the database is
// down) and nil for an update it cannot use (a stray message, a forged
// button), or that update is retried forever. Failed getUpdates calls —
// flood control, 5xx, network, 409 while a webhook is set — are logged and
// retried with backoff. log may be nil.
func (p Poller) Run(ctx context.Context, c *Client, handle func(context.Context, Update) error, log *slog.Logger) {
	p = p.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var offset int64
	failures := 0
	for ctx.Err() == nil {
		ups, err := c.GetUpdates(ctx, offset, p.Timeout)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			failures++
			wait := p.backoff(err, failures)
			log.Warn("telegram: getUpdates failed", "err", err, "retry_in", wait)
			sleep(ctx, wait)
			continue
		}
		failed := false
		for _, u := range ups {
			if u.UpdateID < offset {
				continue // already handled; a server must not resend it, but be sure
			}
			if err := handle(ctx, u); err != nil {
				if ctx.Err() != nil {
					return
				}
				failures++
				wait := p.backoff(err, failures)
				log.Warn("telegram: handling update failed", "update_id", u.UpdateID, "err", err, "retry_in", wait)
				sleep(ctx, wait)
				failed = true
				break
			}
			offset = u.UpdateID + 1
		}
		if !failed {
			failures = 0
		}
	}
}

func (p Poller) withDefaults() Poller {
	if p.Timeout < time.Second {
		p.Timeout = 30 * time.Second
	}
	if p.MinBackoff <= 0 {
		p.MinBackoff = time.Second
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = time.Minute
	}
	p.MaxBackoff = max(p.MaxBackoff, p.MinBackoff)
	return p
}

// backoff is the wait after the n-th failure in a row.
func (p Poller) backoff(err error, n int) time.Duration {
	var e *APIError
	if errors.As(err, &e) && e.RetryAfter > 0 {
		return e.RetryAfter
	}
	d := p.MinBackoff
	for i := 1; i < n && d < p.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, p.MaxBackoff)
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
