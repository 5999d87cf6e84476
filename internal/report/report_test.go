package report

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"otklik/internal/locale"
)

// moscow is a fixed zone, so the tests need no tzdata.
var moscow = time.FixedZone("MSK", 3*60*60)

func catalog(t *testing.T) *locale.Catalog {
	t.Helper()
	c, err := locale.New()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ptr[T any](v T) *T { return &v }

// sample is a realistic month for a credit broker: enough managers that the
// breakdown runs onto a second page.
func sample(lang string) Data {
	d := Data{
		Business:  "ООО «Кредитный брокер Северо-Запад»",
		Lang:      lang,
		Period:    "2026-03",
		From:      time.Date(2026, 3, 1, 0, 0, 0, 0, moscow),
		To:        time.Date(2026, 4, 1, 0, 0, 0, 0, moscow),
		Generated: time.Date(2026, 4, 2, 6, 15, 0, 0, time.UTC),
		Location:  moscow,
		NPS: NPSFigure{
			N: 1234, Promoters: 648, Passives: 340, Detractors: 246,
			NPS: 32.5, MOE95: 4.6,
			WeightedNPS: 28.1, WeightedN: 1102,
			Previous: ptr(27.9), Delta: 4.6, Significant: true, PValue: 0.012,
		},
		CSAT:      &MeanFigure{N: 412, Mean: 4.31, Share: 0.82, Low: 31},
		CES:       &MeanFigure{N: 388, Mean: 5.6, Share: 0.71, Low: 44},
		Benchmark: &BenchmarkFigure{Industry: "кредитные брокеры", Low: 25, High: 35, Source: "Исследование лояльности клиентов финансовых посредников, 2025 (выборка 40 компаний)"},
		Drivers: []DriverFigure{
			{Key: "speed", Label: "Скорость ответа менеджера", Share: 0.38, MeanPromoters: 4.7, MeanPassives: 4.1, MeanDetractors: 2.9},
			{Key: "quality", Label: "Качество консультации", Share: 0.34, MeanPromoters: 4.8, MeanPassives: 4.2, MeanDetractors: 3.2},
			{Key: "docs", Label: "Подготовка документов", Share: 0.18, MeanPromoters: 4.5, MeanPassives: 4.0, MeanDetractors: 3.6},
			{Key: "price", Label: "Стоимость услуг", Share: 0.10, MeanPromoters: 4.1, MeanPassives: 3.7, MeanDetractors: 3.4},
		},
		Comments: []Comment{
			{Score: 10, Text: "Анна всё объяснила по шагам, одобрили ипотеку за неделю. Рекомендую знакомым!", Manager: "Анна Смирнова"},
			{Score: 8, Text: "В целом хорошо, но документы пришлось отправлять дважды.", Manager: "Игорь Петров"},
			{Score: 3, Text: "Обещали перезвонить в понедельник, перезвонили в четверг. Ставка в итоге выше, чем говорили на первой встрече.", Manager: "Олег Кузнецов"},
		},
	}
	trend := []struct {
		key      string
		n        int
		nps, moe float64
	}{
		{"2025-04", 830, 21.4, 5.9}, {"2025-05", 912, 23.0, 5.6}, {"2025-06", 640, 19.8, 6.8},
		{"2025-07", 0, 0, 0}, {"2025-08", 705, 24.7, 6.3}, {"2025-09", 1010, 26.2, 5.3},
		{"2025-10", 1120, 27.5, 5.0}, {"2025-11", 990, 25.1, 5.4}, {"2025-12", 1075, 29.3, 5.1},
		{"2026-01", 860, 26.0, 5.8}, {"2026-02", 1180, 27.9, 4.9}, {"2026-03", 1234, 32.5, 4.6},
	}
	for _, p := range trend {
		d.Trend = append(d.Trend, TrendPoint{Key: p.key, N: p.n, NPS: p.nps, MOE95: p.moe})
	}
	teams := []Row{
		{Key: "Ипотека", N: 512, NPS: 38.2, MOE95: 7.1, Delta: 6.4, Significant: true},
		{Key: "Автокредиты", N: 421, NPS: 29.7, MOE95: 7.9, Delta: 1.2},
		{Key: "Рефинансирование", N: 276, NPS: 27.0, MOE95: 9.8, Delta: -8.3, Significant: true},
		{Key: "Малый бизнес", N: 25, NPS: 12.0, MOE95: 31.5, SmallSample: true, Delta: -4.0},
	}
	for _, row := range teams {
		row.Dimension = "team"
		d.Breakdown = append(d.Breakdown, row)
	}
	names := []string{"Анна Смирнова", "Игорь Петров", "Олег Кузнецов", "Мария Иванова", "Дмитрий Соколов",
		"Елена Попова", "Сергей Лебедев", "Наталья Козлова", "Алексей Новиков", "Ольга Морозова",
		"Павел Волков", "Татьяна Соловьёва", "Андрей Васильев", "Юлия Зайцева", "Максим Павлов",
		"Екатерина Семёнова", "Николай Голубев", "Ирина Виноградова", "Владимир Богданов", "Светлана Воробьёва",
		"Артём Фёдоров", "Ксения Михайлова", "Роман Беляев", "Дарья Тарасова", "Евгений Белов",
		"Анастасия Комарова", "Михаил Орлов", "Полина Киселёва", "Кирилл Макаров", "Вера Андреева"}
	for i, name := range names {
		n := 12 + (i*37)%70
		d.Breakdown = append(d.Breakdown, Row{
			Dimension: "manager", Key: name, N: n,
			NPS: float64((i*53)%90) - 20 + 0.5, MOE95: 180 / float64(n+10),
			SmallSample: n < 30, Significant: i%7 == 0, Delta: float64((i*29)%25) - 12.3,
		})
	}
	d.Breakdown = append(d.Breakdown,
		Row{Dimension: "tenure", Key: "0-2", N: 210, NPS: 41.0, MOE95: 11.2, Delta: 3.1},
		Row{Dimension: "tenure", Key: "3-5", N: 305, NPS: 33.4, MOE95: 9.5, Delta: 0.4},
		Row{Dimension: "tenure", Key: "24+", N: 98, NPS: 18.4, MOE95: 17.0, Delta: -2.2},
	)
	if lang == locale.English {
		d.Business = "Northwest Credit Brokers Ltd"
		d.Benchmark.Industry = "credit brokerage"
		d.Benchmark.Source = "Financial intermediaries loyalty survey, 2025 (40 companies)"
		for i, l := range []string{"Manager's response time", "Quality of advice", "Paperwork", "Fees"} {
			d.Drivers[i].Label = l
		}
		d.Comments[0].Text = "Anna explained every step, the mortgage was approved within a week."
	}
	return d
}

func render(t *testing.T, d Data, lang string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, d, catalog(t).For(lang)); err != nil {
		t.Fatalf("Render: %v", err)
	}
	out := buf.Bytes()
	if !bytes.HasPrefix(out, []byte("%PDF-")) {
		t.Fatalf("output does not start with %%PDF-: %q", out[:min(len(out), 16)])
	}
	if n := pageCount(out); n < 1 {
		t.Fatalf("the PDF has %d pages", n)
	}
	if dir := os.Getenv("REPORT_SAMPLE_DIR"); dir != "" {
		// REPORT_SAMPLE_DIR=/tmp go test ./internal/report keeps the PDFs to look at.
		name := filepath.Join(dir, "report-"+strings.ReplaceAll(t.Name(), "/", "-")+".pdf")
		if err := os.WriteFile(name, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

var pagesCount = regexp.MustCompile(`/Type /Pages\s*/Kids \[[^\]]*\]\s*/Count (\d+)`)

// pageCount reads the page tree's /Count, which fpdf writes uncompressed.
func pageCount(pdf []byte) int {
	m := pagesCount.FindSubmatch(pdf)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// pdfText extracts the text with poppler's pdftotext, when it is installed.
// ok is false when it is not, so that only the text assertions are skipped.
func pdfText(t *testing.T, pdf []byte) (text string, ok bool) {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Log("pdftotext is not on PATH (Debian: apt-get install poppler-utils); skipping the text checks")
		return "", false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, stderr.String())
	}
	// The report separates thousands and sticks «%» with a no-break space;
	// tests compare with plain spaces.
	return strings.ReplaceAll(string(out), "\u00a0", " "), true
}

func assertContains(t *testing.T, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("the PDF text lacks %q; it reads:\n%s", w, text)
			return
		}
	}
}

