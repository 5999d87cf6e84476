package transfer

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"otklik"
)

var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func testOptions() Options {
	return Options{Now: testNow, Location: moscow()}
}

// buildXLSX writes rows into the first sheet of a new workbook. Values keep
// their Go types, so time.Time becomes a real date cell and numbers number
// cells, as Excel stores them. dateCols get a date-only number format.
func buildXLSX(tb testing.TB, rows [][]any, dateCols ...int) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	sheet := f.GetSheetName(0)
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		tb.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			tb.Fatal(err)
		}
		for _, c := range dateCols {
			if i > 0 {
				ref, _ := excelize.CoordinatesToCellName(c, i+1)
				if err := f.SetCellStyle(sheet, ref, ref, dateStyle); err != nil {
					tb.Fatal(err)
				}
			}
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// readC reads a customer file given as text, failing the test on a
// file-level error.
func readC(tb testing.TB, text string) *CustomerBatch {
	tb.Helper()
	b, err := ReadCustomers(strings.NewReader(text), FormatCSV, testOptions())
	if err != nil {
		tb.Fatalf("ReadCustomers: %v", err)
	}
	return b
}

func readR(tb testing.TB, text string) *ResponseBatch {
	tb.Helper()
	b, err := ReadResponses(strings.NewReader(text), FormatCSV, testOptions())
	if err != nil {
		tb.Fatalf("ReadResponses: %v", err)
	}
	return b
}

// checkBatch asserts the invariants every read must keep, whatever the
// input: lines after the header, and good rows valid for the domain.
func checkCustomers(tb testing.TB, b *CustomerBatch) {
	tb.Helper()
	for _, e := range b.Errors {
		if e.Line < 2 || e.Message == "" {
			tb.Fatalf("bad row error %+v", e)
		}
	}
	for _, r := range b.Rows {
		if r.Line < 2 {
			tb.Fatalf("row at line %d", r.Line)
		}
		c := r.Customer
		if err := c.Validate(); err != nil {
			tb.Fatalf("line %d: good row fails Validate: %v (%+v)", r.Line, err, c)
		}
	}
}

func checkResponses(tb testing.TB, b *ResponseBatch) {
	tb.Helper()
	for _, e := range b.Errors {
		if e.Line < 2 || e.Message == "" {
			tb.Fatalf("bad row error %+v", e)
		}
	}
	for _, r := range b.Rows {
		if r.Line < 2 {
			tb.Fatalf("row at line %d", r.Line)
		}
		resp := r.Response
		// The file cannot know the survey: judge it against the widest one.
		s := &otklik.Survey{Key: resp.Survey, Scale: otklik.Scale{Min: 0, Max: maxScore}}
		for k := range resp.Answers {
			s.Drivers = append(s.Drivers, otklik.Driver{Key: k})
		}
		if err := resp.Validate(s, testNow); err != nil {
			tb.Fatalf("line %d: good row fails Validate: %v (%+v)", r.Line, err, resp)
		}
		if resp.IdempotencyKey == "" || resp.Survey == "" || resp.Customer == "" {
			tb.Fatalf("line %d: incomplete answer %+v", r.Line, resp)
		}
	}
}

func ptr[T any](v T) *T { return &v }
