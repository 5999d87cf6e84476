package web

import (
	"fmt"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"otklik"
	"otklik/internal/loop"
)

func TestRuleErrorField(t *testing.T) {
	for _, tc := range []struct {
		in   string
		i    int
		rest string
		ok   bool
	}{
		{"items[2].when.score_max", 2, "when.score_max", true},
		{"rules[0].when.any[1].keywords[0]", 0, "when.any[1].keywords[0]", true},
		{"items[12].name", 12, "name", true},
		{"rules", 0, "", false},
		{"name", 0, "", false},
		{"items[x].name", 0, "", false},
	} {
		i, rest, ok := ruleErrorField(tc.in)
		if i != tc.i || rest != tc.rest || ok != tc.ok {
			t.Errorf("ruleErrorField(%q) = %d, %q, %v", tc.in, i, rest, ok)
		}
	}
}

func TestRuleFieldKey(t *testing.T) {
	for in, want := range map[string]string{
		"name":                           "name",
		"when":                           "when",
		"when.score_max":                 "when.score_max",
		"when.keywords[2]":               "when.keywords",
		"when.kinds[0]":                  "when.kinds",
		"when.any[1]":                    "when.any[1]",
		"when.any[1].score_max":          "when.any[1].score_max",
		"when.any[0].keywords[3]":        "when.any[0].keywords",
		"watchers[2].email":              "watchers",
		"watchers[0]":                    "watchers",
		"owner.email":                    "owner.email",
		"first_contact_minutes":          "first_contact_minutes",
		"when.any[1].any":                "when.any[1].any",
		"extra_workdays.2025-11-01[0].o": "extra_workdays.2025-11-01[0].o",
	} {
		if got := ruleFieldKey(in); got != want {
			t.Errorf("ruleFieldKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func formRequest(form url.Values) *ruleForm {
	r := httptest.NewRequest("POST", "/loop/rules", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	f := readRuleForm(r)
	return &f
}

// formValues writes a rule form as the browser would post it.
func formValues(f ruleForm) url.Values {
	v := url.Values{"id": {fmt.Sprint(f.ID)}, "name": {f.Name}, "position": {fmt.Sprint(f.Position)},
		"owner.kind": {f.OwnerKind}, "owner.email": {f.OwnerEmail}, "watchers.emails": {f.WatchEmails},
		"first_contact_minutes": {f.FirstContact}, "resolution_days": {f.ResolutionDays}, "case": {f.Case},
		"resurvey_days": {f.ResurveyDays}, "any_count": {fmt.Sprint(len(f.Any) + 1)}}
	if f.Enabled {
		v.Set("enabled", "1")
	}
	if f.WatchLead {
		v.Set("watchers.manager_lead", "1")
	}
	if f.WatchSpecialist {
		v.Set("watchers.channel_specialist", "1")
	}
	cond := func(p string, c condForm) {
		for _, k := range ruleKinds {
			if c.Kinds[k] {
				v.Add(p+".kinds", string(k))
			}
		}
		v.Set(p+".score_min", c.ScoreMin)
		v.Set(p+".score_max", c.ScoreMax)
		v.Set(p+".keywords", c.Keywords)
		v.Set(p+".segments", c.Segments)
		v.Set(p+".revenue_min", c.RevenueMin)
		if c.CESHard {
			v.Set(p+".ces_hard", "1")
		}
	}
	cond("when", f.When)
	for i, c := range f.Any {
		cond(fmt.Sprintf("when.any[%d]", i), c)
	}
	return v
}

// TestRuleFormRoundTrip: a rule shown in the editor and posted back
// unchanged is the same rule, for the shipped rules and a rule using
// every field.
func TestRuleFormRoundTrip(t *testing.T) {
	six, nine := 6, 9
	revenue := otklik.Amount(150000050)
	full := loop.Rule{ID: 7, Name: "Крупные клиенты: задержки", Enabled: false,
		When: loop.Condition{Kinds: []otklik.Kind{otklik.KindNPS, otklik.KindCES}, ScoreMin: &six, ScoreMax: &nine,
			Keywords: []string{"задержка", "комиссия банка"}, Segments: []string{"ипотека", "VIP"}, RevenueMin: &revenue,
			Any: []loop.Condition{{CESHard: true}, {Kinds: []otklik.Kind{otklik.KindCSAT}, ScoreMax: &six}}},
		Owner:        loop.OwnerSpec{Kind: loop.OwnerUser, Email: "lead@x.ru"},
		Watchers:     []loop.WatcherSpec{{Kind: loop.WatcherManagerLead}, {Kind: loop.WatcherChannelSpecialist}, {Kind: loop.WatcherUser, Email: "qa@x.ru"}},
		FirstContact: 90 * time.Minute, Resolution: 2, Case: otklik.CaseDetractor, ResurveyDays: 30}
	rules := append(loop.DefaultRules(), full)
	for i, want := range rules {
		f := formRequest(formValues(ruleToForm(want, i+1)))
		got, problems := f.rule()
		if len(problems) > 0 {
			t.Fatalf("%s: %v", want.Name, problems)
		}
		got.Position = want.Position
		if !reflect.DeepEqual(normalRule(got), normalRule(want)) {
			t.Errorf("%s came back as\n%+v\nwant\n%+v", want.Name, got, want)
		}
		if f.Position != i+1 {
			t.Errorf("%s: position %d, want %d", want.Name, f.Position, i+1)
		}
	}
}

// normalRule makes empty lists nil, as a form cannot tell them apart.
func normalRule(r loop.Rule) loop.Rule {
	if len(r.Watchers) == 0 {
		r.Watchers = nil
	}
	return r
}

// TestRuleFormProblems: what is not a number is reported under the field's
// path; blank alternatives are dropped so the rows keep their numbers.
func TestRuleFormProblems(t *testing.T) {
	f := ruleToForm(loop.DefaultRule(), 1)
	f.When.ScoreMax = "шесть"
	f.Any[1].RevenueMin = "много"
	f.FirstContact = "4h"
	v := formValues(f)
	// A blank row between the two alternatives.
	v.Set("any_count", "4")
	for _, k := range []string{"kinds", "score_min", "score_max", "keywords", "segments", "revenue_min", "ces_hard"} {
		v.Del("when.any[1]." + k)
	}
	for k, vs := range formValues(f) {
		if strings.HasPrefix(k, "when.any[1].") {
			v[strings.Replace(k, "any[1]", "any[2]", 1)] = vs
		}
	}
	got := formRequest(v)
	if len(got.Any) != 2 {
		t.Fatalf("%d alternatives, want the 2 filled in", len(got.Any))
	}
	_, problems := got.rule()
	var fields []string
	for _, p := range problems {
		fields = append(fields, p.Field+" "+p.Message)
	}
	want := []string{"when.score_max is not a whole number", "when.any[1].revenue_min is not an amount", "first_contact_minutes is not a whole number"}
	if fmt.Sprint(fields) != fmt.Sprint(want) {
		t.Errorf("problems %q, want %q", fields, want)
	}
	errs := got.placeErrors(catalog(t).For("ru"), append(problems, otklik.FieldError{Field: "rules", Message: "at most 100 rules"},
		otklik.FieldError{Field: "watchers[1].email", Message: "is not an e-mail address"}))
	if errs.At["when.score_max"] != "Введите целое число." || errs.At["when.any[1].revenue_min"] == "" ||
		errs.At["watchers"] != "Это не похоже на адрес e-mail." {
		t.Errorf("errors placed at %v", errs.At)
	}
	if len(errs.Other) != 1 || !strings.HasPrefix(errs.Other[0], "rules: ") {
		t.Errorf("an error without a field is lost: %v", errs.Other)
	}
}

func TestConditionText(t *testing.T) {
	cat := catalog(t)
	three := 3
	big := otklik.Amount(100000000)
	for _, tc := range []struct {
		c      loop.Condition
		ru, en string
	}{
		{loop.DefaultRule().When, "NPS, оценка не выше 6 или CSAT, оценка не выше 3", "NPS, score at most 6 or CSAT, score at most 3"},
		{loop.ThanksRule().When, "NPS, оценка не ниже 9", "NPS, score at least 9"},
		{loop.Condition{CESHard: true, Keywords: []string{"задержка", "ставка"}, Segments: []string{"ипотека"}, RevenueMin: &big,
			Any: []loop.Condition{{ScoreMax: &three}}},
			"CES: трудно (1–3), в комментарии «задержка», «ставка», сегмент: ипотека, выручка от 1\u00a0000\u00a0000; и одно из: оценка не выше 3",
			"CES: hard (1–3), the comment mentions «задержка», «ставка», segment: ипотека, revenue at least 1,000,000; and one of: score at most 3"},
	} {
		if got := conditionText(cat.For("ru"), tc.c); got != tc.ru {
			t.Errorf("ru: %q\nwant %q", got, tc.ru)
		}
		if got := conditionText(cat.For("en"), tc.c); got != tc.en {
			t.Errorf("en: %q\nwant %q", got, tc.en)
		}
	}
}

// FuzzRuleForm: whatever is posted, reading the form never panics, and a
// rule the form accepts and the engine's validation passes shows again as
// the same rule.
func FuzzRuleForm(f *testing.F) {
	f.Add("name=Тест&when.kinds=nps&when.score_max=6&owner.kind=account_manager&first_contact_minutes=240&resolution_days=3&any_count=1")
	f.Add("name=x&when.any[0].ces_hard=1&any_count=3&when.any[2].keywords=a,,b&owner.kind=user&owner.email=a@b.ru&first_contact_minutes=1&resolution_days=1&watchers.emails=c@d.ru,c@d.ru")
	f.Add("any_count=999999999999&when.revenue_min=1%20000,5&position=-3&resurvey_days=")
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		rf := formRequest(form)
		rule, problems := rf.rule()
		if len(problems) > 0 || rule.Validate() != nil {
			return
		}
		again, problems := formRequest(formValues(ruleToForm(rule, 1))).rule()
		if len(problems) > 0 {
			t.Fatalf("an accepted rule does not read back: %v", problems)
		}
		again.Position = rule.Position
		if !reflect.DeepEqual(normalRule(again), normalRule(rule)) {
			t.Fatalf("round trip:\n%+v\n%+v", rule, again)
		}
	})
}
