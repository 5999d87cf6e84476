package store_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"otklik"
	"otklik/internal/store"
	"otklik/internal/storetest"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func open(t *testing.T, dialect string) (*store.DB, *storetest.Clock) {
	clock := storetest.NewClock(t0)
	return storetest.Open(t, dialect, clock.Now), clock
}

var all = otklik.Scope{Reach: otklik.ReachAll}

func amount(s string) *otklik.Amount {
	a, err := otklik.ParseAmount(s)
	if err != nil {
		panic(err)
	}
	return &a
}

func seedSurvey(t *testing.T, db *store.DB) *otklik.Survey {
	t.Helper()
	s := &otklik.Survey{Key: "nps-main", Kind: otklik.KindNPS,
		Title:         otklik.Text{RU: "Опрос", EN: "Survey"},
		ScoreQuestion: otklik.Text{RU: "Порекомендуете ли вы нас?", EN: "Would you recommend us?"},
		Drivers:       []otklik.Driver{{Key: "manager_speed", Text: otklik.Text{RU: "Скорость", EN: "Speed"}}}}
	if err := db.CreateSurvey(context.Background(), s); err != nil {
		t.Fatalf("create survey: %v", err)
	}
	return s
}

func seedCustomer(t *testing.T, db *store.DB, ext, manager, team string) *otklik.Customer {
	t.Helper()
	c, created, err := db.UpsertCustomer(context.Background(), all, ext, func(c *otklik.Customer) {
		c.Name, c.Email, c.Manager, c.Team, c.Segment = "Клиент "+ext, ext+"@example.com", manager, team, "smb"
		c.Revenue = amount("150000.50")
		c.StartedAt = &otklik.Date{Time: time.Date(2025, 12, 15, 0, 0, 0, 0, time.UTC)}
		c.Services = []string{"loans"}
	})
	if err != nil || !created {
		t.Fatalf("seed customer %s: created=%v err=%v", ext, created, err)
	}
	return c
}

func answer(s *otklik.Survey, c *otklik.Customer, score int, key string, at time.Time) *otklik.Response {
	return &otklik.Response{SurveyID: s.ID, CustomerID: c.ID, Survey: s.Key, Customer: c.ExternalID,
		Channel: otklik.ChannelAPI, Score: score, Comment: "<b>привет</b> ' OR 1=1 --", AnsweredAt: at,
		Snapshot: c.Dimensions(at), IdempotencyKey: key, Answers: map[string]int{"manager_speed": 4}}
}

func TestUsersAndTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, _ := open(t, dialect)
		ctx := context.Background()
		u := &otklik.User{Email: " Boss@Example.com ", Role: otklik.RoleLead, Team: "Север", PasswordHash: "h"}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateUser(ctx, &otklik.User{Email: "boss@example.com", Role: otklik.RoleAdmin}); otklik.ErrorCode(err) != otklik.ECONFLICT {
			t.Fatalf("duplicate e-mail: got %v, want conflict", err)
		}
		if err := db.CreateUser(ctx, &otklik.User{Email: "x@example.com", Role: "god"}); otklik.ErrorCode(err) != otklik.EINVALID {
			t.Fatalf("bad role: got %v, want invalid", err)
		}
		got, err := db.UserByEmail(ctx, "BOSS@example.com")
		if err != nil || got.ID != u.ID || got.Team != "Север" || got.Role != otklik.RoleLead {
			t.Fatalf("user by email: %+v %v", got, err)
		}
		teams, _ := db.Teams(ctx)
		if diff := cmp.Diff([]string{"Север"}, teams); diff != "" {
			t.Fatalf("teams (-want +got):\n%s", diff)
		}
		tok, err := db.CreateToken(ctx, u.ID, "crm", "otk_abcd", "hash1")
		if err != nil {
			t.Fatal(err)
		}
		owner, id, err := db.UserByTokenHash(ctx, "hash1")
		if err != nil || owner.ID != u.ID || id != tok.ID {
			t.Fatalf("token owner: %+v %d %v", owner, id, err)
		}
		if _, _, err := db.UserByTokenHash(ctx, "nope"); otklik.ErrorCode(err) != otklik.EUNAUTHORIZED {
			t.Fatalf("unknown token: %v", err)
		}
		if err := db.RevokeToken(ctx, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.UserByTokenHash(ctx, "hash1"); otklik.ErrorCode(err) != otklik.EUNAUTHORIZED {
			t.Fatalf("revoked token still works: %v", err)
		}
		toks, _ := db.Tokens(ctx, u.ID)
		if len(toks) != 1 || toks[0].RevokedAt == nil {
			t.Fatalf("tokens: %+v", toks)
		}
	})
}

func TestCustomerUpsertAndScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, clock := open(t, dialect)
		ctx := context.Background()
		c := seedCustomer(t, db, "crm-1", "anna@example.com", "Север")
		clock.Add(time.Hour)
		// An update changes only what the edit touches.
		c2, created, err := db.UpsertCustomer(ctx, all, "crm-1", func(c *otklik.Customer) {
			c.Phone = "+7 999 000-00-00"
			c.Consent[otklik.ChannelEmail] = otklik.Consent{Granted: true, At: t0, Source: "crm"}
		})
		if err != nil || created {
			t.Fatalf("update: created=%v err=%v", created, err)
		}
		got, err := db.Customer(ctx, all, "crm-1")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != c.ID || got.Name != "Клиент crm-1" || got.Phone != "+7 999 000-00-00" || *got.Revenue != 15000050 ||
			got.StartedAt.String() != "2025-12-15" || !got.UpdatedAt.Equal(t0.Add(time.Hour)) || !got.CreatedAt.Equal(t0) {
			t.Fatalf("stored customer: %+v", got)
		}
		if k := got.Consent[otklik.ChannelEmail]; !k.Granted || k.Source != "crm" || !k.At.Equal(t0) {
			t.Fatalf("consent: %+v", got.Consent)
		}
		if diff := cmp.Diff(c2.Services, got.Services); diff != "" {
			t.Fatal(diff)
		}
		// Scope: another manager neither sees nor changes the customer.
		other := otklik.Scope{Reach: otklik.ReachOwn, Manager: "boris@example.com"}
		if _, err := db.Customer(ctx, other, "crm-1"); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Fatalf("other manager sees customer: %v", err)
		}
		if _, _, err := db.UpsertCustomer(ctx, other, "crm-1", func(c *otklik.Customer) { c.Name = "x" }); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Fatalf("other manager changed customer: %v", err)
		}
		// A manager may not create a customer in someone else's book.
		if _, _, err := db.UpsertCustomer(ctx, other, "crm-2", func(c *otklik.Customer) { c.Manager = "anna@example.com" }); otklik.ErrorCode(err) != otklik.EFORBIDDEN {
			t.Fatalf("manager created a customer for another: %v", err)
		}
		team := otklik.Scope{Reach: otklik.ReachTeam, Team: "Север"}
		if _, err := db.Customer(ctx, team, "crm-1"); err != nil {
			t.Fatalf("lead of the team: %v", err)
		}
		if _, err := db.Customer(ctx, otklik.Scope{Reach: otklik.ReachTeam, Team: "Юг"}, "crm-1"); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Fatalf("lead of another team sees customer: %v", err)
		}
		// Invalid input names the field and writes nothing.
		_, _, err = db.UpsertCustomer(ctx, all, "crm-3", func(c *otklik.Customer) { c.Email = "not-mail"; c.Locale = "de" })
		if fields := otklik.ErrorFields(err); len(fields) != 2 {
			t.Fatalf("invalid customer: %v", err)
		}
		if _, err := db.Customer(ctx, all, "crm-3"); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Fatalf("invalid customer was written: %v", err)
		}
	})
}

func TestCustomerPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, _ := open(t, dialect)
		ctx := context.Background()
		for i := range 7 {
			mgr := "anna@example.com"
			if i%2 == 1 {
				mgr = "boris@example.com"
			}
			seedCustomer(t, db, "c"+strconv.Itoa(i), mgr, "Север")
		}
		var seen []string
		var after int64
		for {
			page, err := db.Customers(ctx, all, store.CustomerFilter{After: after, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, c := range page {
				seen = append(seen, c.ExternalID)
			}
			after = page[len(page)-1].ID
		}
		if diff := cmp.Diff([]string{"c0", "c1", "c2", "c3", "c4", "c5", "c6"}, seen); diff != "" {
			t.Fatalf("pages (-want +got):\n%s", diff)
		}
		own, _ := db.Customers(ctx, otklik.Scope{Reach: otklik.ReachOwn, Manager: "boris@example.com"}, store.CustomerFilter{})
		if len(own) != 3 {
			t.Fatalf("boris sees %d customers, want 3", len(own))
		}
		filtered, _ := db.Customers(ctx, all, store.CustomerFilter{Manager: "ANNA@example.com"})
		if len(filtered) != 4 {
			t.Fatalf("filter by manager: %d, want 4", len(filtered))
		}
	})
}

