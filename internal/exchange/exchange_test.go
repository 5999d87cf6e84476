package exchange_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"otklik"
	"otklik/internal/exchange"
	"otklik/internal/store"
	"otklik/internal/storetest"
	"otklik/internal/transfer"
)

var (
	now    = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	moscow = mustZone("Europe/Moscow")
	admin  = otklik.Actor{Email: "boss@example.com", Role: otklik.RoleAdmin}
	all    = otklik.Scope{Reach: otklik.ReachAll}
)

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func opts(f transfer.Format, partial bool) exchange.Options {
	return exchange.Options{Format: f, Partial: partial, Now: now, Location: moscow}
}

func TestCustomersAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db := storetest.Open(t, dialect, func() time.Time { return now })
		ctx := context.Background()
		file := "external_id;name;manager;revenue;started_at;consent_email\n" +
			"c1;Иван;anna@example.com;150 000,50;01.02.2025;да\n" +
			"c2;Пётр;not-an-email;100;2025-02-01;нет\n" +
			"c3;Мария;boris@example.com;;2025-03-01;\n"
		rep, err := exchange.Customers(ctx, db, admin, strings.NewReader(file), opts(transfer.FormatCSV, false))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Written || len(rep.Errors) != 1 || rep.Errors[0].Line != 3 || rep.Errors[0].Field != "manager" || rep.Rows != 3 {
			t.Fatalf("report: %+v", rep)
		}
		if list, _ := db.Customers(ctx, all, store.CustomerFilter{}); len(list) != 0 {
			t.Fatalf("a refused file wrote %d customers", len(list))
		}
		rep, err = exchange.Customers(ctx, db, admin, strings.NewReader(file), opts(transfer.FormatCSV, true))
		if err != nil || !rep.Written || rep.Created != 2 {
			t.Fatalf("partial: %+v %v", rep, err)
		}
		c, err := db.Customer(ctx, all, "c1")
		if err != nil || c.Revenue.String() != "150000.5" || c.StartedAt.String() != "2025-02-01" || !c.Consent[otklik.ChannelEmail].Granted {
			t.Fatalf("c1: %+v %v", c, err)
		}
		// A second file changes only its columns and non-empty cells.
		if _, _, err := db.UpsertCustomer(ctx, all, "c3", func(c *otklik.Customer) { c.Phone = "+7 900"; c.Locale = "en" }); err != nil {
			t.Fatal(err)
		}
		rep, err = exchange.Customers(ctx, db, admin, strings.NewReader("external_id,segment,name\nc3,VIP,\n"), opts(transfer.FormatCSV, false))
		if err != nil || rep.Updated != 1 {
			t.Fatalf("update: %+v %v", rep, err)
		}
		c, _ = db.Customer(ctx, all, "c3")
		if c.Segment != "VIP" || c.Name != "Мария" || c.Phone != "+7 900" || c.Locale != "en" || c.Manager != "boris@example.com" {
			t.Fatalf("merged c3: %+v", c)
		}
		// Only those with the import right may import.
		lead := otklik.Actor{Email: "lead@example.com", Role: otklik.RoleLead, Team: "Север"}
		if _, err := exchange.Customers(ctx, db, lead, strings.NewReader(file), opts(transfer.FormatCSV, true)); otklik.ErrorCode(err) != otklik.EFORBIDDEN {
			t.Fatalf("lead imported: %v", err)
		}
	})
}

