package locale

import (
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"text/template"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// requiredForms are the CLDR plural forms each language's plural messages
// must all define. Russian needs four: dropping "many" would print
// «5 ответа»; dropping "other" breaks fractional counts.
var requiredForms = map[string][]string{
	Russian: {"one", "few", "many", "other"},
	English: {"one", "other"},
}

var templateVar = regexp.MustCompile(`\{\{-?\s*\.(\w+)`)

// checkCatalogues parses each language's TOML source on its own (not through
// the bundle, which would silently fall back to Russian) and lists every way
// the catalogues disagree. It is a function rather than inline test code so
// that a test can feed it broken catalogues and prove it notices.
func checkCatalogues(files map[string][][]byte) []string {
	var problems []string
	byLang := make(map[string]map[string]*i18n.Message)
	for lang, srcs := range files {
		msgs := make(map[string]*i18n.Message)
		for i, src := range srcs {
			mf, err := i18n.ParseMessageFileBytes(src, lang+".toml", map[string]i18n.UnmarshalFunc{"toml": toml.Unmarshal})
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s file %d: %v", lang, i+1, err))
				continue
			}
			for _, m := range mf.Messages {
				if msgs[m.ID] != nil {
					problems = append(problems, fmt.Sprintf("%s: %q is defined twice", lang, m.ID))
				}
				msgs[m.ID] = m
			}
		}
		byLang[lang] = msgs
	}
	langs := slices.Sorted(maps.Keys(byLang))
	all := make(map[string]bool)
	for _, msgs := range byLang {
		for id := range msgs {
			all[id] = true
		}
	}
	for _, id := range slices.Sorted(maps.Keys(all)) {
		plural := false
		for _, lang := range langs {
			if m := byLang[lang][id]; m != nil && isPlural(m) {
				plural = true
			}
		}
		firstVars, firstLang := "", ""
		for _, lang := range langs {
			m := byLang[lang][id]
			if m == nil {
				problems = append(problems, fmt.Sprintf("%s: %q is missing", lang, id))
				continue
			}
			forms := formsOf(m)
			if plural {
				for _, f := range requiredForms[lang] {
					if forms[f] == "" {
						problems = append(problems, fmt.Sprintf("%s: plural %q lacks form %q", lang, id, f))
					}
				}
			}
			for f, text := range forms {
				if _, err := template.New(id).Parse(text); err != nil {
					problems = append(problems, fmt.Sprintf("%s: %q form %q: %v", lang, id, f, err))
				}
			}
			// Both languages must use the same template variables, or one of
			// them prints «<no value>» where the other prints a name.
			v := varsOf(forms)
			if firstLang == "" {
				firstVars, firstLang = v, lang
			} else if v != firstVars {
				problems = append(problems, fmt.Sprintf("%q uses {{.%s}} in %s but {{.%s}} in %s", id, firstVars, firstLang, v, lang))
			}
		}
	}
	return problems
}

func isPlural(m *i18n.Message) bool {
	return m.Zero != "" || m.One != "" || m.Two != "" || m.Few != "" || m.Many != ""
}

func formsOf(m *i18n.Message) map[string]string {
	out := make(map[string]string)
	for f, text := range map[string]string{
		"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many, "other": m.Other,
	} {
		if text != "" {
			out[f] = text
		}
	}
	return out
}

// varsOf lists the template variables a message uses in any form, sorted and
// joined, so two messages compare with ==.
func varsOf(forms map[string]string) string {
	set := make(map[string]bool)
	for _, text := range forms {
		for _, m := range templateVar.FindAllStringSubmatch(text, -1) {
			set[m[1]] = true
		}
	}
	return strings.Join(slices.Sorted(maps.Keys(set)), ",")
}

func embeddedSources(t *testing.T) map[string][][]byte {
	t.Helper()
	files := make(map[string][][]byte)
	for _, s := range supported {
		names := catalogueFiles(s.code)
		if len(names) == 0 {
			t.Fatalf("no catalogue for %s", s.code)
		}
		for _, name := range names {
			src, err := fs.ReadFile(messageFiles, name)
			if err != nil {
				t.Fatal(err)
			}
			files[s.code] = append(files[s.code], src)
		}
	}
	return files
}

func TestCataloguesAgree(t *testing.T) {
	for _, p := range checkCatalogues(embeddedSources(t)) {
		t.Error(p)
	}
}

// TestCheckCataloguesCatchesGaps proves the guard above is not vacuous: each
// kind of mistake a translator can make is reported.
func TestCheckCataloguesCatchesGaps(t *testing.T) {
	files := map[string][][]byte{
		Russian: {[]byte(`
[nav]
overview = "Обзор"
only_ru = "Только по-русски"
[greet]
hello = "Привет, {{.Name}}"
[count.answers]
one = "{{.Count}} ответ"
few = "{{.Count}} ответа"
other = "{{.Count}} ответа"
`), []byte(`
[greet]
bye = "Пока"
[nav]
overview = "Снова обзор"
`)},
		English: {[]byte(`
[nav]
overview = "Overview"
only_en = "English only"
[greet]
hello = "Hello, {{.Nmae}}"
[count.answers]
one = "{{.Count}} answer"
other = "{{.Count}} answers"
`), []byte(`
[greet]
bye = "Bye"
`)},
	}
	got := strings.Join(checkCatalogues(files), "\n")
	for _, want := range []string{
		`en: "nav.only_ru" is missing`,
		`ru: "nav.only_en" is missing`,
		`ru: plural "count.answers" lacks form "many"`,
		`"greet.hello" uses {{.Nmae}} in en but {{.Name}} in ru`,
		`ru: "nav.overview" is defined twice`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems do not mention %s; got:\n%s", want, got)
		}
	}
}

// TestEveryIDRenders catches a message whose template fails at run time, and
// checks that each language's localizer answers for every catalogued id. The
// data gives every variable any catalogue uses a value.
func TestEveryIDRenders(t *testing.T) {
	c := newCatalog(t)
	if n := len(c.IDs()); n < 120 {
		t.Errorf("catalogue has %d ids, want at least 120", n)
	}
	data := map[string]any{}
	for _, srcs := range embeddedSources(t) {
		for _, src := range srcs {
			for _, m := range templateVar.FindAllStringSubmatch(string(src), -1) {
				data[m[1]] = 1
			}
		}
	}
	for _, lang := range []string{Russian, English} {
		l := c.For(lang)
		if missing := c.MissingIn(lang, c.IDs()); len(missing) > 0 {
			t.Errorf("%s lacks %v", lang, missing)
		}
		for _, id := range c.IDs() {
			got := l.T(id, data)
			if got == id || got == "" || strings.Contains(got, "<no value>") {
				t.Errorf("%s: %q renders as %q", lang, id, got)
			}
		}
	}
}