func TestResponsesIdempotentAndSnapshotted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, clock := open(t, dialect)
		ctx := context.Background()
		s := seedSurvey(t, db)
		c := seedCustomer(t, db, "crm-1", "anna@example.com", "Север")
		r := answer(s, c, 3, "k1", t0.Add(-time.Hour))
		created, err := db.AddResponse(ctx, r)
		if err != nil || !created || r.ID == 0 {
			t.Fatalf("add: created=%v id=%d err=%v", created, r.ID, err)
		}
		// A retry with the same key returns the first answer and writes nothing.
		retry := answer(s, c, 10, "k1", t0)
		created, err = db.AddResponse(ctx, retry)
		if err != nil || created || retry.ID != r.ID || retry.Score != 3 {
			t.Fatalf("retry: created=%v %+v err=%v", created, retry, err)
		}
		// The customer changes manager: the old answer keeps its snapshot.
		clock.Add(time.Hour)
		if _, _, err := db.UpsertCustomer(ctx, all, "crm-1", func(c *otklik.Customer) { c.Manager = "boris@example.com" }); err != nil {
			t.Fatal(err)
		}
		list, err := db.Responses(ctx, all, store.ResponseFilter{Survey: "nps-main"})
		if err != nil || len(list) != 1 {
			t.Fatalf("list: %d %v", len(list), err)
		}
		got := list[0]
		if got.Snapshot.Manager != "anna@example.com" || *got.Snapshot.TenureMonths != 2 || *got.Snapshot.Revenue != 15000050 ||
			got.Comment != "<b>привет</b> ' OR 1=1 --" || got.Answers["manager_speed"] != 4 || !got.AnsweredAt.Equal(t0.Add(-time.Hour)) {
			t.Fatalf("stored answer: %+v", got)
		}
		mine, _ := db.Responses(ctx, otklik.Scope{Reach: otklik.ReachOwn, Manager: "boris@example.com"}, store.ResponseFilter{})
		if len(mine) != 0 {
			t.Fatalf("new manager sees an answer given to the old one")
		}
	})
}

func TestResponsesGroupCommitUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, _ := open(t, dialect)
		ctx := context.Background()
		s := seedSurvey(t, db)
		c := seedCustomer(t, db, "crm-1", "anna@example.com", "Север")
		const writers, each = 16, 50
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					// Every key twice: the second must be a replay, from any writer.
					key := fmt.Sprintf("k-%d", (w*each+i)/2)
					if _, err := db.AddResponse(ctx, answer(s, c, (w+i)%11, key, t0)); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		counts, err := db.ScoreCounts(ctx, all, []int64{s.ID}, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, n := range counts {
			total += n
		}
		if total != writers*each/2 {
			t.Fatalf("stored %d answers, want %d", total, writers*each/2)
		}
	})
}

func TestBatchOneBadAnswerDoesNotFailOthers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, _ := open(t, dialect)
		ctx := context.Background()
		s := seedSurvey(t, db)
		c := seedCustomer(t, db, "crm-1", "anna@example.com", "Север")
		bad := answer(s, c, 5, "bad", t0)
		bad.CustomerID = 999999 // breaks the foreign key
		rs := []*otklik.Response{answer(s, c, 9, "a", t0), bad, answer(s, c, 1, "b", t0)}
		res := db.AddResponses(ctx, rs)
		if !res[0].Created || res[1].Err == nil || !res[2].Created {
			t.Fatalf("results: %+v", res)
		}
		counts, _ := db.ScoreCounts(ctx, all, []int64{s.ID}, time.Time{}, time.Time{})
		if diff := cmp.Diff(map[int]int{9: 1, 1: 1}, counts); diff != "" {
			t.Fatalf("counts (-want +got):\n%s", diff)
		}
	})
}

