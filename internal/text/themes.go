package text

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// Defaults of Options.
const (
	DefaultMinDocs  = 3
	DefaultExamples = 3
)

// subsumeShare is how much of a phrase's documents a longer phrase
// containing it must hold for the shorter one to be dropped: at 80 %,
// «долго» in 10 comments gives way to «долго ждали» in 8 of them, but not
// to «долго ждали» in 5, since then «долго» is also about something else.
const subsumeShare = 0.8

// Doc is one comment. Period says when it was written: the highest period
// present is the current one and the period before it (Period − 1) the
// previous one; older periods count only towards Theme.Docs. Pass comments
// oldest first: within a period, later in the slice is more recent.
type Doc struct {
	ID     int64
	Text   string
	Period int
}

// Options tunes Themes.
type Options struct {
	Limit    int // at most this many themes, best first; 0: all
	MinDocs  int // a theme is in at least this many comments (all periods); 0: DefaultMinDocs
	Examples int // example comment ids per theme; 0: DefaultExamples; negative: none
}

// Theme is a phrase that recurs in the comments.
type Theme struct {
	Key       string  `json:"key"`        // stems joined by spaces, negation glued: "долг ждал ответ", "не+перезвон"
	Phrase    string  `json:"phrase"`     // its most frequent written form: "долго ждали ответа"
	Count     int     `json:"count"`      // comments of the current period containing it
	PrevCount int     `json:"prev_count"` // comments of the previous period containing it
	Docs      int     `json:"docs"`       // comments of every period containing it
	Rise      float64 `json:"rise"`       // growth of its share of comments, previous → current period; 0.5 is +50 %
	Score     float64 `json:"score"`      // rank: frequency and rise (see Themes)
	Examples  []int64 `json:"examples"`   // ids of the most recent comments containing it
}

// Themes finds the recurring themes of comments: the phrases (one to
// three content words in a row within a clause, compared by stem, with
// negation kept: «не перезвонили» is не+перезвон, never перезвон) found in
// at least MinDocs comments, best first.
//
// Counts are of comments, not occurrences: a customer who repeats a
// complaint three times still is one customer. Rise compares the share of
// comments containing the phrase, so that a period with twice the answers
// does not make every theme "rise": with cur and prev comments containing
// it out of the Ncur and Nprev comments passed for the two periods (pass
// them all, with or without text, so the shares are right), the expected
// count at the previous rate is exp = prev·Ncur/Nprev and
//
//	Rise  = (cur − exp) / max(exp, 1)
//	Score = ln(1 + cur) + ln((1 + cur) / (1 + exp))
//
// When the previous period has no comments there is nothing to compare
// with: Rise is 0 and Score is ln(1 + cur).
//
// Score is log-frequency plus a smoothed log-ratio. On the log scale,
// doubling the number of comments is worth as much as doubling their
// rate, so a theme that grew from 10 to 40 comments (5.03) outranks one
// steady at 100 (4.62), a brand-new one in 10 comments (4.80) does too,
// one new in 3 (2.77) does not, and a falling theme sinks. Plain
// log-frequency × (1 + Rise) was the alternative; it lets any new phrase
// in a handful of comments outrank the biggest steady theme, since Rise
// grows without bound. The +1s damp the ratio of small counts: 1 → 3
// scores as a doubling, not a tripling. Ties go to the theme in more
// comments, then to the key.
//
// A phrase is dropped when a longer phrase containing it is found in at
// least 80 % of its comments («долго» inside «долго ждали»): the longer
// one says more. Examples are the ids of the most recent comments
// containing the theme: the highest period first, then later in docs.
func Themes(docs []Doc, opt Options) []Theme {
	return themes(docs, opt, workersFor(len(docs)))
}

