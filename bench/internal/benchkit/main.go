package benchkit

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Main runs a benchmark program: it parses the flags with parse (exit 2 on
// a bad one, 0 after -help), runs run until it returns or the program is
// interrupted (exit 1 on an error), so that both programs behave alike on
// the command line.
func Main[C any](parse func(args []string, getenv func(string) string, stderr io.Writer) (C, error), run func(ctx context.Context, cfg C, out io.Writer) error) {
	cfg, err := parse(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// Databases is which databases a run measures (-db) and the PostgreSQL
// server to use (-pg): a fresh SQLite file always, PostgreSQL when a server
// is named, so that a plain run needs nothing installed.
type Databases struct {
	PgURL string // the server's URL; "" when none is named
	Only  string // all, sqlite or postgres
}

// AddFlags declares -pg and -db on fs.
func (d *Databases) AddFlags(fs *flag.FlagSet) {
	fs.StringVar(&d.PgURL, "pg", "", "PostgreSQL server URL (default $OTKLIK_TEST_DATABASE_URL); a fresh schema is created and dropped")
	fs.StringVar(&d.Only, "db", "all", "which databases: all (SQLite, plus PostgreSQL when configured), sqlite or postgres")
}

// Check takes the server from $OTKLIK_TEST_DATABASE_URL when -pg is not
// given, as the project's tests do, and checks -db.
func (d *Databases) Check(getenv func(string) string) error {
	if d.PgURL == "" {
		d.PgURL = getenv("OTKLIK_TEST_DATABASE_URL")
	}
	switch d.Only {
	case "all", "sqlite":
	case "postgres":
		if d.PgURL == "" {
			return errors.New("-db postgres needs -pg URL or OTKLIK_TEST_DATABASE_URL")
		}
	default:
		return fmt.Errorf("-db %q: want all, sqlite or postgres", d.Only)
	}
	return nil
}

// Dialects returns the databases to measure, in order, and says on out
// when PostgreSQL is skipped for want of a server.
func (d Databases) Dialects(out io.Writer) []string {
	dialects := []string{"sqlite"}
	switch {
	case d.Only == "postgres":
		dialects = []string{"postgres"}
	case d.Only == "all" && d.PgURL != "":
		dialects = append(dialects, "postgres")
	case d.Only == "all":
		fmt.Fprintf(out, "PostgreSQL: skipped (set -pg URL or OTKLIK_TEST_DATABASE_URL)\n")
	}
	return dialects
}
