package transfer

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"otklik"
)

func TestDetectFormat(t *testing.T) {
	for _, tc := range []struct {
		name string
		head string
		want Format
	}{
		{"a.csv", "id;name", FormatCSV},
		{"A.XLSX", "", FormatXLSX},
		{"report.csv", "PK\x03\x04...", FormatXLSX}, // a renamed workbook
		{"upload", "PK\x03\x04", FormatXLSX},
		{"upload", "external_id,name", FormatCSV},
		{"old.xls", "", ""},
		{"upload", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", ""},
	} {
		if got := DetectFormat(tc.name, []byte(tc.head)); got != tc.want {
			t.Errorf("DetectFormat(%q, %q) = %q, want %q", tc.name, tc.head, got, tc.want)
		}
	}
}

func TestReadCustomersCSVVariants(t *testing.T) {
	want := otklik.Customer{
		ExternalID: "C-1", Name: "Иван Петров", Email: "ivan@example.ru", Locale: "ru",
		Segment: "VIP", Services: []string{"SEO", "Контекст"}, Revenue: ptr(otklik.Amount(15000050)),
		StartedAt: &otklik.Date{Time: time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)},
		Manager:   "anna@agency.ru", Attributes: json.RawMessage("{}"),
		Consent: map[otklik.Channel]otklik.Consent{
			otklik.ChannelEmail: {Granted: true, At: testNow, Source: "import"},
			otklik.ChannelSMS:   {Granted: false, At: testNow, Source: "import"},
		},
	}
	english := "external_id,name,email,segment,services,revenue,started_at,manager,consent_email,consent_sms\n" +
		`C-1,Иван Петров,IVAN@example.ru,VIP,"SEO|Контекст","150 000,50",2024-01-15,Anna@Agency.ru,yes,no` + "\n"
	russian := "ID клиента;Имя;Почта;Сегмент;Услуги;Выручка;Дата начала;Менеджер;consent_email;CONSENT_SMS\r\n" +
		"C-1;Иван Петров;ivan@example.ru;VIP;SEO, Контекст;150 000,50 ₽;15.01.2024;anna@agency.ru;да;нет\r\n" +
		";;;;;;;;;\r\n\r\n\r\n" // Excel's empty rows and trailing lines
	for name, text := range map[string]string{
		"comma":         english,
		"comma BOM":     "\ufeff" + english,
		"semicolon":     russian,
		"semicolon BOM": "\ufeff" + russian,
		"sep line":      "sep=;\n" + russian,
		"tab":           strings.ReplaceAll(strings.ReplaceAll(russian, ";", "\t"), "SEO, Контекст", "SEO; Контекст"),
	} {
		t.Run(name, func(t *testing.T) {
			b := readC(t, text)
			checkCustomers(t, b)
			if len(b.Errors) > 0 || len(b.Rows) != 1 {
				t.Fatalf("errors %+v, rows %d", b.Errors, len(b.Rows))
			}
			wantLine := 2
			if name == "sep line" {
				wantLine = 3
			}
			if diff := cmp.Diff(CustomerRow{Line: wantLine, Customer: want}, b.Rows[0]); diff != "" {
				t.Errorf("customer (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadCustomersCP1251(t *testing.T) {
	text := "ID клиента;Имя;Регион\r\nC-7;Ёлкина Ольга;Москва\r\n"
	enc, err := charmap.Windows1251.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	b := readC(t, enc)
	if len(b.Rows) != 1 || b.Rows[0].Customer.Name != "Ёлкина Ольга" || b.Rows[0].Customer.Region != "Москва" {
		t.Fatalf("got %+v %+v", b.Rows, b.Errors)
	}
}

func TestReadCustomersAllFields(t *testing.T) {
	text := "external_id,company,phone,telegram_chat_id,locale,team,region,contact_period_days,consent_telegram,consent_phone,attr.INN,Attr.Source,Unknown\n" +
		"K1,ООО Ромашка,+7 900 000-00-00,12345,en-US,Север,Москва,30,true,0,7701234567,,x\n"
	b := readC(t, text)
	checkCustomers(t, b)
	if len(b.Rows) != 1 {
		t.Fatalf("errors: %+v", b.Errors)
	}
	c := b.Rows[0].Customer
	want := otklik.Customer{ExternalID: "K1", Company: "ООО Ромашка", Phone: "+7 900 000-00-00",
		TelegramChat: "12345", Locale: "en", Team: "Север", Region: "Москва", ContactPeriod: ptr(30),
		Attributes: json.RawMessage(`{"INN":"7701234567"}`),
		Consent: map[otklik.Channel]otklik.Consent{
			otklik.ChannelTelegram: {Granted: true, At: testNow, Source: "import"},
			otklik.ChannelPhone:    {Granted: false, At: testNow, Source: "import"},
		}}
	if diff := cmp.Diff(want, c, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Unknown"}, b.Ignored); diff != "" {
		t.Errorf("ignored: %s", diff)
	}
}

func TestReadCustomersBadRows(t *testing.T) {
	text := "external_id,email,revenue,started_at,locale,consent_email,contact_period_days,manager\n" +
		"ok-1,a@b.ru,100,2024-01-01,ru,yes,30,m@b.ru\n" +
		",not-an-email,-5,2024-13-01,de,maybe,0,boss\n" + // line 3: everything wrong
		"ok-2,,,,,,,\n" +
		"ok-1,,,,,,,\n" + // line 5: repeats line 2
		"ok-3,x@y.ru\n" + // line 6: short row
		"ok-4,,1,,,,,,surplus\n" // line 7: text beyond the header
	b := readC(t, text)
	checkCustomers(t, b)
	if len(b.Rows) != 2 || b.Rows[0].Line != 2 || b.Rows[1].Line != 4 {
		t.Fatalf("rows %+v", b.Rows)
	}
	got := map[int][]string{}
	for _, e := range b.Errors {
		got[e.Line] = append(got[e.Line], e.Field)
	}
	want := map[int][]string{
		3: {"started_at", "consent_email", "external_id", "email", "locale", "manager", "revenue", "contact_period_days"},
		5: {"external_id"},
		6: {""},
		7: {""},
	}
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("error fields by line (-want +got):\n%s\n%+v", diff, b.Errors)
	}
}

func TestReadFileErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		text string
		f    Format
		opt  Options
		code string
		msg  string
	}{
		"empty":        {"", FormatCSV, Options{}, otklik.EINVALID, "empty"},
		"blank lines":  {"\n\n \n", FormatCSV, Options{}, otklik.EINVALID, "empty"},
		"missing":      {"name,email\nx,y\n", FormatCSV, Options{}, otklik.EINVALID, "external_id"},
		"duplicate":    {"external_id,id клиента\n1,2\n", FormatCSV, Options{}, otklik.EINVALID, "both mean external_id"},
		"bad header":   {"external_id,\"name\n", FormatCSV, Options{}, otklik.EINVALID, "header row"},
		"not xlsx":     {"external_id\n1\n", FormatXLSX, Options{}, otklik.EINVALID, "XLSX"},
		"unknown":      {"external_id\n1\n", Format("ods"), Options{}, otklik.EINVALID, "neither"},
		"too many":     {"external_id\n1\n2\n3\n", FormatCSV, Options{MaxRows: 2}, otklik.ETOOLARGE, "more than 2"},
		"bad attr key": {"external_id,attr.\n1,2\n", FormatCSV, Options{}, otklik.EINVALID, "attr."},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ReadCustomers(strings.NewReader(tc.text), tc.f, tc.opt)
			if otklik.ErrorCode(err) != tc.code || !strings.Contains(otklik.ErrorMessage(err), tc.msg) {
				t.Fatalf("err = %v, want %s containing %q", err, tc.code, tc.msg)
			}
		})
	}
	_, err := ReadResponses(strings.NewReader("survey,customer,score\nnps,c,9\n"), FormatCSV, Options{})
	if f := otklik.ErrorFields(err); len(f) != 1 || f[0].Field != "answered_at" {
		t.Fatalf("missing answered_at: %v", err)
	}
	_, err = ReadResponses(strings.NewReader("survey,customer,score,answered_at,answers.Bad Key\n"), FormatCSV, Options{})
	if otklik.ErrorCode(err) != otklik.EINVALID {
		t.Fatalf("bad driver key: %v", err)
	}
}

