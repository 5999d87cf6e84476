// Package smtptest runs an in-process SMTP server (github.com/emersion/go-smtp)
// on 127.0.0.1 that stores what it receives, so tests of any package can
// send real mail and look at it: the decoded subject, the text and HTML
// parts, the headers. It can offer STARTTLS (or implicit TLS) with a
// self-signed certificate made in memory, require AUTH PLAIN, and reply
// 4xx/5xx to chosen messages to exercise retries.
//
//	sink := smtptest.Start(t, smtptest.WithSTARTTLS(), smtptest.WithAuth("u", "p"))
//	sender, _ := email.New(email.Config{URL: sink.URL(), From: "noreply@example.ru", InsecureSkipVerify: true})
//	...
//	got := sink.WaitFor(1, 5*time.Second)
package smtptest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Received is one message as the server got it.
type Received struct {
	From string   // MAIL FROM
	To   []string // RCPT TO, in order
	Data []byte   // the message as transmitted, CRLF line ends
	// TLS reports whether the session was encrypted when DATA arrived.
	TLS bool
	// AuthUser is the authenticated user name, "" without AUTH.
	AuthUser string
	// Parsed is Data decoded: Subject, Text, HTML, Headers (fields are
	// promoted, so r.Subject works).
	Parsed
}

// Option configures a Sink.
type Option func(*config)

type config struct {
	startTLS, implicitTLS bool
	user, pass            string
	maxStored             int
}

// WithSTARTTLS makes the server offer STARTTLS with a self-signed
// certificate for 127.0.0.1 and localhost (clients need InsecureSkipVerify
// or Sink.CertPool).
func WithSTARTTLS() Option { return func(c *config) { c.startTLS = true } }

// WithImplicitTLS makes the server speak TLS from the first byte (smtps://).
func WithImplicitTLS() Option { return func(c *config) { c.implicitTLS = true } }

// WithAuth requires AUTH PLAIN with these credentials before MAIL FROM.
// Without TLS the server still offers AUTH (it is on loopback).
func WithAuth(user, pass string) Option {
	return func(c *config) { c.user, c.pass = user, pass }
}

// WithMaxStored keeps only the latest n messages (benchmarks); Count still
// counts all. Zero, the default, keeps everything.
func WithMaxStored(n int) Option { return func(c *config) { c.maxStored = n } }

// Sink is a running SMTP server. Its methods are safe for concurrent use.
type Sink struct {
	t    testing.TB
	cfg  config
	srv  *smtp.Server
	ln   net.Listener
	pool *x509.CertPool

	mu        sync.Mutex
	msgs      []Received
	count     int
	rejected  int
	failLeft  int
	failCode  int
	sessions  map[*session]bool
	changed   chan struct{} // closed and replaced on every new message
	stopped   bool
	serveDone chan struct{}
}

// Start runs a server on 127.0.0.1:0 until the test ends.
func Start(t testing.TB, opts ...Option) *Sink {
	t.Helper()
	s := &Sink{t: t, changed: make(chan struct{}), serveDone: make(chan struct{})}
	for _, o := range opts {
		o(&s.cfg)
	}
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = "localhost"
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	srv.MaxMessageBytes = 32 << 20
	srv.AllowInsecureAuth = true
	srv.ErrorLog = sinkLogger{s}

	var tlsCfg *tls.Config
	if s.cfg.startTLS || s.cfg.implicitTLS {
		cert, pool, err := selfSigned()
		if err != nil {
			t.Fatalf("smtptest: certificate: %v", err)
		}
		s.pool = pool
		tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if s.cfg.startTLS && !s.cfg.implicitTLS {
		srv.TLSConfig = tlsCfg
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	if s.cfg.implicitTLS {
		ln = tls.NewListener(ln, tlsCfg)
	}
	s.srv, s.ln = srv, ln
	go func() {
		defer close(s.serveDone)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(s.Close)
	return s
}

// Close stops the server; Start arranges it at the end of the test.
func (s *Sink) Close() {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	s.stopped = true
	s.mu.Unlock()
	_ = s.srv.Close()
	<-s.serveDone
}

// Addr is the server's host:port.
func (s *Sink) Addr() string { return s.ln.Addr().String() }

// URL is the server as an OTKLIK_SMTP_URL: smtp:// (smtps:// with
// WithImplicitTLS), with the credentials of WithAuth.
func (s *Sink) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.Addr()}
	if s.cfg.implicitTLS {
		u.Scheme = "smtps"
	}
	if s.cfg.user != "" {
		u.User = url.UserPassword(s.cfg.user, s.cfg.pass)
	}
	return u.String()
}

// CertPool trusts the sink's self-signed certificate (nil without TLS).
func (s *Sink) CertPool() *x509.CertPool { return s.pool }

// Messages returns the messages received so far, oldest first.
func (s *Sink) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// Count is the number of messages accepted, including any no longer stored.
func (s *Sink) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// Rejected is the number of messages refused through FailNext.
func (s *Sink) Rejected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejected
}

