package webhook

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func hexString(b []byte) string { return hex.EncodeToString(b) }

// stepClock is an injected clock that moves 250 ms on every reading, so
// Result.Duration is exact.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.t
	c.t = c.t.Add(250 * time.Millisecond)
	return now
}

func testEnvelope() Envelope {
	return Envelope{
		ID:        "evt_01",
		Type:      EventResponseCreated,
		CreatedAt: time.Date(2026, 3, 2, 12, 0, 0, 0, time.FixedZone("MSK", 3*3600)),
		Data:      json.RawMessage(`{"survey":"nps","score":9,"comment":"Спасибо!"}`),
	}
}

// received is what a test subscriber saw.
type received struct {
	header    http.Header
	body      []byte
	verifyErr error
}

func TestDeliverIsSignedAndVerifiesOnTheReceivingSide(t *testing.T) {
	secret := []byte(NewSecret())
	got := make(chan received, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		// What a subscriber does: verify against the raw bytes and its clock.
		err := Verify(secret, r.Header.Get(HeaderSignature), body, testNow.Add(3*time.Second), 0)
		got <- received{r.Header.Clone(), body, err}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	s := &Sender{Now: (&stepClock{t: testNow}).Now, UserAgent: "Otklik/test"}
	res := s.Deliver(context.Background(), srv.URL+"/hooks/otklik", secret, testEnvelope())
	if !res.OK() || res.Status != 204 || res.Permanent || res.Duration != 250*time.Millisecond {
		t.Fatalf("result %+v", res)
	}
	r := <-got
	if r.verifyErr != nil {
		t.Fatalf("the subscriber could not verify: %v", r.verifyErr)
	}
	wantHeaders := map[string]string{
		"Content-Type":     "application/json",
		"User-Agent":       "Otklik/test",
		HeaderID:           "evt_01",
		HeaderTimestamp:    "1772442000",
		"Otklik-Signature": Sign(secret, testNow, r.body),
	}
	for k, v := range wantHeaders {
		if r.header.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, r.header.Get(k), v)
		}
	}
	want := `{"id":"evt_01","type":"response.created","created_at":"2026-03-02T09:00:00Z",` +
		`"data":{"survey":"nps","score":9,"comment":"Спасибо!"}}`
	if string(r.body) != want {
		t.Fatalf("body\n got %s\nwant %s", r.body, want)
	}
	var back Envelope
	if err := json.Unmarshal(r.body, &back); err != nil || back.ID != "evt_01" || !back.CreatedAt.Equal(testEnvelope().CreatedAt) {
		t.Fatalf("envelope does not round-trip: %+v %v", back, err)
	}
}

func TestDeliverRotatingSignsWithBothSecrets(t *testing.T) {
	old, next := []byte("whsec_old"), []byte("whsec_new")
	errs := make(chan [2]error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h := r.Header.Get(HeaderSignature)
		errs <- [2]error{Verify(old, h, body, testNow, 0), Verify(next, h, body, testNow, 0)}
	}))
	defer srv.Close()
	s := &Sender{Now: func() time.Time { return testNow }}
	if res := s.DeliverRotating(context.Background(), srv.URL, [][]byte{old, next}, testEnvelope()); !res.OK() {
		t.Fatal(res.Err)
	}
	if e := <-errs; e[0] != nil || e[1] != nil {
		t.Fatalf("a subscriber on either secret must verify: old %v, new %v", e[0], e[1])
	}
}

func TestDeliverServerErrorThenSuccess(t *testing.T) {
	var calls atomic.Int32
	ids := make(chan string, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ids <- r.Header.Get(HeaderID)
		if calls.Add(1) == 1 {
			http.Error(w, "database is locked", http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	defer srv.Close()
	s := &Sender{}
	first := s.Deliver(context.Background(), srv.URL, testSecret, testEnvelope())
	if first.OK() || first.Status != 500 || first.Permanent || first.Body != "database is locked\n" || first.RetryAfter != 0 {
		t.Fatalf("first %+v", first)
	}
	if d, retry := NextRetry(1, first, 0.5); !retry || d != 30*time.Second {
		t.Fatalf("after a 500: retry %v after %v", retry, d)
	}
	second := s.Deliver(context.Background(), srv.URL, testSecret, testEnvelope())
	if !second.OK() || second.Status != 200 || second.Body != "ok" {
		t.Fatalf("second %+v", second)
	}
	if a, b := <-ids, <-ids; a != "evt_01" || b != "evt_01" {
		t.Fatalf("the retry must carry the same id: %q %q", a, b)
	}
}

func TestDeliverClassifiesStatuses(t *testing.T) {
	now := testNow
	tests := []struct {
		status     int
		header     map[string]string
		permanent  bool
		retryAfter time.Duration
	}{
		{http.StatusGone, nil, true, 0},
		{http.StatusBadRequest, nil, true, 0},
		{http.StatusUnauthorized, nil, true, 0},
		{http.StatusNotFound, nil, true, 0},
		{http.StatusUnprocessableEntity, map[string]string{"Retry-After": "60"}, true, 0},
		{http.StatusRequestTimeout, nil, false, 0},
		{http.StatusTooManyRequests, map[string]string{"Retry-After": "120"}, false, 2 * time.Minute},
		{http.StatusTooManyRequests, map[string]string{"Retry-After": now.Add(90 * time.Second).Format(http.TimeFormat)}, false, 90 * time.Second},
		{http.StatusTooManyRequests, map[string]string{"Retry-After": now.Add(-time.Hour).Format(http.TimeFormat)}, false, 0},
		{http.StatusTooManyRequests, map[string]string{"Retry-After": "soon"}, false, 0},
		{http.StatusTooManyRequests, map[string]string{"Retry-After": "99999999999999999999"}, false, MaxRetryAfter},
		{http.StatusTooManyRequests, map[string]string{"Retry-After": "172800"}, false, MaxRetryAfter},
		{http.StatusServiceUnavailable, map[string]string{"Retry-After": "30"}, false, 30 * time.Second},
		{http.StatusBadGateway, nil, false, 0},
		{http.StatusNotModified, nil, false, 0},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
			}))
			defer srv.Close()
			s := &Sender{Now: func() time.Time { return now }}
			res := s.Deliver(context.Background(), srv.URL, testSecret, testEnvelope())
			if res.OK() || res.Status != tt.status || res.Permanent != tt.permanent || res.RetryAfter != tt.retryAfter {
				t.Fatalf("got status %d permanent %v retry-after %v (%v)", res.Status, res.Permanent, res.RetryAfter, res.Err)
			}
			if res.Gone() != (tt.status == http.StatusGone) {
				t.Fatalf("Gone() = %v", res.Gone())
			}
			if !strings.Contains(res.Err.Error(), strconv.Itoa(tt.status)) {
				t.Fatalf("error %q does not name the status", res.Err)
			}
		})
	}
}