func TestRenderRussian(t *testing.T) {
	pdf := render(t, sample(locale.Russian), locale.Russian)
	if n := pageCount(pdf); n < 2 {
		t.Errorf("the sample report has %d pages, want the manager table to continue on a second page", n)
	}
	text, ok := pdfText(t, pdf)
	if !ok {
		return
	}
	assertContains(t, text,
		"Отчёт за март 2026",
		"ООО «Кредитный брокер Северо-Запад»",
		"32,5",         // NPS, decimal comma
		"±4,6",         // its margin
		"1 234 ответа", // n, grouped, with the plural form
		"было 27,9",    // previous month
		"значимо",      // significance
		"28,1",         // weighted NPS
		"Период: 1 марта 2026 – 31 марта 2026", // To is exclusive
		"Сформирован 2 апреля 2026, 09:15",     // in the business's zone
		"в пределах отраслевого диапазона 25–35 (кредитные брокеры)",
		"NPS по месяцам",
		"По менеджерам (продолжение)", // the long table continues with its heading
		"мало ответов",
		"Удовлетворённость (CSAT)",
		"4,3",
		"82 %",
		"Скорость ответа менеджера",
		"38 %",
		"перезвонили в четверг",
		"Страница 1 из ",
	)
	if n := pageCount(pdf); !strings.Contains(text, fmt.Sprintf("Страница %d из %d", n, n)) {
		t.Errorf("the last page's footer does not read «Страница %d из %d»", n, n)
	}
	for _, bad := range []string{"report.", "metric.", "<no value>", "NaN"} {
		if strings.Contains(text, bad) {
			t.Errorf("the PDF text contains %q", bad)
		}
	}
}

