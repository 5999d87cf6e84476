package smtptest

import (
	"crypto/tls"
	"errors"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// The sink is tested with the standard library's client, independent of
// the email package that uses it.

const raw = "From: =?koi8-r?b?8s/NwdvLwQ==?= <a@b.example>\r\n" +
	"To: c@d.example\r\n" +
	"Subject: =?UTF-8?B?0J/RgNC40LLQtdGC?= =?UTF-8?Q?,_=D0=BC=D0=B8=D1=80?=\r\n" +
	"X-Long: one\r\n two\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=OUT\r\n" +
	"\r\n" +
	"--OUT\r\n" +
	"Content-Type: multipart/alternative; boundary=IN\r\n" +
	"\r\n" +
	"--IN\r\n" +
	"Content-Type: text/plain; charset=koi8-r\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"=F0=D2=C9=D7=C5=D4=\r\n, =CD=C9=D2\r\n" +
	"--IN\r\n" +
	"Content-Type: text/html; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"PGI+0J/RgNC40LLQtdGCPC9iPg==\r\n" +
	"--IN--\r\n" +
	"--OUT\r\n" +
	"Content-Type: text/plain\r\n" +
	"Content-Disposition: attachment; filename=a.txt\r\n" +
	"\r\n" +
	"attachment\r\n" +
	"--OUT--\r\n"

func TestParse(t *testing.T) {
	p := Parse([]byte(raw))
	if p.Err != nil {
		t.Fatal(p.Err)
	}
	if p.Subject != "Привет, мир" {
		t.Errorf("Subject = %q", p.Subject)
	}
	if p.Text != "Привет, мир" {
		t.Errorf("Text = %q", p.Text)
	}
	if p.HTML != "<b>Привет</b>" {
		t.Errorf("HTML = %q", p.HTML)
	}
	if p.ContentType != "multipart/mixed" {
		t.Errorf("ContentType = %q", p.ContentType)
	}
	if p.Header("X-Long") != "one two" || p.Header("x-long") != "one two" || p.Header("Missing") != "" {
		t.Errorf("X-Long = %q", p.Header("X-Long"))
	}
	if a, err := p.Address("From"); err != nil || a.Name != "Ромашка" {
		t.Errorf("From = %v, %v", a, err)
	}
	if p := Parse([]byte("no header separator")); p.Err == nil {
		t.Error("garbage parsed without error")
	}
}

func send(t *testing.T, s *Sink, auth smtp.Auth, useTLS bool, to string) error {
	t.Helper()
	c, err := smtp.Dial(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if useTLS {
		if err := c.StartTLS(&tls.Config{ServerName: "127.0.0.1", RootCAs: s.CertPool()}); err != nil {
			t.Fatalf("STARTTLS (verified with CertPool): %v", err)
		}
	}
	if auth != nil {
		if err := c.Auth(auth); err != nil {
			return err
		}
	}
	if err := c.Mail("a@b.example"); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte(raw)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func code(err error) int {
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return tp.Code
	}
	return 0
}

func TestSinkReceivesAndFails(t *testing.T) {
	s := Start(t)
	if !strings.HasPrefix(s.URL(), "smtp://127.0.0.1:") {
		t.Errorf("URL = %q", s.URL())
	}
	if err := send(t, s, nil, false, "c@d.example"); err != nil {
		t.Fatal(err)
	}
	got := s.WaitFor(1, 5*time.Second)
	if len(got) != 1 || got[0].From != "a@b.example" || got[0].To[0] != "c@d.example" || got[0].Subject != "Привет, мир" {
		t.Fatalf("got %+v", got)
	}

	s.FailNext(2, 550)
	if err := send(t, s, nil, false, "x@d.example"); code(err) != 550 {
		t.Errorf("1st injected: %v", err)
	}
	if err := send(t, s, nil, false, "x@d.example"); code(err) != 550 {
		t.Errorf("2nd injected: %v", err)
	}
	s.FailNext(1, 451)
	if err := send(t, s, nil, false, "x@d.example"); code(err) != 451 {
		t.Errorf("451 injected: %v", err)
	}
	if err := send(t, s, nil, false, "c@d.example"); err != nil {
		t.Errorf("after failures: %v", err)
	}
	if n, r := s.Count(), s.Rejected(); n != 2 || r != 3 {
		t.Errorf("count %d rejected %d", n, r)
	}
	s.Reset()
	if len(s.Messages()) != 0 || s.Count() != 0 {
		t.Error("Reset kept messages")
	}
}

func TestSinkSTARTTLSAndAuth(t *testing.T) {
	s := Start(t, WithSTARTTLS(), WithAuth("u", "p"))
	if !strings.HasPrefix(s.URL(), "smtp://u:p@127.0.0.1:") {
		t.Errorf("URL = %q", s.URL())
	}
	if err := send(t, s, nil, true, "c@d.example"); code(err) != 530 {
		t.Errorf("without AUTH: %v", err)
	}
	if err := send(t, s, smtp.PlainAuth("", "u", "wrong", "127.0.0.1"), true, "c@d.example"); code(err) != 535 {
		t.Errorf("wrong password: %v", err)
	}
	if err := send(t, s, smtp.PlainAuth("", "u", "p", "127.0.0.1"), true, "c@d.example"); err != nil {
		t.Fatal(err)
	}
	if got := s.WaitFor(1, 5*time.Second); !got[0].TLS || got[0].AuthUser != "u" {
		t.Errorf("TLS=%v user=%q", got[0].TLS, got[0].AuthUser)
	}
}

func TestSinkMaxStored(t *testing.T) {
	s := Start(t, WithMaxStored(2))
	for range 3 {
		if err := send(t, s, nil, false, "c@d.example"); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.WaitFor(3, 5*time.Second); len(got) != 2 || s.Count() != 3 {
		t.Errorf("stored %d, count %d", len(got), s.Count())
	}
}
