package otklik

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseTags(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", []string{}},
		{"скорость, Цена;  #Мобильное   приложение ", []string{"скорость", "цена", "мобильное приложение"}},
		{"Счёт, счет, СЧЁТ", []string{"счет"}},
		{",,;#, ,", []string{}},
		{"speed,speed,Speed", []string{"speed"}},
		{"a\tb\x00c, \xffd", []string{"a b c", "d"}},
		{"##hash", []string{"hash"}},
		{"# #, # # a #b", []string{"a #b"}},
	} {
		if got := ParseTags(c.in); !slices.Equal(got, c.want) {
			t.Errorf("ParseTags(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestInsightValidate(t *testing.T) {
	for _, c := range []struct {
		name   string
		in     Insight
		fields string
	}{
		{"valid", Insight{Kind: InsightProblem, Title: "  Долго  ждём   ответа "}, ""},
		{"no kind, no title", Insight{Title: "  "}, "kind title"},
		{"bad status", Insight{Kind: InsightIdea, Title: "x", Status: "archived"}, "status"},
		{"long title", Insight{Kind: InsightIdea, Title: strings.Repeat("ы", MaxInsightTitleLength+1)}, "title"},
		{"too many tags", Insight{Kind: InsightIdea, Title: "x", Tags: strings.Split("a,b,c,d,e,f,g,h,i,j,k", ",")}, "tags"},
		{"long tag", Insight{Kind: InsightIdea, Title: "x", Tags: []string{strings.Repeat("t", MaxTagLength+1)}}, "tags"},
	} {
		in := c.in
		in.Normalize()
		if got := fieldNames(in.Validate()); got != c.fields {
			t.Errorf("%s: fields %q, want %q", c.name, got, c.fields)
		}
	}
	in := Insight{Kind: InsightIdea, Title: "  Долго  ждём   ответа "}
	in.Normalize()
	if in.Title != "Долго ждём ответа" || in.Status != InsightNew {
		t.Errorf("normalized %q %q", in.Title, in.Status)
	}
}

func TestQuarters(t *testing.T) {
	moscow, _ := time.LoadLocation("Europe/Moscow")
	for _, c := range []struct {
		in, want, prev, next string
		from, to             string // UTC
	}{
		{"2026-Q1", "2026-Q1", "2025-Q4", "2026-Q2", "2025-12-31T21:00:00Z", "2026-03-31T21:00:00Z"},
		{"2026-q4", "2026-Q4", "2026-Q3", "2027-Q1", "2026-09-30T21:00:00Z", "2026-12-31T21:00:00Z"},
		{" 2030-Q2 ", "2030-Q2", "2030-Q1", "2030-Q3", "2030-03-31T21:00:00Z", "2030-06-30T21:00:00Z"},
	} {
		q, err := ParseQuarter(c.in)
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		from, to := q.Bounds(moscow)
		got := []string{q.String(), q.Prev().String(), q.Next().String(), from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339)}
		if want := []string{c.want, c.prev, c.next, c.from, c.to}; !slices.Equal(got, want) {
			t.Errorf("%q: %v, want %v", c.in, got, want)
		}
	}
	for _, bad := range []string{"", "2026", "2026-Q0", "2026-Q5", "2026-Q12", "26-Q1", "1999-Q4", "2026-Q+1", "2026Q1", "abcd-Q1"} {
		if _, err := ParseQuarter(bad); ErrorCode(err) != EINVALID || fieldNames(err) != "quarter" {
			t.Errorf("ParseQuarter(%q): %v, want an invalid quarter", bad, err)
		}
	}
	// 1 April 00:30 in Moscow is still 31 March in UTC.
	if got := QuarterOf(time.Date(2026, 3, 31, 21, 30, 0, 0, time.UTC), moscow); got.String() != "2026-Q2" {
		t.Errorf("QuarterOf: %s, want 2026-Q2", got)
	}
}

// FuzzParseTags: tags come from a form; whatever is typed, the result is
// clean (valid UTF-8, lower-case, trimmed, no separators, no repeats) and
// cleaning it again changes nothing.
func FuzzParseTags(f *testing.F) {
	for _, s := range []string{"скорость, Цена", "#a;#b", "Ё,ё,е", "\xff,\x00", " , "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tags := ParseTags(s)
		seen := map[string]bool{}
		for _, tag := range tags {
			if tag == "" || !utf8.ValidString(tag) || strings.ContainsAny(tag, ",;") || strings.HasPrefix(tag, "#") ||
				tag != strings.TrimSpace(tag) || seen[tag] {
				t.Fatalf("ParseTags(%q) gave %q", s, tags)
			}
			seen[tag] = true
		}
		if again := CleanTags(tags); !slices.Equal(again, tags) {
			t.Fatalf("cleaning %q again gave %q", tags, again)
		}
	})
}

// FuzzParseQuarter: a quarter from a query string either fails as an
// invalid input or writes itself back the same way.
func FuzzParseQuarter(f *testing.F) {
	for _, s := range []string{"2026-Q1", "2026-q4", "0000-Q1", "9999-Q9", "-Q", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuarter(s)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("ParseQuarter(%q): %v", s, err)
			}
			return
		}
		if q.Q < 1 || q.Q > 4 || !strings.EqualFold(strings.TrimSpace(s), q.String()) {
			t.Fatalf("ParseQuarter(%q) = %+v (%s)", s, q, q)
		}
		from, to := q.Bounds(time.UTC)
		if !to.After(from) || QuarterOf(from, time.UTC) != q || QuarterOf(to.Add(-time.Nanosecond), time.UTC) != q {
			t.Fatalf("%s: bounds %v … %v", q, from, to)
		}
	})
}
