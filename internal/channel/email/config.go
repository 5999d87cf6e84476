// Package email is Otklik's e-mail channel: it turns a Message (subject,
// plain text, HTML, list headers) into a correctly encoded MIME message and
// hands it to an SMTP server configured by OTKLIK_SMTP_URL.
//
// The outreach engine (survey invitations) and the closed loop (case
// notifications) send through a Sender. Errors tell a job queue whether a
// retry is worth it: see IsPermanent.
//
// Tests receive real mail with the in-process SMTP server in the smtptest
// sub-package.
package email

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Names of the environment variables that configure the channel (issue 6).
const (
	EnvSMTPURL  = "OTKLIK_SMTP_URL"
	EnvMailFrom = "OTKLIK_MAIL_FROM"
)

// Default ports when OTKLIK_SMTP_URL names none: message submission with
// STARTTLS (RFC 6409) for smtp://, implicit TLS (RFC 8314) for smtps://.
const (
	DefaultPort        = 587
	DefaultPortTLS     = 465
	DefaultTimeout     = 30 * time.Second
	defaultIdleTimeout = 15 * time.Second
	maxIdleConns       = 16
	maxMessagesPerConn = 100
)

// Config configures a Sender.
type Config struct {
	// URL is smtp://user:pass@host:port (STARTTLS when the server offers
	// it) or smtps://user:pass@host:port (implicit TLS). User and password
	// are optional; reserved characters in them must be percent-encoded.
	URL string
	// From is the sender, "noreply@example.ru" or
	// "Компания <noreply@example.ru>" (OTKLIK_MAIL_FROM).
	From string
	// Timeout bounds connecting and each message's SMTP exchange.
	// Zero means DefaultTimeout.
	Timeout time.Duration
	// InsecureSkipVerify accepts any TLS certificate. Tests only (the
	// smtptest sink uses a self-signed certificate).
	InsecureSkipVerify bool
}

// ConfigFromEnv reads OTKLIK_SMTP_URL and OTKLIK_MAIL_FROM and validates them.
// It reports ok=false (and no error) when OTKLIK_SMTP_URL is unset, so the
// caller can run without an e-mail channel.
func ConfigFromEnv(getenv func(string) string) (cfg Config, ok bool, err error) {
	cfg = Config{URL: strings.TrimSpace(getenv(EnvSMTPURL)), From: strings.TrimSpace(getenv(EnvMailFrom))}
	if cfg.URL == "" {
		return Config{}, false, nil
	}
	if _, err := ParseURL(cfg.URL); err != nil {
		return Config{}, false, fmt.Errorf("%s: %w", EnvSMTPURL, err)
	}
	if cfg.From == "" {
		return Config{}, false, fmt.Errorf("email: %s is set but %s is empty", EnvSMTPURL, EnvMailFrom)
	}
	if _, err := parseFrom(cfg.From); err != nil {
		return Config{}, false, fmt.Errorf("%s: %w", EnvMailFrom, err)
	}
	return cfg, true, nil
}

// Endpoint is a parsed SMTP URL.
type Endpoint struct {
	Host        string // host name or IP, without brackets
	Port        int
	Username    string
	Password    string
	ImplicitTLS bool // smtps://
}

// Addr is host:port for dialling.
func (e Endpoint) Addr() string { return net.JoinHostPort(e.Host, strconv.Itoa(e.Port)) }

// String is the URL with the password redacted, safe to log.
func (e Endpoint) String() string {
	u := url.URL{Scheme: "smtp", Host: e.Addr()}
	if e.ImplicitTLS {
		u.Scheme = "smtps"
	}
	if e.Username != "" {
		if e.Password != "" {
			u.User = url.UserPassword(e.Username, "xxxxx")
		} else {
			u.User = url.User(e.Username)
		}
	}
	return u.String()
}

// ParseURL parses and validates an SMTP URL. Its errors never contain the
// password.
func ParseURL(raw string) (Endpoint, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return Endpoint{}, errors.New("email: SMTP URL is empty (want smtp://user:pass@host:port)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the whole URL, password included: keep only the reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return Endpoint{}, fmt.Errorf("email: SMTP URL is malformed (%v); percent-encode reserved characters in the user name and password", err)
	}
	var ep Endpoint
	switch strings.ToLower(u.Scheme) {
	case "smtp":
		ep.Port = DefaultPort
	case "smtps":
		ep.ImplicitTLS = true
		ep.Port = DefaultPortTLS
	case "":
		return Endpoint{}, errors.New("email: SMTP URL has no scheme (want smtp:// or smtps://)")
	default:
		return Endpoint{}, fmt.Errorf("email: SMTP URL scheme %q is not supported (want smtp:// with STARTTLS or smtps:// with implicit TLS)", u.Scheme)
	}
	if u.Opaque != "" {
		return Endpoint{}, errors.New("email: SMTP URL has no host (want smtp://host:port, with two slashes)")
	}
	ep.Host = u.Hostname()
	if ep.Host == "" {
		return Endpoint{}, errors.New("email: SMTP URL has no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return Endpoint{}, fmt.Errorf("email: SMTP URL port %q is not a number between 1 and 65535", p)
		}
		ep.Port = n
	} else if strings.HasSuffix(u.Host, ":") {
		return Endpoint{}, errors.New("email: SMTP URL has an empty port")
	}
	if u.Path != "" && u.Path != "/" {
		return Endpoint{}, fmt.Errorf("email: SMTP URL must not have a path (got %q)", u.Path)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return Endpoint{}, errors.New("email: SMTP URL must not have query parameters or a fragment")
	}
	if u.User != nil {
		ep.Username = u.User.Username()
		ep.Password, _ = u.User.Password()
		if ep.Username == "" && ep.Password != "" {
			return Endpoint{}, errors.New("email: SMTP URL has a password but no user name")
		}
	}
	return ep, nil
}

func parseFrom(from string) (*mail.Address, error) {
	if strings.TrimSpace(from) == "" {
		return nil, errors.New("email: sender address (From) is empty")
	}
	addr, err := parseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("email: sender address (From) %q: %w", from, err)
	}
	return addr, nil
}
