package transfer

import (
	"encoding/csv"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"otklik"
)

// responseHeader are the fixed export columns; answers.KEY columns follow.
// The names are ReadResponses' canonical ones, so an export imports back.
var responseHeader = []string{"id", "survey", "customer", "channel", "score", "comment", "answered_at",
	"snapshot_manager", "snapshot_team", "snapshot_segment", "snapshot_services", "snapshot_revenue",
	"snapshot_region", "snapshot_tenure_months"}

// ResponseWriter streams answers into a CSV or XLSX file: rows are written
// as they come, so an export of a million answers never sits in memory.
// CSV goes to the io.Writer as it is produced; XLSX is a zip whose parts
// excelize spools to a temporary file and writes out on Close.
type ResponseWriter struct {
	keys   []string
	index  map[string]int
	out    io.Writer
	csv    *csv.Writer
	xf     *excelize.File
	sw     *excelize.StreamWriter
	row    int
	record []string
	cells  []any
	done   bool
	failed bool // a Write failed: Close must not publish a half file
}

// NewResponseWriter starts an export. driverKeys fix the answers.KEY
// columns up front (every driver key the exported answers may hold, e.g.
// the union over the exported surveys), because a streamed file cannot grow
// columns later.
func NewResponseWriter(w io.Writer, f Format, driverKeys []string) (*ResponseWriter, error) {
	rw := &ResponseWriter{out: w, keys: driverKeys, index: map[string]int{}}
	header := append([]string(nil), responseHeader...)
	for i, k := range driverKeys {
		if !slugPattern.MatchString(k) {
			return nil, invalidf("driver key %q is not a slug", k)
		}
		if _, dup := rw.index[k]; dup {
			return nil, invalidf("driver key %q is given twice", k)
		}
		rw.index[k] = len(responseHeader) + i
		header = append(header, answersPrefix+k)
	}
	rw.record = make([]string, len(header))
	rw.cells = make([]any, len(header))
	switch f {
	case FormatCSV:
		// The BOM is what makes Excel open a UTF-8 CSV as UTF-8 and not
		// show Cyrillic as mojibake.
		if _, err := w.Write(utf8BOM); err != nil {
			return nil, fmt.Errorf("transfer: write csv: %w", err)
		}
		rw.csv = csv.NewWriter(w)
		if err := rw.csv.Write(header); err != nil {
			return nil, fmt.Errorf("transfer: write csv: %w", err)
		}
	case FormatXLSX:
		if err := rw.startXLSX(header); err != nil {
			return nil, err
		}
	default:
		return nil, invalidf("cannot write format %q: use csv or xlsx", f)
	}
	return rw, nil
}

func (rw *ResponseWriter) startXLSX(header []string) error {
	rw.xf = excelize.NewFile()
	sheet := rw.xf.GetSheetName(0)
	sw, err := rw.xf.NewStreamWriter(sheet)
	if err == nil {
		rw.sw = sw
		// Columns and panes must be set before the first row.
		err = sw.SetColWidth(1, len(header), 16)
		if err == nil {
			err = sw.SetColWidth(6, 6, 60) // comment
		}
		if err == nil {
			err = sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
		}
	}
	var bold int
	if err == nil {
		bold, err = rw.xf.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	}
	if err == nil {
		for i, h := range header {
			rw.cells[i] = excelize.Cell{StyleID: bold, Value: h}
		}
		err = rw.sw.SetRow("A1", rw.cells)
	}
	if err != nil {
		_ = rw.xf.Close()
		return fmt.Errorf("transfer: start xlsx: %w", err)
	}
	rw.row = 1
	return nil
}