func TestRenderEnglish(t *testing.T) {
	pdf := render(t, sample(locale.English), locale.English)
	text, ok := pdfText(t, pdf)
	if !ok {
		return
	}
	assertContains(t, text,
		"Report for March 2026",
		"Northwest Credit Brokers Ltd",
		"32.5",
		"1,234 answers",
		"Period: Mar 1, 2026 – Mar 31, 2026",
		"within the industry range 25–35 (credit brokerage)",
		"By manager (continued)",
		"few answers",
		"Page 1 of ",
	)
	for _, bad := range []string{"report.", "Отчёт", "<no value>"} {
		if strings.Contains(text, bad) {
			t.Errorf("the PDF text contains %q", bad)
		}
	}
}

func TestRenderEmpty(t *testing.T) {
	d := Data{
		Business: "Новая компания",
		Lang:     locale.Russian,
		Period:   "2026-03",
		From:     time.Date(2026, 3, 1, 0, 0, 0, 0, moscow),
		To:       time.Date(2026, 4, 1, 0, 0, 0, 0, moscow),
		Location: moscow,
	}
	pdf := render(t, d, locale.Russian)
	if n := pageCount(pdf); n != 1 {
		t.Errorf("an empty report has %d pages, want 1", n)
	}
	// The zero Data is a valid, if bare, report too.
	bare := render(t, Data{}, locale.English)

	text, ok := pdfText(t, pdf)
	if !ok {
		return
	}
	assertContains(t, text, "Отчёт за март 2026", "Новая компания", "За март 2026 ответов пока нет.", "Страница 1 из 1")
	for _, bad := range []string{"NaN", "значимо", "NPS по месяцам"} {
		if strings.Contains(text, bad) {
			t.Errorf("an empty report mentions %q", bad)
		}
	}
	text, _ = pdfText(t, bare)
	assertContains(t, text, "Report\n", "No answers yet.", "Page 1 of 1")
}

// TestRenderSmallSample: a young account with a dozen answers, no previous
// month, no revenue and no other surveys.
func TestRenderSmallSample(t *testing.T) {
	d := Data{
		Business: "ИП Соколова",
		Lang:     locale.Russian,
		Period:   "2026-03",
		From:     time.Date(2026, 3, 1, 0, 0, 0, 0, moscow),
		To:       time.Date(2026, 4, 1, 0, 0, 0, 0, moscow),
		Location: moscow,
		NPS: NPSFigure{N: 12, Promoters: 6, Passives: 3, Detractors: 3, NPS: 25, MOE95: 48.6,
			SmallSample: true},
		Trend:     []TrendPoint{{Key: "2026-03", N: 12, NPS: 25, MOE95: 48.6}},
		Benchmark: &BenchmarkFigure{Industry: "кредитные брокеры", Low: 25, High: 35},
	}
	text, ok := pdfText(t, render(t, d, locale.Russian))
	if !ok {
		return
	}
	assertContains(t, text,
		"Слишком мало ответов (n = 12), чтобы делать выводы.",
		"Сравнить не с чем",
		"Для графика нужны ответы хотя бы за два месяца.",
		"12 ответов",
	)
	if strings.Contains(text, "Взвешенный") {
		t.Error("the weighted NPS is shown with no weighted answers")
	}
}

