// Command otklik runs the Otklik customer-feedback platform and its
// administrative subcommands.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"reflect"
	"strings"
	"syscall"
	_ "time/tzdata" // time zones work on machines without a zoneinfo database

	"github.com/caarlos0/env/v11"

	"otklik"
	"otklik/internal/app"
	"otklik/internal/auth"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var stdin io.Reader = os.Stdin
	if fi, err := os.Stdin.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		stdin = nil // a terminal: never block waiting for a password
	}
	if err := run(ctx, os.Args[1:], os.Getenv, stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "otklik:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

const usage = `usage: otklik <command> [flags]

commands:
  serve [--demo]                 run the web application and API (default);
                                 --demo uses ./otklik-demo.db filled with a demo
  migrate                        bring the database schema up to date
  user create --email E --role R [--name N] [--team T]
                                 create a user; the password is read from stdin,
                                 or generated and printed
  token create --email E [--name N]
                                 create an API token and print it (shown once)
  import customers|responses FILE [--partial] [--format csv|xlsx]
  export responses --format csv|xlsx [--survey K] [--from D] [--to D] [--output F]
  demo [--seed N]                create a realistic demo workspace in the database
  version                        print the version

configuration (flags override): OTKLIK_DATABASE_URL, OTKLIK_DB (./otklik.db),
OTKLIK_ADDR (:8080), OTKLIK_BASE_URL, OTKLIK_TIMEZONE (Europe/Moscow),
OTKLIK_ADMIN_EMAIL, OTKLIK_BUSINESS_NAME, OTKLIK_LOGO_URL, OTKLIK_LINK_KEY,
OTKLIK_LINK_TTL (720h)`

// run is the whole program; tests call it in-process. Its output on stdout is
// only what a script may capture (a password, a token, an export).
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, err := env.ParseAsWithOptions[app.Config](env.Options{Environment: environ(getenv)})
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, cfg, args, log, stdout)
	case "migrate":
		return withApp(ctx, cfg, args, "migrate", log, nil, func(a *app.App, _ *flag.FlagSet) error {
			fmt.Fprintln(stderr, "database is up to date")
			return nil
		})
	case "user":
		return userCommand(ctx, cfg, args, log, stdin, stdout)
	case "token":
		return tokenCommand(ctx, cfg, args, log, stdout)
	case "import":
		return importCommand(ctx, cfg, args, log, stdout, stderr)
	case "export":
		return exportCommand(ctx, cfg, args, log, stdout)
	case "demo":
		return demoCommand(ctx, cfg, args, log, stdout)
	case "version":
		fmt.Fprintln(stdout, version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	fmt.Fprintln(stderr, usage)
	return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
}

// environ reads every OTKLIK_* variable app.Config declares, so a new
// setting needs no second list here.
func environ(getenv func(string) string) map[string]string {
	m := map[string]string{}
	t := reflect.TypeFor[app.Config]()
	for i := range t.NumField() {
		if k := t.Field(i).Tag.Get("env"); k != "" {
			if v := getenv(k); v != "" {
				m[k] = v
			}
		}
	}
	return m
}

// dbFlags adds the flags every command shares.
func dbFlags(fs *flag.FlagSet, cfg *app.Config) {
	fs.StringVar(&cfg.DB, "db", cfg.DB, "SQLite database file")
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "PostgreSQL URL (instead of SQLite)")
}

// withApp parses the command's flags, opens the app, runs fn and closes it.
func withApp(ctx context.Context, cfg app.Config, args []string, name string, log *slog.Logger,
	define func(fs *flag.FlagSet), fn func(a *app.App, fs *flag.FlagSet) error) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dbFlags(fs, &cfg)
	if define != nil {
		define(fs)
	}
	if err := parseInterspersed(fs, args); err != nil {
		return fmt.Errorf("%w: %s: %v", errUsage, name, err)
	}
	a, err := app.Open(ctx, cfg, nil, log)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a, fs)
}

// parseInterspersed parses flags that may come after positional arguments
// (import customers FILE --partial), as people type them.
func parseInterspersed(fs *flag.FlagSet, args []string) error {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	return fs.Parse(append([]string{"--"}, positional...))
}

func serve(ctx context.Context, cfg app.Config, args []string, log *slog.Logger, stdout io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	dbFlags(fs, &cfg)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "address to listen on")
	withDemo := fs.Bool("demo", false, "serve a demo workspace from its own database file ("+demoDB+")")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: serve: %v", errUsage, err)
	}
	if *withDemo {
		cfg.DatabaseURL, cfg.DB = "", demoDB
	}
	a, err := app.Open(ctx, cfg, nil, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Bootstrap(ctx, stdout); err != nil {
		return err
	}
	if *withDemo {
		if err := fillDemo(ctx, a, 1, stdout); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	log.Info("otklik serving", "addr", ln.Addr().String(), "database", a.DB.Dialect(), "version", version)
	return a.Serve(ctx, ln)
}

func userCommand(ctx context.Context, cfg app.Config, args []string, log *slog.Logger, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("%w: user create --email E --role R", errUsage)
	}
	var u otklik.User
	var role string
	return withApp(ctx, cfg, args[1:], "user create", log, func(fs *flag.FlagSet) {
		fs.StringVar(&u.Email, "email", "", "e-mail (the sign-in name)")
		fs.StringVar(&role, "role", "", "admin, lead, manager, interviewer, agent, reviewer or viewer")
		fs.StringVar(&u.Name, "name", "", "full name")
		fs.StringVar(&u.Team, "team", "", "team name")
		fs.StringVar(&u.Locale, "locale", "ru", "interface language: ru or en")
	}, func(a *app.App, _ *flag.FlagSet) error {
		u.Role = otklik.Role(role)
		password, generated, err := readPassword(stdin)
		if err != nil {
			return err
		}
		if u.PasswordHash, err = auth.HashPassword(password); err != nil {
			return err
		}
		if err := a.DB.CreateUser(ctx, &u); err != nil {
			return describe(err)
		}
		if generated {
			fmt.Fprintln(stdout, password)
		}
		return nil
	})
}

// readPassword takes the first line of stdin, or generates a password when
// stdin is a terminal or empty.
func readPassword(stdin io.Reader) (password string, generated bool, err error) {
	if stdin != nil {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", false, fmt.Errorf("read password: %w", err)
		}
		if line = strings.TrimRight(line, "\r\n"); line != "" {
			return line, false, nil
		}
	}
	return auth.GeneratePassword(), true, nil
}

func tokenCommand(ctx context.Context, cfg app.Config, args []string, log *slog.Logger, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("%w: token create --email E [--name N]", errUsage)
	}
	var email, name string
	return withApp(ctx, cfg, args[1:], "token create", log, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the user the token acts for")
		fs.StringVar(&name, "name", "api", "what the token is for")
	}, func(a *app.App, _ *flag.FlagSet) error {
		u, err := a.DB.UserByEmail(ctx, email)
		if err != nil {
			return describe(err)
		}
		token, prefix, hash := auth.NewToken()
		if _, err := a.DB.CreateToken(ctx, u.ID, name, prefix, hash); err != nil {
			return err
		}
		fmt.Fprintln(stdout, token)
		return nil
	})
}

// describe turns a coded error into a message with its bad fields.
func describe(err error) error {
	fields := otklik.ErrorFields(err)
	if len(fields) == 0 {
		return err
	}
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f.Field + " " + f.Message
	}
	return fmt.Errorf("%s: %s", otklik.ErrorMessage(err), strings.Join(parts, "; "))
}