// Reset forgets the stored messages and counters (not pending failures).
func (s *Sink) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs, s.count, s.rejected = nil, 0, 0
}

// WaitFor waits until at least n messages have arrived and returns them all;
// after timeout it fails the test. Call it from the test's goroutine.
func (s *Sink) WaitFor(n int, timeout time.Duration) []Received {
	s.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		if len(s.msgs) >= n || (s.cfg.maxStored > 0 && s.count >= n) {
			msgs := append([]Received(nil), s.msgs...)
			s.mu.Unlock()
			return msgs
		}
		got, changed := s.count, s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			s.t.Fatalf("smtptest: waited %v for %d messages, got %d", timeout, n, got)
			return nil
		}
	}
}

// FailNext makes the server refuse the next n messages, replying code
// (400–599) to RCPT TO: 451 or 421 for a temporary failure, 550 for an
// unknown mailbox. Later messages are accepted again.
func (s *Sink) FailNext(n, code int) {
	s.t.Helper()
	if code < 400 || code > 599 {
		s.t.Fatalf("smtptest: FailNext code %d is not a 4xx or 5xx reply", code)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failLeft, s.failCode = n, code
}

func (s *Sink) store(r Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count++
	s.msgs = append(s.msgs, r)
	if s.cfg.maxStored > 0 && len(s.msgs) > s.cfg.maxStored {
		s.msgs = append(s.msgs[:0:0], s.msgs[len(s.msgs)-s.cfg.maxStored:]...)
	}
	close(s.changed)
	s.changed = make(chan struct{})
}

// takeFailure returns the injected error for a new transaction, if any.
func (s *Sink) takeFailure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failLeft <= 0 {
		return nil
	}
	s.failLeft--
	s.rejected++
	code := s.failCode
	msg := "Requested action aborted: local error in processing (injected by smtptest)"
	enh := smtp.EnhancedCode{4, 3, 0}
	if code >= 500 {
		msg = "Mailbox unavailable (injected by smtptest)"
		enh = smtp.EnhancedCode{5, 1, 1}
	}
	return &smtp.SMTPError{Code: code, EnhancedCode: enh, Message: msg}
}

// DropConnections closes every open client connection, as a server restart
// or an idle time-out would; the server keeps accepting new ones.
func (s *Sink) DropConnections() {
	s.mu.Lock()
	var conns []*smtp.Conn
	for ss := range s.sessions {
		conns = append(conns, ss.conn)
	}
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
}

func (s *Sink) newSession(c *smtp.Conn) (smtp.Session, error) {
	ss := &session{sink: s, conn: c}
	s.mu.Lock()
	if s.sessions == nil {
		s.sessions = map[*session]bool{}
	}
	s.sessions[ss] = true
	s.mu.Unlock()
	return ss, nil
}

type session struct {
	sink     *Sink
	conn     *smtp.Conn
	authUser string
	from     string
	to       []string
	failure  error // injected for the current transaction
}

var (
	_ smtp.Session     = (*session)(nil)
	_ smtp.AuthSession = (*session)(nil)
)

func (ss *session) AuthMechanisms() []string {
	if ss.sink.cfg.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if ss.sink.cfg.user == "" || mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if (identity != "" && identity != user) || user != ss.sink.cfg.user || pass != ss.sink.cfg.pass {
			return smtp.ErrAuthFailed
		}
		ss.authUser = user
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.sink.cfg.user != "" && ss.authUser == "" {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if ss.failure == nil && len(ss.to) == 0 {
		ss.failure = ss.sink.takeFailure()
	}
	if ss.failure != nil {
		return ss.failure
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	_, isTLS := ss.conn.TLSConnectionState()
	rec := Received{
		From:     ss.from,
		To:       append([]string(nil), ss.to...),
		Data:     buf.Bytes(),
		TLS:      isTLS,
		AuthUser: ss.authUser,
		Parsed:   Parse(buf.Bytes()),
	}
	ss.sink.store(rec)
	return nil
}

func (ss *session) Reset() {
	ss.from, ss.to, ss.failure = "", nil, nil
}

func (ss *session) Logout() error {
	ss.sink.mu.Lock()
	delete(ss.sink.sessions, ss)
	ss.sink.mu.Unlock()
	return nil
}

// sinkLogger forwards the server's error log to the test log until the sink
// stops (logging after a test has ended panics).
type sinkLogger struct{ s *Sink }

func (l sinkLogger) Printf(format string, v ...any) { l.log(fmt.Sprintf(format, v...)) }
func (l sinkLogger) Println(v ...any)               { l.log(fmt.Sprintln(v...)) }

func (l sinkLogger) log(line string) {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	if l.s.stopped {
		return
	}
	l.s.t.Logf("smtptest: %s", line)
}