func TestRenderHostileText(t *testing.T) {
	d := sample(locale.Russian)
	long := strings.Repeat("Ааааааааааааа", 60) // one 780-letter word
	hostile := []string{
		`<script>alert("x")</script> ) ( \ %PDF-1.4 endstream endobj`,
		long,
		"Отлично 👍👍🔥 спасибо 😊 🇷🇺 👨‍👩‍👧",
		"управляющие\x00символы\x07\x1b[31mкрасный\x1b[0m\r\n\tи\u202eотзеркаленный\u202c текст\u200b\ufeff",
		"\xff\xfe невалидный UTF-8 \xc3\x28",
		strings.Repeat("строка\n", 400),
		"Z̵̧̛͚̖̈́a̸̡̛l̷g̴o̵ текст",
		"",
	}
	d.Business = "Компания <b>«Тест»</b> " + long + " 🏦"
	d.Comments = nil
	for i, s := range hostile {
		d.Comments = append(d.Comments, Comment{Score: i * 2, Text: s, Manager: s})
	}
	d.Comments = append(d.Comments, Comment{Score: -5, Text: "вне шкалы", Manager: "\u0000"})
	d.Breakdown = append(d.Breakdown, Row{Dimension: "<img src=x>", Key: long, N: 1})
	d.Breakdown = append(d.Breakdown, Row{Dimension: "manager", Key: "👨‍💼", N: 40})
	d.Drivers = append(d.Drivers, DriverFigure{Label: long + "🙂", Share: 0.5})
	d.Benchmark.Industry = "🏦 " + long
	d.Benchmark.Source = strings.Repeat("источник ", 200)
	d.Trend = append(d.Trend, TrendPoint{Key: "<svg onload=alert(1)>", N: 3, NPS: 150, MOE95: 900})
	pdf := render(t, d, locale.Russian)
	text, ok := pdfText(t, pdf)
	if !ok {
		return
	}
	assertContains(t, text, "<script>alert(\"x\")</script>", "Отлично □ спасибо □")
	if strings.ContainsAny(text, "\x00\x07\x1b\u202e") {
		t.Error("control characters reached the PDF text")
	}
}

func TestRenderChecksLanguage(t *testing.T) {
	var buf bytes.Buffer
	if err := Render(&buf, sample(locale.English), catalog(t).For(locale.Russian)); err == nil {
		t.Error("English data with a Russian localizer rendered without error")
	}
	if err := Render(&buf, sample(locale.Russian), nil); err == nil {
		t.Error("a nil localizer rendered without error")
	}
	if buf.Len() != 0 {
		t.Error("a failed render wrote to w")
	}
}

// TestRenderIsReproducible: the same figures give the same file, so a
// stored report can be compared with a regenerated one.
func TestRenderIsReproducible(t *testing.T) {
	a := render(t, sample(locale.Russian), locale.Russian)
	b := render(t, sample(locale.Russian), locale.Russian)
	if !bytes.Equal(a, b) {
		t.Error("two renders of the same data differ")
	}
}

// TestRenderConcurrently: the fonts and the chart renderer are shared
// between calls; run with -race.
func TestRenderConcurrently(t *testing.T) {
	loc := catalog(t).For(locale.Russian)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			var buf bytes.Buffer
			errs <- Render(&buf, sample(locale.Russian), loc)
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestClean(t *testing.T) {
	fonts, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in    string
		limit int
		want  string
	}{
		{"  Привет,\n\t мир  ", 100, "Привет, мир"},
		{"a\x00b\u202ec\u200dd", 100, "abcd"},
		{"Хорошо 👍👍 ок", 100, "Хорошо □ ок"},
		{"1\u00a0234", 100, "1\u00a0234"},
		{"абвгдеёжз", 5, "абвгд…"},
		{"\xffок", 100, "ок"},
		{"и\u0306од", 100, "йод"},        // composed, not dropped
		{"Z̵̧̛͚a̸̡l̷g̴o̵", 100, "Zalgo"}, // stacked marks dropped
	}
	for _, tt := range tests {
		if got := fonts.clean(tt.in, tt.limit); got != tt.want {
			t.Errorf("clean(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
		}
	}
}

func TestWholePercents(t *testing.T) {
	tests := []struct{ in, want []int }{
		{[]int{648, 340, 246}, []int{52, 28, 20}}, // 52.5 + 27.6 + 19.9: plain rounding gives 101
		{[]int{1, 1, 1}, []int{34, 33, 33}},
		{[]int{5, 0, 0}, []int{100, 0, 0}},
		{[]int{0, 0, 0}, []int{0, 0, 0}},
	}
	for _, tt := range tests {
		got := wholePercents(tt.in)
		sum := 0
		for _, v := range got {
			sum += v
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("wholePercents(%v) = %v, want %v", tt.in, got, tt.want)
		}
		if sum != 100 && sum != 0 {
			t.Errorf("wholePercents(%v) sums to %d", tt.in, sum)
		}
	}
}

func TestAxisRange(t *testing.T) {
	tests := []struct{ lo, hi, min, max, step float64 }{
		{15.5, 37.1, 10, 50, 10},
		{-12, 40, -20, 50, 10},
		{-100, 100, -100, 100, 50},
		{30, 31, 30, 40, 5},
	}
	for _, tt := range tests {
		lo, hi, step := axisRange(tt.lo, tt.hi)
		if lo != tt.min || hi != tt.max || step != tt.step {
			t.Errorf("axisRange(%v, %v) = %v, %v, %v; want %v, %v, %v", tt.lo, tt.hi, lo, hi, step, tt.min, tt.max, tt.step)
		}
	}
}
