package store_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"otklik"
	"otklik/internal/store"
	"otklik/internal/storetest"
)

// said stores an answer with a comment at a given time.
func said(t *testing.T, db *store.DB, s *otklik.Survey, c *otklik.Customer, score int, comment string, at time.Time) int64 {
	t.Helper()
	r := &otklik.Response{SurveyID: s.ID, CustomerID: c.ID, Survey: s.Key, Customer: c.ExternalID, Channel: otklik.ChannelEmail,
		Score: score, Comment: comment, AnsweredAt: at, Snapshot: c.Dimensions(at),
		IdempotencyKey: c.ExternalID + "-" + strconv.FormatInt(at.UnixNano(), 10)}
	if _, err := db.AddResponse(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func insightIDs(ins []*otklik.Insight) string {
	var ids []int64
	for _, in := range ins {
		ids = append(ids, in.ID)
	}
	return fmt.Sprint(ids)
}

func TestInsightBoard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, clock := open(t, dialect)
		ctx := context.Background()
		s := seedSurvey(t, db)
		anna := seedCustomer(t, db, "c-anna", "anna@example.com", "Север")
		boris := seedCustomer(t, db, "c-boris", "boris@example.com", "Юг")
		r1 := said(t, db, s, anna, 7, "Долго ждали ответа", t0.Add(-time.Hour))
		r2 := said(t, db, s, boris, 6, "Долго ждали ответа, никто не перезвонил", t0.Add(-2*time.Hour))
		var users []*otklik.User
		for _, e := range []string{"u1@example.com", "u2@example.com", "u3@example.com"} {
			u := &otklik.User{Email: e, Role: otklik.RoleViewer}
			if err := db.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			users = append(users, u)
		}
		u1, u2, u3 := users[0].ID, users[1].ID, users[2].ID

		// An answer beyond the author's reach fails the whole item.
		slow := &otklik.Insight{Kind: otklik.InsightProblem, Title: "Долго отвечаем", Tags: []string{"скорость"}, Author: "lead.n@example.com"}
		slow.Normalize()
		if err := db.CreateInsight(ctx, leadNorth, slow, []int64{r1, r2}); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Fatalf("linking another team's answer: %v, want not found", err)
		}
		if ins, _ := db.Insights(ctx, store.InsightFilter{}); len(ins) != 0 {
			t.Fatalf("the failed item is on the board: %v", insightIDs(ins))
		}
		if err := db.CreateInsight(ctx, all, slow, []int64{r1, r2, r1}); err != nil {
			t.Fatal(err)
		}
		if slow.Answers != 2 || slow.Status != otklik.InsightNew {
			t.Fatalf("created %+v, want 2 answers, new", slow)
		}
		if n, err := db.LinkAnswers(ctx, leadNorth, slow.ID, []int64{r1}, "lead.n@example.com"); err != nil || n != 0 {
			t.Fatalf("linking an answer twice: %d %v, want 0", n, err)
		}
		if _, err := db.LinkAnswers(ctx, all, 99999, []int64{r1}, "x"); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Fatalf("linking to no item: %v", err)
		}

		clock.Add(time.Minute)
		app := &otklik.Insight{Kind: otklik.InsightIdea, Title: "Мобильное приложение", Tags: otklik.ParseTags("Приложение, скорость"),
			Author: "anna@example.com"}
		app.Normalize()
		if err := db.CreateInsight(ctx, annaOwn, app, nil); err != nil {
			t.Fatal(err)
		}
		if n, err := db.LinkAnswers(ctx, annaOwn, app.ID, []int64{r1}, "anna@example.com"); err != nil || n != 1 {
			t.Fatalf("Анна links her answer: %d %v", n, err)
		}
		if _, err := db.LinkAnswers(ctx, annaOwn, app.ID, []int64{r2}, "anna@example.com"); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Fatalf("Анна links Борис's answer: %v, want not found", err)
		}

		// One vote per user: twice counts once; taking back twice too.
		for _, v := range []struct {
			user int64
			on   bool
		}{{u1, true}, {u1, true}, {u2, true}, {u3, true}, {u3, false}, {u3, false}} {
			if err := db.Vote(ctx, app.ID, v.user, v.on); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Vote(ctx, slow.ID, u3, true); err != nil {
			t.Fatal(err)
		}
		if err := db.Vote(ctx, 99999, u1, true); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Fatalf("voting for no item: %v", err)
		}
		got, err := db.Insight(ctx, app.ID, u2)
		if err != nil {
			t.Fatal(err)
		}
		if got.Votes != 2 || got.Answers != 1 || !got.Voted || got.Kind != otklik.InsightIdea || got.Author != "anna@example.com" ||
			fmt.Sprint(got.Tags) != "[приложение скорость]" {
			t.Fatalf("item read back: %+v", got)
		}
		if got, _ := db.Insight(ctx, app.ID, u3); got.Voted {
			t.Errorf("u3 took the vote back but Voted is set")
		}

		// The board: filters and orders.
		board := func(f store.InsightFilter) string {
			t.Helper()
			ins, err := db.Insights(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			return insightIDs(ins)
		}
		for _, c := range []struct {
			f    store.InsightFilter
			want []int64
		}{
			{store.InsightFilter{}, []int64{app.ID, slow.ID}},                                 // 2 votes, then 1
			{store.InsightFilter{Sort: store.SortAnswers}, []int64{slow.ID, app.ID}},          // 2 answers, then 1
			{store.InsightFilter{Sort: store.SortNewest}, []int64{app.ID, slow.ID}},           // newest first
			{store.InsightFilter{Kind: otklik.InsightProblem}, []int64{slow.ID}},              // by kind
			{store.InsightFilter{Tag: "скорость"}, []int64{app.ID, slow.ID}},                  // a tag both have
			{store.InsightFilter{Tag: "приложение"}, []int64{app.ID}},                         // a tag one has
			{store.InsightFilter{Tag: "прил"}, nil},                                           // tags match whole
			{store.InsightFilter{Status: otklik.InsightPlanned}, nil},                         // by status
			{store.InsightFilter{Kind: otklik.InsightIdea, Tag: "скорость"}, []int64{app.ID}}, // together
		} {
			if got := board(c.f); got != fmt.Sprint(c.want) {
				t.Errorf("board %+v: %s, want %v", c.f, got, c.want)
			}
		}
		if err := db.SetInsightStatus(ctx, slow.ID, otklik.InsightPlanned, "lead.n@example.com"); err != nil {
			t.Fatal(err)
		}
		if err := db.SetInsightStatus(ctx, 99999, otklik.InsightPlanned, "x"); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Fatalf("status of no item: %v", err)
		}
		if got := board(store.InsightFilter{Status: otklik.InsightPlanned}); got != fmt.Sprint([]int64{slow.ID}) {
			t.Errorf("planned: %s", got)
		}
		if tags, _ := db.InsightTags(ctx); fmt.Sprint(tags) != "[приложение скорость]" {
			t.Errorf("tags %q", tags)
		}

		// Linked answers show within the reader's reach only.
		for _, c := range []struct {
			scope otklik.Scope
			want  []int64
		}{{all, []int64{r1, r2}}, {leadNorth, []int64{r1}}, {borisOwn, []int64{r2}}, {vikaOwn, nil}} {
			rs, err := db.InsightAnswers(ctx, c.scope, slow.ID, 10)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, r := range rs {
				ids = append(ids, r.ID)
			}
			if fmt.Sprint(ids) != fmt.Sprint(c.want) {
				t.Errorf("answers of %+v: %v, want %v", c.scope, ids, c.want)
			}
		}
		if ins, _ := db.InsightsOfAnswer(ctx, r1, u1); insightIDs(ins) != fmt.Sprint([]int64{slow.ID, app.ID}) {
			t.Errorf("items of answer r1: %s", insightIDs(ins))
		}

		edited := *got
		edited.ID, edited.Title, edited.Kind, edited.Tags = app.ID, "Приложение для клиентов", otklik.InsightProblem, []string{"app"}
		if err := db.UpdateInsight(ctx, &edited); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Insight(ctx, app.ID, 0); got.Title != "Приложение для клиентов" || got.Kind != otklik.InsightProblem ||
			fmt.Sprint(got.Tags) != "[app]" || got.Votes != 2 {
			t.Errorf("edited item: %+v", got)
		}
	})
}

