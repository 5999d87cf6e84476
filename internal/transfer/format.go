// Package transfer reads customers and historical answers from CSV and XLSX
// files and writes answers back out. It is the only place that knows about
// spreadsheet quirks (BOMs, Russian Excel's ";" separator, date cells, formula
// injection); what it produces are plain otklik domain values, so the import
// command, the web upload and the export share one implementation.
//
// Reading is two-level on purpose: an unreadable file is an error, while a
// bad row is data — it lands in the batch with its line number so a person
// can fix every problem of a 10,000-row file in one pass instead of one
// upload per typo.
package transfer

import (
	"bytes"
	"path/filepath"
	"strings"
	"time"

	"otklik"
)

// Format is a spreadsheet file format.
type Format string

// The formats transfer reads and writes.
const (
	FormatCSV  Format = "csv"
	FormatXLSX Format = "xlsx"
)

var (
	zipMagic = []byte("PK\x03\x04")
	// oleMagic starts a legacy .xls workbook, and also an encrypted .xlsx:
	// neither can be read without Excel, so both are reported as unsupported.
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// DetectFormat guesses a file's format from its name and its first bytes.
// A conclusive signature wins over the extension because people rename files
// ("report.csv" saved from Excel as a workbook); then the extension decides,
// and anything else is taken for text, that is CSV. It returns "" for
// formats that cannot be read (old .xls, password-protected workbooks).
func DetectFormat(name string, head []byte) Format {
	switch {
	case bytes.HasPrefix(head, zipMagic):
		return FormatXLSX
	case bytes.HasPrefix(head, oleMagic):
		return ""
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm":
		return FormatXLSX
	case ".xls", ".ods", ".numbers":
		return ""
	}
	return FormatCSV
}

// DefaultMaxRows bounds the data rows of one file when Options leave it out.
const DefaultMaxRows = 1_000_000

// Options tune reading.
type Options struct {
	// Now is the instant of the import: consents given in the file are
	// recorded at Now, and answers later than Now are rejected. Zero means
	// the current time; tests and the CLI pass their injected clock.
	Now time.Time
	// Location interprets dates and times written without a zone; the
	// business's zone, Europe/Moscow when nil.
	Location *time.Location
	// MaxRows bounds the number of data rows; a larger file is refused as a
	// whole rather than half-imported. DefaultMaxRows when zero.
	MaxRows int
}

func (o Options) withDefaults() Options {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Location == nil {
		o.Location = moscow()
	}
	if o.MaxRows <= 0 {
		o.MaxRows = DefaultMaxRows
	}
	return o
}

// moscow returns Europe/Moscow, or its fixed offset when the system has no
// zone database: Moscow has kept UTC+3 without DST since 2014, so the
// fallback only differs for historical instants.
func moscow() *time.Location {
	if loc, err := time.LoadLocation("Europe/Moscow"); err == nil {
		return loc
	}
	return time.FixedZone("MSK", 3*60*60)
}

// RowError is one problem of one row, as a person fixes it: the line (the
// row number Excel shows; the header is line 1), the column's canonical name
// ("" when the row as a whole is bad) and what is wrong.
type RowError struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func invalidf(format string, args ...any) error {
	return otklik.Errorf(otklik.EINVALID, format, args...)
}