func TestReadResponsesMultilineLines(t *testing.T) {
	text := "Опрос;Клиент;Оценка;Комментарий;Дата ответа;answers.Manager_Speed\n" + // line 1
		"nps;C-1;9;\"Всё хорошо,\nно \"\"медленно\"\"\n\nи дорого\";15.01.2024 10:30;4\n" + // lines 2-5
		"nps;C-2;11;;2024-01-16 09:00;\n" + // line 6: score 11 is fine for a file (custom scales)
		"nps;C-3;abc;;yesterday;7\n" + // line 7: three problems
		"nps;C-4;5;a \"bare\" quote;2024-01-16;\n" + // line 8: broken quoting
		"nps;C-5;10;\"ok\";2024-01-17T08:00:00Z;5\n" // line 9
	b := readR(t, text)
	checkResponses(t, b)
	var lines []int
	for _, r := range b.Rows {
		lines = append(lines, r.Line)
	}
	if diff := cmp.Diff([]int{2, 6, 9}, lines); diff != "" {
		t.Fatalf("good lines: %s; errors %+v", diff, b.Errors)
	}
	r := b.Rows[0].Response
	wantAt := time.Date(2024, 1, 15, 7, 30, 0, 0, time.UTC) // 10:30 in Moscow
	if r.Comment != "Всё хорошо,\nно \"медленно\"\n\nи дорого" || !r.AnsweredAt.Equal(wantAt) ||
		r.Answers["manager_speed"] != 4 || r.Channel != otklik.ChannelImport || r.Survey != "nps" {
		t.Errorf("row 2 = %+v", r)
	}
	want := []RowError{
		{7, "score", `"abc" is not a whole number`},
		{7, "answered_at", `"yesterday" is not a date and time (2024-01-31 14:05, 31.01.2024 14:05 or RFC 3339)`},
		{7, "answers.manager_speed", `"7" is not a rating from 1 to 5`},
		{8, "", `a " inside an unquoted cell on line 8: put the cell in quotes and double the quotes inside it`},
	}
	if diff := cmp.Diff(want, b.Errors); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

func TestReadResponsesChecks(t *testing.T) {
	text := "id,survey,customer,score,channel,answered_at,comment\n" +
		"a1,NPS,C-1,9,Telegram,2024-01-01 10:00,\n" + // 2: fine, key and channel lowercased
		"a1,nps,C-2,9,,2024-01-01 10:00,\n" + // 3: repeats id a1
		",nps,C-1,9,,2024-01-01 10:00,hi\n" + // 4: fine, derived key
		",nps,C-1,9,,01.01.2024 10:00,hi\n" + // 5: the same answer as 4
		",nps,,-1,fax,2030-01-01,\n" + // 6: customer, score, channel, future
		",bad key!,C 1,5,,1999-12-31,\n" + // 7: survey, customer, before 2000
		"," + strings.Repeat("x", 201) + ",C-1,5,,2024-01-01,\n" // 8: survey too long
	b := readR(t, text)
	checkResponses(t, b)
	if len(b.Rows) != 2 || b.Rows[0].Response.Survey != "nps" || b.Rows[0].Response.Channel != otklik.ChannelTelegram {
		t.Fatalf("rows %+v", b.Rows)
	}
	if k := b.Rows[1].Response.IdempotencyKey; !strings.HasPrefix(k, "import:") || len(k) != 71 {
		t.Errorf("derived key %q", k)
	}
	got := map[int][]string{}
	for _, e := range b.Errors {
		got[e.Line] = append(got[e.Line], e.Field)
	}
	want := map[int][]string{
		3: {"id"}, 5: {"id"},
		6: {"customer", "score", "channel", "answered_at"},
		7: {"survey", "customer", "answered_at"},
		8: {"survey"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s\n%+v", diff, b.Errors)
	}
}

// The same answer from a CSV and from a workbook gets the same key, so
// re-importing it in the other format does not count it twice either.
func TestContentKeyStable(t *testing.T) {
	csvB := readR(t, "survey,customer,score,answered_at,comment\nnps,C-1,9,15.01.2024 10:30,  great \n")
	x := buildXLSX(t, [][]any{
		{"survey", "customer", "score", "answered_at", "comment"},
		{"nps", "C-1", 9, time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC), "great"},
	})
	xB, err := ReadResponses(bytes.NewReader(x), FormatXLSX, testOptions())
	if err != nil || len(xB.Rows) != 1 || len(csvB.Rows) != 1 {
		t.Fatalf("err %v, %+v %+v", err, xB, csvB)
	}
	if a, b := csvB.Rows[0].Response.IdempotencyKey, xB.Rows[0].Response.IdempotencyKey; a != b {
		t.Errorf("keys differ: %s %s", a, b)
	}
}

func TestReadXLSXTypedCells(t *testing.T) {
	started := time.Date(2023, 3, 5, 0, 0, 0, 0, time.UTC)
	x := buildXLSX(t, [][]any{
		{"ID клиента", "Имя", "Телефон", "Выручка", "Дата начала", "contact_period_days", "consent_email", "attr.score"},
		{1001, "Иван", 79161234567, 150000.5, started, 30, true, 4.5},
		nil, // an empty row keeps its number
		{"C-2", "=not a formula", nil, 1234.56, "05.03.2023", nil, "нет"},
		{"C-3", nil, nil, "много", 45000.75, nil, nil},
	}, 5)
	b, err := ReadCustomers(bytes.NewReader(x), FormatXLSX, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	checkCustomers(t, b)
	if len(b.Rows) != 2 {
		t.Fatalf("rows %+v errors %+v", b.Rows, b.Errors)
	}
	c := b.Rows[0].Customer
	want := otklik.Customer{ExternalID: "1001", Name: "Иван", Phone: "79161234567", Locale: "ru",
		Revenue: ptr(otklik.Amount(15000050)), StartedAt: &otklik.Date{Time: started}, ContactPeriod: ptr(30),
		Attributes: json.RawMessage(`{"score":"4.5"}`),
		Consent:    map[otklik.Channel]otklik.Consent{otklik.ChannelEmail: {Granted: true, At: testNow, Source: "import"}}}
	if diff := cmp.Diff(want, c, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	c2 := b.Rows[1]
	if c2.Line != 4 || *c2.Customer.Revenue != 123456 || !c2.Customer.StartedAt.Equal(started) || c2.Customer.Name != "=not a formula" {
		t.Errorf("row 4 = %+v", c2)
	}
	// A text revenue is an error; a number in a date column is a serial date.
	if diff := cmp.Diff([]RowError{{5, "revenue", `"много" is not an amount such as 150000 or 150 000,50`}}, b.Errors); diff != "" {
		t.Errorf("errors: %s", diff)
	}
}

func TestReadResponsesXLSXDateTimeCells(t *testing.T) {
	x := buildXLSX(t, [][]any{
		{"survey", "customer", "score", "answered_at", "answers.speed"},
		{"nps", "C-1", 10, time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC), 5},
		{"nps", "C-2", 3.0, "2024-03-01 08:15", nil},
		{"nps", "C-3", 7, "2024-03-01T08:15:00+05:00", nil},
	})
	b, err := ReadResponses(bytes.NewReader(x), FormatXLSX, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	checkResponses(t, b)
	if len(b.Errors) > 0 || len(b.Rows) != 3 {
		t.Fatalf("%+v", b)
	}
	for i, want := range []time.Time{
		time.Date(2024, 2, 29, 20, 59, 59, 0, time.UTC), // the wall clock was Moscow's
		time.Date(2024, 3, 1, 5, 15, 0, 0, time.UTC),
		time.Date(2024, 3, 1, 3, 15, 0, 0, time.UTC),
	} {
		if got := b.Rows[i].Response.AnsweredAt; !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("row %d answered_at %v, want %v", i, got, want)
		}
	}
	if b.Rows[0].Response.Answers["speed"] != 5 || b.Rows[1].Response.Score != 3 {
		t.Errorf("%+v", b.Rows)
	}
}

func TestReadEncodings(t *testing.T) {
	// Excel's "Unicode text" is UTF-16 with tabs.
	text := "external_id\tname\r\nC-1\tЮникод\r\n"
	u16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	b := readC(t, u16)
	if len(b.Rows) != 1 || b.Rows[0].Customer.Name != "Юникод" {
		t.Fatalf("utf-16: %+v %+v", b.Rows, b.Errors)
	}
	// One stray byte in a UTF-8 file is that cell's problem; the other
	// rows keep their Cyrillic instead of being re-read as Windows-1251.
	b = readC(t, "external_id,name\nC-1,Иван\nC-2,bad\xff\n")
	if len(b.Rows) != 1 || b.Rows[0].Customer.Name != "Иван" ||
		len(b.Errors) != 1 || b.Errors[0].Line != 3 || b.Errors[0].Field != "name" {
		t.Fatalf("stray byte: %+v %+v", b.Rows, b.Errors)
	}
}

func TestReadXLSXFileErrors(t *testing.T) {
	x := buildXLSX(t, [][]any{{"name"}, {"x"}})
	if _, err := ReadCustomers(bytes.NewReader(x), FormatXLSX, Options{}); !strings.Contains(otklik.ErrorMessage(err), "external_id") {
		t.Errorf("missing column: %v", err)
	}
	if _, err := ReadCustomers(bytes.NewReader(x[:len(x)/2]), FormatXLSX, Options{}); otklik.ErrorCode(err) != otklik.EINVALID {
		t.Errorf("truncated: %v", err)
	}
	ole := append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 512)...)
	if _, err := ReadCustomers(bytes.NewReader(ole), FormatXLSX, Options{}); !strings.Contains(otklik.ErrorMessage(err), ".xls") {
		t.Errorf("old xls: %v", err)
	}
	empty := buildXLSX(t, nil)
	if _, err := ReadCustomers(bytes.NewReader(empty), FormatXLSX, Options{}); !strings.Contains(otklik.ErrorMessage(err), "empty") {
		t.Errorf("empty: %v", err)
	}
	// A part that claims 512 MiB from 10 bytes is refused before excelize
	// allocates for it.
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/styles.xml", Method: zip.Deflate,
		CompressedSize64: 10, UncompressedSize64: 512 << 20})
	if err == nil {
		_, err = w.Write(make([]byte, 10))
	}
	if err != nil || zw.Close() != nil {
		t.Fatal(err)
	}
	if _, err := ReadCustomers(&bomb, FormatXLSX, Options{}); !strings.Contains(otklik.ErrorMessage(err), "unpacks to more") {
		t.Errorf("lying zip: %v", err)
	}
	many := buildXLSX(t, [][]any{{"external_id"}, {"a"}, {"b"}, {"c"}})
	if _, err := ReadCustomers(bytes.NewReader(many), FormatXLSX, Options{MaxRows: 2}); otklik.ErrorCode(err) != otklik.ETOOLARGE {
		t.Errorf("too many: %v", err)
	}
}
