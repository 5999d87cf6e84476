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
func checkCatalogues(files map[string][]byte) []string {
	var problems []string
	byLang := make(map[string]map[string]*i18n.Message)
	for lang, src := range files {
		mf, err := i18n.ParseMessageFileBytes(src, lang+".toml", map[string]i18n.UnmarshalFunc{"toml": toml.Unmarshal})
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", lang, err))
			continue
		}
		msgs := make(map[string]*i18n.Message, len(mf.Messages))
		for _, m := range mf.Messages {
			msgs[m.ID] = m
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

func embeddedSources(t *testing.T) map[string][]byte {
	t.Helper()
	files := make(map[string][]byte)
	for _, s := range supported {
		src, err := fs.ReadFile(messageFiles, "messages/"+s.code+".toml")
		if err != nil {
			t.Fatal(err)
		}
		files[s.code] = src
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
	files := map[string][]byte{
		Russian: []byte(`
[nav]
overview = "Обзор"
only_ru = "Только по-русски"
[greet]
hello = "Привет, {{.Name}}"
[count.answers]
one = "{{.Count}} ответ"
few = "{{.Count}} ответа"
other = "{{.Count}} ответа"
`),
		English: []byte(`
[nav]
overview = "Overview"
only_en = "English only"
[greet]
hello = "Hello, {{.Nmae}}"
[count.answers]
one = "{{.Count}} answer"
other = "{{.Count}} answers"
`),
	}
	got := strings.Join(checkCatalogues(files), "\n")
	for _, want := range []string{
		`en: "nav.only_ru" is missing`,
		`ru: "nav.only_en" is missing`,
		`ru: plural "count.answers" lacks form "many"`,
		`"greet.hello" uses {{.Nmae}} in en but {{.Name}} in ru`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems do not mention %s; got:\n%s", want, got)
		}
	}
}

// TestEveryIDRenders catches a message whose template fails at run time, and
// checks that each language's localizer answers for every catalogued id. The
// data covers every variable the catalogues use; a new variable must be
// added here, which keeps the list of template inputs visible in one place.
func TestEveryIDRenders(t *testing.T) {
	c := newCatalog(t)
	if n := len(c.IDs()); n < 120 {
		t.Errorf("catalogue has %d ids, want at least 120", n)
	}
	for _, lang := range []string{Russian, English} {
		l := c.For(lang)
		if missing := c.MissingIn(lang, c.IDs()); len(missing) > 0 {
			t.Errorf("%s lacks %v", lang, missing)
		}
		for _, id := range c.IDs() {
			got := l.T(id, map[string]any{"Count": 3, "Name": "x", "N": 1, "Min": 1, "Margin": 1, "Rows": 1,
				"Created": 1, "Updated": 1, "Duplicates": 1, "Email": "x",
				// internal/report
				"Period": "x", "From": "x", "To": "x", "Date": "x", "Page": 1, "Total": 2,
				"Value": "1", "Delta": "+1", "Low": 1, "High": 2})
			if got == id || got == "" || strings.Contains(got, "<no value>") {
				t.Errorf("%s: %q renders as %q", lang, id, got)
			}
		}
	}
}
