package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"otklik/internal/storetest"
)

// cli runs the program in-process with the given environment.
type cli struct {
	t   *testing.T
	env map[string]string
}

func newCLI(t *testing.T, dialect string) *cli {
	cfg := storetest.Config(t, dialect, nil)
	env := map[string]string{"OTKLIK_DB": cfg.Path, "OTKLIK_DATABASE_URL": cfg.URL}
	if cfg.Path == "" {
		env["OTKLIK_DB"] = filepath.Join(t.TempDir(), "unused.db")
	}
	return &cli{t: t, env: env}
}

func (c *cli) run(stdin string, args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	var in *strings.Reader
	if stdin != "" {
		in = strings.NewReader(stdin)
	}
	var r interface{ Read([]byte) (int, error) }
	if in != nil {
		r = in
	}
	err = run(context.Background(), args, func(k string) string { return c.env[k] }, r, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestUserAndTokenCommands(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		c := newCLI(t, dialect)
		if _, _, err := c.run("", "migrate"); err != nil {
			t.Fatalf("migrate: %v", err)
		}
		// Generated password: printed alone on stdout.
		out, _, err := c.run("", "user", "create", "--email", "boss@example.com", "--role", "admin")
		if err != nil {
			t.Fatalf("user create: %v", err)
		}
		if pw := strings.TrimSpace(out); len(pw) != 20 || strings.Contains(pw, " ") {
			t.Fatalf("stdout should be the password alone, got %q", out)
		}
		// Password from stdin: nothing to print.
		out, _, err = c.run("a long enough secret\n", "user", "create", "--email", "lead@example.com", "--role", "lead", "--team", "Север")
		if err != nil || out != "" {
			t.Fatalf("user create with stdin password: %q %v", out, err)
		}
		if _, _, err := c.run("", "user", "create", "--email", "x@example.com", "--role", "emperor"); err == nil || !strings.Contains(err.Error(), "role") {
			t.Fatalf("bad role: %v", err)
		}
		if _, _, err := c.run("", "user", "create", "--email", "boss@example.com", "--role", "admin"); err == nil {
			t.Fatal("duplicate user accepted")
		}
		out, _, err = c.run("", "token", "create", "--email", "boss@example.com", "--name", "crm")
		if err != nil || !strings.HasPrefix(out, "otk_") || strings.Count(out, "\n") != 1 {
			t.Fatalf("token create: %q %v", out, err)
		}
		if _, _, err := c.run("", "token", "create", "--email", "nobody@example.com"); err == nil {
			t.Fatal("token for an unknown user")
		}
	})
}

func TestUsageAndVersion(t *testing.T) {
	c := newCLI(t, "sqlite")
	out, _, err := c.run("", "version")
	if err != nil || strings.TrimSpace(out) != version {
		t.Fatalf("version: %q %v", out, err)
	}
	if _, _, err := c.run("", "frobnicate"); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Fatalf("unknown command: %v", err)
	}
	if _, _, err := c.run("", "user", "create", "--bogus"); err == nil {
		t.Fatal("unknown flag accepted")
	}
}

// TestServeFirstRun starts the server on an empty database, as the README's
// first command does, and checks it prints a one-time password and answers.
func TestServeFirstRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		c := newCLI(t, dialect)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		c.env["OTKLIK_ADDR"] = addr
		ctx, cancel := context.WithCancel(context.Background())
		var out, errOut syncBuffer
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"serve"}, func(k string) string { return c.env[k] }, nil, &out, &errOut)
		}()
		var resp *http.Response
		for range 100 {
			if resp, err = http.Get("http://" + addr + "/readyz"); err == nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err != nil {
			cancel()
			t.Fatalf("server did not come up: %v\n%s", err, errOut.String())
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("readyz: %d", resp.StatusCode)
		}
		if !strings.Contains(out.String(), "One-time password:") || !strings.Contains(out.String(), "admin@otklik.local") {
			t.Fatalf("first run did not print the admin's password: %q", out.String())
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("serve ended with %v", err)
		}
		// A second start finds the admin and prints nothing.
		out.Reset()
		ctx2, cancel2 := context.WithCancel(context.Background())
		go func() {
			done <- run(ctx2, []string{"serve"}, func(k string) string { return c.env[k] }, nil, &out, &errOut)
		}()
		time.Sleep(300 * time.Millisecond)
		cancel2()
		if err := <-done; err != nil {
			t.Fatalf("second serve: %v", err)
		}
		if out.Len() != 0 {
			t.Fatalf("second start printed %q", out.String())
		}
	})
}
