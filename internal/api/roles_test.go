package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"otklik"
	"otklik/internal/storetest"
)

// TestRolesCannotCrossBoundaries tries every role against every endpoint,
// on customers inside and outside its reach.
func TestRolesCannotCrossBoundaries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		e := newEnv(t, dialect)
		tok := map[string]string{
			"admin":       e.user("boss@example.com", otklik.RoleAdmin, ""),
			"lead-north":  e.user("lead.n@example.com", otklik.RoleLead, "Север"),
			"lead-south":  e.user("lead.s@example.com", otklik.RoleLead, "Юг"),
			"anna":        e.user("anna@example.com", otklik.RoleManager, "Север"),
			"boris":       e.user("boris@example.com", otklik.RoleManager, "Юг"),
			"interviewer": e.user("call@example.com", otklik.RoleInterviewer, ""),
			"agent":       e.user("agent@example.com", otklik.RoleAgent, ""),
			"reviewer":    e.user("qa@example.com", otklik.RoleReviewer, ""),
			"viewer":      e.user("ceo@example.com", otklik.RoleViewer, ""),
		}
		admin := tok["admin"]
		e.must(201, "POST", "/api/v1/surveys", admin, npsSurvey("nps"), nil)
		e.must(201, "POST", "/api/v1/customers", admin, map[string]any{"external_id": "c-anna", "manager": "anna@example.com", "team": "Север"}, nil)
		e.must(201, "POST", "/api/v1/customers", admin, map[string]any{"external_id": "c-boris", "manager": "boris@example.com", "team": "Юг"}, nil)
		e.must(201, "POST", "/api/v1/responses", admin, map[string]any{"survey": "nps", "customer": "c-anna", "score": 10}, nil)
		e.must(201, "POST", "/api/v1/responses", admin, map[string]any{"survey": "nps", "customer": "c-boris", "score": 0}, nil)

		type want map[string]int
		cases := []struct {
			name   string
			method string
			path   string
			body   func(role string) any
			status want
		}{
			{"read a northern customer", "GET", "/api/v1/customers/c-anna", nil, want{
				"admin": 200, "lead-north": 200, "lead-south": 404, "anna": 200, "boris": 404,
				"interviewer": 200, "agent": 200, "reviewer": 403, "viewer": 403}},
			{"change a northern customer", "POST", "/api/v1/customers", func(string) any {
				return map[string]any{"external_id": "c-anna", "phone": "+7 900 000-00-00"}
			}, want{"admin": 200, "lead-north": 200, "lead-south": 404, "anna": 200, "boris": 404,
				"interviewer": 403, "agent": 403, "reviewer": 403, "viewer": 403}},
			{"give a customer to another manager", "POST", "/api/v1/customers", func(role string) any {
				return map[string]any{"external_id": "c-new-" + role, "manager": "anna@example.com", "team": "Север"}
			}, want{"admin": 201, "lead-north": 201, "lead-south": 403, "anna": 201, "boris": 403,
				"interviewer": 403, "agent": 403, "reviewer": 403, "viewer": 403}},
			{"erase a person", "DELETE", "/api/v1/customers/c-nobody", nil, want{
				"admin": 404, "lead-north": 403, "lead-south": 403, "anna": 403, "boris": 403,
				"interviewer": 403, "agent": 403, "reviewer": 403, "viewer": 403}},
			{"export a person", "GET", "/api/v1/customers/c-anna/export", nil, want{
				"admin": 200, "lead-north": 403, "lead-south": 403, "anna": 403, "boris": 403,
				"interviewer": 403, "agent": 403, "reviewer": 403, "viewer": 403}},
			{"create a survey", "POST", "/api/v1/surveys", func(role string) any { return npsSurvey("s-" + role) }, want{
				"admin": 201, "lead-north": 403, "lead-south": 403, "anna": 403, "boris": 403,
				"interviewer": 403, "agent": 403, "reviewer": 403, "viewer": 403}},
			{"read surveys", "GET", "/api/v1/surveys/nps", nil, want{
				"admin": 200, "lead-north": 200, "lead-south": 200, "anna": 200, "boris": 200,
				"interviewer": 200, "agent": 200, "reviewer": 200, "viewer": 200}},
			{"answer for a northern customer", "POST", "/api/v1/responses", func(string) any {
				return map[string]any{"survey": "nps", "customer": "c-anna", "score": 8}
			}, want{"admin": 201, "lead-north": 201, "lead-south": 422, "anna": 201, "boris": 422,
				"interviewer": 201, "agent": 201, "reviewer": 403, "viewer": 403}},
			{"answer for an unknown customer created on the fly", "POST", "/api/v1/responses", func(role string) any {
				return map[string]any{"survey": "nps", "score": 8, "customer": map[string]any{"external_id": "c-fly-" + role, "manager": "boris@example.com", "team": "Юг"}}
			}, want{"admin": 201, "lead-north": 403, "lead-south": 201, "anna": 403, "boris": 201,
				"interviewer": 422, "agent": 422, "reviewer": 403, "viewer": 403}},
			{"list answers", "GET", "/api/v1/responses", nil, want{
				"admin": 200, "lead-north": 200, "lead-south": 200, "anna": 200, "boris": 200,
				"interviewer": 403, "agent": 403, "reviewer": 403, "viewer": 200}},
			{"read NPS", "GET", "/api/v1/metrics/nps", nil, want{
				"admin": 200, "lead-north": 200, "lead-south": 200, "anna": 200, "boris": 200,
				"interviewer": 403, "agent": 403, "reviewer": 403, "viewer": 200}},
			{"erase by the admin", "DELETE", "/api/v1/customers/c-boris", nil, want{"admin": 204}},
		}
		for _, c := range cases {
			for _, role := range []string{"admin", "lead-north", "lead-south", "anna", "boris", "interviewer", "agent", "reviewer", "viewer"} {
				expected, ok := c.status[role]
				if !ok {
					continue
				}
				var body any
				if c.body != nil {
					body = c.body(role)
				}
				status, out := e.do(c.method, c.path, tok[role], body)
				if status != expected {
					t.Errorf("%s as %s: status %d, want %d: %s", c.name, role, status, expected, out)
				}
			}
		}
	})
}

