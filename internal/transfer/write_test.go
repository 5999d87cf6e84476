package transfer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"iter"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/xuri/excelize/v2"

	"otklik"
)

func sampleResponses() []otklik.Response {
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	return []otklik.Response{
		{ID: 1, Survey: "nps", Customer: "C-1", Channel: otklik.ChannelEmail, Score: 9,
			Comment: "Спасибо, всё отлично!\nВторая строка, \"цитата\"; и точка с запятой", AnsweredAt: at,
			Answers:        map[string]int{"manager_speed": 5, "quality": 4},
			IdempotencyKey: "email:42",
			Snapshot: otklik.Dimensions{Manager: "anna@agency.ru", Team: "Север", Segment: "VIP",
				Services: []string{"SEO", "Контекст, реклама"}, Revenue: ptr(otklik.Amount(15000050)),
				Region: "Москва", TenureMonths: ptr(14)}},
		// Hostile comments: every one would be a formula in Excel.
		{ID: 2, Survey: "nps", Customer: "C-2", Channel: otklik.ChannelWeb, Score: 0,
			Comment: "=HYPERLINK(\"http://evil\",\"click\")", AnsweredAt: at.Add(time.Hour), Answers: map[string]int{}},
		{ID: 3, Survey: "csat", Customer: "C-3", Channel: otklik.ChannelTelegram, Score: 1,
			Comment: "-2+3", AnsweredAt: at.Add(2 * time.Hour), IdempotencyKey: "@tg:1",
			Snapshot: otklik.Dimensions{Manager: "+7 900", Revenue: ptr(otklik.Amount(0)), TenureMonths: ptr(0)}},
		{ID: 4, Survey: "csat", Customer: "C-4", Channel: otklik.ChannelPhone, Score: 5,
			Comment: "+cmd|' /C calc'!A0", AnsweredAt: at.Add(3*time.Hour + 500*time.Millisecond)},
		{ID: 5, Survey: "ces", Customer: "C-5", Channel: otklik.ChannelSMS, Score: 7,
			Comment: "@SUM(1,1) and _x000D_ literal", AnsweredAt: at.Add(4 * time.Hour), Answers: map[string]int{"quality": 1}},
	}
}

func seq(rs []otklik.Response) iter.Seq2[otklik.Response, error] {
	return func(yield func(otklik.Response, error) bool) {
		for _, r := range rs {
			if !yield(r, nil) {
				return
			}
		}
	}
}

var driverKeys = []string{"manager_speed", "quality"}

