package api_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strings"
	"testing"
	"time"

	"otklik"
	"otklik/internal/storetest"
)

type problem struct {
	Status int
	Code   string
	Detail string
	Errors []otklik.FieldError
}

func (p problem) field(name string) bool {
	for _, f := range p.Errors {
		if f.Field == name {
			return true
		}
	}
	return false
}

func TestResponsesWritePath(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		e := newEnv(t, dialect)
		admin := e.user("boss@example.com", otklik.RoleAdmin, "")
		e.must(201, "POST", "/api/v1/surveys", admin, npsSurvey("nps"), nil)
		e.must(201, "POST", "/api/v1/customers", admin, map[string]any{"external_id": "c1", "manager": "anna@example.com",
			"team": "Север", "revenue": 250000, "started_at": "2025-11-20", "services": []string{"loans", "insurance"}}, nil)

		// One answer, with the comment as hostile as comments get.
		hostile := `<script>alert(1)</script>'; DROP TABLE responses; --`
		var first otklik.Response
		e.must(201, "POST", "/api/v1/responses", admin, map[string]any{"survey": "nps", "customer": "c1", "score": 6,
			"comment": hostile, "answered_at": "2026-03-01T12:00:00+03:00", "answers": map[string]int{"manager_speed": 2}},
			&first, "Idempotency-Key", "req-1")
		if first.Comment != hostile || first.Snapshot.Manager != "anna@example.com" || *first.Snapshot.TenureMonths != 3 ||
			first.Snapshot.Revenue.String() != "250000" || !first.AnsweredAt.Equal(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)) {
			t.Fatalf("stored answer: %+v", first)
		}
		// A retry returns the first result, whatever its body says.
		var again otklik.Response
		e.must(200, "POST", "/api/v1/responses", admin, map[string]any{"survey": "nps", "customer": "c1", "score": 10},
			&again, "Idempotency-Key", "req-1")
		if again.ID != first.ID || again.Score != 6 {
			t.Fatalf("replay returned %+v, want answer %d", again, first.ID)
		}
		// Escaped on output: the raw body never carries markup.
		_, raw := e.do("GET", "/api/v1/responses", admin, nil)
		if strings.Contains(string(raw), "<script>") {
			t.Fatalf("comment not escaped in JSON: %s", raw)
		}

		bad := []struct {
			body  any
			field string
		}{
			{map[string]any{"survey": "nps", "customer": "c1", "score": 11}, "score"},
			{map[string]any{"survey": "nps", "customer": "c1", "score": -1}, "score"},
			{map[string]any{"survey": "nope", "customer": "c1", "score": 5}, "survey"},
			{map[string]any{"survey": "nps", "customer": "ghost", "score": 5}, "customer"},
			{map[string]any{"survey": "nps", "customer": "c1", "score": 5, "answered_at": "yesterday"}, "answered_at"},
			{map[string]any{"survey": "nps", "customer": "c1", "score": 5, "answered_at": "2027-01-01T00:00:00Z"}, "answered_at"},
			{map[string]any{"survey": "nps", "customer": "c1", "score": 5, "channel": "pigeon"}, "channel"},
			{map[string]any{"survey": "nps", "customer": "c1", "score": 5, "answers": map[string]int{"price": 3}}, "answers.price"},
			{map[string]any{"survey": "nps", "customer": "c1", "score": 5, "answers": map[string]int{"manager_speed": 9}}, "answers.manager_speed"},
			{map[string]any{"survey": "nps", "customer": "c1"}, "score"},
			{map[string]any{"survey": "nps", "customer": "c1", "score": "ten"}, "score"},
			{map[string]any{"survey": "nps", "customer": "c1", "score": 5, "mood": "happy"}, "mood"},
		}
		for _, b := range bad {
			var p problem
			e.must(422, "POST", "/api/v1/responses", admin, b.body, &p)
			if p.Code != "invalid" || !p.field(b.field) {
				t.Errorf("%v: problem %+v does not name %s", b.body, p, b.field)
			}
		}
		var p problem
		e.must(400, "POST", "/api/v1/responses", admin, `{"survey": "nps",`, &p)
		if p.Code != "malformed" {
			t.Errorf("broken JSON: %+v", p)
		}
		e.must(413, "POST", "/api/v1/responses", admin, `{"comment": "`+strings.Repeat("x", 2<<20)+`"}`, nil)

		var list struct{ Items []otklik.Response }
		e.must(200, "GET", "/api/v1/responses", admin, nil, &list)
		if len(list.Items) != 1 {
			t.Fatalf("after one answer, retries and rejects: %d stored", len(list.Items))
		}
	})
}

func TestBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		e := newEnv(t, dialect)
		admin := e.user("boss@example.com", otklik.RoleAdmin, "")
		e.must(201, "POST", "/api/v1/surveys", admin, npsSurvey("nps"), nil)
		e.must(201, "POST", "/api/v1/customers", admin, map[string]any{"external_id": "c1"}, nil)
		batch := []any{
			map[string]any{"id": "b-1", "survey": "nps", "customer": "c1", "score": 9},
			map[string]any{"id": "b-2", "survey": "nps", "customer": "c1", "score": 42},
			map[string]any{"id": "b-3", "survey": "nps", "customer": map[string]any{"external_id": "c2", "name": "Новый"}, "score": 3},
			map[string]any{"id": "b-1", "survey": "nps", "customer": "c1", "score": 1},
			"not an object",
		}
		type result struct {
			Status   int
			Response *otklik.Response
			Error    *problem
		}
		var out struct {
			Items                       []result
			Created, Duplicates, Failed int
		}
		e.must(200, "POST", "/api/v1/responses/batch", admin, batch, &out)
		statuses := make([]int, len(out.Items))
		for i, it := range out.Items {
			statuses[i] = it.Status
		}
		if fmt.Sprint(statuses) != "[201 422 201 200 422]" || out.Created != 2 || out.Duplicates != 1 || out.Failed != 2 {
			t.Fatalf("batch results %v (+%d =%d !%d)", statuses, out.Created, out.Duplicates, out.Failed)
		}
		if out.Items[3].Response.ID != out.Items[0].Response.ID || out.Items[3].Response.Score != 9 {
			t.Fatalf("in-batch duplicate: %+v", out.Items[3].Response)
		}
		if !out.Items[1].Error.field("score") {
			t.Fatalf("bad item's problem: %+v", out.Items[1].Error)
		}
		// Sending the whole batch again writes nothing new.
		e.must(200, "POST", "/api/v1/responses/batch", admin, batch, &out)
		if out.Created != 0 || out.Duplicates != 3 {
			t.Fatalf("replayed batch: +%d =%d", out.Created, out.Duplicates)
		}
		var nps struct{ N int }
		e.must(200, "GET", "/api/v1/metrics/nps", admin, nil, &nps)
		if nps.N != 2 {
			t.Fatalf("answers counted: %d, want 2", nps.N)
		}
		big := make([]any, 1001)
		for i := range big {
			big[i] = map[string]any{"survey": "nps", "customer": "c1", "score": 5}
		}
		e.must(422, "POST", "/api/v1/responses/batch", admin, big, nil)
	})
}

