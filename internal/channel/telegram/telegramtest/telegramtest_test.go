package telegramtest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"otklik/internal/channel/telegram/telegramtest"
)

// post sends a raw JSON body and returns the status and decoded reply, so
// the wire format is checked independently of the telegram client.
func post(t *testing.T, url, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("reply %q: %v", data, err)
	}
	return resp.StatusCode, out
}

func TestWireFormat(t *testing.T) {
	s := telegramtest.Start(t)
	base := s.URL + "/bot" + telegramtest.Token + "/"

	status, got := post(t, base+"sendMessage", `{"chat_id":5550001234,"text":"hi","reply_markup":{"inline_keyboard":[[{"text":"1","callback_data":"a"}]]}}`)
	res, _ := got["result"].(map[string]any)
	if status != 200 || got["ok"] != true || res["message_id"] != 1.0 || res["text"] != "hi" ||
		res["chat"].(map[string]any)["id"] != 5550001234.0 || res["chat"].(map[string]any)["type"] != "private" ||
		res["reply_markup"] == nil || res["from"].(map[string]any)["is_bot"] != true {
		t.Errorf("sendMessage: %d %v", status, got)
	}

	tests := []struct {
		name, url, body string
		status          int
		want            map[string]any
	}{
		{"wrong token", s.URL + "/bot1:nope/getMe", `{}`, 401,
			map[string]any{"ok": false, "error_code": 401.0, "description": "Unauthorized"}},
		{"unknown method", base + "sendPigeon", `{}`, 404,
			map[string]any{"ok": false, "error_code": 404.0, "description": "Not Found"}},
		{"empty text", base + "sendMessage", `{"chat_id":1,"text":" "}`, 400,
			map[string]any{"ok": false, "error_code": 400.0, "description": "Bad Request: message text is empty"}},
		{"callback data too long", base + "sendMessage", `{"chat_id":1,"text":"x","reply_markup":{"inline_keyboard":[[{"text":"1","callback_data":"` + strings.Repeat("a", 65) + `"}]]}}`, 400,
			map[string]any{"ok": false, "error_code": 400.0, "description": "Bad Request: BUTTON_DATA_INVALID"}},
		{"unknown query", base + "answerCallbackQuery", `{"callback_query_id":"1"}`, 400,
			map[string]any{"ok": false, "error_code": 400.0, "description": "Bad Request: query is too old and response timeout expired or query ID is invalid"}},
		{"empty poll", base + "getUpdates", `{"timeout":0}`, 200,
			map[string]any{"ok": true, "result": []any{}}},
	}
	for _, tt := range tests {
		status, got := post(t, tt.url, tt.body)
		if status != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, status, tt.status)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}

	s.FailNext(1, telegramtest.Failure{Code: 429, Description: "Too Many Requests: retry after 7", RetryAfter: 7 * time.Second})
	status, got = post(t, base+"getMe", `{}`)
	want := map[string]any{"ok": false, "error_code": 429.0, "description": "Too Many Requests: retry after 7", "parameters": map[string]any{"retry_after": 7.0}}
	if diff := cmp.Diff(want, got); status != 429 || diff != "" {
		t.Errorf("429 (-want +got):\n%s", diff)
	}
	if calls := s.Calls(); len(calls) != 8 || calls[7].Method != "getMe" || calls[7].Status != 429 || calls[0].Int("chat_id") != 5550001234 {
		t.Errorf("recorded %d calls: %+v", len(calls), calls)
	}
}

// getUpdates keeps an update until a higher offset confirms it.
func TestUpdatesStayUntilConfirmed(t *testing.T) {
	s := telegramtest.Start(t)
	base := s.URL + "/bot" + telegramtest.Token + "/"
	a := s.SendText(1, "a")
	b := s.SendText(1, "b")
	if b.UpdateID != a.UpdateID+1 {
		t.Fatalf("update ids %d, %d", a.UpdateID, b.UpdateID)
	}
	for _, tt := range []struct {
		offset int64
		want   int
	}{{0, 2}, {0, 2}, {a.UpdateID, 2}, {b.UpdateID, 1}, {b.UpdateID + 1, 0}, {0, 0}} {
		_, got := post(t, base+"getUpdates", `{"offset":`+jsonInt(tt.offset)+`}`)
		if n := len(got["result"].([]any)); n != tt.want {
			t.Errorf("offset %d: %d updates, want %d", tt.offset, n, tt.want)
		}
	}
}

// Close ends a long poll at once instead of waiting out its timeout.
func TestCloseEndsLongPoll(t *testing.T) {
	s := telegramtest.Start(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := http.Post(s.URL+"/bot"+telegramtest.Token+"/getUpdates", "application/json", strings.NewReader(`{"timeout":30}`))
		if err == nil {
			resp.Body.Close()
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for s.Polling() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	s.Close()
	<-done
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Close took %v", took)
	}
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