func TestRoundTrip(t *testing.T) {
	for _, f := range []Format{FormatCSV, FormatXLSX} {
		t.Run(string(f), func(t *testing.T) {
			in := sampleResponses()
			var buf bytes.Buffer
			if err := WriteResponses(&buf, f, driverKeys, seq(in)); err != nil {
				t.Fatal(err)
			}
			if got := DetectFormat("export", buf.Bytes()); got != f {
				t.Errorf("DetectFormat = %q", got)
			}
			b, err := ReadResponses(&buf, f, testOptions())
			if err != nil {
				t.Fatal(err)
			}
			checkResponses(t, b)
			if len(b.Errors) > 0 || !b.Snapshot {
				t.Fatalf("errors %+v, snapshot %v", b.Errors, b.Snapshot)
			}
			// The first comment spans two lines: a CSV counts physical lines,
			// a workbook rows.
			wantLines := map[Format][]int{FormatCSV: {2, 4, 5, 6, 7}, FormatXLSX: {2, 3, 4, 5, 6}}[f]
			var got []otklik.Response
			var lines []int
			for _, r := range b.Rows {
				lines = append(lines, r.Line)
				got = append(got, r.Response)
			}
			if diff := cmp.Diff(wantLines, lines); diff != "" {
				t.Errorf("lines: %s", diff)
			}
			want := sampleResponses()
			for i := range want {
				want[i].ID = 0 // database ids are not exported as such
				if want[i].IdempotencyKey == "" {
					want[i].IdempotencyKey = ContentKey(&want[i])
				}
			}
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFormulaInjectionNeutralised(t *testing.T) {
	hostile := map[string]bool{"=": true, "+": true, "-": true, "@": true, "\t": true, "\r": true}
	check := func(t *testing.T, rows [][]string) {
		t.Helper()
		if len(rows) != 6 {
			t.Fatalf("%d rows", len(rows))
		}
		for _, row := range rows[1:] {
			for j, cell := range row {
				if cell != "" && hostile[cell[:1]] {
					t.Errorf("column %s holds live %q", rows[0][j], cell)
				}
			}
		}
		if rows[2][5] != `'=HYPERLINK("http://evil","click")` || rows[3][5] != "'-2+3" || rows[3][0] != "'@tg:1" ||
			rows[3][7] != "'+7 900" || rows[4][5] != "'+cmd|' /C calc'!A0" || rows[5][5] != "'@SUM(1,1) and _x000D_ literal" {
			t.Errorf("rows %q", rows)
		}
	}
	t.Run("csv", func(t *testing.T) {
		var buf bytes.Buffer
		if err := WriteResponses(&buf, FormatCSV, driverKeys, seq(sampleResponses())); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(buf.Bytes(), utf8BOM) {
			t.Fatal("no BOM")
		}
		rows, err := csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		check(t, rows)
	})
	t.Run("xlsx", func(t *testing.T) {
		var buf bytes.Buffer
		if err := WriteResponses(&buf, FormatXLSX, driverKeys, seq(sampleResponses())); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = f.Close() }()
		rows, err := f.GetRows(f.GetSheetName(0), excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		for i := range rows { // GetRows drops trailing empty cells
			for len(rows[i]) < len(rows[0]) {
				rows[i] = append(rows[i], "")
			}
		}
		check(t, rows)
		// No cell of the export is a formula, whatever its text.
		for r := 1; r <= 6; r++ {
			for c := 1; c <= len(rows[0]); c++ {
				ref, _ := excelize.CoordinatesToCellName(c, r)
				if fm, _ := f.GetCellFormula(f.GetSheetName(0), ref); fm != "" {
					t.Errorf("%s has formula %q", ref, fm)
				}
			}
		}
		// Numbers are number cells, so Excel can sum them.
		if typ, _ := f.GetCellType(f.GetSheetName(0), "E2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("score cell type %v", typ)
		}
	})
}

func TestWriterErrors(t *testing.T) {
	var buf bytes.Buffer
	if _, err := NewResponseWriter(&buf, FormatCSV, []string{"Bad Key"}); otklik.ErrorCode(err) != otklik.EINVALID {
		t.Errorf("bad key: %v", err)
	}
	if _, err := NewResponseWriter(&buf, FormatCSV, []string{"a", "a"}); otklik.ErrorCode(err) != otklik.EINVALID {
		t.Errorf("repeated key: %v", err)
	}
	if _, err := NewResponseWriter(&buf, "pdf", nil); err == nil {
		t.Error("pdf accepted")
	}
	// An answer to a driver without a column is an error, not lost data.
	err := WriteResponses(&buf, FormatXLSX, []string{"quality"}, seq(sampleResponses()))
	if err == nil || !strings.Contains(err.Error(), "manager_speed") {
		t.Errorf("unknown driver: %v", err)
	}
	// The iterator's error stops the export and no workbook is written.
	buf.Reset()
	boom := errors.New("boom")
	err = WriteResponses(&buf, FormatXLSX, driverKeys, func(yield func(otklik.Response, error) bool) {
		if yield(sampleResponses()[1], nil) {
			yield(otklik.Response{}, boom)
		}
	})
	if !errors.Is(err, boom) || buf.Len() != 0 {
		t.Errorf("err %v, %d bytes written", err, buf.Len())
	}
}