func themes(docs []Doc, opt Options, workers int) []Theme {
	if opt.MinDocs <= 0 {
		opt.MinDocs = DefaultMinDocs
	}
	if opt.Examples == 0 {
		opt.Examples = DefaultExamples
	}
	if len(docs) == 0 {
		return nil
	}
	cur := docs[0].Period
	for _, d := range docs {
		cur = max(cur, d.Period)
	}
	when := make([]uint8, len(docs))
	var nCur, nPrev int
	for i, d := range docs {
		switch d.Period {
		case cur:
			when[i] = whenCurrent
			nCur++
		case cur - 1:
			when[i] = whenPrevious
			nPrev++
		}
	}

	c := tokenizeAll(docs, workers)
	phrases := count(c, when, int32(opt.MinDocs), workers)
	phrases = subsume(phrases, len(c.stems))
	for i := range phrases {
		phrases[i].rank(nCur, nPrev)
	}
	slices.SortFunc(phrases, func(a, b phrase) int {
		if a.score != b.score {
			return cmp.Compare(b.score, a.score)
		}
		if a.all != b.all {
			return cmp.Compare(b.all, a.all)
		}
		return a.compareKey(&b, c.dict)
	})
	if opt.Limit > 0 && len(phrases) > opt.Limit {
		phrases = phrases[:opt.Limit]
	}
	return describe(c, docs, phrases, opt.Examples)
}

// Periods of a comment, relative to the current one.
const (
	whenOlder = iota
	whenPrevious
	whenCurrent
)

// stat counts the comments containing one phrase.
type stat struct {
	cur, prev, all int32
	last           int32 // 1 + the index of the last comment counted, so a comment counts once
}

func (s *stat) add(doc int32, when uint8) {
	if s.last == doc+1 {
		return
	}
	s.last = doc + 1
	s.all++
	switch when {
	case whenCurrent:
		s.cur++
	case whenPrevious:
		s.prev++
	}
}

type phrase struct {
	n     int
	stems [3]int32 // unused places are sep
	stat
	rise, score float64
}

func (p *phrase) key(d *dict) string {
	parts := make([]string, p.n)
	for i := range p.n {
		parts[i] = d.stems[p.stems[i]]
	}
	return strings.Join(parts, " ")
}

// compareKey orders phrases by key without building it: stem by stem, a
// shorter phrase before a longer one it begins.
func (p *phrase) compareKey(q *phrase, d *dict) int {
	for i := range min(p.n, q.n) {
		if c := strings.Compare(d.stems[p.stems[i]], d.stems[q.stems[i]]); c != 0 {
			return c
		}
	}
	return cmp.Compare(p.n, q.n)
}

func (p *phrase) rank(nCur, nPrev int) {
	cur := float64(p.cur)
	p.score = math.Log1p(cur)
	if nPrev == 0 {
		return // nothing to compare with
	}
	exp := float64(p.prev) * float64(nCur) / float64(nPrev)
	p.rise = (cur - exp) / max(exp, 1)
	p.score += math.Log((1 + cur) / (1 + exp))
}

