package text

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// synthetic returns n comments shaped like real survey comments: one to
// three sentences of 3–12 words, four in five Russian, with a long tail of
// distinct words (about 40,000 pseudo-words drawn by Zipf's law, as in
// real text), inflected variants of a dozen planted complaints, stop
// words, numbers and now and then a phone number or an e-mail address.
// Half the comments are in period 0, half in period 1; «приложение
// вылетает» is planted three times as often in period 1.
func synthetic(n int, seed uint64) []Doc {
	rng := rand.New(rand.NewPCG(seed, 1))
	ruThemes := [][]string{
		{"долго ждали ответа", "долго ждал ответа", "очень долго ждём ответа"},
		{"не перезвонили", "никто не перезвонил", "так и не перезвонила"},
		{"менеджер грубо разговаривал", "грубый менеджер", "менеджер грубил"},
		{"быстро решили вопрос", "быстро решил проблему", "вопрос решили быстро"},
		{"удобное приложение", "приложение удобное", "удобным приложением"},
		{"высокие проценты", "проценты высокие", "высокий процент"},
		{"вежливый оператор", "вежливые операторы", "оператор был вежлив"},
	}
	enThemes := [][]string{
		{"waited too long", "waiting for ages", "long wait"},
		{"not helpful", "wasn't helpful", "not very helpful"},
		{"support didn't respond", "support never responded", "no response from support"},
		{"great service", "service was great", "great customer service"},
	}
	rising := []string{"приложение вылетает", "приложение постоянно вылетает", "вылетает приложение"}
	ruStop := strings.Fields("и в на с что как но это я мы вы у по за из от до уже ещё очень просто было был")
	enStop := strings.Fields("the a and to of it is was i we for with my on at that this")
	syll := []string{"ка", "ро", "ми", "ту", "ле", "на", "зо", "пи", "ва", "ше", "ду", "ре", "ло", "ны", "сти", "про", "вер", "ган"}
	ends := []string{"", "а", "ы", "ов", "ами", "ить", "ил", "ила", "ает", "ый", "ая", "ое", "ого"}
	enSyll := []string{"ba", "ro", "mi", "tu", "le", "na", "zo", "pi", "va", "she", "du", "re", "lo", "ny", "st", "pro"}
	enEnds := []string{"", "s", "ed", "ing", "er", "ly"}
	pseudo := func(k uint64, s, e []string) string {
		var b strings.Builder
		for range 2 + int(k%3) {
			b.WriteString(s[k%uint64(len(s))])
			k /= uint64(len(s))
		}
		b.WriteString(e[(k+k/7)%uint64(len(e))])
		return b.String()
	}
	zipf := rand.NewZipf(rng, 1.07, 2, 40000)
	docs := make([]Doc, n)
	var b strings.Builder
	for i := range docs {
		b.Reset()
		period := i * 2 / n
		en := rng.IntN(5) == 0
		for s := range 1 + rng.IntN(3) {
			if s > 0 {
				b.WriteString(". ")
			}
			words := 3 + rng.IntN(10)
			theme := rng.IntN(words + 4)
			for w := range words {
				if w > 0 {
					b.WriteByte(' ')
				}
				switch {
				case w == theme && en:
					t := enThemes[rng.IntN(len(enThemes))]
					b.WriteString(t[rng.IntN(len(t))])
				case w == theme && rng.IntN(10) < 1+2*period:
					b.WriteString(rising[rng.IntN(len(rising))])
				case w == theme:
					t := ruThemes[rng.IntN(len(ruThemes))]
					b.WriteString(t[rng.IntN(len(t))])
				case rng.IntN(3) == 0 && en:
					b.WriteString(enStop[rng.IntN(len(enStop))])
				case rng.IntN(3) == 0:
					b.WriteString(ruStop[rng.IntN(len(ruStop))])
				case rng.IntN(40) == 0:
					b.WriteString([]string{"3", "24", "100", "2025"}[rng.IntN(4)])
				case en:
					b.WriteString(pseudo(zipf.Uint64(), enSyll, enEnds))
				default:
					b.WriteString(pseudo(zipf.Uint64(), syll, ends))
				}
			}
		}
		switch rng.IntN(50) {
		case 0:
			b.WriteString(", звоните +7 (912) 345-67-89")
		case 1:
			b.WriteString(" пишите на client.name@example.ru")
		}
		b.WriteString([]string{".", "!", "", "..."}[rng.IntN(4)])
		docs[i] = Doc{ID: int64(i + 1), Text: b.String(), Period: period}
	}
	return docs
}

func BenchmarkThemes(b *testing.B) {
	docs := synthetic(100_000, 42)
	size := 0
	for _, d := range docs {
		size += len(d.Text)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		Themes(docs, Options{Limit: 50})
	}
}

func BenchmarkTokenize(b *testing.B) {
	docs := synthetic(1000, 7)
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range docs {
			Tokenize(d.Text)
		}
	}
}
