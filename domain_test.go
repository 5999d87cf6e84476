package otklik

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParseAmount(t *testing.T) {
	for in, want := range map[string]Amount{
		"150000": 15000000, "150 000,50": 15000050, "1500.5": 150050, "0,07": 7, "-3": -300,
		"1\u00a0234,5": 123450, ".5": 50, "12'345.67": 1234567,
	} {
		got, err := ParseAmount(in)
		if err != nil || got != want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "abc", "1.234", "1e5", "--1", "1.2.3", "99999999999999999999"} {
		if _, err := ParseAmount(bad); err == nil {
			t.Errorf("ParseAmount(%q) accepted", bad)
		}
	}
	for a, want := range map[Amount]string{15000050: "150000.5", 7: "0.07", -300: "-3", 0: "0", 1234567: "12345.67"} {
		if a.String() != want {
			t.Errorf("%d.String() = %q, want %q", a, a.String(), want)
		}
	}
	var a Amount
	if err := json.Unmarshal([]byte(`"1 000,5"`), &a); err != nil || a != 100050 {
		t.Fatalf("unmarshal string: %d %v", a, err)
	}
	if err := json.Unmarshal([]byte(`250000.25`), &a); err != nil || a != 25000025 {
		t.Fatalf("unmarshal number: %d %v", a, err)
	}
}

func TestMonthsSince(t *testing.T) {
	start := Date{time.Date(2025, 1, 31, 0, 0, 0, 0, time.UTC)}
	for _, c := range []struct {
		at   time.Time
		want int
	}{
		{time.Date(2025, 1, 31, 12, 0, 0, 0, time.UTC), 0},
		{time.Date(2025, 2, 28, 0, 0, 0, 0, time.UTC), 0}, // the 31st has not come round yet
		{time.Date(2025, 3, 31, 0, 0, 0, 0, time.UTC), 2},
		{time.Date(2026, 1, 30, 0, 0, 0, 0, time.UTC), 11},
		{time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), 12},
		{time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC), 0}, // before the start: never negative
	} {
		if got := start.MonthsSince(c.at); got != c.want {
			t.Errorf("months from %s to %s = %d, want %d", start, c.at.Format(time.DateOnly), got, c.want)
		}
	}
}

func TestPermissionTable(t *testing.T) {
	lead := Actor{Email: "l@example.com", Role: RoleLead, Team: "Север"}
	s, err := lead.Scope(ReadCustomers)
	if err != nil || s.Reach != ReachTeam || !s.Covers("x@example.com", "Север") || s.Covers("x@example.com", "Юг") {
		t.Fatalf("lead scope: %+v %v", s, err)
	}
	if _, err := (Actor{Role: RoleLead}).Scope(ReadCustomers); ErrorCode(err) != EFORBIDDEN {
		t.Fatal("a lead without a team reaches everything")
	}
	m := Actor{Email: "m@example.com", Role: RoleManager}
	s, _ = m.Scope(ReadResponses)
	if !s.Covers("m@example.com", "") || s.Covers("", "") || s.Covers("other@example.com", "") {
		t.Fatalf("manager scope: %+v", s)
	}
	for _, r := range Roles {
		a := Actor{Email: "x@example.com", Role: r, Team: "T"}
		if a.Can(ManageUsers) != (r == RoleAdmin) || a.Can(ErasePersonal) != (r == RoleAdmin) {
			t.Errorf("%s: only admins manage users and erase people", r)
		}
		if !a.Can(ReadSurveys) {
			t.Errorf("%s cannot read surveys", r)
		}
	}
	if (Actor{Role: "ghost"}).Can(ReadSurveys) {
		t.Fatal("an unknown role may act")
	}
}

func TestPeriod(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	from, to, err := ParsePeriod("2026-02-01", "2026-02-28", msk)
	if err != nil || !from.Equal(time.Date(2026, 1, 31, 21, 0, 0, 0, time.UTC)) || !to.Equal(time.Date(2026, 2, 28, 21, 0, 0, 0, time.UTC)) {
		t.Fatalf("dates: %s %s %v", from, to, err)
	}
	if _, _, err := ParsePeriod("2026-03-01", "2026-02-01", msk); len(ErrorFields(err)) != 1 {
		t.Fatalf("reversed period: %v", err)
	}
	if _, _, err := ParsePeriod("01.02.2026", "soon", msk); len(ErrorFields(err)) != 2 {
		t.Fatalf("bad bounds: %v", err)
	}
}

// FuzzSurveyDefinition feeds arbitrary JSON to the survey definition as the
// API decodes it: validation never panics, and what it accepts is sound.
func FuzzSurveyDefinition(f *testing.F) {
	f.Add(`{"key":"nps","kind":"nps","title":{"ru":"А","en":"A"},"score_question":{"ru":"В","en":"Q"}}`)
	f.Add(`{"key":"c","kind":"custom","scale":{"min":1,"max":100},"title":{"ru":"А","en":"A"},"score_question":{"ru":"В","en":"Q"},"drivers":[{"key":"a","text":{"ru":"x","en":"y"}},{"key":"a"}]}`)
	f.Add(`{"kind":"CSAT","scale":{"min":5,"max":1},"score_position":"middle"}`)
	f.Fuzz(func(t *testing.T, body string) {
		var s Survey
		if json.Unmarshal([]byte(body), &s) != nil {
			return
		}
		s.Normalize()
		if err := s.Validate(); err != nil {
			if ErrorCode(err) != EINVALID || len(ErrorFields(err)) == 0 {
				t.Fatalf("rejection without fields: %v", err)
			}
			return
		}
		if s.Scale.Min >= s.Scale.Max || !slugPattern.MatchString(s.Key) || s.Title.RU == "" || s.Title.EN == "" {
			t.Fatalf("accepted an unsound survey: %+v", s)
		}
		seen := map[string]bool{}
		for _, d := range s.Drivers {
			if seen[d.Key] {
				t.Fatalf("accepted repeated driver %q", d.Key)
			}
			seen[d.Key] = true
		}
	})
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"150 000,50", "1.5", "-0,07", "1e9", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAmount(s)
		if err != nil {
			return
		}
		back, err := ParseAmount(a.String())
		if err != nil || back != a {
			t.Fatalf("%q → %d → %q → %d, %v", s, a, a.String(), back, err)
		}
		if strings.ContainsAny(a.String(), " ,") {
			t.Fatalf("String() %q is not a plain decimal", a.String())
		}
	})
}