func TestResponsePagingAndPeriod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, _ := open(t, dialect)
		ctx := context.Background()
		s := seedSurvey(t, db)
		c := seedCustomer(t, db, "crm-1", "anna@example.com", "Север")
		// Answers at equal times stress the (answered_at, id) tie-break.
		for i := range 10 {
			at := t0.Add(-time.Duration(i/3) * 24 * time.Hour)
			if _, err := db.AddResponse(ctx, answer(s, c, i, "p"+strconv.Itoa(i), at)); err != nil {
				t.Fatal(err)
			}
		}
		for _, desc := range []bool{false, true} {
			var ids []int64
			f := store.ResponseFilter{Limit: 4, Descending: desc}
			for {
				page, err := db.Responses(ctx, all, f)
				if err != nil {
					t.Fatal(err)
				}
				if len(page) == 0 {
					break
				}
				for _, r := range page {
					ids = append(ids, r.ID)
				}
				last := page[len(page)-1]
				f.AfterTime, f.AfterID = last.AnsweredAt, last.ID
			}
			if len(ids) != 10 {
				t.Fatalf("desc=%v: paged %d answers, want 10: %v", desc, len(ids), ids)
			}
			seen := map[int64]bool{}
			for _, id := range ids {
				if seen[id] {
					t.Fatalf("desc=%v: answer %d twice", desc, id)
				}
				seen[id] = true
			}
		}
		// [t0-1d, t0) holds the answers i = 3, 4, 5.
		counts, _ := db.ScoreCounts(ctx, all, []int64{s.ID}, t0.Add(-24*time.Hour), t0)
		if diff := cmp.Diff(map[int]int{3: 1, 4: 1, 5: 1}, counts); diff != "" {
			t.Fatalf("period counts (-want +got):\n%s", diff)
		}
	})
}

func TestEraseKeepsAggregates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, _ := open(t, dialect)
		ctx := context.Background()
		s := seedSurvey(t, db)
		c := seedCustomer(t, db, "crm-1", "anna@example.com", "Север")
		if _, _, err := db.UpsertCustomer(ctx, all, "crm-1", func(c *otklik.Customer) {
			c.Consent[otklik.ChannelSMS] = otklik.Consent{Granted: true, At: t0, Source: "form"}
		}); err != nil {
			t.Fatal(err)
		}
		for i, score := range []int{10, 2} {
			if _, err := db.AddResponse(ctx, answer(s, c, score, "e"+strconv.Itoa(i), t0)); err != nil {
				t.Fatal(err)
			}
		}
		admin := otklik.Actor{Email: "boss@example.com", Role: otklik.RoleAdmin}
		data, err := db.ExportCustomer(ctx, admin, "crm-1")
		if err != nil || data.Customer.Email != "crm-1@example.com" || len(data.Responses) != 2 || !data.Customer.Consent[otklik.ChannelSMS].Granted {
			t.Fatalf("export: %+v %v", data, err)
		}
		before, _ := db.ScoreCounts(ctx, all, []int64{s.ID}, time.Time{}, time.Time{})
		if err := db.EraseCustomer(ctx, admin, "crm-1"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Customer(ctx, all, "crm-1"); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Fatalf("erased customer still found: %v", err)
		}
		after, _ := db.ScoreCounts(ctx, all, []int64{s.ID}, time.Time{}, time.Time{})
		if diff := cmp.Diff(before, after); diff != "" {
			t.Fatalf("erasure changed the aggregate:\n%s", diff)
		}
		list, _ := db.Responses(ctx, all, store.ResponseFilter{})
		for _, r := range list {
			if r.Comment != "" || r.Customer == "crm-1" || r.Snapshot.Manager != "anna@example.com" {
				t.Fatalf("answer after erasure: %+v", r)
			}
		}
		if err := db.EraseCustomer(ctx, admin, "crm-1"); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Fatalf("second erasure: %v", err)
		}
		// The CRM sending the id again starts a new, empty record.
		fresh := seedCustomer(t, db, "crm-1", "anna@example.com", "Север")
		if fresh.ID == c.ID {
			t.Fatal("erased record was reused")
		}
	})
}

func TestSurveys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, _ := open(t, dialect)
		ctx := context.Background()
		s := seedSurvey(t, db)
		if err := db.CreateSurvey(ctx, &otklik.Survey{Key: "nps-main", Kind: otklik.KindNPS, Title: s.Title, ScoreQuestion: s.ScoreQuestion}); otklik.ErrorCode(err) != otklik.ECONFLICT {
			t.Fatalf("duplicate key: %v", err)
		}
		got, err := db.Survey(ctx, "nps-main")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(s, got); diff != "" {
			t.Fatalf("survey round trip (-want +got):\n%s", diff)
		}
		got.Kind = otklik.KindCSAT
		got.Scale = otklik.KindCSAT.DefaultScale()
		if err := db.UpdateSurvey(ctx, got); otklik.ErrorCode(err) != otklik.ECONFLICT {
			t.Fatalf("kind change: %v", err)
		}
		list, _ := db.Surveys(ctx)
		if len(list) != 1 {
			t.Fatalf("surveys: %d", len(list))
		}
	})
}

func TestSearchAndFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, clock := open(t, dialect)
		ctx := context.Background()
		s := seedSurvey(t, db)
		a := seedCustomer(t, db, "a1", "anna@example.com", "Север")
		b := seedCustomer(t, db, "b1", "boris@example.com", "Юг")
		for i, r := range []*otklik.Response{answer(s, a, 10, "x1", t0), answer(s, b, 2, "x2", t0.Add(-90*24*time.Hour))} {
			r.Comment = []string{"Задержка одобрения, 100% ужас_но", "Всё быстро"}[i]
			r.Channel = []otklik.Channel{otklik.ChannelEmail, otklik.ChannelPhone}[i]
			if _, err := db.AddResponse(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		count := func(f store.ResponseFilter) int {
			rs, err := db.Responses(ctx, all, f)
			if err != nil {
				t.Fatal(err)
			}
			return len(rs)
		}
		low, high := 0, 6
		cases := []struct {
			f    store.ResponseFilter
			want int
		}{
			{store.ResponseFilter{Text: "задержка"}, 1},
			{store.ResponseFilter{Text: "ЗАДЕРЖКА"}, 1}, // the query is also tried in lower case
			{store.ResponseFilter{Text: "100%"}, 1},
			{store.ResponseFilter{Text: "0%"}, 1},
			{store.ResponseFilter{Text: "%"}, 1},
			{store.ResponseFilter{Text: "ужас_но"}, 1},
			{store.ResponseFilter{Text: "ужасно"}, 0},
			{store.ResponseFilter{Channel: otklik.ChannelPhone}, 1},
			{store.ResponseFilter{Manager: "ANNA@example.com"}, 1},
			{store.ResponseFilter{ScoreMin: &low, ScoreMax: &high}, 1},
			{store.ResponseFilter{Customer: "b1"}, 1},
			{store.ResponseFilter{Segment: "smb"}, 2},
		}
		for i, c := range cases {
			if got := count(c.f); got != c.want {
				t.Errorf("case %d %+v: %d answers, want %d", i, c.f, got, c.want)
			}
		}
		// b1 answered 90 days ago: silent for 60 days; a1 answered today.
		clock.Add(time.Hour)
		silent, err := db.Customers(ctx, all, store.CustomerFilter{Silent: clock.Now().Add(-60 * 24 * time.Hour)})
		if err != nil || len(silent) != 1 || silent[0].ExternalID != "b1" {
			t.Fatalf("silent customers: %v %v", silent, err)
		}
		found, _ := db.Customers(ctx, all, store.CustomerFilter{Text: "клиент a1"})
		if len(found) != 1 {
			t.Fatalf("search by name: %d", len(found))
		}
		found, _ = db.Customers(ctx, all, store.CustomerFilter{Text: "B1@EXAMPLE"})
		if len(found) != 1 || found[0].ExternalID != "b1" {
			t.Fatalf("search by e-mail: %v", found)
		}
		w, err := db.Workloads(ctx, otklik.Scope{Reach: otklik.ReachTeam, Team: "Север"})
		if err != nil || len(w) != 1 || w[0].Manager != "anna@example.com" || w[0].Customers != 1 || w[0].Revenue != 15000050 {
			t.Fatalf("workloads: %+v %v", w, err)
		}
	})
}

// TestCustomerForAnswerSeesChanges: what answers read of a customer (kept a
// moment on SQLite) follows every change made here at once.
func TestCustomerForAnswerSeesChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, _ := open(t, dialect)
		ctx := context.Background()
		seedCustomer(t, db, "c1", "anna@example.com", "Север")
		c, err := db.CustomerForAnswer(ctx, all, "c1")
		if err != nil || c.Manager != "anna@example.com" || c.Revenue.String() != "150000.5" || len(c.Services) != 1 {
			t.Fatalf("first read: %+v %v", c, err)
		}
		if _, _, err := db.UpsertCustomer(ctx, all, "c1", func(c *otklik.Customer) { c.Manager = "boris@example.com" }); err != nil {
			t.Fatal(err)
		}
		if c, _ := db.CustomerForAnswer(ctx, all, "c1"); c.Manager != "boris@example.com" {
			t.Fatalf("after a change of manager: %s", c.Manager)
		}
		if _, err := db.CustomerForAnswer(ctx, otklik.Scope{Reach: otklik.ReachOwn, Manager: "anna@example.com"}, "c1"); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Fatalf("the old manager still reaches the customer: %v", err)
		}
		if err := db.EraseCustomer(ctx, otklik.Actor{Email: "boss@example.com", Role: otklik.RoleAdmin}, "c1"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CustomerForAnswer(ctx, all, "c1"); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Fatalf("an erased customer can still answer: %v", err)
		}
	})
}

func TestDriverRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, _ := open(t, dialect)
		ctx := context.Background()
		s := seedSurvey(t, db)
		c := seedCustomer(t, db, "c1", "anna@example.com", "Север")
		a := answer(s, c, 9, "d1", t0)
		b := answer(s, c, 3, "d2", t0)
		b.Answers = nil
		for _, r := range []*otklik.Response{a, b} {
			if _, err := db.AddResponse(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		rows, err := db.DriverRows(ctx, all, s.ID, time.Time{}, time.Time{})
		if err != nil || len(rows) != 1 || rows[0].Score != 9 || rows[0].Answers["manager_speed"] != 4 || rows[0].Manager != "anna@example.com" {
			t.Fatalf("driver rows: %+v %v", rows, err)
		}
	})
}

func TestDrillDownFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, _ := open(t, dialect)
		ctx := context.Background()
		s := seedSurvey(t, db)
		a := seedCustomer(t, db, "a1", "anna@example.com", "Север") // services [loans], started 2025-12-15
		b := seedCustomer(t, db, "b1", "boris@example.com", "Юг")
		if _, _, err := db.UpsertCustomer(ctx, all, "b1", func(c *otklik.Customer) {
			c.Services, c.Region = []string{"cards", "insurance"}, "Казань"
			c.StartedAt = &otklik.Date{Time: time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC)}
		}); err != nil {
			t.Fatal(err)
		}
		b, _ = db.Customer(ctx, all, "b1")
		for i, c := range []*otklik.Customer{a, b} {
			if _, err := db.AddResponse(ctx, answer(s, c, 9, "f"+strconv.Itoa(i), t0)); err != nil {
				t.Fatal(err)
			}
		}
		two, five := 2, 5
		for _, c := range []struct {
			f    store.ResponseFilter
			want string
		}{
			{store.ResponseFilter{Service: "insurance"}, "b1"},
			{store.ResponseFilter{Service: "loans"}, "a1"},
			{store.ResponseFilter{Team: "Юг"}, "b1"},
			{store.ResponseFilter{Region: "Казань"}, "b1"},
			{store.ResponseFilter{TenureMin: &two, TenureMax: &two}, "a1"}, // 2025-12-15 → 2026-03-02: 2 months
			{store.ResponseFilter{TenureMin: &five}, "b1"},
			{store.ResponseFilter{StartedIn: "2024-01"}, "b1"},
		} {
			rs, err := db.Responses(ctx, all, c.f)
			if err != nil || len(rs) != 1 || rs[0].Customer != c.want {
				t.Errorf("%+v: %v %v, want %s", c.f, rs, err, c.want)
			}
		}
	})
}

// TestAnswerForAnErasedCustomerIsRefused: an answer prepared before its
// customer was erased (the snapshot read just before) is not written.
func TestAnswerForAnErasedCustomerIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db, _ := open(t, dialect)
		ctx := context.Background()
		s := seedSurvey(t, db)
		c := seedCustomer(t, db, "p1", "anna@example.com", "Север")
		late := answer(s, c, 2, "late", t0)
		late.Comment = "Пётр, +7 916 123-45-67"
		if err := db.EraseCustomer(ctx, otklik.Actor{Email: "boss@example.com", Role: otklik.RoleAdmin}, "p1"); err != nil {
			t.Fatal(err)
		}
		other := seedCustomer(t, db, "p2", "anna@example.com", "Север")
		res := db.AddResponses(ctx, []*otklik.Response{late, answer(s, other, 9, "fine", t0)})
		if otklik.ErrorCode(res[0].Err) != otklik.ENOTFOUND || res[1].Err != nil || !res[1].Created {
			t.Fatalf("results: %+v", res)
		}
		if _, err := db.AddResponse(ctx, answer(s, c, 3, "late-alone", t0)); otklik.ErrorCode(err) != otklik.ENOTFOUND {
			t.Fatalf("a lone late answer: %v", err)
		}
		rs, _ := db.Responses(ctx, all, store.ResponseFilter{})
		if len(rs) != 1 || rs[0].IdempotencyKey != "fine" {
			t.Fatalf("stored: %+v", rs)
		}
	})
}
