package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// Sender sends Messages over SMTP. It is safe for concurrent use; it keeps a
// few idle connections open for reuse (each re-checked with NOOP before use,
// dropped after 15 s idle or 100 messages). Close releases them.
type Sender struct {
	ep     Endpoint
	from   *mail.Address
	domain string // the sender's domain, for generated Message-IDs
	client *gomail.Client
	tlsCfg *tls.Config

	mu     sync.Mutex
	idle   []*conn
	closed bool

	now         func() time.Time
	idleTimeout time.Duration
	dialAddr    string // tests: dial here instead of the URL's host
}

// conn is one SMTP session, usable by one Send at a time.
type conn struct {
	c         *smtp.Client
	raw       *abortConn
	sent      int
	idleSince time.Time
}

// New validates cfg and returns a Sender. It does not connect: a server that
// is down shows up as a temporary error from Send.
func New(cfg Config) (*Sender, error) {
	ep, err := ParseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	from, err := parseFrom(cfg.From)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("email: negative timeout %v", cfg.Timeout)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	s := &Sender{
		ep:          ep,
		from:        from,
		domain:      from.Address[strings.LastIndexByte(from.Address, '@')+1:],
		now:         time.Now,
		idleTimeout: defaultIdleTimeout,
		tlsCfg: &tls.Config{
			ServerName:         ep.Host,
			MinVersion:         tls.VersionTLS12,
			InsecureSkipVerify: cfg.InsecureSkipVerify, //nolint:gosec // tests only, documented on Config
		},
	}
	opts := []gomail.Option{
		gomail.WithPort(ep.Port),
		gomail.WithTimeout(cfg.Timeout),
		gomail.WithTLSConfig(s.tlsCfg),
		gomail.WithTLSPolicy(gomail.TLSOpportunistic),
		gomail.WithDialContextFunc(s.dial),
	}
	if ep.ImplicitTLS {
		// s.dial does the handshake; this only stops go-mail from trying STARTTLS.
		opts = append(opts, gomail.WithSSL())
	}
	if ep.Username != "" {
		opts = append(opts, gomail.WithSMTPAuthCustom(plainOrLogin{user: ep.Username, pass: ep.Password, host: ep.Host}))
	}
	s.client, err = gomail.NewClient(ep.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("email: %w", err)
	}
	return s, nil
}

// Endpoint returns the parsed server address (password included; log its
// String form only).
func (s *Sender) Endpoint() Endpoint { return s.ep }

// Send delivers m to the server. A nil error means the server accepted the
// message (250 after DATA). Otherwise the error is an *Error; see
// IsPermanent. Cancelling ctx aborts the exchange at once.
func (s *Sender) Send(ctx context.Context, m Message) error {
	msg, err := s.build(m)
	if err != nil {
		return &Error{Op: "message", Permanent: true, Err: err}
	}
	// A pooled connection may have been closed by the server while idle; a
	// failure on it before any message data went out is retried once on a
	// fresh connection.
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return &Error{Op: "connect", Err: err}
		}
		c, reused, err := s.get(ctx)
		if err != nil {
			return classify("connect", ctxErr(ctx, err))
		}
		stop := context.AfterFunc(ctx, c.raw.abort)
		err = s.client.SendWithSMTPClient(c.c, msg)
		aborted := !stop()
		if msg.IsDelivered() {
			// Accepted; an error can only be from the RSET afterwards.
			if err != nil || aborted {
				s.discard(c, false)
			} else {
				s.put(c)
			}
			return nil
		}
		if aborted {
			s.discard(c, false)
			return classify("send", ctxErr(ctx, err))
		}
		e := classify("send", err)
		if reused && attempt == 0 && e.Code == 0 && (e.Op == "connect" || e.Op == "mail" || e.Op == "rcpt") {
			s.discard(c, false)
			continue
		}
		// After a reply the session is intact (go-mail sent RSET): close it
		// politely; after a network error just drop it.
		s.discard(c, e.Code != 0)
		return e
	}
}

// Close closes idle connections. Sends in flight finish; their connections
// are then closed instead of kept.
func (s *Sender) Close() error {
	s.mu.Lock()
	idle := s.idle
	s.idle, s.closed = nil, true
	s.mu.Unlock()
	for _, c := range idle {
		s.discard(c, true)
	}
	return nil
}

