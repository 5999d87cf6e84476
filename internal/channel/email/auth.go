package email

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/wneessen/go-mail/smtp"
)

// plainOrLogin authenticates with AUTH PLAIN, or AUTH LOGIN where the server
// offers only that, and refuses to send the password unless the connection
// is TLS (STARTTLS or smtps) or the server is on this machine. It keeps no
// state, so one value serves concurrent connections.
type plainOrLogin struct{ user, pass, host string }

func (a plainOrLogin) Start(si *smtp.ServerInfo) (string, []byte, error) {
	if !si.TLS && !isLocalhost(si.Name) {
		return "", nil, smtp.ErrUnencrypted
	}
	if si.Name != a.host {
		return "", nil, smtp.ErrWrongHostname
	}
	switch {
	case hasMech(si.Auth, "PLAIN"):
		return "PLAIN", []byte("\x00" + a.user + "\x00" + a.pass), nil
	case hasMech(si.Auth, "LOGIN"):
		return "LOGIN", nil, nil
	}
	return "", nil, fmt.Errorf("server offers no PLAIN or LOGIN authentication (offered: %q)", strings.Join(si.Auth, " "))
}

func (a plainOrLogin) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	// Only LOGIN is challenged: "Username:" then "Password:".
	prompt := strings.ToLower(string(fromServer))
	switch {
	case strings.Contains(prompt, "user"):
		return []byte(a.user), nil
	case strings.Contains(prompt, "pass"):
		return []byte(a.pass), nil
	}
	return nil, errors.New("unexpected authentication challenge from the server")
}

func hasMech(mechs []string, want string) bool {
	return slices.ContainsFunc(mechs, func(m string) bool { return strings.EqualFold(m, want) })
}

func isLocalhost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
