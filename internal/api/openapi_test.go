package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"otklik"
	"otklik/internal/api"
	"otklik/internal/storetest"
)

// loadOpenAPIDoc loads the embedded document and validates it as OpenAPI
// (3.1 is detected from the document's `openapi` field).
func loadOpenAPIDoc(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatalf("openapi.yaml does not load: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("openapi.yaml is OpenAPI %q, want 3.1", doc.OpenAPI)
	}
	if err := doc.Validate(loader.Context, openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("openapi.yaml is not a valid OpenAPI document: %v", err)
	}
	return doc
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc := loadOpenAPIDoc(t)
	if _, err := gorillamux.NewRouter(doc); err != nil {
		t.Fatalf("no router can be built from openapi.yaml: %v", err)
	}
}

// routePattern matches a route registration in api.go.
var routePattern = regexp.MustCompile(`mux\.Handle(?:Func)?\(\s*"([^"]*)"`)

// TestOpenAPIDocumentsEveryRoute checks that the operations of the document
// are exactly the routes api.go registers: a route added without being
// documented (or documented but gone) fails here.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	doc := loadOpenAPIDoc(t)
	src, err := os.ReadFile("api.go")
	if err != nil {
		t.Fatal(err)
	}
	registered := map[string]bool{}
	for _, m := range routePattern.FindAllStringSubmatch(string(src), -1) {
		pattern := m[1]
		if pattern == "/api/" { // the catch-all 404
			continue
		}
		method, path, ok := strings.Cut(pattern, " ")
		if !ok {
			t.Errorf("api.go: route %q has no method, so it cannot be matched to a documented operation", pattern)
			continue
		}
		registered[method+" "+strings.TrimSpace(path)] = true
	}
	if len(registered) < 10 {
		t.Fatalf("found only %d routes in api.go (%v): has the registration style changed?", len(registered), registered)
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	for _, r := range sortedKeys(registered) {
		if !documented[r] {
			t.Errorf("route %q is registered in api.go but not documented in openapi.yaml", r)
		}
	}
	for _, r := range sortedKeys(documented) {
		if !registered[r] {
			t.Errorf("operation %q is documented in openapi.yaml but api.go registers no such route", r)
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// contract sends requests to a test server and checks each request and
// response against the OpenAPI document.
type contract struct {
	t      *testing.T
	e      *env
	doc    *openapi3.T
	router routers.Router
	// hit records, per documented operation, the statuses seen.
	hit map[string]map[int]bool
}

func newContract(t *testing.T, e *env, doc *openapi3.T) *contract {
	t.Helper()
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("router from openapi.yaml: %v", err)
	}
	return &contract{t: t, e: e, doc: doc, router: router, hit: map[string]map[int]bool{}}
}

var contractOptions = &openapi3filter.Options{
	AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc, // the server checks the token
	IncludeResponseStatus: true,                                  // an undocumented status is a mismatch
	SkipSettingDefaults:   true,
	MultiError:            true,
}

// reply is what the server answered.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// decode unmarshals the body into v, failing the test if it cannot.
func (r reply) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// call sends a request that the document allows and fails the test unless
// the status is want; both the request and the response must match the
// document. body is JSON-encoded unless it is a string or []byte; headers
// are name, value pairs.
func (c *contract) call(want int, method, path, token string, body any, headers ...string) reply {
	c.t.Helper()
	return c.send([]int{want}, true, method, path, token, body, headers...)
}

// callInvalid sends a request that the document does NOT allow (bad JSON, a
// limit out of range): the document must reject it, the server must answer
// want, and the answer must match the document.
func (c *contract) callInvalid(want int, method, path, token string, body any, headers ...string) reply {
	c.t.Helper()
	return c.send([]int{want}, false, method, path, token, body, headers...)
}

func (c *contract) send(want []int, valid bool, method, path, token string, body any, headers ...string) reply {
	c.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		raw = j
	}
	newRequest := func() *http.Request {
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(raw)
		}
		req, err := http.NewRequest(method, c.e.srv.URL+path, rd)
		if err != nil {
			c.t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		return req
	}
	name := method + " " + path

	// The request, against the document.
	vreq := newRequest()
	route, params, err := c.router.FindRoute(vreq)
	if err != nil {
		c.t.Fatalf("%s: openapi.yaml has no operation for this request: %v", name, err)
	}
	op := route.Method + " " + route.Path
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: contractOptions}
	reqErr := openapi3filter.ValidateRequest(context.Background(), in)
	switch {
	case valid && reqErr != nil:
		c.t.Errorf("%s: the request does not match openapi.yaml (operation %s):\n%v", name, op, reqErr)
	case !valid && reqErr == nil:
		c.t.Errorf("%s: openapi.yaml accepts a request the test sends as invalid: body %s", name, raw)
	}

	// The exchange, over real HTTP.
	resp, err := c.e.srv.Client().Do(newRequest())
	if err != nil {
		c.t.Fatalf("%s: %v", name, err)
	}
	out, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		c.t.Fatalf("%s: read body: %v", name, err)
	}
	r := reply{status: resp.StatusCode, header: resp.Header, body: out}
	if c.hit[op] == nil {
		c.hit[op] = map[int]bool{}
	}
	c.hit[op][r.status] = true

	// The response, against the document.
	rin := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: r.status, Header: r.header, Options: contractOptions}
	rin.SetBodyBytes(out)
	if err := openapi3filter.ValidateResponse(context.Background(), rin); err != nil {
		c.t.Errorf("%s: the %d response does not match openapi.yaml (operation %s):\n%v\nbody: %s", name, r.status, op, err, out)
	} else if doc := route.Operation.Responses.Status(r.status); doc != nil && doc.Value != nil && len(doc.Value.Content) == 0 && len(out) > 0 {
		c.t.Errorf("%s: openapi.yaml documents the %d response without a body, but it has one: %s", name, r.status, out)
	}

	if !slices.Contains(want, r.status) {
		c.t.Fatalf("%s: status %d, want %v: %s", name, r.status, want, out)
	}
	return r
}