// get returns an idle connection or dials a new one.
func (s *Sender) get(ctx context.Context) (*conn, bool, error) {
	now := s.now()
	var stale []*conn
	var c *conn
	s.mu.Lock()
	for len(s.idle) > 0 {
		last := s.idle[len(s.idle)-1]
		s.idle = s.idle[:len(s.idle)-1]
		if now.Sub(last.idleSince) < s.idleTimeout {
			c = last
			break
		}
		stale = append(stale, last)
	}
	s.mu.Unlock()
	for _, old := range stale {
		s.discard(old, true)
	}
	if c != nil {
		return c, true, nil
	}
	h := &dialHook{}
	stop := context.AfterFunc(ctx, h.abort)
	defer stop()
	sc, err := s.client.DialToSMTPClientWithContext(context.WithValue(ctx, dialHookKey{}, h))
	if err != nil {
		if raw := h.get(); raw != nil {
			_ = raw.Close()
		}
		if errors.Is(err, smtp.ErrUnencrypted) {
			err = fmt.Errorf("refusing to send the password for %s unencrypted (the server offered no STARTTLS): %w", s.ep.Host, err)
		}
		return nil, false, err
	}
	return &conn{c: sc, raw: h.get()}, false, nil
}

// put keeps a healthy connection for the next Send.
func (s *Sender) put(c *conn) {
	c.sent++
	c.idleSince = s.now()
	s.mu.Lock()
	if !s.closed && c.sent < maxMessagesPerConn && len(s.idle) < maxIdleConns {
		s.idle = append(s.idle, c)
		c = nil
	}
	s.mu.Unlock()
	if c != nil {
		s.discard(c, true)
	}
}

// discard ends a connection, with QUIT if polite (bounded by a short deadline).
func (s *Sender) discard(c *conn, polite bool) {
	if polite && !c.raw.aborted() {
		_ = c.raw.SetDeadline(time.Now().Add(2 * time.Second))
		_ = c.c.Quit()
	}
	_ = c.raw.Close()
}

// dial is go-mail's DialContextFunc: plain TCP, or TLS for smtps://, over an
// abortConn so that cancelling Send's context interrupts blocked I/O.
func (s *Sender) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if s.dialAddr != "" {
		addr = s.dialAddr
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	raw := &abortConn{Conn: nc}
	if h, ok := ctx.Value(dialHookKey{}).(*dialHook); ok {
		h.set(raw)
	}
	if !s.ep.ImplicitTLS {
		return raw, nil
	}
	tc := tls.Client(raw, s.tlsCfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = raw.Close()
		return nil, fmt.Errorf("TLS handshake with %s: %w", addr, err)
	}
	return tc, nil
}

func ctxErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		if err == nil {
			return cerr
		}
		return fmt.Errorf("%w (%v)", cerr, err)
	}
	return err
}

// abortConn is a net.Conn whose blocked reads and writes can be interrupted
// for good: after abort every deadline is in the past, whatever go-mail sets.
type abortConn struct {
	net.Conn
	mu   sync.Mutex
	done bool
}

var past = time.Unix(1, 0)

func (c *abortConn) abort() {
	c.mu.Lock()
	c.done = true
	c.mu.Unlock()
	_ = c.Conn.SetDeadline(past)
}

func (c *abortConn) aborted() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.done
}

func (c *abortConn) deadline(t time.Time) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return past
	}
	return t
}

func (c *abortConn) SetDeadline(t time.Time) error { return c.Conn.SetDeadline(c.deadline(t)) }
func (c *abortConn) SetReadDeadline(t time.Time) error {
	return c.Conn.SetReadDeadline(c.deadline(t))
}
func (c *abortConn) SetWriteDeadline(t time.Time) error {
	return c.Conn.SetWriteDeadline(c.deadline(t))
}

// dialHook carries the connection being dialled back to get, so a context
// cancelled during the greeting, STARTTLS or AUTH aborts it too.
type dialHook struct {
	mu      sync.Mutex
	raw     *abortConn
	aborted bool
}

type dialHookKey struct{}

func (h *dialHook) set(raw *abortConn) {
	h.mu.Lock()
	h.raw = raw
	aborted := h.aborted
	h.mu.Unlock()
	if aborted {
		raw.abort()
	}
}

func (h *dialHook) get() *abortConn {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.raw
}

func (h *dialHook) abort() {
	h.mu.Lock()
	h.aborted = true
	raw := h.raw
	h.mu.Unlock()
	if raw != nil {
		raw.abort()
	}
}
