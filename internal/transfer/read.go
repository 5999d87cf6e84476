package transfer

import (
	"fmt"
	"io"

	"otklik"
)

// openSheet opens r in format f.
func openSheet(r io.Reader, f Format) (sheet, error) {
	switch f {
	case FormatCSV:
		return openCSV(r)
	case FormatXLSX:
		return openXLSX(r)
	}
	return nil, invalidf("the file is neither CSV nor XLSX: save it as .xlsx or CSV UTF-8")
}

// readTable reads the header, then hands each data row to fn, which adds
// the row's problems to rc.p; readTable reports them with the row's line.
// It returns the header's layout. Row-shape problems (broken quoting, a CSV row
// whose cells do not line up with the header) are reported here, so fn only
// sees rows whose cells mean what the header says.
func readTable(r io.Reader, f Format, opt Options, cols []column, prefixes []prefixColumn,
	fn func(line int, rc *rowCells), report func(RowError)) (*layout, error) {
	src, err := openSheet(r, f)
	if err != nil {
		return nil, err
	}
	defer func() { _ = src.close() }()
	excel, date1904 := src.excel()

	head, ok := src.next()
	if !ok {
		if err := src.err(); err != nil {
			return nil, err
		}
		return nil, invalidf("the file is empty: the first row must name the columns")
	}
	if head.problem != "" {
		return nil, invalidf("the header row (line %d) cannot be read: %s", head.line, head.problem)
	}
	l, err := mapHeader(head.line, head.cells, cols, prefixes)
	if err != nil {
		return nil, err
	}
	rc := &rowCells{l: l, excel: excel, date1904: date1904}
	for n := 1; ; n++ {
		rw, ok := src.next()
		if !ok {
			break
		}
		if n > opt.MaxRows {
			return nil, otklik.Errorf(otklik.ETOOLARGE, "the file has more than %d rows: split it into smaller files", opt.MaxRows)
		}
		if rw.problem != "" {
			report(RowError{Line: rw.line, Message: rw.problem})
			continue
		}
		if !excel {
			if msg := shapeProblem(rw.cells, l); msg != "" {
				report(RowError{Line: rw.line, Message: msg})
				continue
			}
		}
		rc.cells, rc.p = rw.cells, rc.p[:0]
		fn(rw.line, rc)
		for _, p := range rc.p {
			report(RowError{Line: rw.line, Field: p.Field, Message: p.Message})
		}
	}
	if err := src.err(); err != nil {
		return nil, err
	}
	return l, nil
}

// shapeProblem checks that a CSV row lines up with the header. A short row,
// or text beyond the last column, almost always means a separator inside an
// unquoted cell ("150 000,50" in a comma file) shifted every later value —
// importing it would put the revenue into the start date.
func shapeProblem(cells []string, l *layout) string {
	if len(cells) < l.width {
		return fmt.Sprintf("has %d cells but the header has %d: a separator is missing, or a cell holding a separator is not in quotes",
			len(cells), l.width)
	}
	for i := l.size; i < len(cells); i++ {
		if cleanCell(cells[i]) != "" {
			return fmt.Sprintf("has %d cells but the header has %d: a cell holding a separator is probably not in quotes",
				len(cells), l.size)
		}
	}
	return ""
}
