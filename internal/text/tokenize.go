package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/russian"
)

// Limits of the tokenizer.
const (
	// piiDigits is how many digits make a number personal data: a phone
	// number (7 digits without the area code), a card, passport, contract
	// or account number. Shorter numbers ("ждали 3 дня") stay as words.
	piiDigits = 7
	// maxWordRunes drops longer "words": tokens, hashes, glued-together
	// junk. No Russian or English word a customer writes is that long.
	maxWordRunes = 40
)

// Languages of a comment or of a word, chosen by script.
const (
	langOther   = iota // neither Cyrillic nor Latin: no stemmer, the word is its own stem
	langRussian        // Cyrillic
	langEnglish        // Latin
)

// Language reports the language of a comment by its script: "ru" when
// most of its letters are Cyrillic, else "en". Words in the other script
// are still stemmed by their own script's stemmer.
func Language(text string) string {
	if docLang(text) == langRussian {
		return "ru"
	}
	return "en"
}

func docLang(text string) int {
	cyr, lat := 0, 0
	for _, r := range text {
		switch {
		case isCyrillic(r):
			cyr++
		case isLatin(r):
			lat++
		}
	}
	if cyr > lat {
		return langRussian
	}
	return langEnglish
}

func isCyrillic(r rune) bool {
	if 0x0410 <= r && r <= 0x044F {
		return true
	}
	return r >= 0x0400 && r <= 0x052F && unicode.IsLetter(r)
}

func isLatin(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
	}
	return unicode.Is(unicode.Latin, r)
}

// wordInfo is what the dictionary knows of one distinct word.
type wordInfo struct {
	class  uint8
	lang   uint8 // the stemmer of a content word: langRussian, langEnglish or langOther
	prefix uint8 // for a negator: negRussian or negEnglish
	post   bool  // a negator that negates the content word right before it («ответа нет»)
	stem   int32 // for a content word: its stem id, once resolved
}

// Prefixes of negated keys, one per language.
const (
	negRussian = iota
	negEnglish
)

var negPrefixes = [...]string{negRussian: "не+", negEnglish: "not+"}

type negKey struct {
	stem   int32
	prefix uint8
}

// dict interns words and stems so that each distinct word is classified
// and stemmed once per call: stemming costs about a microsecond a word,
// while the same few thousand words make up most comments.
type dict struct {
	ids     map[string]int32 // normalized word → word id
	written []string         // word id → word
	info    []wordInfo       // word id → class and stem
	stemIDs map[string]int32 // stem (or negated key) → stem id
	stems   []string         // stem id → stem
	negs    map[negKey]int32 // (stem, prefix) → the negated key's id
}

func newDict(size int) *dict {
	return &dict{
		ids:     make(map[string]int32, size),
		stemIDs: make(map[string]int32),
		negs:    make(map[negKey]int32),
	}
}

// lookup returns the id of the normalized word w, classifying it the first
// time it is seen. lang is the word's script (see corpus.emit).
func (d *dict) lookup(w []byte, lang int) int32 {
	if id, ok := d.ids[string(w)]; ok {
		return id
	}
	s := string(w)
	id := int32(len(d.written))
	d.ids[s] = id
	d.written = append(d.written, s)
	d.info = append(d.info, classify(s, lang))
	return id
}

// classify tells a negator, a stop word and a content word apart; a
// content word is stemmed later (see corpus.resolve).
func classify(w string, lang int) wordInfo {
	if p, ok := negators[w]; ok {
		info := wordInfo{class: classNegator, prefix: negRussian, post: w == "нет" || w == "нету"}
		if p == "not" {
			info.prefix = negEnglish
		}
		return info
	}
	if lang == langEnglish && strings.HasSuffix(w, "n't") {
		return wordInfo{class: classNegator, prefix: negEnglish}
	}
	if utf8.RuneCountInString(w) < 2 || !hasLetter(w) || isStop(w) {
		return wordInfo{class: classStop}
	}
	return wordInfo{class: classContent, lang: uint8(lang)}
}

// stemOf returns the snowball stem of a content word.
func stemOf(w string, lang uint8) string {
	var stem string
	switch lang {
	case langRussian:
		stem = russian.Stem(w, true)
	case langEnglish:
		stem = english.Stem(w, true)
	}
	if stem == "" {
		return w
	}
	return stem
}

