package email

import (
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Endpoint
	}{
		{"smtp://user:pass@smtp.yandex.ru:587", Endpoint{Host: "smtp.yandex.ru", Port: 587, Username: "user", Password: "pass"}},
		{"smtps://user:pass@smtp.mail.ru:465", Endpoint{Host: "smtp.mail.ru", Port: 465, Username: "user", Password: "pass", ImplicitTLS: true}},
		{"SMTP://relay.local", Endpoint{Host: "relay.local", Port: DefaultPort}},
		{"smtps://relay.local/", Endpoint{Host: "relay.local", Port: DefaultPortTLS, ImplicitTLS: true}},
		{"smtp://[::1]:2525", Endpoint{Host: "::1", Port: 2525}},
		{"smtp://noreply%40romashka.ru:p%40ss%2Fw:rd@127.0.0.1:25", Endpoint{Host: "127.0.0.1", Port: 25, Username: "noreply@romashka.ru", Password: "p@ss/w:rd"}},
		{"  smtp://user@host:25  ", Endpoint{Host: "host", Port: 25, Username: "user"}},
	} {
		got, err := ParseURL(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ in, wantErr string }{
		{"", "empty"},
		{"http://host:25", `scheme "http" is not supported`},
		{"smtp+tls://host", "not supported"},
		{"host:25", "not supported"}, // parsed as scheme "host"
		{"smtp.yandex.ru", "no scheme"},
		{"smtp:host:25", "no host"},
		{"smtp://", "no host"},
		{"smtp://:25", "no host"},
		{"smtp://user:pass@", "no host"},
		{"smtp://host:0", `port "0"`},
		{"smtp://host:70000", `port "70000"`},
		{"smtp://host:", "empty port"},
		{"smtp://host:abc", "malformed"},
		{"smtp://host:25/path", "path"},
		{"smtp://host:25?tls=1", "query"},
		{"smtp://:secret@host:25", "no user name"},
		{"smtp://user:sec ret@host:25", "malformed"},
	} {
		_, err := ParseURL(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("ParseURL(%q) error = %v; want one mentioning %q", tc.in, err, tc.wantErr)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("ParseURL(%q) error leaks the password: %v", tc.in, err)
		}
	}
}

func TestEndpointStringRedactsPassword(t *testing.T) {
	ep, err := ParseURL("smtps://user:secret@host:465")
	if err != nil {
		t.Fatal(err)
	}
	if s := ep.String(); strings.Contains(s, "secret") || s != "smtps://user:xxxxx@host:465" {
		t.Errorf("String() = %q", s)
	}
}

func TestNewValidates(t *testing.T) {
	for _, tc := range []struct {
		cfg     Config
		wantErr string
	}{
		{Config{URL: "smtp://h:25", From: ""}, "From) is empty"},
		{Config{URL: "smtp://h:25", From: "not an address"}, "sender address"},
		{Config{URL: "ftp://h", From: "a@b.ru"}, "scheme"},
		{Config{URL: "smtp://h:25", From: "a@b.ru", Timeout: -1}, "negative timeout"},
	} {
		if _, err := New(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("New(%+v) = %v; want error mentioning %q", tc.cfg, err, tc.wantErr)
		}
	}
	s, err := New(Config{URL: "smtp://h:25", From: "Ромашка <noreply@Ромашка.РФ>"})
	if err != nil {
		t.Fatal(err)
	}
	if s.from.Address != "noreply@xn--80aa3agjl3d.xn--p1ai" || s.domain != "xn--80aa3agjl3d.xn--p1ai" {
		t.Errorf("from = %q, domain = %q", s.from.Address, s.domain)
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if _, ok, err := ConfigFromEnv(env(nil)); ok || err != nil {
		t.Errorf("unset: ok=%v err=%v", ok, err)
	}
	cfg, ok, err := ConfigFromEnv(env(map[string]string{EnvSMTPURL: "smtp://u:p@h:587", EnvMailFrom: "Ромашка <noreply@romashka.ru>"}))
	if !ok || err != nil || cfg.URL != "smtp://u:p@h:587" || cfg.From != "Ромашка <noreply@romashka.ru>" {
		t.Errorf("set: %+v ok=%v err=%v", cfg, ok, err)
	}
	if _, _, err := ConfigFromEnv(env(map[string]string{EnvSMTPURL: "smtp://h:587"})); err == nil || !strings.Contains(err.Error(), EnvMailFrom) {
		t.Errorf("no From: %v", err)
	}
	if _, _, err := ConfigFromEnv(env(map[string]string{EnvSMTPURL: "mail.ru", EnvMailFrom: "a@b.ru"})); err == nil || !strings.Contains(err.Error(), EnvSMTPURL) {
		t.Errorf("bad URL: %v", err)
	}
}

func TestHeaderText(t *testing.T) {
	for in, want := range map[string]string{
		"Оцените нашу работу":               "Оцените нашу работу",
		"a\r\nBcc: x@y":                     "a Bcc: x@y",
		"\r\n  lead and trail \n":           "lead and trail",
		"tab\there\u2028line\u2029para\x00": "tab here line para",
		"bad utf8 \xff\xfe":                 "bad utf8 \uFFFD",
		"\x1b[31mred":                       "[31mred",
	} {
		if got := headerText(in); got != want {
			t.Errorf("headerText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMessageID(t *testing.T) {
	for in, want := range map[string]string{
		"inv-42@otklik.example":   "inv-42@otklik.example",
		"<inv-42@otklik.example>": "inv-42@otklik.example",
		"inv.42.retry-safe":       "inv.42.retry-safe@d.example",
	} {
		if got, err := messageID(in, "d.example"); err != nil || got != want {
			t.Errorf("messageID(%q) = %q, %v", in, got, err)
		}
	}
	a, _ := messageID("", "d.example")
	b, _ := messageID("", "d.example")
	if a == b || !strings.HasSuffix(a, "@d.example") {
		t.Errorf("random IDs %q %q", a, b)
	}
	for _, in := range []string{"a b@c", "a@b@c", ".a@b", "a..b@c", "<>", "a@", "инв@c", "a\r\n@b"} {
		if _, err := messageID(in, "d.example"); err == nil {
			t.Errorf("messageID(%q) accepted", in)
		}
	}
}
