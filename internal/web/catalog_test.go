package web

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"

	"otklik"
	"otklik/internal/locale"
)

// TestEveryMessageIDExists fails when a template or a handler names a
// message id that either language lacks.
func TestEveryMessageIDExists(t *testing.T) {
	cat, err := locale.New()
	if err != nil {
		t.Fatal(err)
	}
	inTemplates := regexp.MustCompile(`\.(?:T|N) "([a-z_]+\.[a-z_.]+)"`)
	inCode := regexp.MustCompile(`"((?:app|nav|signin|password|lang|overview|metric|period|filter|channel|feed|customer|survey|kind|settings|role|token|transfer|public|error|common|count|group)\.[a-z_]+)"`)
	ids := map[string]bool{}
	files, _ := filepath.Glob("templates/*.html")
	gofiles, _ := filepath.Glob("*.go")
	for _, f := range append(files, gofiles...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		re := inTemplates
		if filepath.Ext(f) == ".go" {
			re = inCode
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			ids[m[1]] = true
		}
	}
	// Ids built at run time from domain values.
	for _, r := range otklik.Roles {
		ids["role."+string(r)] = true
	}
	for _, c := range otklik.ResponseChannels {
		ids["channel."+string(c)] = true
	}
	for _, k := range []otklik.Kind{otklik.KindNPS, otklik.KindCSAT, otklik.KindCES, otklik.KindCustom} {
		ids["kind."+string(k)] = true
	}
	for _, g := range []string{"promoter", "passive", "detractor", "low", "top", "easy", "hard"} {
		ids["group."+g] = true
	}
	if len(ids) < 100 {
		t.Fatalf("found only %d message ids: the scan is broken", len(ids))
	}
	var list []string
	for id := range ids {
		list = append(list, id)
	}
	sort.Strings(list)
	for _, lang := range []string{"ru", "en"} {
		if missing := cat.MissingIn(lang, list); len(missing) > 0 {
			t.Errorf("%s lacks %d message ids: %v", lang, len(missing), missing)
		}
	}
}