func hasLetter(w string) bool {
	for _, r := range w {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// isStop reports a stop word, or a hyphenated word made only of stop words
// and particles («кто-то», «из-за»).
func isStop(w string) bool {
	if stopWords[w] {
		return true
	}
	if !strings.Contains(w, "-") {
		return false
	}
	for part := range strings.SplitSeq(w, "-") {
		if !stopWords[part] && !particles[part] {
			return false
		}
	}
	return true
}

func (d *dict) stem(s string) int32 {
	if id, ok := d.stemIDs[s]; ok {
		return id
	}
	id := int32(len(d.stems))
	d.stemIDs[s] = id
	d.stems = append(d.stems, s)
	return id
}

// negate returns the id of the negated key of stem: не+перезвон, not+help.
func (d *dict) negate(stem int32, prefix uint8) int32 {
	k := negKey{stem, prefix}
	if id, ok := d.negs[k]; ok {
		return id
	}
	id := d.stem(negPrefixes[prefix] + d.stems[stem])
	d.negs[k] = id
	return id
}

// A unit is one content word of a clause with the negation glued to it:
// the letters a phrase is spelled with. first and last are positions in
// the corpus's word stream, so a phrase's display form can be read back
// with the stop words between its units.
//
// Until the corpus is resolved, stem holds the word id shifted left by 2
// and, in the low bits, 0 or 1 + the negation prefix.
type unit struct {
	stem        int32 // -1 separates clauses
	first, last int32
}

const sep = -1

func rawUnit(word int32, neg int) int32 { return word<<2 | int32(neg) }

// corpus is the tokenized form of many comments: one word stream and one
// unit stream for all of them, so tokenizing allocates only when it meets a
// new word.
type corpus struct {
	*dict
	words     []int32 // word ids, every comment after the other; personal data is never here
	units     []unit
	docUnits  []int32 // comment i's units are units[docUnits[i]:docUnits[i+1]]
	buf       []byte
	lastWasCt bool // the previous word of the clause was a content word
	pending   bool // a negator waits for its content word
	negPos    int32
	negPrefix uint8
	numStart  int32 // where the current run of numbers began in words
	numDigits int   // how many digits it holds
}

// newCorpus returns an empty corpus sized for docs comments of size bytes
// in all.
func newCorpus(docs, size int) *corpus {
	return &corpus{
		dict:     newDict(min(size/16, 1<<16)),
		words:    make([]int32, 0, size/8),
		units:    make([]unit, 0, size/10),
		docUnits: make([]int32, 1, docs+1),
	}
}

// merge appends the comments of p, tokenized with its own dictionary, to
// c, translating p's word ids into c's. Both must be unresolved.
func (c *corpus) merge(p *corpus) {
	wordOf := make([]int32, len(p.written))
	for i, w := range p.written {
		id, ok := c.ids[w]
		if !ok {
			id = int32(len(c.written))
			c.ids[w] = id
			c.written = append(c.written, w)
			c.info = append(c.info, p.info[i])
		}
		wordOf[i] = id
	}
	off, base := int32(len(c.words)), int32(len(c.units))
	for _, w := range p.words {
		c.words = append(c.words, wordOf[w])
	}
	for _, u := range p.units {
		if u.stem != sep {
			u = unit{stem: rawUnit(wordOf[u.stem>>2], int(u.stem&3)), first: u.first + off, last: u.last + off}
		}
		c.units = append(c.units, u)
	}
	for _, e := range p.docUnits[1:] {
		c.docUnits = append(c.docUnits, e+base)
	}
}

// resolve stems every distinct content word, by workers in parallel, and
// turns the units' word ids into stem ids, negated where marked.
func (c *corpus) resolve(workers int) {
	var content []int32
	for id, info := range c.info {
		if info.class == classContent {
			content = append(content, int32(id))
		}
	}
	c.stemIDs = make(map[string]int32, len(content))
	stems := make([]string, len(content))
	parallel(workers, func(w int) {
		for i := w * len(content) / workers; i < (w+1)*len(content)/workers; i++ {
			stems[i] = stemOf(c.written[content[i]], c.info[content[i]].lang)
		}
	})
	for i, id := range content {
		c.info[id].stem = c.stem(stems[i])
	}
	for i, u := range c.units {
		if u.stem == sep {
			continue
		}
		s := c.info[u.stem>>2].stem
		if neg := u.stem & 3; neg != 0 {
			s = c.negate(s, uint8(neg-1))
		}
		c.units[i].stem = s
	}
}

// add tokenizes one comment.
func (c *corpus) add(text string) {
	c.scan(text)
	c.brk()
	c.docUnits = append(c.docUnits, int32(len(c.units)))
}

// scan splits text into words and clause breaks. Whitespace separates
// words; clause punctuation, line breaks, emoji, invalid bytes and removed
// personal data end a clause, so no phrase spans them.
func (c *corpus) scan(text string) {
	lang := -1 // the comment's language, computed only if a mixed-script word needs it
	chunkStart := true
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if isSpace(r) {
			if r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == '\u0085' || r == '\u2028' || r == '\u2029' {
				c.brk()
			}
			chunkStart = true
			i += size
			continue
		}
		if chunkStart {
			chunkStart = false
			if end, pii := chunk(text, i); pii {
				c.brk()
				i = end
				continue
			}
		}
		if r == '+' || isDigit(r) {
			if end, ok := phoneEnd(text, i); ok {
				c.brk()
				i = end
				continue
			}
		}
		if isWordRune(r) {
			i = c.word(text, i, &lang)
			continue
		}
		if breaksClause(r, size) {
			c.brk()
		}
		i += size
	}
}

func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || '\t' <= r && r <= '\r'
	}
	return unicode.IsSpace(r)
}

