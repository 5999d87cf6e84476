package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/google/go-cmp/cmp"

	"otklik"
	"otklik/internal/api"
	"otklik/internal/calendar"
	"otklik/internal/casework"
	"otklik/internal/dispatch"
	"otklik/internal/loop"
	"otklik/internal/outreach"
	"otklik/internal/referral"
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

// TestOpenAPISchemaExamplesValidate checks every `examples` value in the
// document's schemas against the schema it illustrates: kin-openapi's own
// example validation reads only the OpenAPI `example` fields, not the JSON
// Schema `examples` this document uses.
func TestOpenAPISchemaExamplesValidate(t *testing.T) {
	doc := loadOpenAPIDoc(t)
	seen := map[*openapi3.Schema]bool{}
	checked := 0
	var walk func(where string, ref *openapi3.SchemaRef)
	walk = func(where string, ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		for i, ex := range s.Examples {
			checked++
			if err := s.VisitJSON(ex, openapi3.EnableJSONSchema2020()); err != nil {
				t.Errorf("%s: examples[%d] %v does not match its schema: %v", where, i, ex, err)
			}
		}
		for name, p := range s.Properties {
			walk(where+"."+name, p)
		}
		for i, sub := range slices.Concat(s.AllOf, s.AnyOf, s.OneOf) {
			walk(fmt.Sprintf("%s/of[%d]", where, i), sub)
		}
		walk(where+"[]", s.Items)
		walk(where+"{}", s.AdditionalProperties.Schema)
		walk(where+"/propertyNames", s.PropertyNames)
		walk(where+"/not", s.Not)
	}
	for name, ref := range doc.Components.Schemas {
		walk(name, ref)
	}
	for name, p := range doc.Components.Parameters {
		walk("parameter "+name, p.Value.Schema)
	}
	if checked < 20 {
		t.Errorf("checked only %d examples: has the walk stopped reaching them?", checked)
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

		// The closed loop. This env runs no background work, so the scan that
		// opens cases runs by hand. The answers above open three: thank-you
		// tasks for the promoters crm-1 (anna) and crm-2 (boris), and a
		// detractor case for crm-new's 3 with no owner (no manager, no team).
		boris := e.user("boris@example.com", otklik.RoleManager, "Юг")
		anna := e.user("anna@example.com", otklik.RoleManager, "Север")
		lead := e.user("lead@example.com", otklik.RoleLead, "Юг")
		agent := e.user("support@example.com", otklik.RoleAgent, "")
		if opened, err := e.app.Cases.Scan(context.Background()); err != nil || opened != 3 {
			t.Fatalf("first scan opened %d cases (err %v), want 3", opened, err)
		}
		c.call(201, "POST", "/api/v1/responses", admin, map[string]any{"survey": "nps", "customer": "crm-2", "score": 2,
			"comment": "Долго ждали ответа", "answered_at": "2026-03-02T08:00:00Z"})
		if opened, err := e.app.Cases.Scan(context.Background()); err != nil || opened != 1 {
			t.Fatalf("the scan after a detractor's answer opened %d cases (err %v), want 1", opened, err)
		}

		// Listing cases: by filter, a page at a time, within each caller's reach.
		type caseList struct {
			Items      []otklik.Case
			NextCursor string `json:"next_cursor"`
		}
		var cases caseList
		c.call(200, "GET", "/api/v1/cases?customer=crm-2&kind=detractor", admin, nil).decode(t, &cases)
		if len(cases.Items) != 1 || cases.NextCursor != "" {
			t.Fatalf("crm-2's detractor cases: %+v", cases)
		}
		dc := cases.Items[0]
		// Opened Monday 2 March 12:00 in Moscow (09:00 UTC): first contact
		// within 4 working hours, 16:00; resolution by the close (18:00) of
		// the third working day after, Thursday 5 March.
		if dc.Owner != "boris@example.com" || fmt.Sprint(dc.Watchers) != "[lead@example.com]" || dc.Status != otklik.CaseOpen ||
			dc.Kind != otklik.CaseDetractor || dc.Score != 2 || dc.Team != "Юг" || dc.Comment != "Долго ждали ответа" ||
			dc.Events != nil || dc.FirstContactDue == nil || !dc.FirstContactDue.Equal(t0.Add(4*time.Hour)) ||
			dc.ResolutionDue == nil || !dc.ResolutionDue.Equal(time.Date(2026, 3, 5, 15, 0, 0, 0, time.UTC)) {
			t.Errorf("crm-2's case: %+v", dc)
		}
		caseURL := fmt.Sprintf("/api/v1/cases/%d", dc.ID)
		cases = caseList{}
		c.call(200, "GET", "/api/v1/cases?limit=3", viewer, nil).decode(t, &cases)
		if len(cases.Items) != 3 || cases.NextCursor == "" || cases.Items[0].ID != dc.ID {
			t.Fatalf("first page of cases: %+v", cases)
		}
		lastID := cases.Items[2].ID
		cases = caseList{}
		c.call(200, "GET", "/api/v1/cases?limit=3&cursor="+url.QueryEscape(fmt.Sprint(lastID)), viewer, nil).decode(t, &cases)
		if len(cases.Items) != 1 || cases.NextCursor != "" || cases.Items[0].ID >= lastID {
			t.Errorf("second page of cases after %d: %+v", lastID, cases)
		}
		for _, who := range []struct {
			token string
			want  int
		}{{lead, 2}, {anna, 1}, {boris, 2}} { // the team Юг's two; anna's thank-you task; boris's two
			cases = caseList{}
			c.call(200, "GET", "/api/v1/cases", who.token, nil).decode(t, &cases)
			if len(cases.Items) != who.want {
				t.Errorf("a caller sees %d cases, want %d: %+v", len(cases.Items), who.want, cases.Items)
			}
		}
		c.problem(c.callInvalid(422, "GET", "/api/v1/cases?status=pending", admin, nil), otklik.EINVALID, "status")
		c.problem(c.call(422, "GET", "/api/v1/cases?cursor=bogus", admin, nil), otklik.EINVALID, "cursor")
		c.problem(c.call(403, "GET", "/api/v1/cases", agent, nil), otklik.EFORBIDDEN, "")

		// One case with its timeline; out of reach it does not exist.
		var got otklik.Case
		c.call(200, "GET", caseURL, viewer, nil).decode(t, &got)
		if got.ID != dc.ID || len(got.Events) != 1 || got.Events[0].Kind != "opened" || got.Events[0].Body != "Detractors and unhappy customers" {
			t.Errorf("the case with its timeline: %+v", got)
		}
		c.problem(c.call(404, "GET", caseURL, anna, nil), otklik.ENOTFOUND, "")
		c.problem(c.call(404, "GET", "/api/v1/cases/999999", admin, nil), otklik.ENOTFOUND, "")
		c.problem(c.call(403, "GET", caseURL, agent, nil), otklik.EFORBIDDEN, "")

		// Working it: a note, a call-back 90 minutes after opening, a
		// resolution, then filing it. Viewers read but may not work it.
		c.problem(c.call(403, "POST", caseURL+"/notes", viewer, map[string]any{"body": "Смотрю"}), otklik.EFORBIDDEN, "")
		c.problem(c.call(404, "POST", caseURL+"/notes", anna, map[string]any{"body": "Чужой случай"}), otklik.ENOTFOUND, "")
		c.problem(c.call(422, "POST", caseURL+"/notes", boris, map[string]any{"body": "   "}), otklik.EINVALID, "body")
		c.problem(c.callInvalid(400, "POST", caseURL+"/notes", boris, `{"body": `), otklik.EMALFORMED, "")
		var noted otklik.Case
		c.call(201, "POST", caseURL+"/notes", boris, map[string]any{"body": " Позвоню после обеда "}).decode(t, &noted)
		if n := len(noted.Events); n != 2 || noted.Events[1].Kind != "note" || noted.Events[1].Author != "boris@example.com" ||
			noted.Events[1].Body != "Позвоню после обеда" {
			t.Errorf("after the note: %+v", noted.Events)
		}

		e.clock.Add(90 * time.Minute)
		c.problem(c.callInvalid(422, "POST", caseURL+"/contact", boris, map[string]any{"outcome": "maybe"}), otklik.EINVALID, "outcome")
		c.problem(c.call(422, "POST", caseURL+"/contact", boris, map[string]any{"outcome": "reached", "at": "2026-03-03T09:00:00Z"}),
			otklik.EINVALID, "at")
		c.problem(c.call(403, "POST", caseURL+"/contact", viewer, map[string]any{"outcome": "reached"}), otklik.EFORBIDDEN, "")
		var contacted otklik.Case
		c.call(200, "POST", caseURL+"/contact", boris, map[string]any{"outcome": "reached", "note": "Извинился"}).decode(t, &contacted)
		if contacted.Status != otklik.CaseContacted || contacted.CallbackOutcome != "reached" || contacted.ContactedAt == nil ||
			!contacted.ContactedAt.Equal(t0.Add(90*time.Minute)) {
			t.Errorf("after the call-back: %+v", contacted)
		}

		c.problem(c.call(403, "POST", caseURL+"/resolve", viewer, map[string]any{"root_cause": "speed", "decision": "x"}), otklik.EFORBIDDEN, "")
		r = c.callInvalid(422, "POST", caseURL+"/resolve", boris, map[string]any{"root_cause": "weather"})
		c.problem(r, otklik.EINVALID, "root_cause")
		c.problem(r, otklik.EINVALID, "decision")
		c.problem(c.call(422, "POST", caseURL+"/resolve", boris, map[string]any{"root_cause": "speed", "decision": "  "}),
			otklik.EINVALID, "decision")
		c.problem(c.call(404, "POST", "/api/v1/cases/999999/resolve", admin, map[string]any{"root_cause": "speed", "decision": "x"}),
			otklik.ENOTFOUND, "")
		var resolved otklik.Case
		c.call(200, "POST", caseURL+"/resolve", boris, map[string]any{"root_cause": "speed", "decision": "Отвечать в течение часа",
			"action": "Дежурный менеджер", "customer_told": true}).decode(t, &resolved)
		// The default rule re-surveys 14 days after the resolution.
		if resolved.Status != otklik.CaseResolved || resolved.RootCause != "speed" || !resolved.CustomerTold ||
			resolved.ResurveyAt == nil || !resolved.ResurveyAt.Equal(t0.Add(90*time.Minute).AddDate(0, 0, 14)) {
			t.Errorf("resolved: %+v", resolved)
		}
		c.problem(c.call(409, "POST", caseURL+"/resolve", boris, map[string]any{"root_cause": "speed", "decision": "Ещё раз"}),
			otklik.ECONFLICT, "")

		c.problem(c.call(403, "POST", caseURL+"/close", viewer, nil), otklik.EFORBIDDEN, "")
		c.problem(c.call(404, "POST", "/api/v1/cases/999999/close", boris, nil), otklik.ENOTFOUND, "")
		var closed otklik.Case
		c.call(200, "POST", caseURL+"/close", boris, nil).decode(t, &closed)
		var timeline []string
		for _, ev := range closed.Events {
			timeline = append(timeline, ev.Kind)
		}
		if closed.Status != otklik.CaseClosed || closed.ClosedAt == nil ||
			fmt.Sprint(timeline) != "[opened note contact resolved closed]" {
			t.Errorf("closed: status %s, timeline %v", closed.Status, timeline)
		}
		c.problem(c.call(409, "POST", caseURL+"/close", boris, nil), otklik.ECONFLICT, "")
		c.problem(c.call(409, "POST", caseURL+"/contact", boris, map[string]any{"outcome": "no_answer"}), otklik.ECONFLICT, "")

		// The loop's figures: the detractor cases of crm-new (never reached)
		// and crm-2 (reached after 90 minutes, resolved the same day).
		var loopFig struct {
			From, To string
			Figures  casework.Figures
			GroupBy  string `json:"group_by"`
			Groups   []casework.Figures
		}
		c.call(200, "GET", "/api/v1/metrics/loop?from=2026-03-01&to=2026-03-31", viewer, nil).decode(t, &loopFig)
		f := loopFig.Figures
		if from, err := time.Parse(time.RFC3339, loopFig.From); err != nil || !from.Equal(time.Date(2026, 2, 28, 21, 0, 0, 0, time.UTC)) {
			t.Errorf("loop figures from %q, want the start of 1 March in Moscow", loopFig.From)
		}
		if to, err := time.Parse(time.RFC3339, loopFig.To); err != nil || !to.Equal(time.Date(2026, 3, 31, 21, 0, 0, 0, time.UTC)) {
			t.Errorf("loop figures to %q, want the end of 31 March in Moscow", loopFig.To)
		}
		if f.Opened != 2 || f.ContactedInSLA != 1 || f.ResolvedInSLA != 1 || f.MedianFirstContactMinutes == nil ||
			*f.MedianFirstContactMinutes != 90 || f.AnsweredAgain != 0 || f.WonBackRate != nil {
			t.Errorf("loop figures: %+v", f)
		}
		loopFig.Groups = nil
		c.call(200, "GET", "/api/v1/metrics/loop?from=2026-03-01&to=2026-03-31&group_by=owner", viewer, nil).decode(t, &loopFig)
		if g := loopFig.Groups; loopFig.GroupBy != "owner" || len(g) != 2 ||
			g[0].Key != "" || g[0].Opened != 1 || g[0].ContactedInSLA != 0 || g[0].MedianFirstContactMinutes != nil ||
			g[1].Key != "boris@example.com" || g[1].Opened != 1 || g[1].MedianFirstContactMinutes == nil || *g[1].MedianFirstContactMinutes != 90 {
			t.Errorf("loop figures by owner: %+v", g)
		}
		loopFig.Groups = nil
		c.call(200, "GET", "/api/v1/metrics/loop?from=2026-03-01&to=2026-03-31&group_by=root_cause", lead, nil).decode(t, &loopFig)
		if g := loopFig.Groups; len(g) != 1 || g[0].Key != "speed" || g[0].ResolvedInSLA != 1 { // the lead's team only
			t.Errorf("the lead's loop figures by root cause: %+v", g)
		}
		c.problem(c.callInvalid(422, "GET", "/api/v1/metrics/loop?group_by=colour", viewer, nil), otklik.EINVALID, "group_by")
		c.problem(c.call(422, "GET", "/api/v1/metrics/loop?from=2026-03-31&to=2026-03-01", viewer, nil), otklik.EINVALID, "to")
		c.problem(c.call(403, "GET", "/api/v1/metrics/loop", agent, nil), otklik.EFORBIDDEN, "")

		// Routing rules: the two that ship, then a third put first.
		var rules struct{ Items []loop.Rule }
		c.call(200, "GET", "/api/v1/loop/rules", admin, nil).decode(t, &rules)
		if len(rules.Items) != 2 || rules.Items[0].ID != 1 || rules.Items[0].FirstContact != 4*time.Hour ||
			rules.Items[1].ID != 2 || rules.Items[1].Case != otklik.CaseThanks {
			t.Fatalf("the rules that ship: %+v", rules.Items)
		}
		vip := map[string]any{"name": "Крупные клиенты", "enabled": true,
			"when":                  map[string]any{"kinds": []string{"nps"}, "score_max": 8, "revenue_min": 1000000},
			"owner":                 map[string]any{"kind": "team_lead"},
			"watchers":              []map[string]any{{"kind": "user", "email": "boss@example.com"}, {"kind": "channel_specialist"}},
			"first_contact_minutes": 60, "resolution_days": 2, "resurvey_days": 30}
		c.call(200, "PUT", "/api/v1/loop/rules", admin, map[string]any{"items": []any{vip, rules.Items[0], rules.Items[1]}}).decode(t, &rules)
		if len(rules.Items) != 3 || rules.Items[0].ID != 3 || rules.Items[0].Position != 0 || rules.Items[0].FirstContact != time.Hour ||
			rules.Items[1].ID != 1 || rules.Items[1].Position != 1 || rules.Items[2].ID != 2 || rules.Items[2].Position != 2 {
			t.Errorf("the stored rules: %+v", rules.Items)
		}
		var stored struct{ Items []loop.Rule }
		c.call(200, "GET", "/api/v1/loop/rules", admin, nil).decode(t, &stored)
		if diff := cmp.Diff(rules.Items, stored.Items); diff != "" {
			t.Errorf("the rules read back differ from those stored (-stored +read):\n%s", diff)
		}
		// A rule the document allows but the server refuses: no criterion, and
		// a named owner without an e-mail; errors[] names both by the rule's index.
		r = c.call(422, "PUT", "/api/v1/loop/rules", admin, map[string]any{"items": []any{map[string]any{
			"name": "Без условия", "enabled": true, "when": map[string]any{}, "owner": map[string]any{"kind": "user"},
			"first_contact_minutes": 60, "resolution_days": 2}}})
		c.problem(r, otklik.EINVALID, "")
		var bad api.Problem
		r.decode(t, &bad)
		for _, want := range []string{"[0].when", "[0].owner.email"} {
			if !slices.ContainsFunc(bad.Errors, func(f otklik.FieldError) bool { return strings.HasSuffix(f.Field, want) }) {
				t.Errorf("the refused rule: errors[] %+v does not name %s", bad.Errors, want)
			}
		}
		c.problem(c.callInvalid(422, "PUT", "/api/v1/loop/rules", admin, map[string]any{"items": []any{map[string]any{
			"name": "Мгновенно", "when": map[string]any{"ces_hard": true}, "owner": map[string]any{"kind": "account_manager"},
			"first_contact_minutes": 0, "resolution_days": 1}}}), otklik.EINVALID, "")
		c.problem(c.callInvalid(400, "PUT", "/api/v1/loop/rules", admin, `{"items": [`), otklik.EMALFORMED, "")
		c.problem(c.call(403, "GET", "/api/v1/loop/rules", viewer, nil), otklik.EFORBIDDEN, "")
		c.problem(c.call(403, "PUT", "/api/v1/loop/rules", lead, map[string]any{"items": []any{vip}}), otklik.EFORBIDDEN, "")

		// The business calendar: the Russian default, then a week with a
		// lunch break on Mondays, a short Friday and a moved working day.
		var cal calendar.Calendar
		c.call(200, "GET", "/api/v1/loop/calendar", admin, nil).decode(t, &cal)
		if cal.Location.String() != "Europe/Moscow" || cal.Days[time.Monday].String() != "09:00-18:00" ||
			cal.Days[time.Saturday].String() != "closed" || !cal.Holidays["2026-11-04"] || cal.ExtraWorkdays["2025-11-01"].String() != "09:00-18:00" {
			t.Errorf("the default calendar: %+v", cal)
		}
		hours := func(open, close string) []map[string]string {
			return []map[string]string{{"open": open, "close": close}}
		}
		week := map[string]any{
			"1": []map[string]string{{"open": "09:00", "close": "13:00"}, {"open": "14:00", "close": "18:00"}},
			"2": hours("09:00", "18:00"), "3": hours("09:00", "18:00"), "4": hours("09:00", "18:00"), "5": hours("09:00", "16:45"),
			"6": []any{}, "7": nil,
		}
		r = c.call(200, "PUT", "/api/v1/loop/calendar", admin, map[string]any{"time_zone": "Asia/Yekaterinburg", "days": week,
			"holidays": []string{"2026-11-04"}, "extra_workdays": map[string]any{"2026-11-07": hours("10:00", "15:00")}})
		cal = calendar.Calendar{}
		r.decode(t, &cal)
		if cal.Location.String() != "Asia/Yekaterinburg" || cal.Days[time.Monday].String() != "09:00-13:00,14:00-18:00" ||
			cal.Days[time.Friday].String() != "09:00-16:45" || cal.Days[time.Sunday].String() != "closed" ||
			len(cal.Holidays) != 1 || !cal.Holidays["2026-11-04"] || cal.ExtraWorkdays["2026-11-07"].String() != "10:00-15:00" {
			t.Errorf("the stored calendar: %s", r.body)
		}
		if again := c.call(200, "GET", "/api/v1/loop/calendar", admin, nil); !bytes.Equal(again.body, r.body) {
			t.Errorf("the calendar read back: %s, want %s", again.body, r.body)
		}
		r = c.call(422, "PUT", "/api/v1/loop/calendar", admin, map[string]any{"time_zone": "Europe/Moscow", "days": map[string]any{"6": []any{}}})
		c.problem(r, otklik.EINVALID, "")
		if !strings.Contains(string(r.body), "no weekday has working hours") {
			t.Errorf("a week without working hours: %s", r.body)
		}
		c.problem(c.call(422, "PUT", "/api/v1/loop/calendar", admin, map[string]any{"time_zone": "Mars/Olympus", "days": week}), otklik.EINVALID, "")
		c.problem(c.callInvalid(422, "PUT", "/api/v1/loop/calendar", admin, map[string]any{"time_zone": "Europe/Moscow",
			"days": map[string]any{"1": hours("9:00", "18:00")}}), otklik.EINVALID, "")
		c.problem(c.callInvalid(400, "PUT", "/api/v1/loop/calendar", admin, `{"time_zone": "Europe/Moscow"`), otklik.EMALFORMED, "")
		c.problem(c.call(403, "GET", "/api/v1/loop/calendar", boris, nil), otklik.EFORBIDDEN, "")
		c.problem(c.call(403, "PUT", "/api/v1/loop/calendar", viewer, map[string]any{"time_zone": "Europe/Moscow", "days": week}), otklik.EFORBIDDEN, "")

		// Outreach. A stub of a Bitrix24 portal answers crm.deal.get for deal
		// 662 (won, its contact crm-2) through its inbound webhook
		// /rest/1/k3y/, and "not found" for any other.
		var dealCalls atomic.Int32
		portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if r.URL.Path != "/rest/1/k3y/crm.deal.get.json" || r.URL.Query().Get("id") != "662" {
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `{"error":"NOT_FOUND","error_description":"Not found"}`)
				return
			}
			dealCalls.Add(1)
			io.WriteString(w, `{"result":{"ID":"662","STAGE_ID":"WON","CONTACT_ID":"crm-2","OPPORTUNITY":"1000.00",`+
				`"MOVED_TIME":"2026-03-02T12:00:00+03:00"}}`)
		}))
		t.Cleanup(portal.Close)
		form := []string{"Content-Type", "application/x-www-form-urlencoded"}

		// The integrations: the secret is made on the first read.
		var integ dispatch.Integrations
		c.call(200, "GET", "/api/v1/integrations", admin, nil).decode(t, &integ)
		if len(integ.Secret) != 48 || integ.Bitrix.CustomerField != "CONTACT_ID" || fmt.Sprint(integ.Bitrix.WonStages) != "[WON]" ||
			fmt.Sprint(integ.Bitrix.LostStages) != "[LOSE APOLOGY]" || integ.Bitrix.PortalURL != "" {
			t.Errorf("the first integrations: %+v", integ)
		}
		c.problem(c.call(403, "GET", "/api/v1/integrations", viewer, nil), otklik.EFORBIDDEN, "")
		amoURL := "/api/v1/integrations/amocrm/" + integ.Secret
		bitrixURL := "/api/v1/integrations/bitrix24/" + integ.Secret
		notice := func(event, deal, token string) string {
			return url.Values{"event": {event}, "data[FIELDS][ID]": {deal}, "ts": {strconv.FormatInt(t0.Unix(), 10)},
				"auth[domain]": {"acme.bitrix24.ru"}, "auth[application_token]": {token}}.Encode()
		}
		// Without a portal a deal cannot be fetched.
		c.problem(c.call(409, "POST", bitrixURL, "", notice("ONCRMDEALUPDATE", "662", "b24-token"), form...), otklik.ECONFLICT, "")
		var saved dispatch.Integrations
		c.call(200, "PUT", "/api/v1/integrations", admin, map[string]any{"secret": "mine", "amocrm": map[string]any{"customer_field": "номер КЛИЕНТА"},
			"bitrix24": map[string]any{"portal_url": portal.URL + "/rest/1/k3y/", "application_token": "b24-token"}}).decode(t, &saved)
		if saved.Secret != integ.Secret || saved.AmoCRM.CustomerField != "номер КЛИЕНТА" || saved.Bitrix.PortalURL != portal.URL+"/rest/1/k3y/" ||
			saved.Bitrix.CustomerField != "" || saved.Bitrix.WonStages != nil {
			t.Errorf("the stored integrations: %+v", saved)
		}
		c.problem(c.call(422, "PUT", "/api/v1/integrations", admin, map[string]any{"bitrix24": map[string]any{"portal_url": "ftp://acme.example/rest/1/k3y/"}}),
			otklik.EINVALID, "bitrix24.portal_url")
		c.problem(c.callInvalid(400, "PUT", "/api/v1/integrations", admin, `{"amocrm": `), otklik.EMALFORMED, "")
		c.problem(c.call(403, "PUT", "/api/v1/integrations", viewer, map[string]any{}), otklik.EFORBIDDEN, "")

		// The contact policy: the default, then one with a shorter cap for new
		// customers and Saturdays on.
		var pol outreach.Policy
		c.call(200, "GET", "/api/v1/outreach/policy", admin, nil).decode(t, &pol)
		if diff := cmp.Diff(outreach.DefaultPolicy(), pol); diff != "" {
			t.Errorf("the default policy (-want +got):\n%s", diff)
		}
		policy := map[string]any{
			"caps": []map[string]any{{"name": "new_customers", "tenure_below_months": 6, "max": 1, "period_days": 14},
				{"name": "Крупные клиенты", "segments": []string{"b2b"}, "max": 4, "period_days": 365}},
			"time_zone": "Europe/Moscow", "quiet": map[string]string{"from": "22:00", "to": "08:00"}, "business_days": []int{1, 2, 3, 4, 5, 6},
			"holidays": true, "priorities": []string{"loop", "event", "lifetime", "marketing"}, "reminder_after": "P2D", "reminders": 1,
		}
		r = c.call(200, "PUT", "/api/v1/outreach/policy", admin, policy)
		pol = outreach.Policy{}
		r.decode(t, &pol)
		if len(pol.Caps) != 2 || pol.Caps[0].PeriodDays != 14 || fmt.Sprint(pol.Caps[1].Segments) != "[b2b]" || pol.Quiet.From != "22:00" ||
			fmt.Sprint(pol.BusinessDays) != "[1 2 3 4 5 6]" || pol.ReminderAfter != outreach.Days(2) || pol.Reminders != 1 {
			t.Errorf("the stored policy: %s", r.body)
		}
		if again := c.call(200, "GET", "/api/v1/outreach/policy", admin, nil); !bytes.Equal(again.body, r.body) {
			t.Errorf("the policy read back: %s, want %s", again.body, r.body)
		}
		c.problem(c.call(403, "PUT", "/api/v1/outreach/policy", boris, policy), otklik.EFORBIDDEN, "")
		c.problem(c.call(403, "GET", "/api/v1/outreach/policy", viewer, nil), otklik.EFORBIDDEN, "")
		c.problem(c.call(422, "PUT", "/api/v1/outreach/policy", admin, map[string]any{"time_zone": "Mars/Olympus",
			"caps": []map[string]any{{"name": "all", "max": 1, "period_days": 30}}, "priorities": []string{"event", "loop"}}), otklik.EINVALID, "time_zone")
		c.problem(c.callInvalid(422, "PUT", "/api/v1/outreach/policy", admin, map[string]any{"time_zone": "Europe/Moscow",
			"quiet": map[string]string{"from": "21:00", "to": "9:00"}}), otklik.EINVALID, "quiet.to")
		c.problem(c.callInvalid(400, "PUT", "/api/v1/outreach/policy", admin, `{"time_zone": "Europe/Moscow"`), otklik.EMALFORMED, "")

		// Event triggers: the six that ship, then one of the business's own
		// that asks at once after a payment.
		type triggerList struct{ Items []outreach.Trigger }
		var triggers triggerList
		c.call(200, "GET", "/api/v1/outreach/triggers", admin, nil).decode(t, &triggers)
		if len(triggers.Items) != 6 || triggers.Items[0].EventType != "delivered" || triggers.Items[0].DelayMin != outreach.Hours(12) ||
			triggers.Items[0].DelayMax != outreach.Hours(72) || triggers.Items[0].Validity != outreach.Days(6) ||
			triggers.Items[4].EventType != "deal_won" || triggers.Items[5].EventType != "deal_lost" {
			t.Fatalf("the triggers that ship: %+v", triggers.Items)
		}
		wonTrigger := triggers.Items[4].ID
		c.problem(c.call(403, "GET", "/api/v1/outreach/triggers", viewer, nil), otklik.EFORBIDDEN, "")
		paid := map[string]any{"name": "NPS после оплаты", "event_type": "order_paid", "survey": "nps", "channels": []string{"email"},
			"delay_max": "PT2H"}
		var trig outreach.Trigger
		c.call(201, "POST", "/api/v1/outreach/triggers", admin, paid).decode(t, &trig)
		// Absent: delay_min zero, validity delay_max plus at least 3 days, enabled.
		if trig.ID <= triggers.Items[5].ID || trig.DelayMin != 0 || trig.DelayMax != outreach.Hours(2) ||
			trig.Validity != outreach.Days(3)+outreach.Hours(2) || !trig.Enabled || trig.Segments != nil {
			t.Errorf("the new trigger: %+v", trig)
		}
		trigURL := fmt.Sprintf("/api/v1/outreach/triggers/%d", trig.ID)
		c.problem(c.call(422, "POST", "/api/v1/outreach/triggers", admin, map[string]any{"name": "Наоборот", "event_type": "order_paid",
			"survey": "nps", "channels": []string{"email"}, "delay_min": "P2D", "delay_max": "P1D"}), otklik.EINVALID, "delay_max")
		c.problem(c.callInvalid(422, "POST", "/api/v1/outreach/triggers", admin, map[string]any{"name": "Через месяц", "event_type": "order_paid",
			"survey": "nps", "channels": []string{"email"}, "delay_max": "P1M"}), otklik.EINVALID, "")
		c.problem(c.callInvalid(400, "POST", "/api/v1/outreach/triggers", admin, `{"name": `), otklik.EMALFORMED, "")
		c.problem(c.call(403, "POST", "/api/v1/outreach/triggers", boris, paid), otklik.EFORBIDDEN, "")
		paid["delay_max"], paid["segments"] = "PT1H", nil
		c.call(200, "PUT", trigURL, admin, paid).decode(t, &trig)
		if trig.DelayMax != outreach.Hours(1) || trig.Validity != outreach.Days(3)+outreach.Hours(1) {
			t.Errorf("the changed trigger: %+v", trig)
		}
		c.problem(c.call(404, "PUT", "/api/v1/outreach/triggers/999999", admin, paid), otklik.ENOTFOUND, "")
		c.problem(c.call(422, "PUT", trigURL, admin, map[string]any{"name": "  ", "event_type": "order_paid", "survey": "nps",
			"channels": []string{"email"}}), otklik.EINVALID, "name")
		// The business asks nobody after a lost deal.
		lostURL := fmt.Sprintf("/api/v1/outreach/triggers/%d", triggers.Items[5].ID)
		c.problem(c.call(403, "DELETE", lostURL, viewer, nil), otklik.EFORBIDDEN, "")
		c.call(204, "DELETE", lostURL, admin, nil)
		c.problem(c.call(404, "DELETE", lostURL, admin, nil), otklik.ENOTFOUND, "")
		triggers = triggerList{}
		c.call(200, "GET", "/api/v1/outreach/triggers", admin, nil).decode(t, &triggers)
		if len(triggers.Items) != 6 || triggers.Items[5].ID != trig.ID || triggers.Items[5].DelayMax != outreach.Hours(1) {
			t.Errorf("the triggers after the changes: %+v", triggers.Items)
		}

		// Lifetime schedules: the one that ships, and one for audit customers.
		type scheduleList struct{ Items []outreach.Schedule }
		var schedules scheduleList
		c.call(200, "GET", "/api/v1/outreach/schedules", admin, nil).decode(t, &schedules)
		if len(schedules.Items) != 1 || fmt.Sprint(schedules.Items[0].Months) != "[3 6 9 12]" ||
			schedules.Items[0].Validity != outreach.Days(30) || schedules.Items[0].SendHour != 10 {
			t.Fatalf("the schedules that ship: %+v", schedules.Items)
		}
		c.problem(c.call(403, "GET", "/api/v1/outreach/schedules", viewer, nil), otklik.EFORBIDDEN, "")
		audit := map[string]any{"name": "CSAT аудита", "service": "audit", "months": []int{1, 6}, "survey": "csat", "channels": []string{"email", "telegram"}}
		var sched outreach.Schedule
		c.call(201, "POST", "/api/v1/outreach/schedules", admin, audit).decode(t, &sched)
		if sched.ID <= schedules.Items[0].ID || sched.Service != "audit" || sched.Validity != outreach.Days(30) || sched.SendHour != 10 || !sched.Enabled {
			t.Errorf("the new schedule: %+v", sched)
		}
		schedURL := fmt.Sprintf("/api/v1/outreach/schedules/%d", sched.ID)
		c.problem(c.call(422, "POST", "/api/v1/outreach/schedules", admin, map[string]any{"name": "Назад", "months": []int{6, 3},
			"survey": "nps", "channels": []string{"email"}}), otklik.EINVALID, "months[1]")
		c.problem(c.callInvalid(422, "POST", "/api/v1/outreach/schedules", admin, map[string]any{"name": "Ночью", "survey": "nps",
			"channels": []string{"email"}, "send_hour": 24}), otklik.EINVALID, "send_hour")
		c.problem(c.call(403, "POST", "/api/v1/outreach/schedules", lead, audit), otklik.EFORBIDDEN, "")
		audit["months"], audit["send_hour"], audit["validity"], audit["enabled"] = []int{1, 6, 12}, 11, "P14D", false
		c.call(200, "PUT", schedURL, admin, audit).decode(t, &sched)
		if fmt.Sprint(sched.Months) != "[1 6 12]" || sched.SendHour != 11 || sched.Validity != outreach.Days(14) || sched.Enabled {
			t.Errorf("the changed schedule: %+v", sched)
		}
		c.problem(c.call(404, "PUT", "/api/v1/outreach/schedules/999999", admin, audit), otklik.ENOTFOUND, "")
		c.problem(c.callInvalid(400, "PUT", schedURL, admin, `{"name": "x"} {}`), otklik.EMALFORMED, "")
		c.problem(c.call(403, "DELETE", schedURL, lead, nil), otklik.EFORBIDDEN, "")
		c.call(204, "DELETE", schedURL, admin, nil)
		c.problem(c.call(404, "DELETE", schedURL, admin, nil), otklik.ENOTFOUND, "")

		// Events. crm-2 pays: the new trigger plans an invitation due at once
		// (its planning job is enqueued; this env works no jobs, so it stays
		// planned). A retry, even by a support agent, changes nothing.
		paidAt := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		payment := map[string]any{"id": "pay-1001", "type": "order_paid", "customer": "crm-2", "occurred_at": paidAt.Format(time.RFC3339),
			"attributes": map[string]any{"order": "1001", "amount": 1000.5, "express": true}}
		var res dispatch.EventResult
		c.call(201, "POST", "/api/v1/events", admin, payment).decode(t, &res)
		if !res.Created || res.Planned != 1 || res.Error != "" || res.Event.ID != "pay-1001" || !res.Event.OccurredAt.Equal(paidAt) ||
			res.Event.Attributes["amount"] != "1000.5" || res.Event.Attributes["express"] != "true" {
			t.Errorf("the payment: %+v", res)
		}
		res = dispatch.EventResult{}
		c.call(200, "POST", "/api/v1/events", agent, payment).decode(t, &res)
		if res.Created || res.Planned != 0 || res.Event.ID != "pay-1001" {
			t.Errorf("the payment again: %+v", res)
		}
		c.problem(c.call(422, "POST", "/api/v1/events", admin, map[string]any{"id": "pay-1002", "type": "order_paid", "customer": "nobody"}),
			otklik.EINVALID, "customer")
		c.problem(c.call(422, "POST", "/api/v1/events", admin, map[string]any{"id": "pay-1003", "type": "order_paid", "customer": "crm-2",
			"occurred_at": "2026-03-03T10:00:00Z"}), otklik.EINVALID, "occurred_at")
		c.problem(c.call(403, "POST", "/api/v1/events", viewer, payment), otklik.EFORBIDDEN, "")
		c.problem(c.callInvalid(400, "POST", "/api/v1/events", admin, `{"id": "pay-1004"`), otklik.EMALFORMED, "")
		c.problem(c.callInvalid(422, "POST", "/api/v1/events", admin, []any{}), otklik.EINVALID, "body")
		// A batch: each event on its own merit, in order.
		var results struct{ Items []dispatch.EventResult }
		c.call(200, "POST", "/api/v1/events", admin, []map[string]any{
			{"id": "deliv-1", "type": "delivered", "customer": "crm-3"}, // NPS 12–72 hours later
			payment, // known
			{"id": "pay-1005", "type": "order_paid", "customer": "nobody"},
			{"id": "pay-1006", "type": "order_paid", "customer": "crm-2", "occurred_at": "2026-03-03T10:00:00Z"},
		}).decode(t, &results)
		if it := results.Items; len(it) != 4 ||
			!it[0].Created || it[0].Planned != 1 || it[0].Error != "" || !it[0].Event.OccurredAt.Equal(e.clock.Now()) ||
			it[1].Created || it[1].Planned != 0 || it[1].Error != "" ||
			it[2].Created || it[2].Event.Customer != "nobody" || !strings.Contains(it[2].Error, "unknown customer") ||
			it[3].Created || it[3].Error == "" {
			t.Errorf("the batch of events: %+v", it)
		}

		// amoCRM: lead 4711 won (its custom field names crm-3), 4712 lost with
		// no customer field, 4713 moved to an open status.
		amo := url.Values{
			"account[subdomain]":                                   {"acme"},
			"account[id]":                                          {"29085"},
			"leads[status][0][id]":                                 {"4711"},
			"leads[status][0][status_id]":                          {"142"},
			"leads[status][0][old_status_id]":                      {"31452"},
			"leads[status][0][pipeline_id]":                        {"3377"},
			"leads[status][0][price]":                              {"250000"},
			"leads[status][0][updated_at]":                         {strconv.FormatInt(t0.Unix(), 10)},
			"leads[status][0][custom_fields][0][id]":               {"1119321"},
			"leads[status][0][custom_fields][0][name]":             {"Номер клиента"},
			"leads[status][0][custom_fields][0][values][0][value]": {"crm-3"},
			"leads[status][1][id]":                                 {"4712"},
			"leads[status][1][status_id]":                          {"143"},
			"leads[status][2][id]":                                 {"4713"},
			"leads[status][2][status_id]":                          {"31453"},
		}.Encode()
		var hook struct{ Items []dispatch.EventResult }
		c.call(200, "POST", amoURL, "", amo, form...).decode(t, &hook)
		if it := hook.Items; len(it) != 2 ||
			it[0].Event.ID != "amocrm:acme:4711:142" || it[0].Event.Type != "deal_won" || it[0].Event.Customer != "crm-3" ||
			!it[0].Event.OccurredAt.Equal(t0) || it[0].Event.Attributes["amount"] != "250000.00" || !it[0].Created || it[0].Planned != 1 ||
			it[1].Event.ID != "amocrm:acme:4712:143" || it[1].Event.Customer != "amo-lead-4712" || it[1].Created || it[1].Error == "" {
			t.Errorf("the amoCRM hook: %+v", hook.Items)
		}
		hook.Items = nil
		c.call(200, "POST", amoURL, "", amo, form...).decode(t, &hook) // delivered again
		if len(hook.Items) != 2 || hook.Items[0].Created || hook.Items[0].Planned != 0 {
			t.Errorf("the amoCRM hook again: %+v", hook.Items)
		}
		c.problem(c.call(404, "POST", "/api/v1/integrations/amocrm/not-the-secret", "", amo, form...), otklik.ENOTFOUND, "")
		c.problem(c.callInvalid(400, "POST", amoURL, "", `{"leads": {"status": []}}`), otklik.EMALFORMED, "")
		c.problem(c.call(422, "POST", amoURL, "", "account%5Bsubdomain%5D=acme&leads%5Bstatus%5D%5B0%5D%5Bid%5D=first&leads%5Bstatus%5D%5B0%5D%5Bstatus_id%5D=142",
			form...), otklik.EINVALID, "leads[status][0][id]")
		c.problem(c.call(422, "POST", amoURL, "", "hello=world", form...), otklik.EINVALID, "")

		// Bitrix24: a notice names deal 662 only; the deal, fetched from the
		// portal, is won and its contact is crm-2.
		c.problem(c.call(401, "POST", bitrixURL, "", notice("ONCRMDEALUPDATE", "662", "forged"), form...), otklik.EUNAUTHORIZED, "")
		hook.Items = nil
		c.call(200, "POST", bitrixURL, "", notice("ONCRMDEALUPDATE", "662", "b24-token"), form...).decode(t, &hook)
		if it := hook.Items; len(it) != 1 || it[0].Event.ID != "bitrix24:acme.bitrix24.ru:662:WON" || it[0].Event.Type != "deal_won" ||
			it[0].Event.Customer != "crm-2" || !it[0].Event.OccurredAt.Equal(t0) || it[0].Event.Attributes["amount"] != "1000.00" ||
			it[0].Event.Attributes["customer_from"] != "field" || !it[0].Created || it[0].Planned != 1 {
			t.Errorf("the Bitrix24 notice: %+v", hook.Items)
		}
		hook.Items = nil
		c.call(200, "POST", bitrixURL, "", notice("ONCRMCONTACTUPDATE", "662", "b24-token"), form...).decode(t, &hook)
		if len(hook.Items) != 0 || dealCalls.Load() != 1 {
			t.Errorf("a contact's notice: %+v, %d deals fetched", hook.Items, dealCalls.Load())
		}
		c.problem(c.callInvalid(422, "POST", bitrixURL, "", "event=ONCRMDEALUPDATE&ts=1772442000&auth%5Bdomain%5D=acme.bitrix24.ru&auth%5Bapplication_token%5D=b24-token",
			form...), otklik.EINVALID, "data[FIELDS][ID]")

		// The invitations, newest first, each with its log: crm-2's deal and
		// payment, and the closed loop's re-survey of its resolved case.
		type invitationList struct {
			Items      []otklik.Invitation
			NextCursor string `json:"next_cursor"`
		}
		var invs invitationList
		c.call(200, "GET", "/api/v1/customers/crm-2/outreach", boris, nil).decode(t, &invs)
		if len(invs.Items) != 3 || invs.NextCursor != "" {
			t.Fatalf("crm-2's invitations: %+v", invs)
		}
		deal, pay, resurvey := invs.Items[0], invs.Items[1], invs.Items[2]
		if deal.Ref != fmt.Sprintf("event:bitrix24:acme.bitrix24.ru:662:WON:%d", wonTrigger) || deal.Source != "event" || deal.Label != "NPS после сделки" {
			t.Errorf("the deal's invitation: %+v", deal)
		}
		if pay.Ref != fmt.Sprintf("event:pay-1001:%d", trig.ID) || pay.Status != otklik.InvitationPlanned || pay.Survey != "nps" ||
			pay.Label != "NPS после оплаты" || fmt.Sprint(pay.Channels) != "[email]" || pay.Channel != "" ||
			!pay.EarliestAt.Equal(paidAt) || !pay.LatestAt.Equal(paidAt.Add(73*time.Hour)) || pay.NextAt == nil || !pay.NextAt.Equal(paidAt) ||
			pay.SentAt != nil || pay.Reason != "" || pay.Explanation != "" ||
			len(pay.Log) != 1 || pay.Log[0].Action != "planned" || !strings.HasPrefix(pay.Log[0].Explanation, "запланировано: NPS после оплаты") {
			t.Errorf("the payment's invitation: %+v", pay)
		}
		if resurvey.Source != "loop" || resurvey.Ref != fmt.Sprintf("case:%d", dc.ID) || !resurvey.EarliestAt.Equal(*resolved.ResurveyAt) {
			t.Errorf("the re-survey: %+v", resurvey)
		}
		// Every invitation, two at a time: crm-2's three and crm-3's two.
		var refs []string
		invs = invitationList{}
		c.call(200, "GET", "/api/v1/invitations?limit=2", viewer, nil).decode(t, &invs)
		for page := 1; ; page++ {
			for _, inv := range invs.Items {
				refs = append(refs, inv.Customer+" "+strings.SplitN(inv.Ref, ":", 3)[1])
			}
			if invs.NextCursor == "" || page > 5 {
				break
			}
			cursor := invs.NextCursor
			invs = invitationList{}
			c.call(200, "GET", "/api/v1/invitations?limit=2&cursor="+url.QueryEscape(cursor), viewer, nil).decode(t, &invs)
		}
		if got := strings.Join(refs, ", "); got != "crm-2 bitrix24, crm-3 amocrm, crm-3 deliv-1, crm-2 pay-1001, crm-2 "+fmt.Sprint(dc.ID) {
			t.Errorf("every invitation: %s", got)
		}
		invs = invitationList{}
		c.call(200, "GET", "/api/v1/invitations?customer=crm-3&status=planned", admin, nil).decode(t, &invs)
		if len(invs.Items) != 2 || !invs.Items[1].EarliestAt.Equal(e.clock.Now().Add(12*time.Hour)) {
			t.Errorf("crm-3's planned invitations: %+v", invs.Items)
		}
		c.problem(c.callInvalid(422, "GET", "/api/v1/invitations?status=pending", admin, nil), otklik.EINVALID, "status")
		c.problem(c.call(422, "GET", "/api/v1/invitations?cursor=bogus", admin, nil), otklik.EINVALID, "cursor")
		c.problem(c.call(403, "GET", "/api/v1/invitations", agent, nil), otklik.EFORBIDDEN, "")
		c.problem(c.call(404, "GET", "/api/v1/customers/crm-1/outreach", boris, nil), otklik.ENOTFOUND, "")
		c.problem(c.call(404, "GET", "/api/v1/customers/nobody/outreach", admin, nil), otklik.ENOTFOUND, "")
		c.problem(c.callInvalid(422, "GET", "/api/v1/customers/crm-2/outreach?limit=0", admin, nil), otklik.EINVALID, "limit")

		// The referral programme ships switched off: nothing is issued until an
		// administrator writes the offer.
		var prog referral.Program
		c.call(200, "GET", "/api/v1/referrals/program", viewer, nil).decode(t, &prog)
		if prog != referral.DefaultProgram() {
			t.Errorf("the programme that ships: %+v", prog)
		}
		c.problem(c.call(403, "GET", "/api/v1/referrals/program", agent, nil), otklik.EFORBIDDEN, "")
		c.problem(c.call(409, "POST", "/api/v1/customers/crm-2/referral-codes", boris, nil), otklik.ECONFLICT, "")
		program := map[string]any{"enabled": true, "coupons": 2, "offer": "  −10 % на первую сделку ", "prefix": "ref", "valid_days": 30}
		c.problem(c.call(403, "PUT", "/api/v1/referrals/program", boris, program), otklik.EFORBIDDEN, "")
		c.problem(c.call(422, "PUT", "/api/v1/referrals/program", admin, map[string]any{"enabled": true, "offer": "   "}), otklik.EINVALID, "offer")
		c.problem(c.callInvalid(422, "PUT", "/api/v1/referrals/program", admin, map[string]any{"coupons": 11}), otklik.EINVALID, "coupons")
		c.problem(c.callInvalid(400, "PUT", "/api/v1/referrals/program", admin, `{"enabled": true`), otklik.EMALFORMED, "")
		c.call(200, "PUT", "/api/v1/referrals/program", admin, program).decode(t, &prog)
		if want := (referral.Program{Enabled: true, Coupons: 2, Offer: "−10 % на первую сделку", Prefix: "REF", ValidDays: 30}); prog != want {
			t.Errorf("the stored programme: %+v, want %+v", prog, want)
		}

		// crm-2's manager gives the promoter a coupon good for two new customers
		// until the same hour 30 days on, and a link without limit or expiry.
		// Asking again gives the same codes.
		now := e.clock.Now()
		var kit otklik.ReferralKit
		c.call(200, "POST", "/api/v1/customers/crm-2/referral-codes", boris, nil).decode(t, &kit)
		if kit.Promoter != "crm-2" || kit.Reused || kit.Coupon == nil || kit.Link == nil || kit.Coupon.Kind != otklik.ReferralCoupon ||
			!strings.HasPrefix(kit.Coupon.Code, "REF-") || kit.Coupon.Uses != 2 || kit.Coupon.Used != 0 || kit.Coupon.ValidDays != 30 ||
			kit.Coupon.ExpiresAt == nil || !kit.Coupon.ExpiresAt.Equal(now.AddDate(0, 0, 30)) || !kit.Coupon.IssuedAt.Equal(now) ||
			kit.Coupon.Offer != "−10 % на первую сделку" || kit.Coupon.IssuedBy != "boris@example.com" ||
			kit.Link.Kind != otklik.ReferralLink || kit.Link.Uses != 0 || kit.Link.ExpiresAt != nil || kit.Link.Code == kit.Coupon.Code ||
			!strings.HasPrefix(kit.LinkURL, "http://otklik.test/r/") {
			t.Fatalf("crm-2's codes: %+v (coupon %+v, link %+v)", kit, kit.Coupon, kit.Link)
		}
		var reissued otklik.ReferralKit
		c.call(200, "POST", "/api/v1/customers/crm-2/referral-codes", admin, nil).decode(t, &reissued)
		if !reissued.Reused || reissued.Coupon.Code != kit.Coupon.Code || reissued.Link.Code != kit.Link.Code || reissued.LinkURL != kit.LinkURL {
			t.Errorf("crm-2's codes asked for again: %+v", reissued)
		}
		c.problem(c.call(404, "POST", "/api/v1/customers/crm-2/referral-codes", anna, nil), otklik.ENOTFOUND, "")
		c.problem(c.call(404, "POST", "/api/v1/customers/nobody/referral-codes", admin, nil), otklik.ENOTFOUND, "")
		c.problem(c.call(403, "POST", "/api/v1/customers/crm-2/referral-codes", viewer, nil), otklik.EFORBIDDEN, "")

		// Redeeming: each refusal of the engine's list, then crm-3 (new, made
		// today) brings the coupon, typed by hand. crm-new started on 1 December,
		// more than 90 days ago: not new. crm-3 has no manager: out of boris's reach.
		redeemURL := "/api/v1/referrals/redeem"
		last := kit.Coupon.Code[len(kit.Coupon.Code)-1]
		typo := kit.Coupon.Code[:len(kit.Coupon.Code)-1] + string(referral.Alphabet[(strings.IndexByte(referral.Alphabet, last)+1)%len(referral.Alphabet)])
		unissued, err := referral.NewCode("REF")
		if err != nil {
			t.Fatal(err)
		}
		refused := func(status int, token, code, customer, code2, detail string) {
			t.Helper()
			r := c.call(status, "POST", redeemURL, token, map[string]any{"code": code, "customer": customer})
			field := ""
			if status == http.StatusUnprocessableEntity {
				field = "code"
			}
			c.problem(r, code2, field)
			if !strings.Contains(string(r.body), detail) {
				t.Errorf("redeeming %q for %s: %s does not say %q", code, customer, r.body, detail)
			}
		}
		refused(422, admin, typo, "crm-3", otklik.EINVALID, "has a typo")
		refused(422, admin, "http://otklik.test/r/forged.token", "crm-3", otklik.EINVALID, "is not a referral link issued here")
		refused(404, admin, unissued, "crm-3", otklik.ENOTFOUND, "was issued")
		refused(404, admin, kit.Coupon.Code, "nobody", otklik.ENOTFOUND, `no customer \"nobody\"`)
		refused(404, boris, kit.Coupon.Code, "crm-3", otklik.ENOTFOUND, `no customer \"crm-3\"`)
		refused(409, boris, kit.Coupon.Code, "crm-2", otklik.ECONFLICT, "cannot refer themself")
		refused(409, admin, kit.Coupon.Code, "crm-new", otklik.ECONFLICT, "only new customers")
		c.problem(c.call(403, "POST", redeemURL, viewer, map[string]any{"code": kit.Coupon.Code, "customer": "crm-3"}), otklik.EFORBIDDEN, "")
		c.problem(c.callInvalid(422, "POST", redeemURL, admin, map[string]any{"code": kit.Coupon.Code}), otklik.EINVALID, "customer")
		c.problem(c.callInvalid(400, "POST", redeemURL, admin, `{"code": `), otklik.EMALFORMED, "")
		var ref otklik.Referral
		typed := strings.ToLower(strings.ReplaceAll(kit.Coupon.Code, "-", " "))
		c.call(201, "POST", redeemURL, admin, map[string]any{"code": typed, "customer": "crm-3"}).decode(t, &ref)
		if ref.ID == 0 || ref.Customer != "crm-3" || ref.Promoter != "crm-2" || ref.Code != kit.Coupon.Code || ref.Kind != otklik.ReferralCoupon ||
			!ref.RedeemedAt.Equal(now) || ref.RedeemedBy != "boss@example.com" || ref.Replayed {
			t.Errorf("crm-3's referral: %+v", ref)
		}
		var replay otklik.Referral
		c.call(200, "POST", redeemURL, admin, map[string]any{"code": kit.Coupon.Code, "customer": "crm-3"}).decode(t, &replay)
		if replay.ID != ref.ID || !replay.Replayed || replay.Code != ref.Code {
			t.Errorf("crm-3's referral again: %+v", replay)
		}
		// The link, as its whole URL, is another code: crm-3 is referred once.
		refused(409, admin, kit.LinkURL, "crm-3", otklik.ECONFLICT, "was already referred on 2026-03-02")
		reissued = otklik.ReferralKit{}
		c.call(200, "POST", "/api/v1/customers/crm-2/referral-codes", boris, nil).decode(t, &reissued)
		if !reissued.Reused || reissued.Coupon.Code != kit.Coupon.Code || reissued.Coupon.Used != 1 || reissued.Link.Used != 0 {
			t.Errorf("crm-2's codes after a redemption: coupon %+v, link %+v", reissued.Coupon, reissued.Link)
		}

		// The report: crm-3, referred by crm-2 in March, won amoCRM's deal 4711
		// for 250000.00 on 2 March. The lead of Юг sees crm-2 (of Юг), anna not.
		line := otklik.ReferralFigures{Referred: 1, Deals: 1, Revenue: otklik.Amount(250000 * 100)}
		for _, who := range []struct {
			token string
			lines int
		}{{viewer, 1}, {lead, 1}, {anna, 0}} {
			var rep otklik.ReferralReport
			c.call(200, "GET", "/api/v1/referrals/report?from=2026-03-01&to=2026-03-31", who.token, nil).decode(t, &rep)
			if !rep.From.Equal(time.Date(2026, 2, 28, 21, 0, 0, 0, time.UTC)) || !rep.To.Equal(time.Date(2026, 3, 31, 21, 0, 0, 0, time.UTC)) ||
				len(rep.Promoters) != who.lines || len(rep.Managers) != who.lines {
				t.Fatalf("the referral report (%d lines expected): %+v", who.lines, rep)
			}
			if who.lines == 0 {
				if rep.Total != (otklik.ReferralFigures{}) {
					t.Errorf("an empty referral report's total: %+v", rep.Total)
				}
				continue
			}
			if p := rep.Promoters[0]; p.Promoter != "crm-2" || p.Name != "" || p.Manager != "boris@example.com" || p.Team != "Юг" ||
				p.ReferralFigures != line {
				t.Errorf("crm-2's line: %+v", p)
			}
			if m := rep.Managers[0]; m.Manager != "boris@example.com" || m.Promoters != 1 || m.ReferralFigures != line || rep.Total != line {
				t.Errorf("boris's line %+v, total %+v", m, rep.Total)
			}
		}
		var before otklik.ReferralReport
		c.call(200, "GET", "/api/v1/referrals/report?to=2026-02-28", admin, nil).decode(t, &before)
		if !before.From.IsZero() || len(before.Promoters) != 0 || before.Total != (otklik.ReferralFigures{}) {
			t.Errorf("the referral report before March: %+v", before)
		}
		c.problem(c.call(422, "GET", "/api/v1/referrals/report?from=2026-03-31&to=2026-03-01", viewer, nil), otklik.EINVALID, "to")
		c.problem(c.callInvalid(422, "GET", "/api/v1/referrals/report?from=yesterday", viewer, nil), otklik.EINVALID, "from")
		c.problem(c.call(403, "GET", "/api/v1/referrals/report", agent, nil), otklik.EFORBIDDEN, "")

		// Outgoing webhooks. This env works no jobs, so nothing is delivered: a
		// subscription is made (its secret shown this once), listed without the
		// secret, its empty log read, switched off and on, and deleted.
		var hooks struct{ Items []otklik.Webhook }
		c.call(200, "GET", "/api/v1/webhooks", admin, nil).decode(t, &hooks)
		if len(hooks.Items) != 0 {
			t.Errorf("webhooks before any: %+v", hooks.Items)
		}
		c.problem(c.call(403, "GET", "/api/v1/webhooks", viewer, nil), otklik.EFORBIDDEN, "")
		sub := map[string]any{"url": "https://crm.example.ru/hooks/otklik?token=abc", "events": []string{"case.opened", "case.resolved", "case.opened"}}
		var created struct {
			otklik.Webhook
			Secret string `json:"secret"`
		}
		c.call(201, "POST", "/api/v1/webhooks", admin, sub).decode(t, &created)
		if created.ID == 0 || created.URL != sub["url"] || fmt.Sprint(created.Events) != "[case.opened case.resolved]" || !created.Enabled ||
			created.Failures != 0 || created.DisabledAt != nil || !created.CreatedAt.Equal(now) || len(created.Secret) != len("whsec_")+44 {
			t.Fatalf("the new webhook: %+v", created)
		}
		hookURL := fmt.Sprintf("/api/v1/webhooks/%d", created.ID)
		c.problem(c.call(403, "POST", "/api/v1/webhooks", lead, sub), otklik.EFORBIDDEN, "")
		c.problem(c.call(422, "POST", "/api/v1/webhooks", admin, map[string]any{"url": "https://crm:secret@crm.example.ru/hooks",
			"events": []string{"*"}}), otklik.EINVALID, "url")
		c.problem(c.callInvalid(422, "POST", "/api/v1/webhooks", admin, map[string]any{"url": "ftp://crm.example.ru/hooks",
			"events": []string{"case.opened", "case.closed"}}), otklik.EINVALID, "events[1]")
		c.problem(c.callInvalid(422, "POST", "/api/v1/webhooks", admin, map[string]any{"url": "https://crm.example.ru/hooks",
			"events": []string{}}), otklik.EINVALID, "events")
		c.problem(c.callInvalid(400, "POST", "/api/v1/webhooks", admin, `{"url": "https://crm.example.ru/hooks"`), otklik.EMALFORMED, "")
		hooks.Items = nil
		c.call(200, "GET", "/api/v1/webhooks", admin, nil).decode(t, &hooks)
		if len(hooks.Items) != 1 || hooks.Items[0].ID != created.ID || fmt.Sprint(hooks.Items[0].Events) != "[case.opened case.resolved]" {
			t.Errorf("the webhooks: %+v", hooks.Items)
		}

		var deliveries struct{ Items []otklik.WebhookDelivery }
		c.call(200, "GET", hookURL+"/deliveries", admin, nil).decode(t, &deliveries)
		if deliveries.Items == nil || len(deliveries.Items) != 0 {
			t.Errorf("the delivery log of a webhook nothing was sent to: %+v", deliveries.Items)
		}
		c.call(200, "GET", hookURL+"/deliveries?limit=500", admin, nil)
		c.problem(c.callInvalid(422, "GET", hookURL+"/deliveries?limit=0", admin, nil), otklik.EINVALID, "limit")
		c.problem(c.call(404, "GET", "/api/v1/webhooks/999999/deliveries", admin, nil), otklik.ENOTFOUND, "")
		c.problem(c.call(403, "GET", hookURL+"/deliveries", viewer, nil), otklik.EFORBIDDEN, "")

		var switched otklik.Webhook
		c.call(200, "PUT", hookURL, admin, map[string]any{"enabled": false}).decode(t, &switched)
		if switched.Enabled || switched.DisabledAt == nil || !switched.DisabledAt.Equal(now) || switched.ID != created.ID {
			t.Errorf("the webhook switched off: %+v", switched)
		}
		c.problem(c.callInvalid(422, "PUT", hookURL, admin, map[string]any{}), otklik.EINVALID, "enabled")
		c.problem(c.callInvalid(422, "PUT", hookURL, admin, map[string]any{"enabled": true, "url": "https://elsewhere.example/"}),
			otklik.EINVALID, "url")
		c.problem(c.callInvalid(400, "PUT", hookURL, admin, `{"enabled": `), otklik.EMALFORMED, "")
		c.problem(c.call(404, "PUT", "/api/v1/webhooks/999999", admin, map[string]any{"enabled": true}), otklik.ENOTFOUND, "")
		c.problem(c.call(403, "PUT", hookURL, viewer, map[string]any{"enabled": true}), otklik.EFORBIDDEN, "")
		switched = otklik.Webhook{}
		c.call(200, "PUT", hookURL, admin, map[string]any{"enabled": true}).decode(t, &switched)
		if !switched.Enabled || switched.DisabledAt != nil || switched.Failures != 0 {
			t.Errorf("the webhook switched on again: %+v", switched)
		}

		c.problem(c.call(403, "DELETE", hookURL, viewer, nil), otklik.EFORBIDDEN, "")
		c.call(204, "DELETE", hookURL, admin, nil)
		c.problem(c.call(404, "DELETE", hookURL, admin, nil), otklik.ENOTFOUND, "")
		c.problem(c.call(404, "GET", hookURL+"/deliveries", admin, nil), otklik.ENOTFOUND, "")

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

		// Every documented operation was exercised: it succeeded at least once
		// and, when the document lists client errors for it, was refused at
		// least once.
		for path, item := range doc.Paths.Map() {
			for method, operation := range item.Operations() {
				op := method + " " + path
				succeeded, refused, refusable := false, false, false
				for status := range c.hit[op] {
					succeeded = succeeded || status >= 200 && status < 300
					refused = refused || status >= 400 && status < 500
				}
				for code := range operation.Responses.Map() {
					refusable = refusable || strings.HasPrefix(code, "4")
				}
				switch {
				case len(c.hit[op]) == 0:
					t.Errorf("operation %s is never exercised by this test: add it to the scenario", op)
				case !succeeded:
					t.Errorf("operation %s never succeeds in this test: add a successful request to the scenario", op)
				case refusable && !refused:
					t.Errorf("operation %s is never refused in this test: add a request it answers with a documented 4xx", op)
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
