package locale

import (
	"slices"
	"testing"
)

func newCatalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPluralAnswers(t *testing.T) {
	c := newCatalog(t)
	tests := []struct {
		n      int
		ru, en string
	}{
		{0, "0 ответов", "0 answers"},
		{1, "1 ответ", "1 answer"},
		{2, "2 ответа", "2 answers"},
		{4, "4 ответа", "4 answers"},
		{5, "5 ответов", "5 answers"},
		{11, "11 ответов", "11 answers"},
		{21, "21 ответ", "21 answers"},
		{22, "22 ответа", "22 answers"},
		{25, "25 ответов", "25 answers"},
		{101, "101 ответ", "101 answers"},
		{111, "111 ответов", "111 answers"},
		// Count is formatted like Number, so large counts keep the
		// language's thousands separator.
		{1001, "1\u00a0001 ответ", "1,001 answers"},
	}
	ru, en := c.For("ru"), c.For("en")
	for _, tt := range tests {
		if got := ru.N("count.answers", tt.n); got != tt.ru {
			t.Errorf("ru N(count.answers, %d) = %q, want %q", tt.n, got, tt.ru)
		}
		if got := en.N("count.answers", tt.n); got != tt.en {
			t.Errorf("en N(count.answers, %d) = %q, want %q", tt.n, got, tt.en)
		}
	}
}

func TestPluralOthers(t *testing.T) {
	c := newCatalog(t)
	ru, en := c.For("ru"), c.For("en")
	tests := []struct {
		l    *Localizer
		id   string
		n    int
		want string
	}{
		{ru, "count.customers", 3, "3 клиента"},
		{ru, "count.customers", 12, "12 клиентов"},
		{ru, "count.days", 1, "1 день"},
		{ru, "count.days", 60, "60 дней"},
		{ru, "count.days", 3, "3 дня"},
		{ru, "count.months", 14, "14 месяцев"},
		{ru, "count.months", 24, "24 месяца"},
		{en, "count.customers", 1, "1 customer"},
		{en, "count.days", 60, "60 days"},
		{en, "count.months", 1, "1 month"},
	}
	for _, tt := range tests {
		if got := tt.l.N(tt.id, tt.n); got != tt.want {
			t.Errorf("%s N(%s, %d) = %q, want %q", tt.l.Lang(), tt.id, tt.n, got, tt.want)
		}
	}
	// Extra data reaches the template, but cannot override the count the
	// plural form was chosen for.
	if got := ru.N("count.answers", 5, map[string]any{"Count": 1}); got != "5 ответов" {
		t.Errorf("N with a Count in data = %q", got)
	}
}

func TestMatch(t *testing.T) {
	c := newCatalog(t)
	tests := []struct{ header, want string }{
		{"en-US,en;q=0.9", "en"},
		{"en", "en"},
		{"en-GB", "en"},
		{"ru-RU", "ru"},
		{"ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", "ru"},
		{"de", "ru"},
		{"", "ru"},
		{"*", "ru"},
		{"uk;q=0.9,en;q=0.8", "en"},
		{"uk", "ru"},
		{"be", "ru"},          // CLDR counts Russian as a close match for Belarusian
		{"be,en;q=0.5", "en"}, // … but a language the visitor listed outright wins
		{"de-DE,de;q=0.9,en;q=0.5", "en"},
		{"ru;q=0.5,en;q=0.9", "en"},
		{"not a header;;;", "ru"},
	}
	for _, tt := range tests {
		if got := c.Match(tt.header); got != tt.want {
			t.Errorf("Match(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestFor(t *testing.T) {
	c := newCatalog(t)
	for lang, want := range map[string]string{"ru": "ru", "en": "en", "": "ru", "de": "ru", "en-US": "ru"} {
		if got := c.For(lang).Lang(); got != want {
			t.Errorf("For(%q).Lang() = %q, want %q", lang, got, want)
		}
	}
	if got := c.For("en").T("nav.overview"); got != "Overview" {
		t.Errorf("en nav.overview = %q", got)
	}
	if got := c.For("ru").T("nav.overview"); got != "Обзор" {
		t.Errorf("ru nav.overview = %q", got)
	}
}

func TestTWithData(t *testing.T) {
	c := newCatalog(t)
	data := map[string]any{"Name": "CRM"}
	if got, want := c.For("ru").T("token.revoke_confirm", data), "Отозвать токен «CRM»? Интеграции, которые им пользуются, перестанут работать."; got != want {
		t.Errorf("ru = %q, want %q", got, want)
	}
	if got, want := c.For("en").T("token.revoke_confirm", data), "Revoke the token “CRM”? Integrations that use it will stop working."; got != want {
		t.Errorf("en = %q, want %q", got, want)
	}
	if got, want := c.For("ru").T("metric.small_n", map[string]any{"N": 12}), "Слишком мало ответов (n = 12), чтобы делать выводы."; got != want {
		t.Errorf("ru small_n = %q, want %q", got, want)
	}
}

func TestMissingIDReturnsID(t *testing.T) {
	c := newCatalog(t)
	for _, lang := range []string{"ru", "en"} {
		l := c.For(lang)
		if got := l.T("no.such.id"); got != "no.such.id" {
			t.Errorf("%s T = %q", lang, got)
		}
		if got := l.T("no.such.id", nil); got != "no.such.id" {
			t.Errorf("%s T with nil data = %q", lang, got)
		}
		if got := l.N("no.such.id", 3); got != "no.such.id" {
			t.Errorf("%s N = %q", lang, got)
		}
		// A group name is not a message.
		if got := l.T("nav"); got != "nav" {
			t.Errorf("%s T(nav) = %q", lang, got)
		}
	}
}

func TestIDsAndMissingIn(t *testing.T) {
	c := newCatalog(t)
	ids := c.IDs()
	if !slices.IsSorted(ids) {
		t.Error("IDs are not sorted")
	}
	for _, want := range []string{"nav.overview", "count.answers", "channel.sms", "role.admin", "error.csrf"} {
		if !slices.Contains(ids, want) {
			t.Errorf("IDs lacks %q", want)
		}
	}
	got := c.MissingIn("en", []string{"nav.overview", "nav.nowhere", "nav.nowhere", "feed.score", "x"})
	if want := []string{"nav.nowhere", "x"}; !slices.Equal(got, want) {
		t.Errorf("MissingIn = %q, want %q", got, want)
	}
	if got := c.MissingIn("ru", ids); len(got) != 0 {
		t.Errorf("MissingIn(ru, IDs()) = %q", got)
	}
}