// isDigit reports a decimal digit of any script (3, ３, ٣): a phone number
// typed in full-width digits is still a phone number.
func isDigit(r rune) bool {
	if r < utf8.RuneSelf {
		return '0' <= r && r <= '9'
	}
	return unicode.IsDigit(r)
}

func isWordRune(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	case 0x0410 <= r && r <= 0x044F, r == 'ё', r == 'Ё':
		return true
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// breaksClause reports whether a non-word rune ends a clause: sentence and
// clause punctuation, brackets, slashes, dashes, emoji and other symbols,
// control characters and invalid bytes. Quotes, #, %, &, *, @, _ and
// currency or math signs do not.
func breaksClause(r rune, size int) bool {
	if r == utf8.RuneError && size == 1 {
		return true
	}
	if r < utf8.RuneSelf {
		switch r {
		case '.', ',', ';', ':', '!', '?', '(', ')', '[', ']', '{', '}', '/', '\\', '|', '-':
			return true
		}
		return r < ' ' || r == 0x7F
	}
	switch {
	case unicode.In(r, unicode.Pi, unicode.Pf, unicode.Pc):
		return false // quotes, undertie
	case unicode.IsPunct(r), unicode.Is(unicode.So, r), unicode.IsControl(r):
		return true
	}
	return false
}

// chunk finds the end of the whitespace-delimited chunk starting at i and
// reports whether it is personal data (see isPIIChunk). Most chunks hold
// no '@', '.' or ':' and are let through after one pass over their bytes.
func chunk(text string, i int) (end int, pii bool) {
	special := false
	j := i
	for j < len(text) {
		b := text[j]
		switch {
		case b == ' ' || '\t' <= b && b <= '\r':
			return j, special && isPIIChunk(text[i:j])
		case b == '@' || b == '.' || b == ':':
			special = true
			j++
		case b < utf8.RuneSelf:
			j++
		case (b == 0xD0 || b == 0xD1) && j+1 < len(text) && text[j+1]&0xC0 == 0x80:
			j += 2 // Cyrillic: never a space
		default:
			r, size := utf8.DecodeRuneInString(text[j:])
			if unicode.IsSpace(r) {
				return j, special && isPIIChunk(text[i:j])
			}
			j += size
		}
	}
	return j, special && isPIIChunk(text[i:j])
}

// isPIIChunk reports a chunk that is an e-mail address, a messenger handle
// (@name), a URL or a bare domain name (shop.ru, mail.example.com/x).
func isPIIChunk(s string) bool {
	if strings.Contains(s, "@") || strings.Contains(s, "://") {
		return true
	}
	s = strings.TrimFunc(s, func(r rune) bool { return !isWordRune(r) })
	if len(s) >= 4 && strings.EqualFold(s[:4], "www.") {
		return true
	}
	return isDomain(s)
}

// isDomain reports host[/path] with at least two labels and a top-level
// label that is 2–24 lower-case Latin letters, «рф» or «рус». The TLD must
// be lower case, so a missing space after a full stop ("ok.Thanks") is not
// taken for a domain.
func isDomain(s string) bool {
	if i := strings.IndexAny(s, "/?#:"); i >= 0 {
		s = s[:i]
	}
	if !strings.Contains(s, ".") {
		return false
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" {
			return false
		}
		for _, r := range l {
			if !isWordRune(r) && r != '-' {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	if tld == "рф" || tld == "рус" {
		return true
	}
	if len(tld) < 2 || len(tld) > 24 {
		return false
	}
	for i := 0; i < len(tld); i++ {
		if tld[i] < 'a' || tld[i] > 'z' {
			return false
		}
	}
	return true
}

// phoneEnd reports whether a run of digits written with the separators
// phone numbers are written with (+7 (999) 123-45-67, 8 800 555 35 35,
// spaces of any width, dashes of any length) starting at i holds
// piiDigits digits or more, and where it ends.
func phoneEnd(text string, i int) (int, bool) {
	digits, end := 0, i
	for j := i; j < len(text); {
		r, size := utf8.DecodeRuneInString(text[j:])
		switch {
		case isDigit(r):
			digits++
			end = j + size
		case r == '(' || r == ')' || r == '.' || r == '+' || r == '-' || r == '\u2212' ||
			r >= '\u2010' && r <= '\u2015' || isSpace(r):
		default:
			return end, digits >= piiDigits
		}
		j += size
	}
	return end, digits >= piiDigits
}

// word reads the word starting at i into the streams and returns where it
// ends. A word is letters and digits, lower-cased, ё read as е, combining
// accents (stress marks) dropped; a hyphen or an apostrophe between two
// letters or digits belongs to it (интернет-магазин, didn't).
func (c *corpus) word(text string, i int, lang *int) int {
	b := c.buf[:0]
	runes, cyr, lat, digits := 0, 0, 0, 0
	prevWord := false // the last rune appended is a letter or digit
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case isWordRune(r):
			r = lower(r)
			switch {
			case isDigit(r):
				digits++
			case isCyrillic(r):
				cyr++
			case isLatin(r):
				lat++
			}
			b = utf8.AppendRune(b, r)
			runes++
			prevWord = true
		case r == '\u0306' && prevWord && endsWith(b, 'и'):
			b = append(b[:len(b)-len("и")], "й"...) // a decomposed й
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Cf, r):
			// stress marks, a decomposed ё's diaeresis, soft hyphens, zero-width joiners
		case isJoiner(r) && prevWord && i+size < len(text) && startsWord(text[i+size:]):
			if r == '-' || r == '\u2010' || r == '\u2011' {
				b = append(b, '-')
			} else {
				b = append(b, '\'')
			}
			prevWord = false
		default:
			c.buf = b
			c.emit(b, runes, cyr, lat, digits, text, lang)
			return i
		}
		i += size
	}
	c.buf = b
	c.emit(b, runes, cyr, lat, digits, text, lang)
	return i
}

