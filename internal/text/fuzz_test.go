package text

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzThemes feeds comments of any bytes. Themes must not panic; every
// theme must be consistent with its counts, name only input ids as
// examples and never show a run of numbers long enough to be a phone.
func FuzzThemes(f *testing.F) {
	f.Add("Долго ждали ответа, не перезвонили!", "not helpful; waited 3 days", uint8(0), uint8(1))
	f.Add("звоните +7 (912) 345-67-89 ivan@mail.ru", "сepвис\xffотличный кто-то ответа нет", uint8(2), uint8(2))
	f.Add("https://x.ru/a?b=1 нет", "12 34 56 78 не\u0301 «очень» удобно\n", uint8(3), uint8(0))
	f.Add("", "\x00\xd0\xd1-'’ n't - не", uint8(1), uint8(1))
	f.Fuzz(func(t *testing.T, a, b string, pa, pb uint8) {
		docs := []Doc{
			{ID: 1, Text: a, Period: int(pa % 3)},
			{ID: 2, Text: b, Period: int(pb % 3)},
			{ID: 3, Text: a + " " + b, Period: 1},
			{ID: 4, Text: b + "\n" + a, Period: int(pa % 2)},
			{ID: 5, Text: a + b, Period: 2},
		}
		for _, minDocs := range []int{1, 2} {
			for _, th := range Themes(docs, Options{MinDocs: minDocs, Examples: 2}) {
				if th.Key == "" || th.Phrase == "" || !utf8.ValidString(th.Phrase) {
					t.Fatalf("theme %+v", th)
				}
				if th.Docs < minDocs || th.Count+th.PrevCount > th.Docs || th.Docs > len(docs) {
					t.Fatalf("counts of %+v", th)
				}
				if len(th.Examples) == 0 || len(th.Examples) > 2 {
					t.Fatalf("examples of %+v", th)
				}
				for _, id := range th.Examples {
					if id < 1 || id > int64(len(docs)) {
						t.Fatalf("example %d not an input id: %+v", id, th)
					}
				}
				checkNoPhone(t, th.Phrase)
			}
		}
		for _, tok := range Tokenize(a) {
			if tok.Stem == "" || tok.Word == "" || strings.ContainsAny(tok.Word, "@/") {
				t.Fatalf("token %+v", tok)
			}
			checkNoPhone(t, tok.Word)
		}
	})
}

// checkNoPhone fails when a run of all-digit words in s holds piiDigits
// digits or more.
func checkNoPhone(t *testing.T, s string) {
	t.Helper()
	run := 0
	for w := range strings.FieldsSeq(s) {
		if strings.TrimFunc(w, func(r rune) bool { return unicode.IsDigit(r) || r == '-' }) != "" {
			run = 0
			continue
		}
		run += utf8.RuneCountInString(w) - strings.Count(w, "-")
		if run >= piiDigits {
			t.Fatalf("%q shows %d digits in a row", s, run)
		}
	}
}
