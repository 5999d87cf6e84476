package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"otklik/internal/app"
	"otklik/internal/auth"
	"otklik/internal/demo"
)

// demoDB is the database file of `serve --demo`, apart from real data.
const demoDB = "./otklik-demo.db"

func demoCommand(ctx context.Context, cfg app.Config, args []string, log *slog.Logger, stdout io.Writer) error {
	var seed int64
	return withApp(ctx, cfg, args, "demo", log, func(fs *flag.FlagSet) {
		fs.Int64Var(&seed, "seed", 1, "which demo: the same seed gives the same data")
	}, func(a *app.App, _ *flag.FlagSet) error {
		return fillDemo(ctx, a, seed, stdout)
	})
}

// fillDemo creates the demo workspace and prints how to sign in to it. The
// demo users share one password, generated now and printed once.
func fillDemo(ctx context.Context, a *app.App, seed int64, out io.Writer) error {
	password := auth.GeneratePassword()
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	sum, err := demo.Generate(ctx, a.DB, demo.Options{Seed: seed, Now: a.Now(), Location: a.Location, PasswordHash: hash})
	if err != nil {
		return err
	}
	if sum.Added == 0 {
		fmt.Fprintf(out, "The demo is already there (%d customers, %d answers).\n", sum.Customers, sum.Responses)
		return nil
	}
	fmt.Fprintf(out, "Demo: %d customers, %d answers, NPS %+.1f.\n", sum.Customers, sum.Responses, sum.NPS)
	fmt.Fprintf(out, "Demo users (password for each: %s):\n", password)
	for _, u := range sum.Users {
		fmt.Fprintf(out, "  %-32s %-12s %s\n", u.Email, u.Role, u.Team)
	}
	return nil
}