func isJoiner(r rune) bool {
	return r == '-' || r == '\u2010' || r == '\u2011' || r == '\'' || r == '\u2019' || r == '\u02BC'
}

func startsWord(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return isWordRune(r)
}

func endsWith(b []byte, r rune) bool {
	last, _ := utf8.DecodeLastRune(b)
	return last == r
}

func lower(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	case 0x0410 <= r && r <= 0x042F:
		return r + 0x20
	case r == 'ё', r == 'Ё':
		return 'е'
	case 0x0430 <= r && r <= 0x044F:
		return r
	}
	r = unicode.ToLower(r)
	if r == 'ё' {
		return 'е'
	}
	return r
}

// emit classifies the word in b and adds it to the streams.
func (c *corpus) emit(b []byte, runes, cyr, lat, digits int, text string, lang *int) {
	if digits >= piiDigits || runes > maxWordRunes {
		c.brk() // a contract or card number written into a word, or junk
		return
	}
	if digits == runes {
		// A number. Numbers in a row ("12 34 567") that add up to a
		// phone or an account number are taken back out of the clause.
		if c.numDigits == 0 {
			c.numStart = int32(len(c.words))
		}
		c.numDigits += digits
		if c.numDigits >= piiDigits {
			c.words = c.words[:c.numStart]
			c.brk()
			return
		}
	} else {
		c.numDigits = 0
	}
	wl := langOther
	if cyr > 0 && lat > 0 {
		b, cyr, lat = fixLookalikes(b, text, lang)
		c.buf = b
	}
	switch {
	case cyr > 0 && cyr >= lat:
		wl = langRussian
	case lat > 0:
		wl = langEnglish
	}
	id := c.lookup(b, wl)
	c.addWord(id)
}

