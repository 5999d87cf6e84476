package text

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// docsOf returns one comment per text, ids from 1, all in period 0.
func docsOf(texts ...string) []Doc {
	docs := make([]Doc, len(texts))
	for i, s := range texts {
		docs[i] = Doc{ID: int64(i + 1), Text: s}
	}
	return docs
}

func keys(ts []Theme) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Key
	}
	return out
}

func find(t *testing.T, ts []Theme, key string) Theme {
	t.Helper()
	for _, th := range ts {
		if th.Key == key {
			return th
		}
	}
	t.Fatalf("no theme %q in %q", key, keys(ts))
	return Theme{}
}

func TestThemesMergeRussianForms(t *testing.T) {
	got := Themes(docsOf(
		"Перезвонили через час",
		"Обещали перезвонить",
		"Менеджер перезвонит, сказали",
	), Options{})
	th := find(t, got, "перезвон")
	if th.Docs != 3 || th.Count != 3 {
		t.Errorf("перезвон: docs %d, count %d, want 3, 3", th.Docs, th.Count)
	}
	// Each written form once: the tie goes to the first in alphabetical order.
	if th.Phrase != "перезвонили" {
		t.Errorf("phrase %q, want перезвонили", th.Phrase)
	}
	if !slices.Equal(keys(got), []string{"перезвон"}) {
		t.Errorf("themes %q, want only перезвон", keys(got))
	}
}

func TestThemesMergeEnglishForms(t *testing.T) {
	got := Themes(docsOf("Waiting for an answer", "I waited two days", "still waiting", "she waits"), Options{})
	th := find(t, got, "wait")
	if th.Docs != 4 || th.Phrase != "waiting" {
		t.Errorf("wait: docs %d, phrase %q, want 4, waiting", th.Docs, th.Phrase)
	}
}

func TestThemesKeepNegation(t *testing.T) {
	got := Themes(docsOf(
		"Так и не перезвонили",
		"мне не перезвонил никто",
		"Не перезвонили, хотя обещали",
		"Перезвонили быстро", // the only comment where they did call back
		"Not helpful",
		"the chat wasn't helpful",
		"not very helpful",
		"Helpful staff",
	), Options{})
	if th := find(t, got, "не+перезвон"); th.Docs != 3 || th.Phrase != "не перезвонили" {
		t.Errorf("не+перезвон: docs %d, phrase %q, want 3, не перезвонили", th.Docs, th.Phrase)
	}
	if th := find(t, got, "not+help"); th.Docs != 3 || th.Phrase != "not helpful" {
		t.Errorf("not+help: docs %d, phrase %q", th.Docs, th.Phrase)
	}
	for _, k := range keys(got) {
		if k == "перезвон" || k == "help" {
			t.Errorf("theme %q made of negated comments: %q", k, keys(got))
		}
	}
}

func TestThemesDropStopWords(t *testing.T) {
	got := Themes(docsOf(
		"и вот это всё было очень долго",
		"это было очень долго, и всё",
		"всё это очень долго было",
		"it was very slow and it was",
		"it was slow and very",
		"and it was slow",
	), Options{})
	if want := []string{"slow", "долг"}; !slices.Equal(keys(got), want) { // a tie: by key
		t.Errorf("themes %q, want %q", keys(got), want)
	}
}

func TestThemesDropPersonalData(t *testing.T) {
	got := Themes(docsOf(
		"Звоните +7 (912) 345-67-89, Иван, ivan@mail.ru",
		"звоните +7 912 345 67 89 или пишите ivan@mail.ru",
		"Мой номер 89123456789, почта ivan@mail.ru, сайт ivan.ru",
		"Мой телефон 8-912-345-67-89 https://vk.com/ivan",
	), Options{MinDocs: 2})
	for _, th := range got {
		for _, bad := range []string{"ivan", "mail", "vk", "912", "89", "http"} {
			if strings.Contains(th.Key, bad) || strings.Contains(th.Phrase, bad) {
				t.Errorf("theme %q (%q) holds personal data %q", th.Key, th.Phrase, bad)
			}
		}
	}
	find(t, got, "звон")
}