// problem decodes a problem response and checks its code and, when field is
// not empty, that errors[] names the field.
func (c *contract) problem(r reply, code, field string) {
	c.t.Helper()
	var p api.Problem
	r.decode(c.t, &p)
	if p.Code != code || p.Status != r.status {
		c.t.Errorf("problem %s: code %q status %d, want %q %d", r.body, p.Code, p.Status, code, r.status)
	}
	if field == "" {
		return
	}
	for _, f := range p.Errors {
		if f.Field == field {
			return
		}
	}
	c.t.Errorf("problem %s: errors[] does not name %q", r.body, field)
}

// TestOpenAPIMatchesHandlers drives every endpoint over real HTTP and checks
// every request and response against openapi.yaml.
func TestOpenAPIMatchesHandlers(t *testing.T) {
	doc := loadOpenAPIDoc(t)
	storetest.Each(t, func(t *testing.T, dialect string) {
		e := newEnv(t, dialect)
		c := newContract(t, e, doc)
		admin := e.user("boss@example.com", otklik.RoleAdmin, "")
		viewer := e.user("ceo@example.com", otklik.RoleViewer, "")

		// The document itself, without a token.
		r := c.call(200, "GET", "/api/v1/openapi.yaml", "", nil)
		if !bytes.Equal(r.body, api.OpenAPI) {
			t.Errorf("GET /api/v1/openapi.yaml does not serve the embedded document")
		}

		// Surveys.
		r = c.call(201, "POST", "/api/v1/surveys", admin, npsSurvey("nps"))
		if loc := r.header.Get("Location"); loc != "/api/v1/surveys/nps" {
			t.Errorf("survey Location %q", loc)
		}
		for _, kind := range []string{"csat", "ces"} {
			c.call(201, "POST", "/api/v1/surveys", admin, map[string]any{
				"key": kind, "kind": kind, "score_position": "last",
				"title":          map[string]string{"ru": "Оценка", "en": "Rating"},
				"score_question": map[string]string{"ru": "Насколько просто?", "en": "How easy?"},
			})
		}
		c.problem(c.call(409, "POST", "/api/v1/surveys", admin, npsSurvey("nps")), otklik.ECONFLICT, "key")
		c.problem(c.call(403, "POST", "/api/v1/surveys", viewer, npsSurvey("by-viewer")), otklik.EFORBIDDEN, "")
		c.problem(c.call(422, "POST", "/api/v1/surveys", admin, map[string]any{
			"key": "custom", "kind": "custom", "scale": map[string]int{"min": 5, "max": 1},
			"title":          map[string]string{"ru": "Оценка", "en": "Rating"},
			"score_question": map[string]string{"ru": "Оценка?", "en": ""},
		}), otklik.EINVALID, "scale")
		c.problem(c.callInvalid(400, "POST", "/api/v1/surveys", admin, `{"key": "broken"`), otklik.EMALFORMED, "")
		var surveys struct{ Items []otklik.Survey }
		c.call(200, "GET", "/api/v1/surveys", viewer, nil).decode(t, &surveys)
		if len(surveys.Items) != 3 {
			t.Errorf("%d surveys listed, want 3", len(surveys.Items))
		}
		c.call(200, "GET", "/api/v1/surveys/nps", viewer, nil)
		c.problem(c.call(404, "GET", "/api/v1/surveys/nope", admin, nil), otklik.ENOTFOUND, "")

		// Customers: created (201), then changed (200), nulls clearing fields.
		r = c.call(201, "POST", "/api/v1/customers", admin, map[string]any{
			"external_id": "crm-1", "name": "Анна Петрова", "company": "ООО Ромашка", "email": "Anna@Example.com",
			"phone": "+7 900 000-00-00", "telegram_chat_id": "123456", "locale": "en", "segment": "b2b",
			"services": []string{"audit", "support"}, "revenue": 150000.5, "started_at": "2024-01-15",
			"manager": "anna@example.com", "team": "Север", "region": "Москва", "attributes": map[string]any{"tier": "gold"},
			"consent":             map[string]any{"email": map[string]any{"granted": true, "at": "2026-03-01T10:00:00Z", "source": "crm"}},
			"contact_period_days": 90,
		})
		var cust map[string]any
		r.decode(t, &cust)
		if cust["revenue"] != 150000.5 || cust["started_at"] != "2024-01-15" {
			t.Errorf("revenue and started_at come back as %v and %v", cust["revenue"], cust["started_at"])
		}
		r = c.call(200, "POST", "/api/v1/customers", admin, map[string]any{
			"external_id": "crm-1", "phone": nil, "revenue": nil, "started_at": nil, "contact_period_days": nil,
			"consent": map[string]any{"sms": map[string]any{"granted": false}},
		})
		cust = nil
		r.decode(t, &cust)
		if cust["revenue"] != nil || cust["name"] != "Анна Петрова" {
			t.Errorf("after the change: revenue %v, name %v", cust["revenue"], cust["name"])
		}
		c.call(201, "POST", "/api/v1/customers", admin, map[string]any{"external_id": "crm-2", "manager": "boris@example.com", "team": "Юг"})
		c.call(201, "POST", "/api/v1/customers", admin, map[string]any{"external_id": "crm-3", "revenue": "99 000,5"})
		c.problem(c.call(422, "POST", "/api/v1/customers", admin, map[string]any{"external_id": "crm-4", "email": "not an e-mail", "locale": "de"}),
			otklik.EINVALID, "email")
		c.problem(c.call(403, "POST", "/api/v1/customers", viewer, map[string]any{"external_id": "crm-5"}), otklik.EFORBIDDEN, "")
		c.problem(c.callInvalid(400, "POST", "/api/v1/customers", admin, `{"external_id": "crm-6",}`), otklik.EMALFORMED, "")
		c.problem(c.call(413, "POST", "/api/v1/customers", admin, map[string]any{
			"external_id": "crm-7", "attributes": map[string]string{"blob": strings.Repeat("x", 1<<20)},
		}), otklik.ETOOLARGE, "")

		c.call(200, "GET", "/api/v1/customers/crm-1", admin, nil)
		c.problem(c.call(404, "GET", "/api/v1/customers/nobody", admin, nil), otklik.ENOTFOUND, "")
		c.problem(c.call(403, "GET", "/api/v1/customers/crm-1", viewer, nil), otklik.EFORBIDDEN, "")

		var page struct {
			Items      []otklik.Customer
			NextCursor string `json:"next_cursor"`
		}
		c.call(200, "GET", "/api/v1/customers?limit=2", admin, nil).decode(t, &page)
		if len(page.Items) != 2 || page.NextCursor == "" {
			t.Fatalf("first page: %d customers, cursor %q", len(page.Items), page.NextCursor)
		}
		c.call(200, "GET", "/api/v1/customers?limit=2&cursor="+url.QueryEscape(page.NextCursor), admin, nil).decode(t, &page)
		if len(page.Items) != 1 || page.NextCursor != "" || page.Items[0].ExternalID != "crm-3" {
			t.Errorf("second page: %+v", page)
		}
		c.call(200, "GET", "/api/v1/customers?segment=b2b&manager=ANNA@example.com", admin, nil)
		c.problem(c.callInvalid(422, "GET", "/api/v1/customers?limit=0", admin, nil), otklik.EINVALID, "limit")
		c.problem(c.call(422, "GET", "/api/v1/customers?cursor=bogus", admin, nil), otklik.EINVALID, "cursor")

		// Answers: recorded (201), replayed (200), refused (422, 403).
		answer := map[string]any{
			"survey": "nps", "customer": "crm-1", "score": 9, "comment": "Быстро <b>и</b> чётко", "channel": "email",
			"answered_at": "2026-03-01T12:00:00Z", "answers": map[string]int{"manager_speed": 5},
		}
		r = c.call(201, "POST", "/api/v1/responses", admin, answer, "Idempotency-Key", "crm-answer-1")
		var first otklik.Response
		r.decode(t, &first)
		if r.header.Get("Location") == "" || r.header.Get("Idempotent-Replayed") != "" {
			t.Errorf("first answer: Location %q, Idempotent-Replayed %q", r.header.Get("Location"), r.header.Get("Idempotent-Replayed"))
		}
		r = c.call(200, "POST", "/api/v1/responses", admin, answer, "Idempotency-Key", "crm-answer-1")
		var again otklik.Response
		r.decode(t, &again)
		if again.ID != first.ID || r.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("replay: id %d (first %d), Idempotent-Replayed %q", again.ID, first.ID, r.header.Get("Idempotent-Replayed"))
		}
		var link struct {
			URL       string `json:"url"`
			ExpiresAt string `json:"expires_at"`
		}
		c.call(200, "GET", "/api/v1/surveys/nps/link?customer=crm-1", admin, nil).decode(t, &link)
		if !strings.HasPrefix(link.URL, "http://otklik.test/s/") {
			t.Errorf("survey link %q is not absolute under the base URL", link.URL)
		}
		c.problem(c.call(422, "GET", "/api/v1/surveys/nps/link?customer=nobody", admin, nil), otklik.EINVALID, "customer")
		var byID otklik.Response
		c.call(200, "GET", r.header.Get("Location"), admin, nil).decode(t, &byID)
		if byID.ID != first.ID || byID.Comment != first.Comment {
			t.Errorf("answer at its Location: %+v", byID)
		}
		c.call(404, "GET", "/api/v1/responses/999999", admin, nil)
		// The same key for another customer's answer is a conflict, not a replay.
		c.problem(c.call(409, "POST", "/api/v1/responses", admin, map[string]any{"survey": "nps", "customer": "crm-2", "score": 1},
			"Idempotency-Key", "crm-answer-1"), otklik.ECONFLICT, "id")
		c.call(201, "POST", "/api/v1/responses", admin, map[string]any{
			"id": "crm-answer-2", "survey": "nps", "score": 3, "answered_at": "2026-03-01T13:00:00Z",
			"customer": map[string]any{"external_id": "crm-new", "name": "Новый клиент", "revenue": 1000, "started_at": "2025-12-01"},
		})
		c.problem(c.call(422, "POST", "/api/v1/responses", admin, map[string]any{"survey": "nps", "customer": "crm-1", "score": 11}),
			otklik.EINVALID, "score")
		c.problem(c.call(422, "POST", "/api/v1/responses", admin, map[string]any{"survey": "nps", "customer": "nobody", "score": 5}),
			otklik.EINVALID, "customer")
		c.problem(c.call(403, "POST", "/api/v1/responses", viewer, map[string]any{"survey": "nps", "customer": "crm-1", "score": 5}),
			otklik.EFORBIDDEN, "")
		c.problem(c.callInvalid(400, "POST", "/api/v1/responses", admin, ""), otklik.EMALFORMED, "")

		// A batch with mixed results.
		var batch struct {
			Items []struct {
				Status   int
				Response *otklik.Response
				Error    *api.Problem
			}
			Created, Duplicates, Failed int
		}
		c.call(200, "POST", "/api/v1/responses/batch", admin, []map[string]any{
			{"survey": "nps", "customer": "crm-2", "score": 10, "answered_at": "2026-03-01T14:00:00Z"},
			{"id": "crm-answer-1", "survey": "nps", "customer": "crm-1", "score": 9},
			{"survey": "nps", "customer": "crm-1", "score": 11},
			{"survey": "nope", "customer": "crm-1", "score": 5},
			{"survey": "csat", "customer": "crm-2", "score": 4, "channel": "web"},
			{"survey": "ces", "customer": "crm-3", "score": 6, "channel": "chat", "comment": "Легко"},
		}, "Idempotency-Key", "batch-1").decode(t, &batch)
		var statuses []int
		for _, it := range batch.Items {
			statuses = append(statuses, it.Status)
		}
		if want := []int{201, 200, 422, 422, 201, 201}; !slices.Equal(statuses, want) ||
			batch.Created != 3 || batch.Duplicates != 1 || batch.Failed != 2 {
			t.Errorf("batch: statuses %v (want %v), created %d, duplicates %d, failed %d",
				statuses, want, batch.Created, batch.Duplicates, batch.Failed)
		}
		c.problem(c.callInvalid(422, "POST", "/api/v1/responses/batch", admin, []any{}), otklik.EINVALID, "")
		c.problem(c.call(403, "POST", "/api/v1/responses/batch", viewer, []map[string]any{{"survey": "nps", "customer": "crm-1", "score": 5}}),
			otklik.EFORBIDDEN, "")

		// Listing answers, a page at a time.
		var answers struct {
			Items      []otklik.Response
			NextCursor string `json:"next_cursor"`
		}
		c.call(200, "GET", "/api/v1/responses?limit=2", viewer, nil).decode(t, &answers)
		if len(answers.Items) != 2 || answers.NextCursor == "" {
			t.Fatalf("first page of answers: %d, cursor %q", len(answers.Items), answers.NextCursor)
		}
		seen := len(answers.Items)
		for answers.NextCursor != "" {
			cursor := answers.NextCursor
			answers.NextCursor = ""
			c.call(200, "GET", "/api/v1/responses?limit=2&cursor="+url.QueryEscape(cursor), viewer, nil).decode(t, &answers)
			seen += len(answers.Items)
		}
		if seen != 5 {
			t.Errorf("paged through %d answers, want 5", seen)
		}
		c.call(200, "GET", "/api/v1/responses?survey=nps&from=2026-03-01&to=2026-03-01T13:30:00Z", admin, nil)
		c.problem(c.call(422, "GET", "/api/v1/responses?from=2026-03-02&to=2026-03-01", admin, nil), otklik.EINVALID, "to")
		c.problem(c.call(403, "GET", "/api/v1/responses", e.user("agent@example.com", otklik.RoleAgent, ""), nil), otklik.EFORBIDDEN, "")

		// The three metrics.
		var nps struct{ N, Promoters, Detractors int }
		c.call(200, "GET", "/api/v1/metrics/nps?survey=nps&from=2026-03-01&to=2026-03-02", viewer, nil).decode(t, &nps)
		if nps.N != 3 || nps.Promoters != 2 || nps.Detractors != 1 {
			t.Errorf("NPS: %+v", nps)
		}
		c.call(200, "GET", "/api/v1/metrics/csat", viewer, nil)
		c.call(200, "GET", "/api/v1/metrics/ces?from=2026-03-01T00:00:00Z", viewer, nil)
		c.call(200, "GET", "/api/v1/metrics/ces?to=2020-01-01", viewer, nil) // no answers: zeros, not NaN
		c.problem(c.call(422, "GET", "/api/v1/metrics/nps?survey=csat", viewer, nil), otklik.EINVALID, "survey")
		c.problem(c.call(422, "GET", "/api/v1/metrics/csat?survey=nope", viewer, nil), otklik.EINVALID, "survey")
		c.problem(c.callInvalid(422, "GET", "/api/v1/metrics/ces?from=yesterday", viewer, nil), otklik.EINVALID, "from")

		// The cuts: groups, the weighted NPS, comparisons and filters.
		type npsCut struct {
			N       int
			Overall struct{ N int }
			GroupBy string `json:"group_by"`
			Groups  []struct {
				Key         string
				N           int
				WeightedN   int      `json:"weighted_n"`
				PreviousNPS *float64 `json:"previous_nps"`
			}
		}
		var cut npsCut
		c.call(200, "GET", "/api/v1/metrics/nps?survey=nps&group_by=month&weighted=true", viewer, nil).decode(t, &cut)
		if cut.N != 3 || cut.Overall.N != 3 || cut.GroupBy != "month" || len(cut.Groups) != 1 || cut.Groups[0].Key != "2026-03" ||
			cut.Groups[0].WeightedN != 1 || cut.Groups[0].PreviousNPS != nil {
			t.Errorf("NPS by month: %+v", cut)
		}
		cut = npsCut{}
		c.call(200, "GET", "/api/v1/metrics/nps?survey=nps&from=2026-03-01&to=2026-03-01&group_by=month&compare=previous", viewer, nil).decode(t, &cut)
		if len(cut.Groups) != 1 || cut.Groups[0].PreviousNPS == nil {
			t.Errorf("NPS by month compared with the previous period: %+v", cut)
		}
		c.call(200, "GET", "/api/v1/metrics/nps?from=2026-03-01&to=2026-03-02&group_by=manager&compare=previous", viewer, nil)
		cut = npsCut{}
		c.call(200, "GET", "/api/v1/metrics/nps?group_by=tenure&filter[segment]=b2b", viewer, nil).decode(t, &cut)
		if cut.N != 1 || len(cut.Groups) != 1 || cut.Groups[0].Key != "" { // crm-1 has no start any more: tenure unknown
			t.Errorf("NPS of segment b2b by tenure: %+v", cut)
		}
		c.call(200, "GET", "/api/v1/metrics/nps?group_by=service&filter[tenure]=3-5", viewer, nil)
		c.call(200, "GET", "/api/v1/metrics/csat?group_by=channel&from=2026-03-01&to=2026-03-01&compare=previous", viewer, nil)
		c.call(200, "GET", "/api/v1/metrics/ces?survey=ces&group_by=week&filter[channel]=chat&from=2026-03-01&to=2026-03-02&compare=previous", viewer, nil)
		c.call(200, "GET", "/api/v1/metrics/csat?group_by=team", viewer, nil)
		c.problem(c.callInvalid(422, "GET", "/api/v1/metrics/nps?group_by=colour", viewer, nil), otklik.EINVALID, "group_by")
		c.problem(c.callInvalid(422, "GET", "/api/v1/metrics/nps?group_by=cohort", viewer, nil), otklik.EINVALID, "group_by")
		c.problem(c.callInvalid(422, "GET", "/api/v1/metrics/nps?compare=next&from=2026-03-01&to=2026-03-02", viewer, nil), otklik.EINVALID, "compare")
		c.problem(c.call(422, "GET", "/api/v1/metrics/nps?compare=previous&from=2026-03-01", viewer, nil), otklik.EINVALID, "compare")
		// The document lists the filter dimensions, but kin-openapi does not check a
		// deepObject's keys against them: the request passes it, the server refuses it.
		c.problem(c.call(422, "GET", "/api/v1/metrics/csat?filter[colour]=red", viewer, nil), otklik.EINVALID, "filter[colour]")
		c.problem(c.call(403, "GET", "/api/v1/metrics/nps?group_by=month", e.user("agent2@example.com", otklik.RoleAgent, ""), nil), otklik.EFORBIDDEN, "")

		// Cohorts, drivers and the benchmark.
		var cohorts struct {
			Metric string
			Bands  []string
			Rows   []struct {
				Cohort string
				Cells  map[string]struct{ N int }
			}
		}
		c.call(200, "GET", "/api/v1/metrics/cohorts?survey=nps&metric=nps", viewer, nil).decode(t, &cohorts)
		// crm-1 (start cleared) and crm-2 (none): unknown cohort and band; crm-new
		// started 2025-12-01 and answered 2026-03-01: 3 months, band 3-5.
		if cohorts.Metric != "nps" || len(cohorts.Bands) != 6 || len(cohorts.Rows) != 2 ||
			cohorts.Rows[0].Cohort != "" || cohorts.Rows[0].Cells[""].N != 2 ||
			cohorts.Rows[1].Cohort != "2025-12" || cohorts.Rows[1].Cells["3-5"].N != 1 {
			t.Errorf("cohorts: %+v", cohorts)
		}
		c.call(200, "GET", "/api/v1/metrics/cohorts", viewer, nil)
		c.call(200, "GET", "/api/v1/metrics/cohorts?metric=ces&from=2026-03-01&filter[channel]=chat", viewer, nil)
		c.problem(c.callInvalid(422, "GET", "/api/v1/metrics/cohorts?metric=effort", viewer, nil), otklik.EINVALID, "metric")
		c.problem(c.call(422, "GET", "/api/v1/metrics/cohorts?metric=csat&survey=nps", viewer, nil), otklik.EINVALID, "survey")
		var drivers struct {
			Method  string
			Note    string
			Drivers []struct {
				Key           string
				N             int
				MeanPromoters *float64 `json:"mean_promoters"`
			}
			Groups []struct{ Key string }
		}
		c.call(200, "GET", "/api/v1/metrics/drivers?survey=nps&group_by=manager", viewer, nil).decode(t, &drivers)
		if drivers.Method != "Johnson's relative weights" || len(drivers.Drivers) != 1 || drivers.Drivers[0].N != 1 ||
			drivers.Drivers[0].MeanPromoters == nil || *drivers.Drivers[0].MeanPromoters != 5 || drivers.Note == "" ||
			len(drivers.Groups) != 1 || drivers.Groups[0].Key != "anna@example.com" {
			t.Errorf("drivers: %+v", drivers)
		}
		c.call(200, "GET", "/api/v1/metrics/drivers?survey=csat&from=2026-03-01&to=2026-03-02&group_by=team", viewer, nil)
		c.problem(c.callInvalid(422, "GET", "/api/v1/metrics/drivers", viewer, nil), otklik.EINVALID, "survey")
		c.problem(c.call(422, "GET", "/api/v1/metrics/drivers?survey=nope", viewer, nil), otklik.EINVALID, "survey")
		c.problem(c.callInvalid(422, "GET", "/api/v1/metrics/drivers?survey=nps&group_by=region", viewer, nil), otklik.EINVALID, "group_by")
		var bench struct {
			Key, Position string
			Low, High     float64
			N             int
		}
		c.call(200, "GET", "/api/v1/metrics/benchmark?survey=nps&industry=credit_brokerage", viewer, nil).decode(t, &bench)
		if bench.Key != "credit_brokerage" || bench.Low != 25 || bench.High != 35 || bench.N != 3 || bench.Position != "within" {
			t.Errorf("benchmark: %+v", bench) // (2 − 1)/3 = 33.3: within 25–35
		}
		c.call(200, "GET", "/api/v1/metrics/benchmark?industry=telecom&from=2020-01-01&to=2020-01-31", viewer, nil).decode(t, &bench)
		if bench.N != 0 || bench.Position != "" {
			t.Errorf("benchmark without answers: %+v", bench)
		}
		c.problem(c.callInvalid(422, "GET", "/api/v1/metrics/benchmark?industry=astrology", viewer, nil), otklik.EINVALID, "industry")
		c.problem(c.call(422, "GET", "/api/v1/metrics/benchmark?survey=csat&industry=retail", viewer, nil), otklik.EINVALID, "survey")

		// Exporting and erasing a person.
		var export struct {
			Customer  otklik.Customer
			Responses []otklik.Response
		}
		r = c.call(200, "GET", "/api/v1/customers/crm-1/export", admin, nil)
		r.decode(t, &export)
		if export.Customer.ExternalID != "crm-1" || len(export.Responses) != 1 {
			t.Errorf("export: customer %q with %d answers", export.Customer.ExternalID, len(export.Responses))
		}
		c.problem(c.call(403, "GET", "/api/v1/customers/crm-1/export", viewer, nil), otklik.EFORBIDDEN, "")
		c.problem(c.call(404, "GET", "/api/v1/customers/nobody/export", admin, nil), otklik.ENOTFOUND, "")
		c.problem(c.call(403, "DELETE", "/api/v1/customers/crm-1", viewer, nil), otklik.EFORBIDDEN, "")
		c.call(204, "DELETE", "/api/v1/customers/crm-1", admin, nil)
		c.problem(c.call(404, "GET", "/api/v1/customers/crm-1", admin, nil), otklik.ENOTFOUND, "")
		c.problem(c.call(404, "DELETE", "/api/v1/customers/crm-1", admin, nil), otklik.ENOTFOUND, "")

		// Without a valid token: 401, and 429 once an address keeps failing.
		r = c.call(401, "GET", "/api/v1/customers", "", nil)
		c.problem(r, otklik.EUNAUTHORIZED, "")
		limited := false
		for range 40 {
			r := c.send([]int{401, 429}, true, "GET", "/api/v1/surveys", "otk_forged", nil)
			if r.status == http.StatusTooManyRequests {
				c.problem(r, otklik.ERATELIMIT, "")
				limited = true
				break
			}
		}
		if !limited {
			t.Errorf("40 bad tokens were never rate-limited")
		}

		// Every documented operation was exercised.
		for path, item := range doc.Paths.Map() {
			for method := range item.Operations() {
				op := method + " " + path
				if len(c.hit[op]) == 0 {
					t.Errorf("operation %s is never exercised by this test: add it to the scenario", op)
				}
			}
		}
		if testing.Verbose() {
			for _, op := range sortedKeys(boolKeys(c.hit)) {
				t.Logf("%-45s %v", op, sortedInts(c.hit[op]))
			}
		}
	})
}

func boolKeys(m map[string]map[int]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

func sortedInts(m map[int]bool) string {
	var out []int
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return fmt.Sprint(out)
}
