package demo_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"otklik"
	"otklik/internal/demo"
	"otklik/internal/metric"
	"otklik/internal/store"
	"otklik/internal/storetest"
)

var (
	now = time.Date(2026, 3, 2, 12, 30, 0, 0, time.UTC)
	all = otklik.Scope{Reach: otklik.ReachAll}
)

func open(t testing.TB, dialect string) *store.DB {
	return storetest.Open(t, dialect, storetest.NewClock(now).Now)
}

// answers reads every answer of db, page by page.
func answers(t testing.TB, db *store.DB) []*otklik.Response {
	t.Helper()
	var out []*otklik.Response
	f := store.ResponseFilter{Limit: 1000}
	for {
		page, err := db.Responses(context.Background(), all, f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page...)
		if len(page) < f.Limit {
			return out
		}
		last := page[len(page)-1]
		f.AfterTime, f.AfterID = last.AnsweredAt, last.ID
	}
}

type row struct {
	survey, customer string
	score            int
	at               time.Time
	comment          string
}

// rows returns what must not differ between two runs, in an order that does
// not depend on row ids.
func rows(rs []*otklik.Response) []row {
	out := make([]row, len(rs))
	for i, r := range rs {
		out[i] = row{r.Survey, r.Customer, r.Score, r.AnsweredAt.UTC(), r.Comment}
	}
	slices.SortFunc(out, func(a, b row) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		if c := strings.Compare(a.survey+a.customer, b.survey+b.customer); c != 0 {
			return c
		}
		return a.score - b.score
	})
	return out
}

func npsOf(t testing.TB, db *store.DB, scope otklik.Scope, from, to time.Time) metric.NPSResult {
	t.Helper()
	ctx := context.Background()
	s, err := db.Survey(ctx, demo.SurveyNPS)
	if err != nil {
		t.Fatal(err)
	}
	counts, err := db.ScoreCounts(ctx, scope, []int64{s.ID}, from, to)
	if err != nil {
		t.Fatal(err)
	}
	var c metric.NPSCounts
	for score, n := range counts {
		c.AddN(score, n)
	}
	return c.Result()
}

