// Package locale holds the web UI's translation catalogues (Russian and
// English) and formats dates and numbers the way each language writes them.
//
// The catalogues are TOML files embedded in the binary, so they ship and
// version together with the templates that use them. Russian
// is the default: Otklik's first users speak it, and a visitor whose browser
// asks for a language we do not have is more likely to read Russian than
// English.
package locale

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed messages/*.toml
var messageFiles embed.FS

// Language codes the UI speaks. Callers store and pass these plain strings
// (in a cookie, a user's profile) rather than language.Tag values.
const (
	Russian = "ru"
	English = "en"
)

// supported is in matcher order, Russian first as the default; Match maps a
// matcher index back to a code through this slice.
var supported = []struct {
	code string
	tag  language.Tag
}{
	{Russian, language.Russian},
	{English, language.English},
}

// Catalog is the loaded set of messages for every supported language. It is
// read-only after New, so one Catalog is safe to share between goroutines.
type Catalog struct {
	matcher language.Matcher
	ids     map[string]map[string]bool // language code → message ids it defines
	loc     map[string]*Localizer
}

// New loads the embedded catalogues. An error means a catalogue file is
// malformed, which the package tests catch long before a release.
func New() (*Catalog, error) {
	bundle := i18n.NewBundle(language.Russian)
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)

	c := &Catalog{
		ids: make(map[string]map[string]bool),
		loc: make(map[string]*Localizer),
	}
	tags := make([]language.Tag, 0, len(supported))
	for _, s := range supported {
		set := make(map[string]bool)
		for _, name := range catalogueFiles(s.code) {
			mf, err := bundle.LoadMessageFileFS(messageFiles, name)
			if err != nil {
				return nil, fmt.Errorf("locale: load %s: %w", name, err)
			}
			for _, m := range mf.Messages {
				if set[m.ID] {
					return nil, fmt.Errorf("locale: %s: message %q is defined twice", name, m.ID)
				}
				set[m.ID] = true
			}
		}
		c.ids[s.code] = set
		tags = append(tags, s.tag)
	}
	c.matcher = language.NewMatcher(tags)
	for _, s := range supported {
		c.loc[s.code] = &Localizer{
			lang: s.code,
			ids:  c.ids[s.code],
			l:    i18n.NewLocalizer(bundle, s.code),
		}
	}
	return c, nil
}

// catalogueFiles lists a language's catalogue files: messages/<lang>.toml
// and one messages/<area>.<lang>.toml per feature area, so each area keeps
// its own strings.
func catalogueFiles(lang string) []string {
	names, _ := fs.Glob(messageFiles, "messages/*.toml") // the pattern is valid
	var out []string
	for _, n := range names {
		base := path.Base(n)
		if base == lang+".toml" || strings.HasSuffix(base, "."+lang+".toml") {
			out = append(out, n)
		}
	}
	return out
}

// normalize maps anything that is not a supported code to Russian, so a
// stale cookie or a hand-edited query string never breaks a page.
func normalize(lang string) string {
	if lang == English {
		return English
	}
	return Russian
}

// For returns the localizer for lang ("ru" or "en"); any other value gets
// Russian. The localizer is shared and safe for concurrent use.
func (c *Catalog) For(lang string) *Localizer {
	return c.loc[normalize(lang)]
}

// Match picks "ru" or "en" for an Accept-Language header, honouring q
// weights. A header that is empty, malformed or names only languages we lack
// yields "ru"; so does one CLDR deems close to Russian, such as "be", unless
// the header also lists English outright.
func (c *Catalog) Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Russian
	}
	_, i, conf := c.matcher.Match(tags...)
	// With no usable match the matcher does not reliably return its first
	// tag (for "de" it returns English), so the default is applied here.
	if conf == language.No {
		return Russian
	}
	return supported[i].code
}

// IDs lists every message id found in any catalogue, sorted.
func (c *Catalog) IDs() []string {
	all := make(map[string]bool)
	for _, set := range c.ids {
		maps.Copy(all, set)
	}
	return slices.Sorted(maps.Keys(all))
}

// MissingIn returns the ids, in the order given and without repeats, that
// lang's catalogue does not define. lang is normalised as in For. It lets a
// web test assert that every id its templates reference exists.
func (c *Catalog) MissingIn(lang string, ids []string) []string {
	set := c.ids[normalize(lang)]
	var missing []string
	seen := make(map[string]bool)
	for _, id := range ids {
		if !set[id] && !seen[id] {
			missing = append(missing, id)
		}
		seen[id] = true
	}
	return missing
}

// Localizer renders messages, dates and numbers in one language.
type Localizer struct {
	lang string
	ids  map[string]bool
	l    *i18n.Localizer
}

// Lang returns the localizer's language code, "ru" or "en" — handy for the
// <html lang> attribute and the language switch.
func (l *Localizer) Lang() string { return l.lang }

// T renders message id with optional template data (the first map is used).
// A missing id, or one that fails to render, yields the id itself: the page
// still works, the gap is visible, and tests looking for raw ids find it.
// Missing ids are not filled from the other language on purpose, so an
// untranslated English string cannot hide behind a Russian one.
func (l *Localizer) T(id string, data ...map[string]any) string {
	var td map[string]any
	if len(data) > 0 {
		td = data[0]
	}
	return l.localize(id, td, nil)
}

// N renders the plural message id for count. The template sees {{.Count}}
// as the count already formatted for the language (thousands separated, as
// Number would write it) plus any keys from data; Count always wins over a
// "Count" key in data because it must agree with the chosen plural form.
func (l *Localizer) N(id string, count int, data ...map[string]any) string {
	td := make(map[string]any)
	if len(data) > 0 {
		maps.Copy(td, data[0])
	}
	td["Count"] = l.Number(float64(count), 0)
	return l.localize(id, td, count)
}

func (l *Localizer) localize(id string, data map[string]any, count any) string {
	if !l.ids[id] {
		return id
	}
	cfg := &i18n.LocalizeConfig{MessageID: id, PluralCount: count}
	if data != nil {
		// Only a non-nil map: an interface holding a nil map is not nil, and
		// go-i18n tests TemplateData against nil.
		cfg.TemplateData = data
	}
	msg, err := l.l.Localize(cfg)
	var nf *i18n.MessageNotFoundErr
	if errors.As(err, &nf) || msg == "" {
		return id
	}
	return msg
}