func TestDeliver429HonoursRetryAfterInNextRetry(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	res := (&Sender{}).Deliver(context.Background(), srv.URL, testSecret, testEnvelope())
	// Backoff after attempt 1 is 30 s; the subscriber asked for an hour.
	if d, retry := NextRetry(1, res, 0.5); !retry || d != time.Hour {
		t.Fatalf("retry %v after %v", retry, d)
	}
}

func TestDeliverTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release // never answers while the client waits
	}))
	defer srv.Close()
	defer close(release) // before Close, which waits for the handler
	start := time.Now()
	res := (&Sender{Timeout: 100 * time.Millisecond}).Deliver(context.Background(), srv.URL, testSecret, testEnvelope())
	if res.OK() || res.Permanent || res.Status != 0 || !strings.Contains(res.Err.Error(), "no reply within 100ms") {
		t.Fatalf("result %+v", res)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("took %v", el)
	}
}

func TestDeliverCancelledByCaller(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := (&Sender{}).Deliver(ctx, srv.URL, testSecret, testEnvelope())
	if res.OK() || res.Permanent {
		t.Fatalf("a cancelled delivery is a temporary failure: %+v", res)
	}
}

func TestDeliverDoesNotFollowRedirects(t *testing.T) {
	var followed atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/new?token=abc", http.StatusFound)
	})
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) { followed.Add(1) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// The caller's client would follow; Deliver must not, and must not
	// change the caller's client either.
	client := &http.Client{}
	res := (&Sender{HTTP: client}).Deliver(context.Background(), srv.URL+"/old", testSecret, testEnvelope())
	if res.OK() || res.Status != http.StatusFound || res.Permanent || followed.Load() != 0 {
		t.Fatalf("result %+v, followed %d", res, followed.Load())
	}
	if msg := res.Err.Error(); !strings.Contains(msg, "redirect to /new") || strings.Contains(msg, "token=abc") {
		t.Fatalf("error %q", msg)
	}
	if client.CheckRedirect != nil {
		t.Fatal("the caller's client was modified")
	}
}

func TestDeliverTruncatesTheReply(t *testing.T) {
	tests := []struct {
		name, reply, want string
	}{
		{"short", "accepted", "accepted"},
		{"long", strings.Repeat("x", 5000), strings.Repeat("x", 1024)},
		// 1023 bytes of ASCII and a two-byte rune across the limit: the cut
		// rune is dropped, not logged as a broken byte.
		{"rune at the limit", strings.Repeat("a", 1023) + "ж" + strings.Repeat("b", 100), strings.Repeat("a", 1023)},
		{"invalid bytes and NUL", "bad\xff\x00end", "bad\uFFFDend"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, tt.reply)
			}))
			defer srv.Close()
			res := (&Sender{}).Deliver(context.Background(), srv.URL, testSecret, testEnvelope())
			if diff := cmp.Diff(tt.want, res.Body); diff != "" {
				t.Fatalf("body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeliverNetworkErrorIsTemporary(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL + "/hook?api_key=s3cret"
	srv.Close() // nothing listens there any more
	res := (&Sender{}).Deliver(context.Background(), u, testSecret, testEnvelope())
	if res.OK() || res.Permanent || res.Status != 0 {
		t.Fatalf("result %+v", res)
	}
	if strings.Contains(res.Err.Error(), "s3cret") {
		t.Fatalf("the error leaks the query: %v", res.Err)
	}
}

func TestDeliverRefusesBadInputWithoutSending(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	bad := testEnvelope()
	bad.Data = json.RawMessage(`{"unterminated"`)
	for _, tc := range []struct {
		url string
		env Envelope
	}{
		{"ftp://example.com/hook", testEnvelope()},
		{"https://user:pw@example.com/hook", testEnvelope()},
		{srv.URL, bad},
	} {
		res := (&Sender{}).Deliver(context.Background(), tc.url, testSecret, tc.env)
		if res.OK() || !res.Permanent {
			t.Fatalf("%s: %+v", tc.url, res)
		}
	}
	if hits.Load() != 0 {
		t.Fatal("a request was sent")
	}
}