// Write adds one answer. An answer to a driver not among driverKeys is an
// error rather than a silently dropped column.
func (rw *ResponseWriter) Write(r otklik.Response) (err error) {
	if rw.done {
		return fmt.Errorf("transfer: write after close")
	}
	defer func() { rw.failed = rw.failed || err != nil }()
	for k := range r.Answers {
		if _, ok := rw.index[k]; !ok {
			return fmt.Errorf("transfer: answer %q of response %d has no column: pass it in driverKeys", k, r.ID)
		}
	}
	d := r.Snapshot
	// Text a customer or an operator typed is neutralized; numbers are ours.
	text := []string{Neutralize(r.IdempotencyKey), Neutralize(r.Survey), Neutralize(r.Customer),
		Neutralize(string(r.Channel)), "", Neutralize(r.Comment), r.AnsweredAt.UTC().Format(time.RFC3339Nano),
		Neutralize(d.Manager), Neutralize(d.Team), Neutralize(d.Segment),
		Neutralize(strings.Join(d.Services, "|")), "", Neutralize(d.Region), ""}
	if rw.csv != nil {
		copy(rw.record, text)
		rw.record[4] = strconv.Itoa(r.Score)
		rw.record[11], rw.record[13] = "", ""
		if d.Revenue != nil {
			rw.record[11] = d.Revenue.String()
		}
		if d.TenureMonths != nil {
			rw.record[13] = strconv.Itoa(*d.TenureMonths)
		}
		for i := len(responseHeader); i < len(rw.record); i++ {
			rw.record[i] = ""
		}
		for k, v := range r.Answers {
			rw.record[rw.index[k]] = strconv.Itoa(v)
		}
		if err := rw.csv.Write(rw.record); err != nil {
			return fmt.Errorf("transfer: write csv: %w", err)
		}
		return nil
	}
	return rw.writeXLSX(r, text)
}

func (rw *ResponseWriter) writeXLSX(r otklik.Response, text []string) error {
	if rw.row >= excelize.TotalRows {
		return otklik.Errorf(otklik.ETOOLARGE, "an XLSX sheet holds at most %d answers: export to CSV", excelize.TotalRows-1)
	}
	for i, s := range text {
		rw.cells[i] = nil // nil leaves the cell empty
		if s != "" {
			rw.cells[i] = s
		}
	}
	// Numbers go in as numbers so Excel can sum and filter them.
	rw.cells[4] = r.Score
	if d := r.Snapshot; d.Revenue != nil {
		rw.cells[11] = d.Revenue.Float()
	}
	if d := r.Snapshot; d.TenureMonths != nil {
		rw.cells[13] = *d.TenureMonths
	}
	for i := len(responseHeader); i < len(rw.cells); i++ {
		rw.cells[i] = nil
	}
	for k, v := range r.Answers {
		rw.cells[rw.index[k]] = v
	}
	rw.row++
	cell, err := excelize.CoordinatesToCellName(1, rw.row)
	if err == nil {
		err = rw.sw.SetRow(cell, rw.cells)
	}
	if err != nil {
		return fmt.Errorf("transfer: write xlsx row %d: %w", rw.row, err)
	}
	return nil
}

// Close finishes the file: it flushes CSV, or assembles and writes the
// XLSX workbook, and releases temporary files. Call it also after a failed
// Write: it then only releases them, writing no workbook.
func (rw *ResponseWriter) Close() error {
	if rw.done {
		return nil
	}
	if rw.failed {
		rw.abort()
		return nil
	}
	rw.done = true
	if rw.csv != nil {
		rw.csv.Flush()
		if err := rw.csv.Error(); err != nil {
			return fmt.Errorf("transfer: write csv: %w", err)
		}
		return nil
	}
	defer func() { _ = rw.xf.Close() }()
	if err := rw.sw.Flush(); err != nil {
		return fmt.Errorf("transfer: flush xlsx: %w", err)
	}
	if _, err := rw.xf.WriteTo(rw.out); err != nil {
		return fmt.Errorf("transfer: write xlsx: %w", err)
	}
	return nil
}

// WriteResponses writes every answer rows yields, stopping at the first
// error it yields. On an error nothing more is written; an XLSX file is then
// not written at all, a CSV one is left truncated.
func WriteResponses(w io.Writer, f Format, driverKeys []string, rows iter.Seq2[otklik.Response, error]) error {
	rw, err := NewResponseWriter(w, f, driverKeys)
	if err != nil {
		return err
	}
	for r, err := range rows {
		if err == nil {
			err = rw.Write(r)
		}
		if err != nil {
			rw.abort()
			return err
		}
	}
	return rw.Close()
}

// abort releases an unfinished writer without writing an XLSX out.
func (rw *ResponseWriter) abort() {
	rw.done = true
	if rw.csv != nil {
		rw.csv.Flush()
	}
	if rw.xf != nil {
		_ = rw.xf.Close()
	}
}