func TestQuarterlyReview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, clock := open(t, dialect)
		ctx := context.Background()
		s := seedSurvey(t, db)
		c := seedCustomer(t, db, "c-1", "anna@example.com", "Север")
		u := &otklik.User{Email: "u@example.com", Role: otklik.RoleViewer}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		q1 := time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)
		inQ1 := said(t, db, s, c, 5, "Дорого", q1)
		inQ4 := said(t, db, s, c, 5, "Дорого и долго", q1.AddDate(0, -2, 0))

		item := func(kind, title string, links ...int64) *otklik.Insight {
			in := &otklik.Insight{Kind: kind, Title: title}
			in.Normalize()
			if err := db.CreateInsight(ctx, all, in, links); err != nil {
				t.Fatal(err)
			}
			return in
		}
		// Put on the board in December (Q4 2025), with a Q4 answer: not Q1's.
		clock.Add(-80 * 24 * time.Hour)
		old := item(otklik.InsightProblem, "Старая проблема", inQ4)
		// Also December, but a Q1 answer came to it: Q1's, however old.
		loud := item(otklik.InsightProblem, "Цены", inQ4, inQ1)
		clock.Add(80 * 24 * time.Hour) // back in March (Q1)
		fresh := item(otklik.InsightProblem, "Новая проблема")
		voted := item(otklik.InsightProblem, "Голосуют")
		rejected := item(otklik.InsightProblem, "Отклонена", inQ1)
		idea := item(otklik.InsightIdea, "Идея")
		if err := db.Vote(ctx, voted.ID, u.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := db.SetInsightStatus(ctx, rejected.ID, otklik.InsightRejected, "boss"); err != nil {
			t.Fatal(err)
		}
		from, to := otklik.Quarter{Year: 2026, Q: 1}.Bounds(time.UTC)
		review, err := db.ReviewInsights(ctx, otklik.InsightProblem, from, to, u.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range review {
			got = append(got, fmt.Sprintf("%s %d/%d/%d %v", r.Title, r.Votes, r.PeriodAnswers, r.Answers, r.Voted))
		}
		// By votes, then the quarter's answers, then all answers, then age.
		want := []string{"Голосуют 1/0/0 true", "Цены 0/1/2 false", "Новая проблема 0/0/0 false"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("Q1 problems:\n got %q\nwant %q", got, want)
		}
		q4from, q4to := otklik.Quarter{Year: 2025, Q: 4}.Bounds(time.UTC)
		review, _ = db.ReviewInsights(ctx, otklik.InsightProblem, q4from, q4to, u.ID, 10)
		got = nil
		for _, r := range review {
			got = append(got, fmt.Sprintf("%s %d", r.Title, r.PeriodAnswers))
		}
		if want := []string{"Цены 1", "Старая проблема 1"}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("Q4 problems: %q, want %q", got, want)
		}
		ideas, _ := db.ReviewInsights(ctx, otklik.InsightIdea, from, to, u.ID, 10)
		if len(ideas) != 1 || ideas[0].ID != idea.ID {
			t.Errorf("Q1 ideas: %+v", ideas)
		}
		_, _, _ = old, loud, fresh
	})
}

