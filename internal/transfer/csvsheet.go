package transfer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// row is one non-blank row of a sheet. problem is set instead of cells when
// the row itself cannot be parsed (broken CSV quoting): that is the row's
// fault, not the file's, so it is reported and the rest is still read.
type row struct {
	line    int
	cells   []string
	problem string
}

// sheet yields the non-blank rows of a file in order.
type sheet interface {
	next() (row, bool)
	err() error
	close() error
	// excel reports whether cells come from a workbook, where a number in a
	// date column is a serial date and date1904 picks its epoch.
	excel() (excel, date1904 bool)
}

const sniffSize = 64 << 10

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

type csvSheet struct {
	r      *csv.Reader
	offset int // lines consumed before the csv.Reader saw the input (sep=)
	fail   error
}

// openCSV prepares a CSV reader: it strips a BOM, decodes the encodings
// Excel actually produces (UTF-8, UTF-16 "Unicode text", and Windows-1251
// from the plain "CSV" of Russian Excel), and picks the separator from the
// header line.
func openCSV(r io.Reader) (*csvSheet, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, fmt.Errorf("transfer: read csv: %w", err)
	}
	switch {
	case bytes.HasPrefix(head, utf8BOM):
		_, _ = br.Discard(len(utf8BOM))
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		br = bufio.NewReaderSize(dec.Reader(br), sniffSize)
	case looksLikeCP1251(head, len(head) == sniffSize):
		br = bufio.NewReaderSize(charmap.Windows1251.NewDecoder().Reader(br), sniffSize)
	}
	head, _ = br.Peek(sniffSize)
	comma, sepLine := sniffSeparator(head)
	s := &csvSheet{}
	if sepLine > 0 {
		_, _ = br.Discard(sepLine)
		s.offset = 1
	}
	s.r = csv.NewReader(br)
	s.r.Comma = comma
	s.r.FieldsPerRecord = -1 // a short row is the row's problem, reported by us
	s.r.ReuseRecord = true
	return s, nil
}

// looksLikeCP1251 reports whether head is 8-bit text rather than UTF-8: it
// has invalid UTF-8 and not a single valid multi-byte sequence. A UTF-8 file
// with one stray byte keeps its encoding (the bad cell is reported), since
// decoding it as Windows-1251 would silently garble every Cyrillic letter.
func looksLikeCP1251(head []byte, truncated bool) bool {
	multi, bad := 0, 0
	for i := 0; i < len(head); {
		c := head[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(head[i:])
		if r == utf8.RuneError && n <= 1 {
			if truncated && len(head)-i < utf8.UTFMax {
				break // a rune cut by the peek, not a bad byte
			}
			bad++
			i++
			continue
		}
		multi++
		i += n
	}
	return bad > 0 && multi == 0
}

// sniffSeparator picks the separator of the header line: the most frequent
// of ';' (Russian Excel), ',' and tab outside quotes, ',' on a tie. Excel's
// own "sep=;" first line wins when present; sepLine is then its length so
// the caller can skip it.
func sniffSeparator(head []byte) (comma rune, sepLine int) {
	if len(head) >= 5 && bytes.EqualFold(head[:4], []byte("sep=")) {
		end := bytes.IndexByte(head, '\n')
		if end < 0 {
			end = len(head)
		} else {
			end++
		}
		if sep := bytes.TrimRight(head[4:end], "\r\n"); len(sep) == 1 && validComma(rune(sep[0])) {
			return rune(sep[0]), end
		}
	}
	head = bytes.TrimLeft(head, "\r\n")
	counts := map[byte]int{}
	quoted := false
	for _, c := range head {
		if c == '"' {
			quoted = !quoted
			continue
		}
		if !quoted && (c == '\n' || c == '\r') {
			break
		}
		if !quoted && (c == ',' || c == ';' || c == '\t') {
			counts[c]++
		}
	}
	best := byte(',')
	for _, c := range []byte{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return rune(best), 0
}

func validComma(r rune) bool { return r == ',' || r == ';' || r == '\t' || r == '|' }

func (s *csvSheet) next() (row, bool) {
	for s.fail == nil {
		rec, err := s.r.Read()
		if err == io.EOF {
			return row{}, false
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return row{line: pe.StartLine + s.offset, problem: csvProblem(pe)}, true
		}
		if err != nil {
			s.fail = fmt.Errorf("transfer: read csv: %w", err)
			return row{}, false
		}
		if blank(rec) {
			continue // Excel writes empty rows as ";;;;"
		}
		line, _ := s.r.FieldPos(0)
		return row{line: line + s.offset, cells: rec}, true
	}
	return row{}, false
}

func csvProblem(pe *csv.ParseError) string {
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return fmt.Sprintf(`a " inside an unquoted cell on line %d: put the cell in quotes and double the quotes inside it`, pe.Line)
	case errors.Is(pe.Err, csv.ErrQuote):
		return fmt.Sprintf(`a quoted cell opened here is not closed properly (line %d)`, pe.Line)
	}
	return "the row cannot be read: " + pe.Err.Error()
}

func (s *csvSheet) err() error               { return s.fail }
func (s *csvSheet) close() error             { return nil }
func (s *csvSheet) excel() (excel, d04 bool) { return false, false }

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
