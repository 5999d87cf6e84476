package transfer

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// maxUnzip bounds the unpacked size of an uploaded workbook: a zip bomb must
// fail fast instead of filling the disk. 1 GiB holds a million typical rows.
const maxUnzip = 1 << 30

type xlsxSheet struct {
	f        *excelize.File
	rows     *excelize.Rows
	line     int
	date1904 bool
	fail     error
}

// openXLSX opens the first worksheet for streaming. excelize parses hostile
// bytes from uploads, so its panics are turned into "damaged file" errors
// here rather than taking the server down.
func openXLSX(r io.Reader) (s *xlsxSheet, err error) {
	defer func() {
		if p := recover(); p != nil {
			s, err = nil, invalidf("the XLSX file is damaged and cannot be read")
		}
	}()
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("transfer: read xlsx: %w", err)
	}
	if err := checkZip(data); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxUnzip})
	if err != nil {
		if f != nil {
			_ = f.Close() // a half-opened workbook may hold temporary files
		}
		switch {
		case errors.Is(err, excelize.ErrWorkbookFileFormat), errors.Is(err, excelize.ErrWorkbookPassword):
			return nil, invalidf("the workbook is password-protected or in the old .xls format: save it as .xlsx or CSV UTF-8")
		}
		return nil, invalidf("the file is not a readable XLSX workbook: %s", excelMessage(err))
	}
	list := f.GetSheetList()
	if len(list) == 0 {
		_ = f.Close()
		return nil, invalidf("the workbook has no sheets")
	}
	rows, err := f.Rows(list[0])
	if err != nil {
		_ = f.Close()
		return nil, invalidf("the first sheet %q cannot be read: %s", list[0], excelMessage(err))
	}
	s = &xlsxSheet{f: f, rows: rows}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		s.date1904 = *props.Date1904
	}
	return s, nil
}

// maxRatio is above the best ratio deflate can reach (about 1032:1).
const maxRatio = 1100

// checkZip refuses a workbook whose parts claim more unpacked bytes than
// their packed size can hold. excelize allocates each part at its declared
// size before reading it, so a few hundred lying bytes could otherwise make
// the server allocate a gigabyte per upload.
func checkZip(data []byte) error {
	if bytes.HasPrefix(data, oleMagic) {
		return nil // excelize names the problem (encrypted or .xls) itself
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return invalidf("the file is not a readable XLSX workbook: %s", excelMessage(err))
	}
	var total uint64
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		if zf.UncompressedSize64 > maxRatio*zf.CompressedSize64+4096 || total > maxUnzip {
			return invalidf("the XLSX file is damaged or unpacks to more than %d MiB", maxUnzip>>20)
		}
	}
	return nil
}

// excelMessage keeps excelize's wording but never a path on the server.
func excelMessage(err error) string {
	var pe interface{ Unwrap() error }
	for errors.As(err, &pe) && pe.Unwrap() != nil {
		err = pe.Unwrap()
	}
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return msg
}

func (s *xlsxSheet) next() (rw row, ok bool) {
	defer func() {
		if p := recover(); p != nil {
			s.fail = invalidf("the XLSX file is damaged near row %d", s.line)
			rw, ok = row{}, false
		}
	}()
	for s.fail == nil {
		// Next steps one Excel row at a time, gaps included, so counting
		// calls gives the row number a person sees.
		if !s.rows.Next() {
			if err := s.rows.Error(); err != nil {
				s.fail = invalidf("the XLSX file cannot be read after row %d: %s", s.line, excelMessage(err))
			}
			return row{}, false
		}
		s.line++
		// Raw values: a formatted "150 000,50 ₽" or "1/15/24" depends on the
		// author's locale, while the stored number or date serial does not.
		cells, err := s.rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			s.fail = invalidf("row %d of the XLSX file cannot be read: %s", s.line, excelMessage(err))
			return row{}, false
		}
		if blank(cells) {
			continue
		}
		return row{line: s.line, cells: cells}, true
	}
	return row{}, false
}

func (s *xlsxSheet) err() error { return s.fail }

func (s *xlsxSheet) close() error {
	_ = s.rows.Close() // its only other error is the one next already reported
	if err := s.f.Close(); err != nil {
		return fmt.Errorf("transfer: close xlsx: %w", err)
	}
	return nil
}

func (s *xlsxSheet) excel() (excel, d04 bool) { return true, s.date1904 }
