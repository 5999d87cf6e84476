package web

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"otklik"
	"otklik/internal/locale"
	"otklik/internal/store"
)

// TestInsightsCatalogue checks the plans' and the board's strings both
// ways: every id the pages name, literally or built from a domain value,
// exists in Russian and English, and every id of the two areas in the
// catalogue is used somewhere.
func TestInsightsCatalogue(t *testing.T) {
	cat, err := locale.New()
	if err != nil {
		t.Fatal(err)
	}
	literal := regexp.MustCompile(`"((?:plans|insights)\.[a-z0-9_.]+)"`)
	used := map[string]bool{}
	files, _ := filepath.Glob("templates/*.html")
	gofiles, _ := filepath.Glob("*.go")
	for _, f := range append(files, gofiles...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
			if m[1] != string(otklik.ReadInsights) && !strings.HasSuffix(m[1], "_") && !strings.HasSuffix(m[1], ".") {
				used[m[1]] = true
			}
		}
	}
	built := func(prefix string, values ...string) {
		for _, v := range values {
			used[prefix+v] = true
		}
	}
	built("plans.status.", otklik.PlanStatuses...)
	built("plans.due.", otklik.DueDone, otklik.DueOverdue, otklik.DueSoon, otklik.DueLater)
	built("insights.kind.", otklik.InsightKinds...)
	built("insights.item.title_", otklik.InsightKinds...)
	built("insights.status.", otklik.InsightStatuses...)
	built("insights.sort.", store.SortVotes, store.SortAnswers, store.SortNewest)
	for _, m := range insightMessages {
		used[m.id] = true
	}
	if len(used) < 150 {
		t.Fatalf("found only %d ids: the scan is broken", len(used))
	}
	ids := slices.Sorted(func(yield func(string) bool) {
		for id := range used {
			if !yield(id) {
				return
			}
		}
	})
	for _, lang := range []string{"ru", "en"} {
		if missing := cat.MissingIn(lang, ids); len(missing) > 0 {
			t.Errorf("%s lacks %v", lang, missing)
		}
	}
	for _, id := range cat.IDs() {
		if (strings.HasPrefix(id, "plans.") || strings.HasPrefix(id, "insights.")) && !used[id] {
			t.Errorf("%s is in the catalogue but no page uses it", id)
		}
	}
}

// TestInsightMessagesTranslated: every validation message of plans,
// actions and board items reads as a sentence of the reader's language,
// never as the domain's English.
func TestInsightMessagesTranslated(t *testing.T) {
	cat, err := locale.New()
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	collect := func(err error) {
		for _, f := range otklik.ErrorFields(err) {
			msgs = append(msgs, f.Message)
		}
	}
	d := func(s string) otklik.Date { v, _ := otklik.ParseDate(s); return v }
	long := strings.Repeat("я", 6000)
	collect((&otklik.Plan{Status: "x", Title: long}).Validate())
	collect((&otklik.Plan{Survey: "s", Team: "t", From: d("2026-02-01"), To: d("2026-01-01"), Status: otklik.PlanDone}).Validate())
	collect((&otklik.Plan{Survey: "s", Team: "t", From: d("2026-01-01"), To: d("2028-01-01"), Status: otklik.PlanDraft, Problems: "\xff"}).Validate())
	collect((&otklik.Plan{Survey: "s", Team: "t", Status: otklik.PlanDraft}).Validate())
	collect((&otklik.PlanItem{Owner: "nobody", Status: "x"}).Validate())
	collect((&otklik.Insight{Kind: "x", Status: "y", Tags: strings.Split("a,b,c,d,e,f,g,h,i,j,k", ",")}).Validate())
	collect((&otklik.Insight{Kind: otklik.InsightIdea, Status: otklik.InsightNew, Title: "t", Tags: []string{long}}).Validate())
	var p otklik.Problems
	for _, m := range []string{"is not a date", "is not a user", "is not a team", "is not a survey"} {
		p.Add("f", "%s", m)
	}
	collect(p.Err("x"))
	if len(msgs) < 20 {
		t.Fatalf("only %d messages collected: %q", len(msgs), msgs)
	}
	for _, lang := range []string{"ru", "en"} {
		l := cat.For(lang)
		for _, m := range msgs {
			got := insightMessage(l, m)
			if got == m || strings.HasPrefix(got, "plans.") || strings.Contains(got, "{{") || strings.Contains(got, "<no value>") {
				t.Errorf("%s: %q is shown as %q", lang, m, got)
			}
		}
	}
	if got := insightMessage(cat.For("ru"), "must be at most 365 days after from"); got != "Волна длиннее года: конец не позже чем через 365 дней после начала" {
		t.Errorf("the wave's limit in Russian: %q", got)
	}
}
