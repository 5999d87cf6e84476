package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// DefaultTimeout bounds one delivery attempt (connect, send, reply) when
// Sender.Timeout is zero. Subscribers are asked to answer at once and do
// their work afterwards.
const DefaultTimeout = 10 * time.Second

// DefaultUserAgent is sent when Sender.UserAgent is empty.
const DefaultUserAgent = "Otklik-Webhooks/1"

// MaxBodyLog is how much of a reply Result.Body keeps for the delivery log.
const MaxBodyLog = 1024

// MaxRetryAfter caps a subscriber's Retry-After, so a reply of "come back
// next year" cannot park a delivery for longer than a day.
const MaxRetryAfter = 24 * time.Hour

// drainLimit is how much of a longer reply is read and thrown away so the
// connection can be reused; beyond it the connection is simply closed.
const drainLimit = 64 << 10

// Sender makes one delivery attempt at a time; it is safe for concurrent
// use. The zero value works: http.DefaultTransport, DefaultTimeout,
// DefaultUserAgent and time.Now.
type Sender struct {
	// HTTP is the client to send with (its transport, proxy and TLS
	// settings). Its CheckRedirect is ignored: redirects are never followed,
	// since a signed POST must not be replayed to wherever a 3xx points.
	HTTP      *http.Client
	UserAgent string
	Now       func() time.Time
	// Timeout bounds one attempt; 0 means DefaultTimeout.
	Timeout time.Duration
}

// Result is the outcome of one attempt, everything the delivery log needs.
type Result struct {
	Status     int           // the HTTP status; 0 when no reply came
	Duration   time.Duration // from sending to the end of the reply (by Sender.Now)
	Err        error         // nil exactly when the subscriber answered 2xx
	Body       string        // the first MaxBodyLog bytes of the reply, valid UTF-8
	Permanent  bool          // retrying the same request cannot succeed
	RetryAfter time.Duration // the subscriber's Retry-After (capped), 0 when absent
}

// OK reports whether the subscriber accepted the event.
func (r Result) OK() bool { return r.Err == nil }

// Gone reports a 410 reply: the subscriber says the endpoint no longer
// exists, and the subscription should be disabled at once.
func (r Result) Gone() bool { return r.Status == http.StatusGone }

// Deliver POSTs env to rawURL signed with secret and classifies the reply:
//
//   - 2xx: delivered.
//   - 410 Gone: permanent; see Result.Gone.
//   - 408 and 429: temporary, with the reply's Retry-After.
//   - any other 4xx: permanent — the subscriber refuses this request and
//     the same bytes will be refused again.
//   - 3xx: a temporary failure; the redirect is not followed. Usually a
//     proxy sending http to https or a maintenance page, fixed by editing the
//     URL; the error names the Location so the admin sees where it points.
//   - 5xx, other statuses, network errors, timeouts: temporary (Retry-After
//     honoured when given).
//
// An invalid URL or an envelope that cannot be encoded is permanent and
// sends nothing.
func (s *Sender) Deliver(ctx context.Context, rawURL string, secret []byte, env Envelope) Result {
	return s.DeliverRotating(ctx, rawURL, [][]byte{secret}, env)
}

// DeliverRotating is Deliver signing with several secrets at once (see
// SignAll), for the days when a subscription's secret is being rotated.
func (s *Sender) DeliverRotating(ctx context.Context, rawURL string, secrets [][]byte, env Envelope) Result {
	if err := ValidateURL(rawURL); err != nil {
		return Result{Err: fmt.Errorf("webhook: %w", err), Permanent: true}
	}
	body, err := json.Marshal(env)
	if err != nil {
		return Result{Err: fmt.Errorf("webhook: encode envelope %s: %w", env.ID, err), Permanent: true}
	}
	now := s.now()
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return Result{Err: fmt.Errorf("webhook: request for %s: %w", redact(rawURL), err), Permanent: true}
	}
	ua := s.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", ua)
	req.Header.Set(HeaderID, env.ID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(HeaderSignature, SignAll(secrets, now, body))

	resp, err := s.client().Do(req)
	if err != nil {
		return Result{Duration: s.now().Sub(now), Err: transportError(ctx, rawURL, timeout, err)}
	}
	snippet := readSnippet(resp.Body)
	_ = resp.Body.Close()
	r := Result{Status: resp.StatusCode, Duration: s.now().Sub(now), Body: snippet}
	classify(&r, resp, rawURL, now)
	return r
}

// classify fills Err, Permanent and RetryAfter from the reply's status.
func classify(r *Result, resp *http.Response, rawURL string, now time.Time) {
	code := resp.StatusCode
	switch {
	case code >= 200 && code <= 299:
		return
	case code >= 300 && code <= 399:
		loc := resp.Header.Get("Location")
		if loc == "" {
			loc = "nowhere"
		}
		r.Err = fmt.Errorf("webhook: %s answered %s (a redirect to %s, not followed)", redact(rawURL), resp.Status, redact(loc))
		return
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests:
	case code >= 400 && code <= 499:
		r.Permanent = true
	}
	r.Err = fmt.Errorf("webhook: %s answered %s", redact(rawURL), resp.Status)
	if !r.Permanent {
		r.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), now)
	}
}

// retryAfter reads a Retry-After value: delay-seconds or an HTTP date
// (RFC 9110 §10.2.3), relative to now. Anything unreadable or past is 0.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if isDigits(v) {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n > int64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter
		}
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), MaxRetryAfter)
}

// readSnippet returns the first MaxBodyLog bytes of a reply as valid UTF-8
// (a rune cut at the limit is dropped, invalid bytes replaced: the log lives
// in a text column) and drains a bit more so the connection can be reused.
func readSnippet(body io.Reader) string {
	buf, _ := io.ReadAll(io.LimitReader(body, MaxBodyLog))
	_, _ = io.Copy(io.Discard, io.LimitReader(body, drainLimit))
	if len(buf) == MaxBodyLog {
		// The limit may have cut the last rune: drop its leading bytes.
		for i := len(buf) - 1; i >= 0 && i >= len(buf)-utf8.UTFMax; i-- {
			if utf8.RuneStart(buf[i]) {
				if !utf8.FullRune(buf[i:]) {
					buf = buf[:i]
				}
				break
			}
		}
	}
	return strings.ReplaceAll(strings.ToValidUTF8(string(buf), "\uFFFD"), "\x00", "")
}

// transportError describes a failed exchange without the URL's query, which
// may hold a subscriber's token.
func transportError(ctx context.Context, rawURL string, timeout time.Duration, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Errorf("webhook: POST %s: no reply within %v: %w", redact(rawURL), timeout, err)
	}
	return fmt.Errorf("webhook: POST %s: %w", redact(rawURL), err)
}

// redact drops a URL's query and fragment for logs and errors.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.RawQuery, u.Fragment, u.RawFragment, u.User = "", "", "", nil
	return u.String()
}

// client returns a copy of the configured client that does not follow
// redirects; the caller's client is left as it was.
func (s *Sender) client() *http.Client {
	c := http.Client{}
	if s.HTTP != nil {
		c = *s.HTTP
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}
