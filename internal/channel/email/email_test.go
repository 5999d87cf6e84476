package email_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"otklik/internal/channel/email"
	"otklik/internal/channel/email/smtptest"
)

const wait = 10 * time.Second

func newSender(t testing.TB, url string) *email.Sender {
	t.Helper()
	s, err := email.New(email.Config{
		URL:                url,
		From:               "Отклик <noreply@otklik.example>",
		Timeout:            5 * time.Second,
		InsecureSkipVerify: true,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// invitation is the kind of message the outreach engine sends: a 0–10 scale
// of links in HTML and in text, and one-click unsubscribe headers.
func invitation(id string) email.Message {
	var html, text strings.Builder
	html.WriteString(`<!doctype html><html><body><p>Здравствуйте, Иван Петрович!</p>` +
		`<p>Насколько вероятно, что вы порекомендуете «Ромашку» друзьям? Оцените от 0 до 10:</p><p>`)
	text.WriteString("Здравствуйте, Иван Петрович!\n\nНасколько вероятно, что вы порекомендуете «Ромашку» друзьям?\n\n")
	for i := 0; i <= 10; i++ {
		fmt.Fprintf(&html, `<a href="https://otklik.example/s/tok%s?score=%d">%d</a> `, id, i, i)
		fmt.Fprintf(&text, "%d — https://otklik.example/s/tok%s?score=%d\n", i, id, i)
	}
	html.WriteString(`</p><p>Спасибо! Ваше мнение помогает нам стать лучше.</p></body></html>`)
	text.WriteString("\nСпасибо! Ваше мнение помогает нам стать лучше.\n")
	return email.Message{
		To:       (&mail.Address{Name: "Иван Петров", Address: "ivan@example.ru"}).String(),
		Subject:  "Оцените нашу работу",
		Text:     text.String(),
		HTML:     html.String(),
		FromName: "ООО «Ромашка»",
		ReplyTo:  "Служба заботы <care@romashka.example>",
		Headers: map[string]string{
			"List-Unsubscribe":      "<https://otklik.example/u/tok" + id + ">, <mailto:unsubscribe@otklik.example?subject=tok" + id + ">",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
			"X-Otklik-Invitation":   id,
		},
		MessageID: "inv-" + id + "@otklik.example",
	}
}

func TestRussianInvitationArrivesIntact(t *testing.T) {
	sink := smtptest.Start(t)
	s := newSender(t, sink.URL())
	m := invitation("42")
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := sink.WaitFor(1, wait)[0]
	if got.Err != nil {
		t.Fatalf("parse: %v", got.Err)
	}
	if got.From != "noreply@otklik.example" || len(got.To) != 1 || got.To[0] != "ivan@example.ru" {
		t.Errorf("envelope = %q → %q", got.From, got.To)
	}
	if got.Subject != "Оцените нашу работу" {
		t.Errorf("subject = %q", got.Subject)
	}
	if raw := got.Headers.Get("Subject"); !strings.HasPrefix(raw, "=?UTF-8?") {
		t.Errorf("raw subject %q is not RFC 2047-encoded", raw)
	}
	if got.ContentType != "multipart/alternative" {
		t.Errorf("content type = %q", got.ContentType)
	}
	if got.Text != strings.ReplaceAll(m.Text, "\r\n", "\n") {
		t.Errorf("text part differs:\n%s", got.Text)
	}
	if got.HTML != m.HTML {
		t.Errorf("html part differs:\n%s", got.HTML)
	}
	for i := 0; i <= 10; i++ {
		link := fmt.Sprintf("https://otklik.example/s/tok42?score=%d", i)
		if !strings.Contains(got.HTML, `href="`+link+`"`) || !strings.Contains(got.Text, link) {
			t.Errorf("score %d link missing", i)
		}
	}
	if v := got.Header("List-Unsubscribe"); v != m.Headers["List-Unsubscribe"] {
		t.Errorf("List-Unsubscribe = %q", v)
	}
	if v := got.Header("List-Unsubscribe-Post"); v != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post = %q", v)
	}
	if v := got.Header("X-Otklik-Invitation"); v != "42" {
		t.Errorf("X-Otklik-Invitation = %q", v)
	}
	if v := got.Headers.Get("Message-Id"); v != "<inv-42@otklik.example>" {
		t.Errorf("Message-ID = %q", v)
	}
	if v := got.Headers.Get("MIME-Version"); v != "1.0" {
		t.Errorf("MIME-Version = %q", v)
	}
	if got.Headers.Get("Date") == "" {
		t.Error("no Date")
	}
	from, err := got.Address("From")
	if err != nil || from.Name != "ООО «Ромашка»" || from.Address != "noreply@otklik.example" {
		t.Errorf("From = %v, %v (raw %q)", from, err, got.Headers.Get("From"))
	}
	to, err := got.Address("To")
	if err != nil || to.Name != "Иван Петров" || to.Address != "ivan@example.ru" {
		t.Errorf("To = %v, %v", to, err)
	}
	rt, err := got.Address("Reply-To")
	if err != nil || rt.Name != "Служба заботы" {
		t.Errorf("Reply-To = %v, %v", rt, err)
	}
	// The wire form is 7-bit, lines within RFC 5322's limit.
	for i, line := range strings.Split(string(got.Data), "\r\n") {
		if len(line) > 998 {
			t.Errorf("line %d is %d bytes", i, len(line))
		}
		for _, c := range []byte(line) {
			if c >= 0x80 {
				t.Fatalf("line %d has 8-bit data: %q", i, line)
			}
		}
	}
	if got.TLS || got.AuthUser != "" {
		t.Errorf("plain sink: TLS=%v auth=%q", got.TLS, got.AuthUser)
	}
}

func TestSTARTTLSAndAuth(t *testing.T) {
	sink := smtptest.Start(t, smtptest.WithSTARTTLS(), smtptest.WithAuth("otklik", "s3cr:t@пароль"))
	s := newSender(t, sink.URL())
	for i := range 3 { // the 2nd and 3rd reuse the authenticated TLS session
		if err := s.Send(context.Background(), invitation(fmt.Sprint(i))); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
	}
	for _, got := range sink.WaitFor(3, wait) {
		if !got.TLS || got.AuthUser != "otklik" {
			t.Errorf("TLS=%v auth=%q, want STARTTLS and AUTH", got.TLS, got.AuthUser)
		}
		if got.Subject != "Оцените нашу работу" {
			t.Errorf("subject = %q", got.Subject)
		}
	}

	t.Run("wrong password is temporary", func(t *testing.T) {
		u := strings.Replace(sink.URL(), "s3cr", "wrong", 1)
		err := newSender(t, u).Send(context.Background(), invitation("x"))
		if err == nil || email.IsPermanent(err) {
			t.Fatalf("err = %v, want a temporary (configuration) error", err)
		}
		if email.Code(err) != 535 {
			t.Errorf("code = %d, want 535", email.Code(err))
		}
	})
	t.Run("certificate is verified without InsecureSkipVerify", func(t *testing.T) {
		s, err := email.New(email.Config{URL: sink.URL(), From: "noreply@otklik.example", Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		err = s.Send(context.Background(), invitation("y"))
		if err == nil || email.IsPermanent(err) || !strings.Contains(err.Error(), "certificate") {
			t.Fatalf("err = %v, want a temporary certificate error", err)
		}
	})
}

func TestImplicitTLS(t *testing.T) {
	sink := smtptest.Start(t, smtptest.WithImplicitTLS(), smtptest.WithAuth("u", "p"))
	if !strings.HasPrefix(sink.URL(), "smtps://") {
		t.Fatalf("URL = %s", sink.URL())
	}
	if err := newSender(t, sink.URL()).Send(context.Background(), invitation("1")); err != nil {
		t.Fatal(err)
	}
	if got := sink.WaitFor(1, wait)[0]; !got.TLS || got.AuthUser != "u" {
		t.Errorf("TLS=%v auth=%q", got.TLS, got.AuthUser)
	}
}

func TestPlainAuthRefusedOverCleartextToRemoteHost(t *testing.T) {
	// A server on a non-loopback name that offers AUTH but no STARTTLS: the
	// password must not be sent. Dial the sink through a name that is not
	// "localhost" by listening on it ourselves: 127.0.0.1 is loopback, so
	// use a fake SMTP server that records whether AUTH arrived.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	authSeen := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 4096)
		fmt.Fprint(c, "220 fake ESMTP\r\n")
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			line := string(buf[:n])
			switch {
			case strings.HasPrefix(line, "EHLO"):
				fmt.Fprint(c, "250-fake\r\n250 AUTH PLAIN LOGIN\r\n")
			case strings.HasPrefix(line, "AUTH"):
				authSeen <- line
				fmt.Fprint(c, "235 ok\r\n")
			case strings.HasPrefix(line, "QUIT"):
				fmt.Fprint(c, "221 bye\r\n")
				return
			default:
				fmt.Fprint(c, "250 ok\r\n")
			}
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	// 127.0.0.2 is loopback too; what matters is the name go-mail checks,
	// so route a public-looking name to the local listener.
	s, err := email.New(email.Config{URL: "smtp://user:pass@mail.romashka.example:" + port, From: "a@b.example", Timeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	email.SetDialAddrForTest(s, ln.Addr().String())
	err = s.Send(context.Background(), invitation("1"))
	if err == nil || !strings.Contains(err.Error(), "unencrypted") {
		t.Fatalf("err = %v, want a refusal to authenticate without TLS", err)
	}
	select {
	case line := <-authSeen:
		t.Fatalf("credentials were sent in clear: %q", line)
	default:
	}
}

func TestErrorClassification(t *testing.T) {
	sink := smtptest.Start(t)
	s := newSender(t, sink.URL())
	ctx := context.Background()

	sink.FailNext(1, 550)
	err := s.Send(ctx, invitation("1"))
	if !email.IsPermanent(err) || email.Code(err) != 550 {
		t.Errorf("550: err = %v, permanent = %v, code = %d", err, email.IsPermanent(err), email.Code(err))
	}
	var e *email.Error
	if !errors.As(err, &e) || e.Op != "rcpt" || e.EnhancedCode != "5.1.1" {
		t.Errorf("550: %#v", e)
	}

	sink.FailNext(1, 451)
	err = s.Send(ctx, invitation("2"))
	if err == nil || email.IsPermanent(err) || !email.IsTemporary(err) || email.Code(err) != 451 {
		t.Errorf("451: err = %v, permanent = %v, code = %d", err, email.IsPermanent(err), email.Code(err))
	}

	// After the failures the same Sender delivers again.
	if err := s.Send(ctx, invitation("3")); err != nil {
		t.Fatalf("after failures: %v", err)
	}
	if got := sink.WaitFor(1, wait); len(got) != 1 || sink.Rejected() != 2 {
		t.Errorf("received %d, rejected %d", len(got), sink.Rejected())
	}

	// A closed port: nothing listens there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "smtp://" + ln.Addr().String()
	ln.Close()
	err = newSender(t, closed).Send(ctx, invitation("4"))
	if err == nil || email.IsPermanent(err) || email.Code(err) != 0 {
		t.Errorf("closed port: err = %v, permanent = %v", err, email.IsPermanent(err))
	}
	if !errors.As(err, &e) || e.Op != "connect" {
		t.Errorf("closed port: op = %q", e.Op)
	}

	// An invalid message is permanent and never reaches the server.
	bad := invitation("5")
	bad.To = "not an address"
	if err := s.Send(ctx, bad); !email.IsPermanent(err) || !errors.Is(err, email.ErrInvalidMessage) {
		t.Errorf("bad recipient address: %v", err)
	}

	// A cancelled context is temporary.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Send(cctx, invitation("6")); err == nil || email.IsPermanent(err) || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if email.IsPermanent(nil) || email.IsTemporary(nil) {
		t.Error("nil error classified")
	}
}

func TestRetryAfterTemporaryFailure(t *testing.T) {
	// What a job queue does: retry temporary failures with the same
	// Message-ID, give up on permanent ones.
	sink := smtptest.Start(t)
	s := newSender(t, sink.URL())
	sink.FailNext(2, 421)
	m := invitation("77")
	var attempts int
	for attempts = 1; attempts <= 5; attempts++ {
		err := s.Send(context.Background(), m)
		if err == nil {
			break
		}
		if email.IsPermanent(err) {
			t.Fatalf("attempt %d: permanent: %v", attempts, err)
		}
	}
	if attempts != 3 {
		t.Errorf("delivered on attempt %d, want 3", attempts)
	}
	got := sink.WaitFor(1, wait)
	if len(got) != 1 || got[0].Headers.Get("Message-Id") != "<inv-77@otklik.example>" {
		t.Errorf("got %d messages, Message-ID %q", len(got), got[0].Headers.Get("Message-Id"))
	}
}

func TestHeaderInjection(t *testing.T) {
	sink := smtptest.Start(t)
	s := newSender(t, sink.URL())
	m := invitation("1")
	m.Subject = "Оцените\r\nBcc: victim@evil.example\r\nX-Injected: yes\n\r\n<html>pwned"
	m.FromName = "Ромашка\r\nX-Injected-From: yes"
	m.Headers["X-Otklik-Invitation"] = "1\r\nX-Injected-Header: yes"
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := sink.WaitFor(1, wait)[0]
	for _, h := range []string{"Bcc", "X-Injected", "X-Injected-From", "X-Injected-Header"} {
		if v, ok := got.Headers[h]; ok {
			t.Errorf("injected header %s: %q", h, v)
		}
	}
	if len(got.To) != 1 {
		t.Errorf("recipients = %q", got.To)
	}
	if want := "Оцените Bcc: victim@evil.example X-Injected: yes <html>pwned"; got.Subject != want {
		t.Errorf("subject = %q, want %q", got.Subject, want)
	}
	if got.HTML != m.HTML {
		t.Error("body changed")
	}

	for name, mod := range map[string]func(*email.Message){
		"CRLF in To":              func(m *email.Message) { m.To = "a@b.example\r\nBcc: c@d.example" },
		"override Bcc":            func(m *email.Message) { m.Headers["Bcc"] = "c@d.example" },
		"override content type":   func(m *email.Message) { m.Headers["content-type"] = "text/plain" },
		"header name with colon":  func(m *email.Message) { m.Headers["X-A: b\r\nX-C"] = "d" },
		"message ID with CRLF":    func(m *email.Message) { m.MessageID = "a\r\nBcc: x@y@z" },
		"non-ASCII unsubscribe":   func(m *email.Message) { m.Headers["List-Unsubscribe"] = "<https://пример.рф/u>" },
		"CRLF in reply-to":        func(m *email.Message) { m.ReplyTo = "a@b.example\nBcc: c@d.example" },
		"no body":                 func(m *email.Message) { m.Text, m.HTML = "", " " },
		"message ID with a space": func(m *email.Message) { m.MessageID = "a b@c" },
	} {
		m := invitation("2")
		mod(&m)
		if err := s.Send(context.Background(), m); !errors.Is(err, email.ErrInvalidMessage) || !email.IsPermanent(err) {
			t.Errorf("%s: err = %v, want a permanent invalid-message error", name, err)
		}
	}
	if n := sink.Count(); n != 1 {
		t.Errorf("sink received %d messages, want only the sanitised one", n)
	}
}

func TestConcurrentSends(t *testing.T) {
	sink := smtptest.Start(t, smtptest.WithSTARTTLS(), smtptest.WithAuth("u", "p"))
	s := newSender(t, sink.URL())
	const workers, perWorker = 10, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker)
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				if err := s.Send(context.Background(), invitation(fmt.Sprintf("%d-%d", w, i))); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := sink.WaitFor(workers*perWorker, wait)
	ids := map[string]bool{}
	for _, r := range got {
		if r.Err != nil || r.Subject != "Оцените нашу работу" {
			t.Errorf("message %s: subject %q, err %v", r.Headers.Get("Message-Id"), r.Subject, r.Err)
		}
		ids[r.Headers.Get("Message-Id")] = true
	}
	if len(got) != workers*perWorker || len(ids) != workers*perWorker {
		t.Errorf("got %d messages with %d distinct IDs, want %d", len(got), len(ids), workers*perWorker)
	}
}

func TestStaleConnectionIsReplaced(t *testing.T) {
	sink := smtptest.Start(t)
	s := newSender(t, sink.URL())
	if err := s.Send(context.Background(), invitation("1")); err != nil {
		t.Fatal(err)
	}
	// The server drops the idle connection (restart, idle time-out).
	sink.DropConnections()
	if err := s.Send(context.Background(), invitation("2")); err != nil {
		t.Fatalf("send over a dropped pooled connection: %v", err)
	}
	sink.WaitFor(2, wait)
}

func TestContextCancelInterruptsHungServer(t *testing.T) {
	// A server that accepts the connection and never says anything.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	s, err := email.New(email.Config{URL: "smtp://" + ln.Addr().String(), From: "a@b.example", Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = s.Send(ctx, invitation("1"))
	if err == nil || email.IsPermanent(err) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Send took %v after the context expired", d)
	}
}

func TestDefaults(t *testing.T) {
	sink := smtptest.Start(t)
	s := newSender(t, sink.URL())
	err := s.Send(context.Background(), email.Message{
		To:        "user@почта.рф",
		Subject:   "Plain ASCII subject",
		Text:      "только текст",
		MessageID: "<case-9.notify>",
	})
	if err != nil {
		t.Fatal(err)
	}
	got := sink.WaitFor(1, wait)[0]
	if got.To[0] != "user@xn--80a1acny.xn--p1ai" {
		t.Errorf("IDN recipient = %q", got.To)
	}
	if got.Subject != "Plain ASCII subject" || got.Headers.Get("Subject") != "Plain ASCII subject" {
		t.Errorf("subject = %q", got.Headers.Get("Subject"))
	}
	if got.ContentType != "text/plain" || got.Text != "только текст" || got.HTML != "" {
		t.Errorf("single part: %q %q %q", got.ContentType, got.Text, got.HTML)
	}
	if id := got.Headers.Get("Message-Id"); id != "<case-9.notify@otklik.example>" {
		t.Errorf("Message-ID = %q", id)
	}
}