// TestThemesRise checks Count, PrevCount, Docs, Rise and Score against
// figures computed by hand. Period 1 is current with 20 comments, period
// 0 previous with 10, period −1 older; filler comments hold only stop
// words.
//
//	доставка:   prev 2, cur 8 (+1 older): exp = 2·20/10 = 4, rise (8−4)/4 = 1,
//	            score ln 9 + ln(9/5) = 2.197225 + 0.587787 = 2.785011
//	приложение: prev 0, cur 3: exp 0, rise (3−0)/max(0,1) = 3,
//	            score ln 4 + ln(4/1) = 2.772589
//	оператор:   prev 3, cur 2: exp 6, rise (2−6)/6 = −0.666667,
//	            score ln 3 + ln(3/7) = 1.098612 − 0.847298 = 0.251314
func TestThemesRise(t *testing.T) {
	var docs []Doc
	add := func(n, period int, text string) {
		for range n {
			docs = append(docs, Doc{ID: int64(len(docs) + 1), Text: text, Period: period})
		}
	}
	add(1, -1, "Доставка")
	add(2, 0, "доставка")
	add(3, 0, "Оператор")
	add(5, 0, "ну да")
	add(8, 1, "доставка!")
	add(3, 1, "приложение")
	add(2, 1, "оператор")
	add(7, 1, "и всё")
	got := Themes(docs, Options{Examples: -1})
	want := []Theme{
		{Key: "доставк", Phrase: "доставка", Count: 8, PrevCount: 2, Docs: 11, Rise: 1, Score: 2.785011, Examples: []int64{}},
		{Key: "приложен", Phrase: "приложение", Count: 3, PrevCount: 0, Docs: 3, Rise: 3, Score: 2.772589, Examples: []int64{}},
		{Key: "оператор", Phrase: "оператор", Count: 2, PrevCount: 3, Docs: 5, Rise: -2.0 / 3, Score: 0.251314, Examples: []int64{}},
	}
	approx := cmp.Comparer(func(a, b float64) bool { return math.Abs(a-b) < 1e-6 })
	if d := cmp.Diff(want, got, approx); d != "" {
		t.Errorf("themes (-want +got):\n%s", d)
	}
}

func TestThemesWithoutPreviousPeriod(t *testing.T) {
	// Period 5 is current and nothing is in period 4: no rise, score ln(1 + count).
	got := Themes([]Doc{{1, "доставка", 5}, {2, "доставка", 5}, {3, "доставка", 5}, {4, "доставка", 3}}, Options{})
	th := find(t, got, "доставк")
	if th.Count != 3 || th.PrevCount != 0 || th.Docs != 4 || th.Rise != 0 || math.Abs(th.Score-math.Log(4)) > 1e-9 {
		t.Errorf("%+v, want count 3, prev 0, docs 4, rise 0, score ln 4", th)
	}
}

func TestThemesCountCommentsNotOccurrences(t *testing.T) {
	got := Themes(docsOf("долго, долго, очень долго", "долго", "долго ехали"), Options{})
	if th := find(t, got, "долг"); th.Docs != 3 {
		t.Errorf("долг in %d comments, want 3", th.Docs)
	}
}

func TestThemesSubsumption(t *testing.T) {
	// долг 10, ждал 9, ответ 5, доставк 4; долг ждал 9, ждал ответ 5, ждал доставк 4;
	// долг ждал ответ 5, долг ждал доставк 4.
	texts := []string{"ехали долго"}
	for range 5 {
		texts = append(texts, "Долго ждали ответа")
	}
	for range 4 {
		texts = append(texts, "долго ждали доставку")
	}
	got := Themes(docsOf(texts...), Options{})
	// «ждали ответа» (5) is all inside «долго ждали ответа» (5); «долго
	// ждали» (9) is not explained by either trigram (5 < 0.8·9) and stays;
	// «долго» (10) goes, 9 of its 10 comments say «долго ждали».
	want := []string{"долг ждал", "долг ждал ответ", "долг ждал доставк"}
	if !slices.Equal(keys(got), want) {
		t.Errorf("themes %q, want %q", keys(got), want)
	}
	if th := find(t, got, "долг ждал ответ"); th.Phrase != "долго ждали ответа" {
		t.Errorf("phrase %q", th.Phrase)
	}

	// With «долго» in five more comments of its own (15), 9 is less than
	// 80 % of 15 and «долго» is a theme of its own again.
	for range 5 {
		texts = append(texts, "ехали долго")
	}
	got = Themes(docsOf(texts...), Options{})
	want = []string{"долг", "долг ждал", "еха долг", "долг ждал ответ", "долг ждал доставк"}
	if !slices.Equal(keys(got), want) {
		t.Errorf("themes %q, want %q", keys(got), want)
	}
}