func TestGenerate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		opt := demo.Options{Seed: 42, Now: now, Customers: 200, Months: 6}
		db1, db2 := open(t, dialect), open(t, dialect)
		s1, err := demo.Generate(ctx, db1, opt)
		if err != nil {
			t.Fatal(err)
		}
		opt2 := opt
		opt2.PasswordHash = "hash"
		s2, err := demo.Generate(ctx, db2, opt2)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("summary: %d customers, %d erased, %d answers %v, NPS %.1f", s1.Customers, s1.Erased, s1.Responses, s1.BySurvey, s1.NPS)

		// Deterministic: the same seed and Now give the same demo.
		if !reflect.DeepEqual(s1, s2) {
			t.Fatalf("summaries differ:\n%+v\n%+v", s1, s2)
		}
		a1, a2 := answers(t, db1), answers(t, db2)
		if len(a1) != s1.Responses || s1.Added != s1.Responses {
			t.Fatalf("%d answers stored, %d added, summary says %d", len(a1), s1.Added, s1.Responses)
		}
		if !reflect.DeepEqual(rows(a1), rows(a2)) {
			t.Fatal("two databases with the same seed hold different answers")
		}
		other, err := demo.Generate(ctx, open(t, dialect), demo.Options{Seed: 43, Now: now, Customers: 200, Months: 6})
		if err != nil {
			t.Fatal(err)
		}
		if other.Responses == s1.Responses && other.NPS == s1.NPS {
			t.Errorf("seed 43 gave the same figures as seed 42")
		}

		// Running it again adds nothing.
		again, err := demo.Generate(ctx, db1, opt)
		if err != nil {
			t.Fatal(err)
		}
		if again.Added != 0 || len(answers(t, db1)) != len(a1) {
			t.Fatalf("second run added %d answers", again.Added)
		}
		again.Added = s1.Added
		if !reflect.DeepEqual(again, s1) {
			t.Fatalf("second run summary differs:\n%+v\n%+v", again, s1)
		}
		var customers int
		for after := int64(0); ; {
			page, err := db1.Customers(ctx, all, store.CustomerFilter{After: after, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			customers += len(page)
			if len(page) < 1000 {
				break
			}
			after = page[len(page)-1].ID
		}
		if customers != s1.Customers-s1.Erased {
			t.Fatalf("%d live customers after two runs, want %d", customers, s1.Customers-s1.Erased)
		}

		// Users: three teams of a lead and four managers, and three others.
		if len(s1.Users) != 18 {
			t.Fatalf("%d demo users, want 18", len(s1.Users))
		}
		roles := map[otklik.Role]int{}
		teams := map[string]int{}
		firstName := map[string]string{}
		for _, u := range s1.Users {
			roles[u.Role]++
			if u.Role == otklik.RoleManager {
				teams[u.Team]++
				firstName[u.Email], _, _ = strings.Cut(u.Name, " ")
			}
			for db, hash := range map[*store.DB]string{db1: "", db2: "hash"} {
				stored, err := db.UserByEmail(ctx, u.Email)
				if err != nil {
					t.Fatal(err)
				}
				if stored.PasswordHash != hash || stored.Role != u.Role || stored.Team != u.Team {
					t.Errorf("user %s stored as %+v", u.Email, stored)
				}
			}
		}
		if roles[otklik.RoleManager] != 12 || roles[otklik.RoleLead] != 3 || len(teams) != 3 ||
			roles[otklik.RoleInterviewer] != 1 || roles[otklik.RoleAgent] != 1 || roles[otklik.RoleViewer] != 1 {
			t.Errorf("roles %v, managers per team %v", roles, teams)
		}

		// The NPS is plausible for a broker, as the store computes it.
		nps := npsOf(t, db1, all, time.Time{}, time.Time{})
		if nps.NPS < 10 || nps.NPS > 50 || metric.Round1(nps.NPS) != s1.NPS || nps.N != s1.BySurvey[demo.SurveyNPS] {
			t.Errorf("NPS %.1f over %d answers; summary says %.1f over %d", nps.NPS, nps.N, s1.NPS, s1.BySurvey[demo.SurveyNPS])
		}

		// Answers: in the window, during the Moscow day, with comments on
		// about half, promoters naming their manager, and the erased
		// customers' comments gone.
		moscow, _ := time.LoadLocation("Europe/Moscow")
		from := now.AddDate(0, -6, 0)
		erased := map[string]bool{}
		var commented, named, drivers, npsAnswers int
		for _, r := range a1 {
			local := r.AnsweredAt.In(moscow)
			if r.AnsweredAt.Before(from) || !r.AnsweredAt.Before(now) || local.Hour() < 8 || local.Hour() > 22 {
				t.Errorf("answer %s at %v", r.IdempotencyKey, local)
			}
			if !strings.HasPrefix(r.IdempotencyKey, "demo:42:") {
				t.Errorf("idempotency key %q", r.IdempotencyKey)
			}
			if strings.HasPrefix(r.Customer, "erased:") {
				erased[r.Customer] = true
				if r.Comment != "" {
					t.Errorf("erased customer's answer %d keeps comment %q", r.ID, r.Comment)
				}
				continue
			}
			if r.Comment != "" {
				commented++
			}
			if strings.ContainsAny(r.Comment, "{}<>[]|") {
				t.Errorf("comment with a template marker: %q", r.Comment)
			}
			if r.Survey == demo.SurveyNPS {
				npsAnswers++
				if len(r.Answers) > 0 {
					drivers++
				}
				if name := firstName[r.Snapshot.Manager]; r.Score >= 9 && name != "" && strings.Contains(r.Comment, name) {
					named++
				}
			}
			if r.Snapshot.Manager == "" || r.Snapshot.Team == "" || r.Snapshot.Segment == "" || r.Snapshot.TenureMonths == nil {
				t.Errorf("answer %d has snapshot %+v", r.ID, r.Snapshot)
			}
		}
		if len(erased) != s1.Erased || s1.Erased != 5 {
			t.Errorf("answers of %d erased customers, summary says %d", len(erased), s1.Erased)
		}
		if share := float64(commented) / float64(len(a1)); share < 0.35 || share > 0.65 {
			t.Errorf("%.0f%% of answers have a comment, want about half", share*100)
		}
		if named < 5 {
			t.Errorf("only %d promoter comments name the answer's manager", named)
		}
		if share := float64(drivers) / float64(npsAnswers); share < 0.6 {
			t.Errorf("only %.0f%% of NPS answers rate the drivers", share*100)
		}
	})
}