func seed(t testing.TB, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	s := &otklik.Survey{Key: "nps", Kind: otklik.KindNPS, Title: otklik.Text{RU: "НПС", EN: "NPS"},
		ScoreQuestion: otklik.Text{RU: "Порекомендуете?", EN: "Recommend?"},
		Drivers:       []otklik.Driver{{Key: "manager_speed", Text: otklik.Text{RU: "Скорость", EN: "Speed"}}}}
	if err := db.CreateSurvey(ctx, s); err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{"c1", "c2"} {
		if _, _, err := db.UpsertCustomer(ctx, all, ext, func(c *otklik.Customer) {
			c.Manager = "anna@example.com"
			c.StartedAt = &otklik.Date{Time: time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)}
		}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestResponsesImportAndExportRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db := storetest.Open(t, dialect, func() time.Time { return now })
		ctx := context.Background()
		seed(t, db)
		file := "survey;customer;score;comment;answered_at;answers.manager_speed\n" +
			"nps;c1;9;Отлично;2025-06-15 10:00;5\n" +
			"nps;c2;3;\"Долго,\nочень долго\";15.06.2025 12:30;2\n" +
			"nps;ghost;5;;2025-06-15;\n" +
			"csat;c1;5;;2025-06-15;\n" +
			"nps;c1;12;;2025-06-15;\n"
		rep, err := exchange.Responses(ctx, db, admin, strings.NewReader(file), opts(transfer.FormatCSV, false))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range rep.Errors {
			got = append(got, fmt.Sprintf("%d:%s", e.Line, e.Field))
		}
		// The multi-line comment spans lines 3–4, so the bad rows are on lines 5, 6, 7.
		if rep.Written || strings.Join(got, " ") != "5:customer 6:survey 7:score" {
			t.Fatalf("errors %v, report %+v", got, rep)
		}
		rep, err = exchange.Responses(ctx, db, admin, strings.NewReader(file), opts(transfer.FormatCSV, true))
		if err != nil || rep.Created != 2 {
			t.Fatalf("partial import: %+v %v", rep, err)
		}
		// Importing the same file again counts nothing twice.
		rep, _ = exchange.Responses(ctx, db, admin, strings.NewReader(file), opts(transfer.FormatCSV, true))
		if rep.Created != 0 || rep.Duplicates != 2 {
			t.Fatalf("re-import: %+v", rep)
		}
		list, _ := db.Responses(ctx, all, store.ResponseFilter{})
		if len(list) != 2 {
			t.Fatalf("stored %d answers", len(list))
		}
		first := list[0]
		// 10:00 in Moscow is 07:00 UTC; tenure from 2025-01-15 to 2025-06-15 is 5 months.
		if !first.AnsweredAt.Equal(time.Date(2025, 6, 15, 7, 0, 0, 0, time.UTC)) || *first.Snapshot.TenureMonths != 5 ||
			first.Channel != otklik.ChannelImport || first.Answers["manager_speed"] != 5 || first.Snapshot.Manager != "anna@example.com" {
			t.Fatalf("imported answer: %+v", first)
		}
		for _, f := range []transfer.Format{transfer.FormatCSV, transfer.FormatXLSX} {
			var buf bytes.Buffer
			n, err := exchange.ExportResponses(ctx, db, admin, &buf, f, exchange.Filter{Survey: "nps"})
			if err != nil || n != 2 {
				t.Fatalf("%s export: %d %v", f, n, err)
			}
			// The export imported elsewhere gives the same answers and snapshots;
			// imported here again, it is recognised as already there.
			rep, err := exchange.Responses(ctx, db, admin, bytes.NewReader(buf.Bytes()), opts(f, false))
			if err != nil || rep.Duplicates != 2 || rep.Created != 0 {
				t.Fatalf("%s export re-imported: %+v %v", f, rep, err)
			}
		}
		// A manager exports only what they may read.
		var buf bytes.Buffer
		boris := otklik.Actor{Email: "boris@example.com", Role: otklik.RoleManager}
		if n, err := exchange.ExportResponses(ctx, db, boris, &buf, transfer.FormatCSV, exchange.Filter{}); err != nil || n != 0 {
			t.Fatalf("boris exported %d answers: %v", n, err)
		}
	})
}

// BenchmarkImportCustomers100k imports 100,000 customers from CSV into
// SQLite in one transaction, as `otklik import customers` does.
func BenchmarkImportCustomers100k(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("external_id;name;email;manager;team;segment;services;revenue;started_at;region;consent_email\n")
	for i := range 100000 {
		fmt.Fprintf(&sb, "c%d;Клиент %d;c%d@example.com;m%d@example.com;Команда %d;Ипотека;loans|cards;%d 000,50;2025-%02d-10;Москва;да\n",
			i, i, i, i%12, i%3, 50+i%300, 1+i%12)
	}
	file := sb.String()
	for b.Loop() {
		b.StopTimer()
		db := storetest.Open(b, "sqlite", func() time.Time { return now })
		b.StartTimer()
		rep, err := exchange.Customers(context.Background(), db, admin, strings.NewReader(file), opts(transfer.FormatCSV, false))
		if err != nil || rep.Created != 100000 {
			b.Fatalf("%+v %v", rep, err)
		}
	}
	b.ReportMetric(float64(100000*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkImportResponses100k imports 100,000 historical answers from CSV
// into SQLite, as `otklik import responses` does.
func BenchmarkImportResponses100k(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("survey;customer;score;comment;answered_at;answers.manager_speed\n")
	for i := range 100000 {
		fmt.Fprintf(&sb, "nps;c%d;%d;Комментарий номер %d;2025-%02d-%02d 10:%02d;%d\n", 1+i%2, i%11, i, 1+i%12, 1+i%28, i%60, 1+i%5)
	}
	file := sb.String()
	for b.Loop() {
		b.StopTimer()
		db := storetest.Open(b, "sqlite", func() time.Time { return now })
		seed(b, db)
		b.StartTimer()
		rep, err := exchange.Responses(context.Background(), db, admin, strings.NewReader(file), opts(transfer.FormatCSV, false))
		if err != nil || rep.Created != 100000 {
			b.Fatalf("%+v %v", rep.Errors[:min(3, len(rep.Errors))], err)
		}
	}
	b.ReportMetric(float64(100000*b.N)/b.Elapsed().Seconds(), "rows/s")
}
