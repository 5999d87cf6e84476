package transfer

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"otklik"
)

// fileError fails unless err is a coded, user-safe error: a hostile file
// must never surface as an internal error, let alone a panic.
func fileError(t *testing.T, err error) {
	t.Helper()
	if code := otklik.ErrorCode(err); code != otklik.EINVALID && code != otklik.ETOOLARGE {
		t.Fatalf("file error %v has code %q", err, code)
	}
}

func FuzzReadCustomersCSV(f *testing.F) {
	for _, s := range []string{
		"external_id,name,email\nC-1,Иван,ivan@example.ru\n",
		"\ufeffID клиента;Имя;Выручка;Дата начала;Услуги;consent_sms;attr.x\nC-1;Иван;\"150 000,50\";15.01.2024;SEO|PPC;да;1\n;;;;;;\n",
		"sep=;\nexternal_id;name\n\"C-1\";\"многострочное\nимя\"\nC-2;\"bad\"quote\n",
		"external_id,revenue,started_at,contact_period_days,locale\nC-1,-5,2024-02-30,0,xx\n,,\nC-3\n",
		"external_id\n\"unterminated\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ReadCustomers(bytes.NewReader(data), FormatCSV, testOptions())
		if err != nil {
			fileError(t, err)
			return
		}
		checkCustomers(t, b)
	})
}

func FuzzReadResponsesCSV(f *testing.F) {
	for _, s := range []string{
		"survey,customer,score,answered_at,comment,answers.speed\nnps,C-1,9,2024-01-15 10:30,\"ok,\nfine\",5\n",
		"\ufeffОпрос;Клиент;Оценка;Дата ответа;Канал;id\nnps;C-1;10;15.01.2024 10:30;email;k1\nnps;C-1;10;15.01.2024 10:30;email;k1\n",
		"survey,customer,score,answered_at,snapshot_revenue,snapshot_tenure_months,snapshot_services\nnps,C-1,9.0,2024-01-15T10:30:00Z,\"1 000,5\",3,a|b\n",
		"survey,customer,score,answered_at\nnps,C-1,101,2099-01-01,\nNPS,C 1,x,1999-01-01\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ReadResponses(bytes.NewReader(data), FormatCSV, testOptions())
		if err != nil {
			fileError(t, err)
			return
		}
		checkResponses(t, b)
	})
}

// storedZip repacks a workbook with uncompressed parts and no checksums,
// so the fuzzer's mutations reach excelize's XML parsing instead of all
// dying on a bad CRC. The theme and document properties are left out: the
// workbook reads without them, and a small seed is minimized much faster.
func storedZip(tb testing.TB, data []byte) []byte {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "docProps/") || strings.HasPrefix(zf.Name, "xl/theme/") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			tb.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil {
			tb.Fatal(err)
		}
		w, err := zw.CreateRaw(&zip.FileHeader{Name: zf.Name, Method: zip.Store,
			CompressedSize64: uint64(len(body)), UncompressedSize64: uint64(len(body))})
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write(body); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func FuzzReadXLSX(f *testing.F) {
	customers := buildXLSX(f, [][]any{
		{"external_id", "name", "revenue", "started_at", "consent_email", "attr.x"},
		{"C-1", "Иван", 150000.5, time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC), true, 1},
		{"C-2", "=x", "1 000", "15.01.2024", "нет", nil},
	}, 4)
	responses := buildXLSX(f, [][]any{
		{"survey", "customer", "score", "answered_at", "comment", "answers.speed"},
		{"nps", "C-1", 9, time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC), "ok", 5},
		{"nps", "C-2", "x", 45000.5, nil, 9},
	})
	for _, seed := range [][]byte{customers, responses, storedZip(f, customers), storedZip(f, responses)} {
		// Every seed must read, or the fuzzer starts from file errors only.
		_, errC := ReadCustomers(bytes.NewReader(seed), FormatXLSX, testOptions())
		_, errR := ReadResponses(bytes.NewReader(seed), FormatXLSX, testOptions())
		if errC != nil && errR != nil {
			f.Fatalf("seed does not read: %v; %v", errC, errR)
		}
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if b, err := ReadCustomers(bytes.NewReader(data), FormatXLSX, testOptions()); err != nil {
			fileError(t, err)
		} else {
			checkCustomers(t, b)
		}
		if b, err := ReadResponses(bytes.NewReader(data), FormatXLSX, testOptions()); err != nil {
			fileError(t, err)
		} else {
			checkResponses(t, b)
		}
	})
}

// FuzzXLSXCells puts arbitrary values into real typed cells, which byte
// mutations of a zip rarely reach: serial dates out of range, amounts with
// binary noise, text in number columns.
func FuzzXLSXCells(f *testing.F) {
	f.Add("C-1", "=cmd", "15.01.2024", 45306.604166666664, int64(9))
	f.Add("", "'-x", "2024-02-30 10:00", -1.0, int64(-3))
	f.Add("Ю", "\x00", "1e308", 1e308, int64(1<<40))
	f.Fuzz(func(t *testing.T, id, text, when string, num float64, n int64) {
		x := buildXLSX(t, [][]any{
			{"external_id", "name", "revenue", "started_at", "contact_period_days", "consent_sms", "attr.a", "revenue2"},
			{id, text, num, when, n, text, num},
			{id + "2", num, text, num, num, n, text},
		})
		if b, err := ReadCustomers(bytes.NewReader(x), FormatXLSX, testOptions()); err != nil {
			fileError(t, err)
		} else {
			checkCustomers(t, b)
		}
		x = buildXLSX(t, [][]any{
			{"survey", "customer", "score", "answered_at", "comment", "answers.q", "snapshot_revenue", "id"},
			{"nps", id, n, num, text, n, num, text},
			{text, "C-1", num, when, when, num, text, nil},
		})
		if b, err := ReadResponses(bytes.NewReader(x), FormatXLSX, testOptions()); err != nil {
			fileError(t, err)
		} else {
			checkResponses(t, b)
		}
	})
}