var (
	latinToCyr = map[rune]rune{'a': 'а', 'c': 'с', 'e': 'е', 'o': 'о', 'p': 'р', 'x': 'х', 'y': 'у', 'k': 'к'}
	cyrToLatin = map[rune]rune{'а': 'a', 'с': 'c', 'е': 'e', 'о': 'o', 'р': 'p', 'х': 'x', 'у': 'y', 'к': 'k'}
)

// fixLookalikes mends a word typed in two keyboard layouts: in each
// hyphen-separated part holding both scripts (сepвис with a Latin e and p),
// the look-alike letters of the minority script are put into the majority
// one; on a tie, into the comment's language. A part in one script is
// left alone (iPhone-приложение). It returns the word with its new script
// counts.
func fixLookalikes(b []byte, text string, lang *int) ([]byte, int, int) {
	out := make([]byte, 0, len(b)+8)
	cyr, lat := 0, 0
	for i, part := range strings.Split(string(b), "-") {
		if i > 0 {
			out = append(out, '-')
		}
		pc, pl := 0, 0
		for _, r := range part {
			switch {
			case isCyrillic(r):
				pc++
			case isLatin(r):
				pl++
			}
		}
		if pc > 0 && pl > 0 {
			toCyr := pc > pl
			if pc == pl {
				if *lang < 0 {
					*lang = docLang(text)
				}
				toCyr = *lang == langRussian
			}
			m := cyrToLatin
			if toCyr {
				m = latinToCyr
			}
			for _, r := range part {
				if t, ok := m[r]; ok {
					r = t
				}
				out = utf8.AppendRune(out, r)
			}
		} else {
			out = append(out, part...)
		}
	}
	for _, r := range string(out) {
		switch {
		case isCyrillic(r):
			cyr++
		case isLatin(r):
			lat++
		}
	}
	return out, cyr, lat
}

// addWord appends word id to the word stream and builds units: a content
// word becomes a unit, negated if a negator is pending; a negator waits
// for the next content word, except a post-positive «нет» right after a
// content word, which negates that word.
func (c *corpus) addWord(id int32) {
	pos := int32(len(c.words))
	c.words = append(c.words, id)
	info := c.info[id]
	switch info.class {
	case classContent:
		u := unit{stem: rawUnit(id, 0), first: pos, last: pos}
		if c.pending {
			u.stem = rawUnit(id, 1+int(c.negPrefix))
			u.first = c.negPos
			c.pending = false
		}
		c.units = append(c.units, u)
		c.lastWasCt = true
		return
	case classNegator:
		if last := len(c.units) - 1; info.post && c.lastWasCt && c.units[last].stem&3 == 0 {
			c.units[last].stem |= 1 + int32(info.prefix)
			c.units[last].last = pos
		} else if !c.pending {
			c.pending, c.negPos, c.negPrefix = true, pos, info.prefix
		}
	case classStop:
		if c.pending && pos == c.negPos+1 && idioms[c.dict.written[id]] {
			c.pending = false
		}
	}
	c.lastWasCt = false
}

// idioms are the words that, right after a negator, undo it: «не только»,
// «не раз», «не менее», "not only", "not just".
var idioms = map[string]bool{"только": true, "раз": true, "менее": true, "меньше": true, "only": true, "just": true}

// brk ends the current clause: a pending negator with no word to negate
// is dropped.
func (c *corpus) brk() {
	c.pending, c.lastWasCt, c.numDigits = false, false, 0
	if n := len(c.units); n > 0 && c.units[n-1].stem != sep && n > int(c.docUnits[len(c.docUnits)-1]) {
		c.units = append(c.units, unit{stem: sep})
	}
}

// span returns the display form of the words from first to last, joined
// by single spaces, appended to b.
func (c *corpus) span(b []byte, first, last int32) []byte {
	for p := first; p <= last; p++ {
		if p > first {
			b = append(b, ' ')
		}
		b = append(b, c.dict.written[c.words[p]]...)
	}
	return b
}
