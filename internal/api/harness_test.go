package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"otklik"
	"otklik/internal/app"
	"otklik/internal/apptest"
	"otklik/internal/auth"
	"otklik/internal/storetest"
)

// env is a whole Otklik on a fresh database of one dialect, served over
// real HTTP on loopback.
type env struct {
	t     *testing.T
	app   *app.App
	srv   *httptest.Server
	clock *storetest.Clock
}

var t0 = apptest.T0

func newEnv(t *testing.T, dialect string) *env {
	t.Helper()
	site := apptest.Start(t, dialect, nil)
	return &env{t: t, app: site.App, srv: site.Srv, clock: site.Clock}
}

// user creates a user with role (and team) and returns an API token for it.
func (e *env) user(email string, role otklik.Role, team string) string {
	e.t.Helper()
	u := &otklik.User{Email: email, Role: role, Team: team}
	if err := e.app.DB.CreateUser(context.Background(), u); err != nil {
		e.t.Fatalf("create user %s: %v", email, err)
	}
	token, prefix, hash := auth.NewToken()
	if _, err := e.app.DB.CreateToken(context.Background(), u.ID, "test", prefix, hash); err != nil {
		e.t.Fatalf("create token: %v", err)
	}
	return token
}

// do sends a request with token (none when empty) and body (JSON-encoded
// unless it is a string or []byte), and returns the status and body.
func (e *env) do(method, path, token string, body any, headers ...string) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
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
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// must is do that fails the test unless the status is want; it decodes the
// JSON body into v when v is not nil.
func (e *env) must(want int, method, path, token string, body any, v any, headers ...string) {
	e.t.Helper()
	status, out := e.do(method, path, token, body, headers...)
	if status != want {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, out)
	}
	if v != nil {
		if err := json.Unmarshal(out, v); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, out, err)
		}
	}
}

// npsSurvey is a survey definition as a client sends it.
func npsSurvey(key string) map[string]any {
	return map[string]any{
		"key": key, "kind": "nps",
		"title":          map[string]string{"ru": "Оценка", "en": "Rating"},
		"score_question": map[string]string{"ru": "Порекомендуете ли вы нас?", "en": "Would you recommend us?"},
		"why_question":   map[string]string{"ru": "Почему?", "en": "Why?"},
		"drivers": []map[string]any{
			{"key": "manager_speed", "text": map[string]string{"ru": "Скорость менеджера", "en": "Manager's speed"}},
		},
	}
}