// TestVisibilityOfLists checks that lists and figures hold only rows in reach.
func TestVisibilityOfLists(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		e := newEnv(t, dialect)
		admin := e.user("boss@example.com", otklik.RoleAdmin, "")
		lead := e.user("lead.n@example.com", otklik.RoleLead, "Север")
		anna := e.user("anna@example.com", otklik.RoleManager, "Север")
		viewer := e.user("ceo@example.com", otklik.RoleViewer, "")
		e.must(201, "POST", "/api/v1/surveys", admin, npsSurvey("nps"), nil)
		// Север: anna's 2 customers and vera's 1; Юг: boris's 1.
		for i, who := range []struct{ manager, team string }{
			{"anna@example.com", "Север"}, {"anna@example.com", "Север"}, {"vera@example.com", "Север"}, {"boris@example.com", "Юг"},
		} {
			ext := fmt.Sprintf("c%d", i)
			e.must(201, "POST", "/api/v1/customers", admin, map[string]any{"external_id": ext, "manager": who.manager, "team": who.team}, nil)
			e.must(201, "POST", "/api/v1/responses", admin, map[string]any{"survey": "nps", "customer": ext, "score": 10 - i*3}, nil)
		}
		counts := []struct {
			token           string
			customers, seen int
		}{{admin, 4, 4}, {lead, 3, 3}, {anna, 2, 2}, {viewer, -1, 4}}
		for i, c := range counts {
			var answers struct{ Items []otklik.Response }
			e.must(200, "GET", "/api/v1/responses", c.token, nil, &answers)
			if len(answers.Items) != c.seen {
				t.Errorf("case %d: sees %d answers, want %d", i, len(answers.Items), c.seen)
			}
			var nps struct{ N int }
			e.must(200, "GET", "/api/v1/metrics/nps", c.token, nil, &nps)
			if nps.N != c.seen {
				t.Errorf("case %d: NPS over %d answers, want %d", i, nps.N, c.seen)
			}
			if c.customers < 0 {
				continue
			}
			var customers struct{ Items []otklik.Customer }
			e.must(200, "GET", "/api/v1/customers", c.token, nil, &customers)
			if len(customers.Items) != c.customers {
				t.Errorf("case %d: sees %d customers, want %d", i, len(customers.Items), c.customers)
			}
		}
	})
}

func TestAuthentication(t *testing.T) {
	e := newEnv(t, "sqlite")
	token := e.user("boss@example.com", otklik.RoleAdmin, "")
	for _, bad := range []string{"", "otk_forged", token + "x"} {
		status, out := e.do("GET", "/api/v1/surveys", bad, nil)
		if status != http.StatusUnauthorized {
			t.Fatalf("token %q: status %d: %s", bad, status, out)
		}
	}
	// A client that keeps failing is refused before its token is checked.
	limited := false
	for range 40 {
		if status, _ := e.do("GET", "/api/v1/surveys", "otk_wrong", nil); status == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	if !limited {
		t.Fatal("40 failed attempts were never rate-limited")
	}
	if status, _ := e.do("GET", "/api/v1/surveys", token, nil); status != http.StatusTooManyRequests {
		t.Fatalf("a blocked address still reaches the API: %d", status)
	}
}

// TestIdempotencyKeyDoesNotLeak: a manager who reuses another manager's key
// must not get the other's answer back.
func TestIdempotencyKeyDoesNotLeak(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		e := newEnv(t, dialect)
		admin := e.user("boss@example.com", otklik.RoleAdmin, "")
		anna := e.user("anna@example.com", otklik.RoleManager, "Север")
		boris := e.user("boris@example.com", otklik.RoleManager, "Юг")
		e.must(201, "POST", "/api/v1/surveys", admin, npsSurvey("nps"), nil)
		e.must(201, "POST", "/api/v1/customers", admin, map[string]any{"external_id": "a1", "manager": "anna@example.com"}, nil)
		e.must(201, "POST", "/api/v1/customers", admin, map[string]any{"external_id": "b1", "manager": "boris@example.com"}, nil)
		e.must(201, "POST", "/api/v1/responses", anna, map[string]any{"survey": "nps", "customer": "a1", "score": 2, "comment": "секрет"}, nil, "Idempotency-Key", "k")
		status, out := e.do("POST", "/api/v1/responses", boris, map[string]any{"survey": "nps", "customer": "b1", "score": 9}, "Idempotency-Key", "k")
		if status != 409 || strings.Contains(string(out), "секрет") {
			t.Fatalf("reused key: %d %s", status, out)
		}
		var out2 struct{ Items []struct{ Status int } }
		e.must(200, "POST", "/api/v1/responses/batch", boris, []any{map[string]any{"id": "k", "survey": "nps", "customer": "b1", "score": 9}}, &out2)
		if out2.Items[0].Status != 409 {
			t.Fatalf("reused key in a batch: %+v", out2)
		}
		e.must(404, "GET", "/api/v1/responses/1", boris, nil, nil)
		e.must(200, "GET", "/api/v1/responses/1", anna, nil, nil)
	})
}