func pair(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

// ngrams counts the comments containing each of a set of n-grams.
type ngrams struct {
	idx   map[uint64]int32 // key → index in keys and stats
	keys  []uint64
	stats []stat
}

func newNgrams(size int) *ngrams { return &ngrams{idx: make(map[uint64]int32, size)} }

// add counts comment doc for n-gram k and returns k's index.
func (g *ngrams) add(k uint64, doc int32, when uint8) int32 {
	j, ok := g.idx[k]
	if !ok {
		j = int32(len(g.stats))
		g.idx[k] = j
		g.keys = append(g.keys, k)
		g.stats = append(g.stats, stat{})
	}
	g.stats[j].add(doc, when)
	return j
}

// count finds the phrases in at least minDocs comments. It counts
// unigrams, then only the bigrams of frequent unigrams, then only the
// trigrams of frequent bigrams: a phrase is never in more comments than
// any part of it, so nothing is missed, and the long tail of phrases seen
// once or twice never reaches a map. Bigrams and trigrams are counted by
// parallel workers, each owning the n-grams whose first stem falls in its
// share, so no two workers touch one map and nothing needs merging.
func count(c *corpus, when []uint8, minDocs int32, workers int) []phrase {
	uni := make([]stat, len(c.stems))
	c.each(func(doc int32, lo, hi int32) {
		for _, u := range c.units[lo:hi] {
			if u.stem != sep {
				uni[u.stem].add(doc, when[doc])
			}
		}
	})
	frequent := func(s int32) bool { return s != sep && uni[s].all >= minDocs }
	owner := func(s int32) int { return int(s) % workers }
	hint := min(len(c.units)/8/workers, 1<<16) // a guess that saves most of a map's growing

	// A bigram is keyed by its two stems. atBi[i] is the index of the
	// bigram starting at unit i in its owner's ngrams, or -1; a trigram is
	// keyed by the index of its first two stems' bigram and its third stem,
	// and the trigram pass checks its two bigrams without a map lookup.
	// Each worker writes only the positions it owns.
	bi := make([]*ngrams, workers)
	atBi := make([]int32, len(c.units))
	parallel(workers, func(w int) {
		g := newNgrams(hint)
		c.each(func(doc int32, lo, hi int32) {
			for i := lo; i < hi; i++ {
				a := c.units[i].stem
				if a == sep || owner(a) != w {
					continue
				}
				atBi[i] = -1
				if i+1 < hi && frequent(a) && frequent(c.units[i+1].stem) {
					atBi[i] = g.add(pair(a, c.units[i+1].stem), doc, when[doc])
				}
			}
		})
		bi[w] = g
	})
	frequentPair := func(i int32) bool {
		a := c.units[i].stem
		return a != sep && atBi[i] >= 0 && bi[owner(a)].stats[atBi[i]].all >= minDocs
	}

	tri := make([]*ngrams, workers)
	parallel(workers, func(w int) {
		g := newNgrams(hint)
		c.each(func(doc int32, lo, hi int32) {
			for i := lo; i+2 < hi; i++ {
				a := c.units[i].stem
				if a != sep && owner(a) == w && frequentPair(i) && frequentPair(i+1) {
					g.add(pair(atBi[i], c.units[i+2].stem), doc, when[doc])
				}
			}
		})
		tri[w] = g
	})

	n := 0
	for _, st := range uni {
		if st.all >= minDocs {
			n++
		}
	}
	for _, gs := range [][]*ngrams{bi, tri} {
		for _, g := range gs {
			for _, st := range g.stats {
				if st.all >= minDocs {
					n++
				}
			}
		}
	}
	out := make([]phrase, 0, n)
	for s, st := range uni {
		if st.all >= minDocs {
			out = append(out, phrase{n: 1, stems: [3]int32{int32(s), sep, sep}, stat: st})
		}
	}
	for _, g := range bi {
		for j, k := range g.keys {
			if g.stats[j].all >= minDocs {
				out = append(out, phrase{n: 2, stems: [3]int32{int32(k >> 32), int32(uint32(k)), sep}, stat: g.stats[j]})
			}
		}
	}
	for w, g := range tri {
		for j, k := range g.keys {
			if g.stats[j].all >= minDocs {
				ab := bi[w].keys[k>>32]
				out = append(out, phrase{n: 3, stems: [3]int32{int32(ab >> 32), int32(uint32(ab)), int32(uint32(k))}, stat: g.stats[j]})
			}
		}
	}
	return out
}

// parallel runs f(0) … f(workers−1) at once and waits for them.
func parallel(workers int, f func(w int)) {
	if workers == 1 {
		f(0)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { f(w) })
	}
	wg.Wait()
}

// each calls f with every comment's units, c.units[lo:hi]. A comment's
// units end with a separator, so a phrase never runs into the next one.
func (c *corpus) each(f func(doc int32, lo, hi int32)) {
	for d := range len(c.docUnits) - 1 {
		f(int32(d), c.docUnits[d], c.docUnits[d+1])
	}
}

