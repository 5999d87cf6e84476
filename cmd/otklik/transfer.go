package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"otklik/internal/app"
)

func importCommand(ctx context.Context, cfg app.Config, args []string, log *slog.Logger, stdout, stderr io.Writer) error {
	return fmt.Errorf("import: not built yet")
}

func exportCommand(ctx context.Context, cfg app.Config, args []string, log *slog.Logger, stdout io.Writer) error {
	return fmt.Errorf("export: not built yet")
}
