// Package text reads customers' free-text comments in Russian and English:
// it finds the themes they keep raising (Themes) for the insights board.
//
// A comment is split into words of Unicode letters and digits, lower-cased
// with ё read as е. Personal data never becomes a word: e-mail addresses,
// @handles, URLs and domain names, phone numbers and any number of seven
// digits or more (cards, contracts, passports) are cut out, and a phrase
// never spans the gap they leave. Each word is stemmed with the snowball
// stemmer of its own script (Cyrillic → Russian, Latin → English), so a
// brand name in a Russian comment is stemmed as English; a word typed in
// two keyboard layouts has its look-alike letters put into one script
// first. Function words of both languages are dropped; negations are kept
// glued to the word they negate, so «не перезвонили» is never read as
// «перезвонили» and "not helpful" never as "helpful".
//
// The package is pure: no I/O, no clock, no state between calls. Themes
// splits a large input between up to GOMAXPROCS goroutines and returns
// the same result as it would on one.
package text

// Token is one content word of a comment as Themes sees it.
type Token struct {
	Word   string // as written (lower-cased, ё → е), with its negation and the words between: "не очень удобно"
	Stem   string // the key it counts under: "удобн", "не+удобн", "not+help"
	Clause int    // the clause, counting from 0 the clauses with content words; a phrase never spans two
}

// Tokenize returns the content words of a comment in order: stop words,
// numbers, one-letter words and personal data are left out, negations are
// glued to the word they negate.
func Tokenize(text string) []Token {
	c := newCorpus(1, len(text))
	c.add(text)
	c.resolve(1)
	var out []Token
	clause := 0
	var buf []byte
	for _, u := range c.units {
		if u.stem == sep {
			clause++
			continue
		}
		buf = c.span(buf[:0], u.first, u.last)
		out = append(out, Token{Word: string(buf), Stem: c.stems[u.stem], Clause: clause})
	}
	return out
}