// subsume drops the phrases a longer surviving phrase containing them
// mostly explains (see subsumeShare), longest first, so that «долго» is
// compared with what is left of «долго ждали» and «долго ждали ответа».
func subsume(ps []phrase, nStems int) []phrase {
	covered := func(sup, all int32) bool { return float64(sup) >= subsumeShare*float64(all) }
	supBi := make(map[uint64]int32)
	for _, p := range ps {
		if p.n == 3 {
			supBi[pair(p.stems[0], p.stems[1])] = max(supBi[pair(p.stems[0], p.stems[1])], p.all)
			supBi[pair(p.stems[1], p.stems[2])] = max(supBi[pair(p.stems[1], p.stems[2])], p.all)
		}
	}
	supUni := make([]int32, nStems)
	keep := ps[:0] // filtered in place: each phrase is read before its slot is written
	for _, p := range ps {
		if p.n == 2 && covered(supBi[pair(p.stems[0], p.stems[1])], p.all) {
			continue
		}
		if p.n >= 2 {
			for _, s := range p.stems[:p.n] {
				supUni[s] = max(supUni[s], p.all)
			}
		}
		keep = append(keep, p)
	}
	out := keep[:0]
	for _, p := range keep {
		if p.n == 1 && covered(supUni[p.stems[0]], p.all) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// describe turns the chosen phrases into themes: their most frequent
// written form and their most recent comments.
func describe(c *corpus, docs []Doc, ps []phrase, examples int) []Theme {
	themes := make([]Theme, len(ps))
	sel := make(map[[3]int32]int, len(ps))
	starts := make([]bool, len(c.stems))
	for i, p := range ps {
		sel[p.stems] = i
		starts[p.stems[0]] = true
		themes[i] = Theme{
			Key: p.key(c.dict), Count: int(p.cur), PrevCount: int(p.prev), Docs: int(p.all),
			Rise: p.rise, Score: p.score, Examples: []int64{},
		}
	}
	forms := make([]map[string]*int32, len(ps))
	for i := range forms {
		forms[i] = make(map[string]*int32)
	}
	seen := make([]int32, len(ps)) // 1 + the last comment given as an example

	order := make([]int32, len(docs))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if docs[a].Period != docs[b].Period {
			return cmp.Compare(docs[b].Period, docs[a].Period)
		}
		return cmp.Compare(b, a)
	})

	var buf []byte
	for _, d := range order {
		us := c.units[c.docUnits[d]:c.docUnits[d+1]]
		for i, u := range us {
			if u.stem == sep || !starts[u.stem] {
				continue
			}
			k := [3]int32{u.stem, sep, sep}
			for n := 1; n <= 3 && i+n <= len(us) && us[i+n-1].stem != sep; n++ {
				k[n-1] = us[i+n-1].stem
				t, ok := sel[k]
				if !ok {
					continue
				}
				buf = c.span(buf[:0], u.first, us[i+n-1].last)
				f := forms[t][string(buf)]
				if f == nil {
					f = new(int32)
					forms[t][string(buf)] = f
				}
				*f++
				if seen[t] != d+1 && len(themes[t].Examples) < examples {
					seen[t] = d + 1
					if !slices.Contains(themes[t].Examples, docs[d].ID) {
						themes[t].Examples = append(themes[t].Examples, docs[d].ID)
					}
				}
			}
		}
	}
	for t := range themes {
		var best string
		var bestN int32
		for s, n := range forms[t] {
			if *n > bestN || *n == bestN && s < best {
				best, bestN = s, *n
			}
		}
		themes[t].Phrase = best
	}
	return themes
}

// minShare is the fewest comments worth a worker of their own.
const minShare = 2000

// workersFor returns how many workers n comments are worth.
func workersFor(n int) int { return max(1, min(runtime.GOMAXPROCS(0), n/minShare)) }

// tokenizeAll tokenizes every comment into one corpus: the comments are
// split into contiguous shares tokenized in parallel, each with its own
// dictionary, and merged in order.
func tokenizeAll(docs []Doc, workers int) *corpus {
	parts := make([]*corpus, workers)
	parallel(workers, func(w int) {
		share := docs[w*len(docs)/workers : (w+1)*len(docs)/workers]
		size := 0
		for _, d := range share {
			size += len(d.Text)
		}
		c := newCorpus(len(share), size)
		for _, d := range share {
			c.add(d.Text)
		}
		parts[w] = c
	})
	c := parts[0]
	words, units := 0, 0
	for _, p := range parts[1:] {
		words += len(p.words)
		units += len(p.units)
	}
	c.words = slices.Grow(c.words, words)
	c.units = slices.Grow(c.units, units)
	for _, p := range parts[1:] {
		c.merge(p)
	}
	c.resolve(workers)
	return c
}
