package transfer

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

const benchRows = 100_000

var benchHeader = []string{"external_id", "name", "email", "phone", "segment", "services", "revenue",
	"started_at", "manager", "team", "region", "consent_email", "attr.inn"}

// benchCustomer returns row i of the generated customer file as typed values.
func benchCustomer(i int) []any {
	return []any{
		fmt.Sprintf("C-%06d", i), fmt.Sprintf("Клиент Номер %d", i), fmt.Sprintf("client%d@example.ru", i),
		fmt.Sprintf("+7 900 %07d", i), []string{"SMB", "VIP", "Enterprise"}[i%3], "SEO|Контекст",
		float64(i%5000)*100.25 + 0.5, time.Date(2015+i%10, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC),
		fmt.Sprintf("manager%d@agency.ru", i%40), []string{"Север", "Юг"}[i%2], "Москва", i%2 == 0,
		fmt.Sprintf("77%08d", i),
	}
}

var benchFiles = sync.OnceValues(func() ([]byte, []byte) {
	var c strings.Builder
	c.WriteString("\ufeff" + strings.Join(benchHeader, ";") + "\n")
	for i := range benchRows {
		v := benchCustomer(i)
		fmt.Fprintf(&c, "%s;%s;%s;%s;%s;%s;%s;%s;%s;%s;%s;%s;%s\n", v[0], v[1], v[2], v[3], v[4], v[5],
			strings.ReplaceAll(fmt.Sprintf("%.2f", v[6]), ".", ","), v[7].(time.Time).Format("02.01.2006"),
			v[8], v[9], v[10], map[bool]string{true: "да", false: "нет"}[v[11].(bool)], v[12])
	}

	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	sw, err := f.NewStreamWriter(f.GetSheetName(0))
	if err != nil {
		panic(err)
	}
	dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	row := make([]any, len(benchHeader))
	for i, h := range benchHeader {
		row[i] = h
	}
	_ = sw.SetRow("A1", row)
	for i := range benchRows {
		row = benchCustomer(i)
		row[7] = excelize.Cell{StyleID: dateStyle, Value: row[7]}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			panic(err)
		}
	}
	var x bytes.Buffer
	if err := sw.Flush(); err != nil {
		panic(err)
	}
	if _, err := f.WriteTo(&x); err != nil {
		panic(err)
	}
	return []byte(c.String()), x.Bytes()
})

func benchRead(b *testing.B, data []byte, f Format) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		batch, err := ReadCustomers(bytes.NewReader(data), f, testOptions())
		if err != nil {
			b.Fatal(err)
		}
		if len(batch.Rows) != benchRows || len(batch.Errors) > 0 {
			b.Fatalf("%d rows, errors %+v", len(batch.Rows), batch.Errors[:min(3, len(batch.Errors))])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchRows, "ns/row")
}

func BenchmarkReadCustomersCSV(b *testing.B) {
	csvData, _ := benchFiles()
	benchRead(b, csvData, FormatCSV)
}

func BenchmarkReadCustomersXLSX(b *testing.B) {
	_, xlsxData := benchFiles()
	benchRead(b, xlsxData, FormatXLSX)
}
