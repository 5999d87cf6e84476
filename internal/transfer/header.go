package transfer

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"otklik"
)

// column is a known column: its canonical name (what exports write and
// errors name) and the other spellings people use, Russian ones included.
type column struct {
	name     string
	aliases  []string
	required bool
}

// prefixColumn is a family of columns named PREFIX.KEY, such as attr.inn or
// answers.manager_speed.
type prefixColumn struct {
	prefix string
	lower  bool                  // keys are case-insensitive slugs
	check  func(key string) bool // nil accepts any non-empty key
	want   string                // what a key must look like, for the error
}

type keyed struct {
	key   string
	index int
}

// layout maps a header row onto known columns.
type layout struct {
	index    map[string]int
	prefixed map[string][]keyed
	ignored  []string
	size     int // cells in the header row
	width    int // up to the last named header cell
}

// col returns the cell index of a known column, -1 when the file lacks it.
func (l *layout) col(name string) int {
	if i, ok := l.index[name]; ok {
		return i
	}
	return -1
}

func (l *layout) has(name string) bool { return l.col(name) >= 0 }

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// headerKey folds the spellings of one header: case, runs of spaces and
// line breaks inside a cell, and ё/е.
func headerKey(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	return strings.ReplaceAll(s, "ё", "е")
}

// mapHeader reads the header row. Missing required columns and two cells
// meaning the same column are file errors: guessing would import wrong data
// into every row. Unknown columns are kept in ignored so the caller can
// show them — a typo in "segmnet" should not vanish silently.
func mapHeader(line int, header []string, cols []column, prefixes []prefixColumn) (*layout, error) {
	names := map[string]string{}
	for _, c := range cols {
		names[c.name] = c.name
		names[strings.ReplaceAll(c.name, "_", " ")] = c.name
		for _, a := range c.aliases {
			names[headerKey(a)] = c.name
		}
	}
	l := &layout{index: map[string]int{}, prefixed: map[string][]keyed{}, size: len(header)}
	seen := map[string]string{} // canonical or prefix+key → the header as written
	for i, cell := range header {
		raw := strings.Join(strings.Fields(strings.TrimPrefix(cleanCell(cell), "\ufeff")), " ")
		if raw == "" {
			continue
		}
		l.width = i + 1
		name, key, ok := "", "", false
		for _, p := range prefixes {
			if len(raw) >= len(p.prefix) && strings.EqualFold(raw[:len(p.prefix)], p.prefix) {
				key = strings.TrimSpace(raw[len(p.prefix):])
				if p.lower {
					key = strings.ToLower(key)
				}
				if key == "" || (p.check != nil && !p.check(key)) || len(key) > 100 {
					return nil, invalidf("column %q: after %q comes %s", shorten(raw), p.prefix, p.want)
				}
				name, ok = p.prefix, true
				break
			}
		}
		if !ok {
			h := headerKey(raw)
			if name, ok = names[h]; !ok {
				name, ok = names[strings.ReplaceAll(h, " ", "_")]
			}
		}
		if !ok {
			l.ignored = append(l.ignored, raw)
			continue
		}
		id := name + key
		if prev, dup := seen[id]; dup {
			return nil, invalidf("columns %q and %q both mean %s: keep one", shorten(prev), shorten(raw), name+key)
		}
		seen[id] = raw
		if key != "" {
			l.prefixed[name] = append(l.prefixed[name], keyed{key: key, index: i})
		} else {
			l.index[name] = i
		}
	}
	var missing otklik.Problems
	for _, c := range cols {
		if c.required && !l.has(c.name) {
			missing.Add(c.name, "column is missing")
		}
	}
	if len(missing) > 0 {
		want := make([]string, len(missing))
		for i, m := range missing {
			want[i] = m.Field
		}
		return nil, &otklik.Error{Code: otklik.EINVALID, Fields: missing, Message: fmt.Sprintf(
			"the header row (line %d) lacks the required column(s) %s; it has: %s",
			line, strings.Join(want, ", "), headerList(header))}
	}
	return l, nil
}

// headerList quotes a header row for an error message, shortened so a
// binary file taken for CSV does not produce a megabyte of message.
func headerList(header []string) string {
	var out []string
	for _, h := range header {
		if h = strings.TrimSpace(h); h != "" {
			out = append(out, fmt.Sprintf("%q", shorten(h)))
		}
		if len(out) == 20 {
			out = append(out, "…")
			break
		}
	}
	if len(out) == 0 {
		return "no named columns"
	}
	return strings.Join(out, ", ")
}

func shorten(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// names lists the canonical columns a layout found, in header order, for
// callers that echo "we understood these columns".
func (l *layout) names() []string {
	type pos struct {
		name  string
		index int
	}
	var all []pos
	for n, i := range l.index {
		all = append(all, pos{n, i})
	}
	for p, ks := range l.prefixed {
		for _, k := range ks {
			all = append(all, pos{p + k.key, k.index})
		}
	}
	slices.SortFunc(all, func(a, b pos) int { return a.index - b.index })
	out := make([]string, len(all))
	for i, p := range all {
		out[i] = p.name
	}
	return out
}
