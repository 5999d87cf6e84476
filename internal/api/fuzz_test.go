package api_test

import (
	"testing"

	"otklik"
)

// FuzzResponseBodies sends arbitrary bodies to the answer endpoints: the
// API answers 4xx with a problem, never 5xx, and stores nothing it refused.
func FuzzResponseBodies(f *testing.F) {
	for _, seed := range []string{
		`{"survey":"nps","customer":"c1","score":9}`,
		`{"survey":"nps","customer":{"external_id":"c2","revenue":"1 000,5"},"score":0,"answers":{"manager_speed":3}}`,
		`[{"survey":"nps","customer":"c1","score":10,"answered_at":"2026-01-01T00:00:00Z"}]`,
		`{"score":1e400}`, `{"customer":[]}`, `[]`, `null`, `{"survey":"nps","customer":"c1","score":5,"channel":"\u0000"}`,
	} {
		f.Add(seed)
	}
	e := newEnv(&testing.T{}, "sqlite")
	token := e.user("boss@example.com", otklik.RoleAdmin, "")
	e.must(201, "POST", "/api/v1/surveys", token, npsSurvey("nps"), nil)
	e.must(201, "POST", "/api/v1/customers", token, map[string]any{"external_id": "c1"}, nil)
	f.Fuzz(func(t *testing.T, body string) {
		e.t = t
		for _, path := range []string{"/api/v1/responses", "/api/v1/responses/batch", "/api/v1/customers", "/api/v1/surveys"} {
			status, out := e.do("POST", path, token, body)
			if status >= 500 {
				t.Fatalf("POST %s %q: %d %s", path, body, status, out)
			}
		}
	})
}