// TestDefaultSize builds the full demo (2,000 customers, 18 months) on
// SQLite, reports how long it takes, and checks the story the data tell.
func TestDefaultSize(t *testing.T) {
	if testing.Short() {
		t.Skip("the full demo takes seconds")
	}
	ctx := context.Background()
	db := open(t, "sqlite")
	start := time.Now()
	s, err := demo.Generate(ctx, db, demo.Options{Seed: 1, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	t.Logf("default demo on SQLite: %d customers (%d erased), %d answers %v, NPS %.1f, in %v",
		s.Customers, s.Erased, s.Responses, s.BySurvey, s.NPS, took.Round(time.Millisecond))
	if took > time.Minute {
		t.Errorf("the default demo took %v", took)
	}
	if s.Customers != 2000 || s.NPS < 25 || s.NPS > 35 {
		t.Errorf("%d customers, NPS %.1f; want 2000 and +25…+35", s.Customers, s.NPS)
	}
	if n := s.BySurvey[demo.SurveyNPS]; n < 6000 || n > 10000 {
		t.Errorf("%d NPS answers, want 6,000–10,000", n)
	}
	if s.BySurvey[demo.SurveyCSAT] < 500 || s.BySurvey[demo.SurveyCES] < 500 {
		t.Errorf("answers per survey: %v", s.BySurvey)
	}

	// One excellent manager, two noticeably worse.
	byManager := map[string]float64{}
	for _, u := range s.Users {
		if u.Role == otklik.RoleManager {
			r := npsOf(t, db, otklik.Scope{Reach: otklik.ReachOwn, Manager: u.Email}, time.Time{}, time.Time{})
			byManager[u.Email] = r.NPS
			t.Logf("  %-20s %-16s n=%4d NPS %5.1f", u.Name, u.Team, r.N, r.NPS)
		}
	}
	best, worse := "anna.smirnova@broker.example", []string{"pavel.fedorov@broker.example", "mikhail.orlov@broker.example"}
	for email, v := range byManager {
		if email != best && v >= byManager[best]-10 {
			t.Errorf("%s has NPS %.1f, close to the best manager's %.1f", email, v, byManager[best])
		}
		if !slices.Contains(worse, email) {
			for _, w := range worse {
				if byManager[w] >= v-5 {
					t.Errorf("%s (NPS %.1f) is not noticeably worse than %s (%.1f)", w, byManager[w], email, v)
				}
			}
		}
	}

	// Slowly improving; worse in a customer's first three months.
	first := npsOf(t, db, all, now.AddDate(0, -18, 0), now.AddDate(0, -12, 0))
	last := npsOf(t, db, all, now.AddDate(0, -6, 0), now)
	t.Logf("  NPS first six months %.1f, last six months %.1f", first.NPS, last.NPS)
	if last.NPS <= first.NPS {
		t.Errorf("NPS does not improve: %.1f then %.1f", first.NPS, last.NPS)
	}
	var early, later metric.NPSCounts
	for _, r := range answers(t, db) {
		if r.Survey != demo.SurveyNPS {
			continue
		}
		if *r.Snapshot.TenureMonths < 3 {
			early.Add(r.Score)
		} else {
			later.Add(r.Score)
		}
	}
	t.Logf("  NPS in the first three months of tenure %.1f, later %.1f", early.Result().NPS, later.Result().NPS)
	if early.Result().NPS >= later.Result().NPS {
		t.Errorf("new customers are not less happy: %.1f vs %.1f", early.Result().NPS, later.Result().NPS)
	}
}
