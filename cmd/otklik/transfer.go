package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"otklik"
	"otklik/internal/app"
	"otklik/internal/exchange"
	"otklik/internal/transfer"
)

// cliActor is who the command line acts as: whoever can run the binary
// against the database owns it.
var cliActor = otklik.Actor{Email: "cli", Role: otklik.RoleAdmin}

func importCommand(ctx context.Context, cfg app.Config, args []string, log *slog.Logger, stdout, stderr io.Writer) error {
	if len(args) < 1 || (args[0] != "customers" && args[0] != "responses") {
		return fmt.Errorf("%w: import customers|responses FILE [--partial] [--format csv|xlsx]", errUsage)
	}
	what := args[0]
	var partial bool
	var format string
	return withApp(ctx, cfg, args[1:], "import "+what, log, func(fs *flag.FlagSet) {
		fs.BoolVar(&partial, "partial", false, "write the good rows even if some rows are bad")
		fs.StringVar(&format, "format", "", "csv or xlsx (default: from the file)")
	}, func(a *app.App, fs *flag.FlagSet) error {
		if fs.NArg() != 1 {
			return fmt.Errorf("%w: import %s needs one FILE", errUsage, what)
		}
		path := fs.Arg(0)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f := transfer.Format(strings.ToLower(format))
		if f == "" {
			f = transfer.DetectFormat(filepath.Base(path), data[:min(len(data), 512)])
		}
		if f != transfer.FormatCSV && f != transfer.FormatXLSX {
			return fmt.Errorf("%s: not a CSV or XLSX file (an old .xls? save it as .xlsx)", path)
		}
		opt := exchange.Options{Format: f, Partial: partial, Now: a.Now(), Location: a.Location, Progress: progress(stderr, "writing")}
		var rep *exchange.Report
		if what == "customers" {
			rep, err = exchange.Customers(ctx, a.DB, cliActor, bytes.NewReader(data), opt)
		} else {
			rep, err = exchange.Responses(ctx, a.DB, cliActor, bytes.NewReader(data), opt)
		}
		if err != nil {
			return describe(err)
		}
		return report(stderr, path, what, rep)
	})
}

// report prints the outcome and fails when rows were bad.
func report(w io.Writer, path, what string, rep *exchange.Report) error {
	for _, e := range rep.Errors {
		field := ""
		if e.Field != "" {
			field = " " + e.Field + ":"
		}
		fmt.Fprintf(w, "%s:%d:%s %s\n", path, e.Line, field, e.Message)
	}
	if len(rep.Ignored) > 0 {
		fmt.Fprintf(w, "columns not understood and left out: %s\n", strings.Join(rep.Ignored, ", "))
	}
	switch {
	case !rep.Written && len(rep.Errors) > 0:
		return fmt.Errorf("%d of %d rows are bad; nothing was written (fix them, or use --partial to write the good rows)", countBad(rep), rep.Rows)
	case what == "customers":
		fmt.Fprintf(w, "%s: %d customers created, %d updated\n", path, rep.Created, rep.Updated)
	default:
		fmt.Fprintf(w, "%s: %d answers imported, %d already there\n", path, rep.Created, rep.Duplicates)
	}
	if len(rep.Errors) > 0 {
		return fmt.Errorf("%d rows were bad and left out", countBad(rep))
	}
	return nil
}

func countBad(rep *exchange.Report) int {
	lines := map[int]bool{}
	for _, e := range rep.Errors {
		lines[e.Line] = true
	}
	return len(lines)
}

// progress draws a bar on a terminal, and nothing elsewhere.
func progress(w io.Writer, label string) func(done, total int) {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	var bar *progressbar.ProgressBar
	return func(done, total int) {
		if bar == nil {
			bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(label),
				progressbar.OptionShowCount(), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		}
		bar.Set(done)
	}
}

func exportCommand(ctx context.Context, cfg app.Config, args []string, log *slog.Logger, stdout io.Writer) error {
	if len(args) < 1 || args[0] != "responses" {
		return fmt.Errorf("%w: export responses --format csv|xlsx [--survey K] [--from D] [--to D] [--output F]", errUsage)
	}
	var format, survey, from, to, output string
	return withApp(ctx, cfg, args[1:], "export responses", log, func(fs *flag.FlagSet) {
		fs.StringVar(&format, "format", "csv", "csv or xlsx")
		fs.StringVar(&survey, "survey", "", "only this survey's answers")
		fs.StringVar(&from, "from", "", "first day (YYYY-MM-DD) or instant")
		fs.StringVar(&to, "to", "", "last day (YYYY-MM-DD, inclusive) or instant (exclusive)")
		fs.StringVar(&output, "output", "", "file to write (default: stdout)")
	}, func(a *app.App, fs *flag.FlagSet) error {
		f := transfer.Format(strings.ToLower(format))
		if f != transfer.FormatCSV && f != transfer.FormatXLSX {
			return fmt.Errorf("%w: --format must be csv or xlsx", errUsage)
		}
		fromT, toT, err := otklik.ParsePeriod(from, to, a.Location)
		if err != nil {
			return describe(err)
		}
		w := stdout
		if output != "" {
			file, err := os.Create(output)
			if err != nil {
				return err
			}
			defer file.Close()
			w = file
		}
		_, err = exchange.ExportResponses(ctx, a.DB, cliActor, w, f, exchange.Filter{Survey: survey, From: fromT, To: toT})
		return describe(err)
	})
}