func TestThemesPhraseWithStopWords(t *testing.T) {
	got := Themes(docsOf(
		"ждали ответа от менеджера",
		"Ответа от менеджера не было",
		"нет ответа от менеджера", // не+ответ менеджер: another key
		"ответа менеджера",
		"ответа от менеджера",
	), Options{})
	if th := find(t, got, "ответ менеджер"); th.Docs != 4 || th.Phrase != "ответа от менеджера" {
		t.Errorf("ответ менеджер: docs %d, phrase %q", th.Docs, th.Phrase)
	}
}

func TestThemesExamples(t *testing.T) {
	docs := []Doc{
		{10, "доставка", 0},
		{11, "доставка", 1},
		{12, "доставка", 0},
		{13, "доставка", 1},
		{13, "доставка", 1}, // the same comment twice
		{14, "доставка", 1},
		{15, "оплата", 1},
	}
	for _, tt := range []struct {
		n    int
		want []int64
	}{
		{0, []int64{14, 13, 11}}, // the default: three, the current period first, later first
		{10, []int64{14, 13, 11, 12, 10}},
		{-1, []int64{}},
	} {
		got := Themes(docs, Options{Examples: tt.n})
		if th := find(t, got, "доставк"); !slices.Equal(th.Examples, tt.want) {
			t.Errorf("Examples %d: %v, want %v", tt.n, th.Examples, tt.want)
		}
	}
}

func TestThemesMixedLanguages(t *testing.T) {
	got := Themes(docsOf(
		"Приложение crashes постоянно",
		"The app crashed again",
		"app crash при оплате",
		"сepвис хороший", // Latin e and p
		"Сервис хороший",
		"good сервис, хороший",
	), Options{})
	if th := find(t, got, "crash"); th.Docs != 3 {
		t.Errorf("crash in %d comments, want 3", th.Docs)
	}
	if th := find(t, got, "сервис"); th.Docs != 3 {
		t.Errorf("сервис in %d comments, want 3", th.Docs)
	}
}

func TestThemesOptions(t *testing.T) {
	docs := docsOf("доставка", "доставка", "доставка", "оплата", "оплата")
	if got := keys(Themes(docs, Options{})); !slices.Equal(got, []string{"доставк"}) {
		t.Errorf("MinDocs default: %q", got)
	}
	if got := keys(Themes(docs, Options{MinDocs: 2})); !slices.Equal(got, []string{"доставк", "оплат"}) {
		t.Errorf("MinDocs 2: %q", got)
	}
	if got := keys(Themes(docs, Options{MinDocs: 2, Limit: 1})); !slices.Equal(got, []string{"доставк"}) {
		t.Errorf("Limit 1: %q", got)
	}
	if got := Themes(nil, Options{}); got != nil {
		t.Errorf("no comments: %v", got)
	}
	if got := Themes(docsOf("", "и", "12:30"), Options{MinDocs: 1}); len(got) != 0 {
		t.Errorf("empty comments: %v", got)
	}
}

// TestThemesWorkers checks that splitting the work between workers gives
// exactly the result of one worker.
func TestThemesWorkers(t *testing.T) {
	docs := synthetic(6000, 3)
	one := themes(docs, Options{Limit: 200}, 1)
	if len(one) != 200 {
		t.Fatalf("%d themes", len(one))
	}
	for _, w := range []int{2, 3} {
		if d := cmp.Diff(one, themes(docs, Options{Limit: 200}, w)); d != "" {
			t.Errorf("%d workers (-1 +%d):\n%s", w, w, d)
		}
	}
}

// TestThemesSynthetic checks the planted themes of the benchmark's
// comments: the complaint planted three times as often in period 1 rises
// (its share of period-1 comments is about 2.5 times that of period 0) and
// ranks first; the steady ones stay within sampling noise.
func TestThemesSynthetic(t *testing.T) {
	got := Themes(synthetic(20000, 42), Options{Limit: 100})
	if got[0].Key != "вылета" || got[0].Rise < 1 {
		t.Errorf("first theme %+v, want вылета rising", got[0])
	}
	for _, k := range []string{"не+перезвон", "not+help", "долг ждал ответ"} {
		if th := find(t, got, k); math.Abs(th.Rise) > 0.3 {
			t.Errorf("%s: rise %v", k, th.Rise)
		}
	}
}
