package text

import (
	"slices"
	"strings"
	"testing"
)

// stems returns the stems of text's tokens.
func stems(text string) []string {
	var out []string
	for _, t := range Tokenize(text) {
		out = append(out, t.Stem)
	}
	return out
}

func TestTokenizeStemsByScript(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		// One stem for every form of a Russian verb and noun.
		{"Перезвонили? Обещали перезвонить, перезвонит", []string{"перезвон", "обеща", "перезвон", "перезвон"}},
		{"Менеджера, менеджеру, менеджеры", []string{"менеджер", "менеджер", "менеджер"}},
		// And of an English one.
		{"Waiting, waited, waits", []string{"wait", "wait", "wait"}},
		// Each word is stemmed by its own script, whatever the comment's language.
		{"Приложение crashes постоянно", []string{"приложен", "crash", "постоя"}},
		{"The менеджера was rude", []string{"менеджер", "rude"}},
		// Upper case, ё and stress marks.
		{"ЖДЁМ ОТВЕТА заво\u0301д", []string{"ждем", "ответ", "завод"}},
		{"чаи\u0306ник", []string{"чайник"}}, // a decomposed й
		// A hyphenated word is one word; a Russian function word with a particle is a stop word.
		{"интернет-магазина кто-то из-за", []string{"интернет-магазин"}},
		// Two-letter abbreviations stay, single letters and numbers go.
		{"ПК и TV за 3 дня, я в шоке", []string{"пк", "tv", "дня", "шок"}},
	}
	for _, tt := range tests {
		if got := stems(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("%q: stems %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestTokenizeNegation(t *testing.T) {
	tests := []struct {
		text      string
		stems     []string
		firstWord string // the written form of the first token
	}{
		{"Так и не перезвонили", []string{"не+перезвон"}, "не перезвонили"},
		{"нет ответа", []string{"не+ответ"}, "нет ответа"},
		// «нет» right after a word negates that word: the same key as «нет ответа».
		{"Ответа нет уже неделю", []string{"не+ответ", "недел"}, "ответа нет"},
		{"Проблем нет", []string{"не+пробл"}, "проблем нет"},
		// Stop words between a negation and its word are skipped, and kept in the written form.
		{"Не очень удобно", []string{"не+удобн"}, "не очень удобно"},
		{"без ответа", []string{"не+ответ"}, "без ответа"},
		{"Not helpful", []string{"not+help"}, "not helpful"},
		{"It wasn't helpful", []string{"not+help"}, "wasn't helpful"},
		{"no help at all", []string{"not+help"}, "no help"},
		{"They never called back", []string{"not+call", "back"}, "never called"},
		{"didnt respond", []string{"not+respond"}, "didnt respond"},
		// A negation does not cross punctuation.
		{"Нет, всё хорошо", []string{"хорош"}, "хорошо"},
		{"No. Helpful staff", []string{"help", "staff"}, "helpful"},
		// «не только», "not only" are no negation.
		{"Не только быстро, но и вежливо", []string{"быстр", "вежлив"}, "быстро"},
		{"not only fast", []string{"fast"}, "fast"},
	}
	for _, tt := range tests {
		toks := Tokenize(tt.text)
		var got []string
		for _, tok := range toks {
			got = append(got, tok.Stem)
		}
		if !slices.Equal(got, tt.stems) {
			t.Errorf("%q: stems %q, want %q", tt.text, got, tt.stems)
			continue
		}
		if toks[0].Word != tt.firstWord {
			t.Errorf("%q: first word %q, want %q", tt.text, toks[0].Word, tt.firstWord)
		}
	}
}

func TestTokenizeStopWords(t *testing.T) {
	for _, text := range []string{
		"и в на с что как это было уже очень просто",
		"Спасибо, пожалуйста, здравствуйте!",
		"the and of to it is was we you they this that very really",
		"Thanks, please, hello",
		"I a я 3 100 2025 12:30",
		"кто-то из-за по-моему какой-нибудь",
	} {
		if got := Tokenize(text); len(got) != 0 {
			t.Errorf("%q: tokens %+v, want none", text, got)
		}
	}
	// The lists are about the size the brief asks for and hold the negations.
	ru, en := strings.Fields(russianStop), strings.Fields(englishStop)
	if len(ru) < 150 || len(en) < 150 {
		t.Errorf("stop lists: %d Russian, %d English words", len(ru), len(en))
	}
	for _, w := range []string{"не", "нет", "not", "no", "never"} {
		if !stopWords[w] || negators[w] == "" {
			t.Errorf("%q: stop %v, negator %q", w, stopWords[w], negators[w])
		}
	}
}

func TestTokenizeDropsPersonalData(t *testing.T) {
	tests := []struct {
		text string
		want []string // stems, with "|" between clauses
	}{
		{"звоните +7 (912) 345-67-89 вечером", []string{"звон", "|", "вечер"}},
		{"звоните 8 912 345 67 89 вечером", []string{"звон", "|", "вечер"}},
		{"звоните 8\u00a0912\u00a0345\u201167\u201189 вечером", []string{"звон", "|", "вечер"}},
		{"звоните 89123456789 вечером", []string{"звон", "|", "вечер"}},
		{"звоните ８９１２３４５６７８９ вечером", []string{"звон", "|", "вечер"}}, // full-width digits
		{"номер 12 34 567 завтра", []string{"номер", "|", "завтр"}},     // numbers in a row add up to seven digits
		{"договор AB1234567 завтра", []string{"договор", "|", "завтр"}},
		{"пишите ivan.petrov@mail.ru завтра", []string{"пиш", "|", "завтр"}},
		{"пишите @ivan_petrov завтра", []string{"пиш", "|", "завтр"}},
		{"see https://t.me/ivan?x=1 today", []string{"see", "|", "today"}},
		{"see www.Example.com today", []string{"see", "|", "today"}},
		{"see shop.example.com/orders/15 today", []string{"see", "|", "today"}},
		{"сайт (магазин.рф) завтра", []string{"сайт", "|", "завтр"}},
		// Not personal data: a short number, a missing space after a full stop, an abbreviation.
		{"ждали 3 дня", []string{"ждал", "дня"}},
		{"fast.Great support", []string{"fast", "|", "great", "support"}},
		{"т.е. долго", []string{"|", "долг"}},
	}
	for _, tt := range tests {
		var got []string
		clause := -1
		for _, tok := range Tokenize(tt.text) {
			if clause >= 0 && tok.Clause != clause {
				got = append(got, "|")
			}
			clause = tok.Clause
			got = append(got, tok.Stem)
		}
		want := tt.want
		if want[0] == "|" {
			want = want[1:] // the clause numbering starts after the break
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: %q, want %q", tt.text, got, want)
		}
	}
}

func TestTokenizeClauses(t *testing.T) {
	tests := []struct {
		text    string
		clauses []int
	}{
		{"долго ждали. ответа так и не дали", []int{0, 0, 1, 1}},
		{"долго ждали\nответа так и не дали", []int{0, 0, 1, 1}},
		{"долго ждали 😡 ответа так и не дали", []int{0, 0, 1, 1}},
		{"долго \xff ждали", []int{0, 1}},        // an invalid byte
		{"«долго ждали» ответа", []int{0, 0, 0}}, // quotes do not break a clause
		{"долго - ждали", []int{0, 1}},           // a dash does
		{"wi-fi не работает", []int{0, 0}},       // a hyphen inside a word does not
		{"support #мтс долго", []int{0, 0, 0}},   // nor does a hashtag
	}
	for _, tt := range tests {
		var got []int
		for _, tok := range Tokenize(tt.text) {
			got = append(got, tok.Clause)
		}
		if !slices.Equal(got, tt.clauses) {
			t.Errorf("%q: clauses %v, want %v (%+v)", tt.text, got, tt.clauses, Tokenize(tt.text))
		}
	}
}

func TestTokenizeMixedLayouts(t *testing.T) {
	// сepвис with a Latin e and p is сервис; "cервис" with a Latin c too;
	// a Cyrillic о in an English word is put back into Latin.
	for text, want := range map[string]string{
		"сepвис":            "сервис",
		"cервис":            "сервис",
		"supp\u043ert":      "support",
		"iPhone-приложение": "iphone-приложен", // each part keeps its own script
	} {
		if got := stems(text); len(got) != 1 || got[0] != want {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
}

func TestLanguage(t *testing.T) {
	for text, want := range map[string]string{
		"Долго ждали, support не ответил": "ru",
		"Great service, спасибо":          "en",
		"":                                "en",
		"12345":                           "en",
		"Ок, iPhone работает":             "ru",
	} {
		if got := Language(text); got != want {
			t.Errorf("Language(%q) = %q, want %q", text, got, want)
		}
	}
}