// TestMetricsByHand checks the API's figures against arithmetic done by hand.
func TestMetricsByHand(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		e := newEnv(t, dialect)
		admin := e.user("boss@example.com", otklik.RoleAdmin, "")
		e.must(201, "POST", "/api/v1/surveys", admin, npsSurvey("nps"), nil)
		csat := npsSurvey("csat")
		csat["kind"] = "csat"
		e.must(201, "POST", "/api/v1/surveys", admin, csat, nil)
		ces := npsSurvey("ces")
		ces["kind"] = "ces"
		e.must(201, "POST", "/api/v1/surveys", admin, ces, nil)
		e.must(201, "POST", "/api/v1/customers", admin, map[string]any{"external_id": "c1"}, nil)
		post := func(survey string, at string, scores ...int) {
			for _, s := range scores {
				e.must(201, "POST", "/api/v1/responses", admin, map[string]any{"survey": survey, "customer": "c1", "score": s, "answered_at": at}, nil)
			}
		}
		// February (Moscow): 10 NPS answers; March: 2 more that a February cut must leave out.
		post("nps", "2026-02-10T10:00:00Z", 10, 10, 9, 8, 7, 6, 5, 0, 9, 10)
		post("nps", "2026-02-28T20:59:59Z", 0)  // 23:59:59 Moscow time: still February
		post("nps", "2026-02-28T21:00:00Z", 10) // 00:00 on 1 March in Moscow
		post("csat", "2026-02-10T10:00:00Z", 5, 4, 4, 3, 1)
		post("ces", "2026-02-10T10:00:00Z", 7, 6, 5, 2)

		var nps struct {
			N, Promoters, Passives, Detractors int
			NPS, MOE95                         float64
			SmallSample                        bool `json:"small_sample"`
		}
		e.must(200, "GET", "/api/v1/metrics/nps?survey=nps&from=2026-02-01&to=2026-02-28", admin, nil, &nps)
		// 11 answers: promoters 5 (10,10,9,9,10), passives 2 (8,7), detractors 4 (6,5,0,0).
		// NPS = (5−4)/11·100 = 9.0909; var = (5/11 + 4/11 − (1/11)²)/11 = (0.818182 − 0.008264)/11 = 0.073629;
		// moe95 = 1.96·√0.073629·100 = 1.96·0.271347·100 = 53.184.
		if nps.N != 11 || nps.Promoters != 5 || nps.Passives != 2 || nps.Detractors != 4 || !nps.SmallSample ||
			math.Abs(nps.NPS-9.0909) > 0.001 || math.Abs(nps.MOE95-53.184) > 0.01 {
			t.Fatalf("NPS for February: %+v", nps)
		}
		e.must(200, "GET", "/api/v1/metrics/nps?from="+url.QueryEscape("2026-02-28T21:00:00Z"), admin, nil, &nps)
		if nps.N != 1 || nps.NPS != 100 {
			t.Fatalf("NPS from an instant: %+v", nps)
		}
		var c struct {
			N        int
			Mean     float64
			ShareTop float64 `json:"share_top"`
			Low      int
		}
		// CSAT 5,4,4,3,1: mean 17/5 = 3.4, share of 4–5 = 3/5 = 0.6, low (<4) = 2.
		e.must(200, "GET", "/api/v1/metrics/csat?survey=csat", admin, nil, &c)
		if c.N != 5 || math.Abs(c.Mean-3.4) > 1e-9 || math.Abs(c.ShareTop-0.6) > 1e-9 || c.Low != 2 {
			t.Fatalf("CSAT: %+v", c)
		}
		var ces1 struct {
			N         int
			Mean      float64
			ShareEasy float64 `json:"share_easy"`
		}
		// CES 7,6,5,2: mean 20/4 = 5, easy (5–7) = 3/4.
		e.must(200, "GET", "/api/v1/metrics/ces", admin, nil, &ces1)
		if ces1.N != 4 || ces1.Mean != 5 || ces1.ShareEasy != 0.75 {
			t.Fatalf("CES: %+v", ces1)
		}
		var p problem
		e.must(422, "GET", "/api/v1/metrics/nps?survey=csat", admin, nil, &p)
		e.must(422, "GET", "/api/v1/metrics/nps?from=02.03.2026", admin, nil, &p)
		if !p.field("from") {
			t.Fatalf("bad period: %+v", p)
		}
		e.must(422, "GET", "/api/v1/metrics/nps?from=2026-03-01&to=2026-02-01", admin, nil, &p)
		// An empty period is not an error: n = 0, flagged small.
		e.must(200, "GET", "/api/v1/metrics/nps?from=2020-01-01&to=2020-01-31", admin, nil, &nps)
		if nps.N != 0 || nps.NPS != 0 || !nps.SmallSample {
			t.Fatalf("empty period: %+v", nps)
		}
	})
}

func TestCustomersAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		e := newEnv(t, dialect)
		admin := e.user("boss@example.com", otklik.RoleAdmin, "")
		e.must(201, "POST", "/api/v1/surveys", admin, npsSurvey("nps"), nil)
		var c otklik.Customer
		e.must(201, "POST", "/api/v1/customers", admin, map[string]any{
			"external_id": "amo-77", "name": "ООО «Ромашка»", "email": "Info@Romashka.ru", "revenue": "1 200 000,50",
			"started_at": "2024-05-01", "manager": "anna@example.com", "attributes": map[string]any{"inn": "7701234567"},
			"consent": map[string]any{"email": map[string]any{"granted": true, "source": "contract"}}, "contact_period_days": 90,
		}, &c)
		if c.Email != "info@romashka.ru" || c.Revenue.String() != "1200000.5" || *c.ContactPeriod != 90 || !c.Consent["email"].Granted {
			t.Fatalf("created: %+v", c)
		}
		// Only what is sent changes; null clears.
		e.must(200, "POST", "/api/v1/customers", admin, map[string]any{"external_id": "amo-77", "phone": "+7 495 000-00-00", "revenue": nil}, &c)
		if c.Name != "ООО «Ромашка»" || c.Phone != "+7 495 000-00-00" || c.Revenue != nil || c.Manager != "anna@example.com" {
			t.Fatalf("partial update: %+v", c)
		}
		var p problem
		e.must(422, "POST", "/api/v1/customers", admin, map[string]any{"external_id": "x", "email": "nope", "locale": "fr", "started_at": "2024-13-01"}, &p)
		e.must(422, "POST", "/api/v1/customers", admin, map[string]any{"external_id": "x", "email": "nope", "locale": "fr"}, &p)
		if !p.field("email") || !p.field("locale") {
			t.Fatalf("invalid customer: %+v", p)
		}
		e.must(422, "POST", "/api/v1/customers", admin, map[string]any{"name": "no id"}, &p)
		if !p.field("external_id") {
			t.Fatalf("missing id: %+v", p)
		}
		e.must(404, "GET", "/api/v1/customers/ghost", admin, nil, nil)

		// Paging through 5 customers two at a time.
		for i := range 4 {
			e.must(201, "POST", "/api/v1/customers", admin, map[string]any{"external_id": fmt.Sprintf("p%d", i), "segment": "vip"}, nil)
		}
		var ids []string
		cursor := ""
		for range 10 {
			var page struct {
				Items      []otklik.Customer
				NextCursor string `json:"next_cursor"`
			}
			e.must(200, "GET", "/api/v1/customers?limit=2&cursor="+cursor, admin, nil, &page)
			for _, it := range page.Items {
				ids = append(ids, it.ExternalID)
			}
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
		if fmt.Sprint(ids) != "[amo-77 p0 p1 p2 p3]" {
			t.Fatalf("paged customers: %v", ids)
		}
		e.must(422, "GET", "/api/v1/customers?cursor=garbage", admin, nil, nil)
		e.must(422, "GET", "/api/v1/customers?limit=0", admin, nil, nil)
		var vip struct{ Items []otklik.Customer }
		e.must(200, "GET", "/api/v1/customers?segment=vip", admin, nil, &vip)
		if len(vip.Items) != 4 {
			t.Fatalf("segment filter: %d", len(vip.Items))
		}
	})
}

func TestErasureThroughAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		e := newEnv(t, dialect)
		admin := e.user("boss@example.com", otklik.RoleAdmin, "")
		e.must(201, "POST", "/api/v1/surveys", admin, npsSurvey("nps"), nil)
		e.must(201, "POST", "/api/v1/customers", admin, map[string]any{"external_id": "p1", "name": "Пётр Иванов",
			"phone": "+7 916 123-45-67", "manager": "anna@example.com"}, nil)
		for _, s := range []int{2, 9} {
			e.must(201, "POST", "/api/v1/responses", admin, map[string]any{"survey": "nps", "customer": "p1", "score": s,
				"comment": "Звоните Петру по +7 916 123-45-67"}, nil)
		}
		var export struct {
			Customer  otklik.Customer
			Responses []otklik.Response
		}
		e.must(200, "GET", "/api/v1/customers/p1/export", admin, nil, &export)
		if export.Customer.Name != "Пётр Иванов" || len(export.Responses) != 2 {
			t.Fatalf("export: %+v", export)
		}
		var before, after json.RawMessage
		e.must(200, "GET", "/api/v1/metrics/nps", admin, nil, &before)
		e.must(204, "DELETE", "/api/v1/customers/p1", admin, nil, nil)
		e.must(404, "GET", "/api/v1/customers/p1", admin, nil, nil)
		e.must(404, "DELETE", "/api/v1/customers/p1", admin, nil, nil)
		e.must(200, "GET", "/api/v1/metrics/nps", admin, nil, &after)
		if string(before) != string(after) {
			t.Fatalf("erasure changed NPS: %s → %s", before, after)
		}
		_, raw := e.do("GET", "/api/v1/responses", admin, nil)
		if strings.Contains(string(raw), "123-45-67") || strings.Contains(string(raw), "Петр") || strings.Contains(string(raw), `"p1"`) {
			t.Fatalf("personal data survives erasure: %s", raw)
		}
	})
}