func TestComments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, _ := open(t, dialect)
		ctx := context.Background()
		s := seedSurvey(t, db)
		other := &otklik.Survey{Key: "csat", Kind: otklik.KindCSAT, Title: otklik.Text{RU: "CSAT", EN: "CSAT"}, ScoreQuestion: otklik.Text{RU: "Как?", EN: "How?"}}
		if err := db.CreateSurvey(ctx, other); err != nil {
			t.Fatal(err)
		}
		anna := seedCustomer(t, db, "c-anna", "anna@example.com", "Север")
		boris := seedCustomer(t, db, "c-boris", "boris@example.com", "Юг")
		day := func(d int) time.Time { return time.Date(2026, 2, d, 12, 0, 0, 0, time.UTC) }
		a1 := said(t, db, s, anna, 5, "первый", day(1))
		said(t, db, s, anna, 9, "", day(2)) // no text: not a comment
		b1 := said(t, db, s, boris, 3, "борис", day(3))
		a2 := said(t, db, s, anna, 4, "второй", day(4))
		c1 := said(t, db, other, anna, 2, "csat", day(5))
		said(t, db, s, anna, 4, "после периода", day(20))

		texts := func(scope otklik.Scope, f store.CommentFilter) string {
			t.Helper()
			cs, err := db.Comments(ctx, scope, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, c := range cs {
				out = append(out, fmt.Sprintf("%d:%s", c.ID, c.Text))
			}
			return fmt.Sprint(out)
		}
		f := store.CommentFilter{From: day(1), To: day(10)}
		for _, c := range []struct {
			scope otklik.Scope
			f     store.CommentFilter
			want  string
		}{
			{all, f, fmt.Sprintf("[%d:первый %d:борис %d:второй %d:csat]", a1, b1, a2, c1)},
			{leadNorth, f, fmt.Sprintf("[%d:первый %d:второй %d:csat]", a1, a2, c1)},
			{all, store.CommentFilter{From: day(1), To: day(10), SurveyIDs: []int64{s.ID}}, fmt.Sprintf("[%d:первый %d:борис %d:второй]", a1, b1, a2)},
			// Over the limit, the most recent ones, still oldest first.
			{all, store.CommentFilter{From: day(1), To: day(10), Limit: 2}, fmt.Sprintf("[%d:второй %d:csat]", a2, c1)},
			{all, store.CommentFilter{From: day(2), To: day(4)}, fmt.Sprintf("[%d:борис]", b1)},
		} {
			if got := texts(c.scope, c.f); got != c.want {
				t.Errorf("comments %+v in %+v: %s, want %s", c.f, c.scope, got, c.want)
			}
		}
		rs, err := db.ResponsesByID(ctx, leadNorth, []int64{a2, b1, a1, a2})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, r := range rs {
			ids = append(ids, r.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint([]int64{a2, a1}) {
			t.Errorf("responses by id in Север's reach: %v, want [%d %d]", ids, a2, a1)
		}
	})
}
