package telegram_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"otklik/internal/channel/telegram"
	"otklik/internal/channel/telegram/telegramtest"
)

// poller runs Poller.Run in the background; stop cancels it and waits for
// Run to return.
type poller struct {
	got  chan telegram.Update
	stop func()
}

func startPoller(t *testing.T, c *telegram.Client, p telegram.Poller, log *slog.Logger, handle func(telegram.Update) error) *poller {
	ctx, cancel := context.WithCancel(context.Background())
	pl := &poller{got: make(chan telegram.Update, 100)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.Run(ctx, c, func(_ context.Context, u telegram.Update) error {
			if handle != nil {
				if err := handle(u); err != nil {
					return err
				}
			}
			pl.got <- u
			return nil
		}, log)
	}()
	var once sync.Once
	pl.stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Error("Run did not return after cancel")
			}
		})
	}
	t.Cleanup(pl.stop)
	return pl
}

// next returns the next n handled updates, failing after a deadline.
func (pl *poller) next(t *testing.T, n int) []telegram.Update {
	t.Helper()
	var out []telegram.Update
	deadline := time.After(5 * time.Second)
	for len(out) < n {
		select {
		case u := <-pl.got:
			out = append(out, u)
		case <-deadline:
			t.Fatalf("handled %d updates, want %d", len(out), n)
		}
	}
	return out
}

func ids(ups []telegram.Update) []int64 {
	var out []int64
	for _, u := range ups {
		out = append(out, u.UpdateID)
	}
	return out
}

func TestPollDeliversEachUpdateOnce(t *testing.T) {
	t.Parallel()
	fake := telegramtest.Start(t)
	a := fake.SendText(chat, "/start")
	b := fake.PressButton(chat, 1, "x")
	c := fake.SendText(chat+1, "здравствуйте")
	pl := startPoller(t, fake.Client(), telegram.Poller{Timeout: time.Second, MinBackoff: 10 * time.Millisecond}, nil, nil)
	first := pl.next(t, 3)
	if got, want := ids(first), []int64{a.UpdateID, b.UpdateID, c.UpdateID}; !slices.Equal(got, want) {
		t.Fatalf("handled %v, want %v", got, want)
	}
	// Updates arriving while Run waits in a long poll.
	d := fake.SendText(chat, "8")
	e := fake.SendText(chat, "быстро и вежливо")
	if got, want := ids(pl.next(t, 2)), []int64{d.UpdateID, e.UpdateID}; !slices.Equal(got, want) {
		t.Fatalf("handled %v, want %v", got, want)
	}
	// Once Run asks past the last one, everything is confirmed to Telegram.
	fake.WaitCalls(t, "getUpdates", 1, time.Second)
	waitFor(t, func() bool {
		calls := fake.CallsTo("getUpdates")
		return calls[len(calls)-1].Int("offset") == e.UpdateID+1
	})
	pl.stop()
	if n := len(fake.Pending()); n != 0 {
		t.Errorf("%d updates left unconfirmed", n)
	}
	select {
	case u := <-pl.got:
		t.Errorf("update %d handled twice", u.UpdateID)
	default:
	}
}

func TestPollRetriesAFailedUpdateWithoutSkipping(t *testing.T) {
	t.Parallel()
	fake := telegramtest.Start(t)
	a, b, c := fake.SendText(chat, "1"), fake.SendText(chat, "2"), fake.SendText(chat, "3")
	var mu sync.Mutex
	var attempts []int64
	failed := false
	pl := startPoller(t, fake.Client(), telegram.Poller{Timeout: time.Second, MinBackoff: 10 * time.Millisecond}, nil, func(u telegram.Update) error {
		mu.Lock()
		defer mu.Unlock()
		attempts = append(attempts, u.UpdateID)
		if u.UpdateID == b.UpdateID && !failed {
			failed = true
			return errors.New("database is down")
		}
		return nil
	})
	if got, want := ids(pl.next(t, 3)), []int64{a.UpdateID, b.UpdateID, c.UpdateID}; !slices.Equal(got, want) {
		t.Fatalf("handled %v, want %v", got, want)
	}
	pl.stop()
	mu.Lock()
	defer mu.Unlock()
	// a once; b failed, then b again; c only after b succeeded.
	if want := []int64{a.UpdateID, b.UpdateID, b.UpdateID, c.UpdateID}; !slices.Equal(attempts, want) {
		t.Errorf("attempts %v, want %v", attempts, want)
	}
	// The retry asked from b: a was already confirmed.
	var offsets []int64
	for _, call := range fake.CallsTo("getUpdates") {
		offsets = append(offsets, call.Int("offset"))
	}
	if len(offsets) < 2 || offsets[0] != 0 || offsets[1] != b.UpdateID {
		t.Errorf("offsets %v, want 0 then %d", offsets, b.UpdateID)
	}
}

// Flood control and a proxy error in a row: Run waits as long as the 429
// says, then its own backoff after the 502, then delivers the update once.
func TestPollSurvivesFloodControlAndBadGateway(t *testing.T) {
	t.Parallel()
	fake := telegramtest.Start(t)
	fake.FailNext(1, telegramtest.Failure{Code: 429, Description: "Too Many Requests: retry after 1", RetryAfter: time.Second})
	fake.FailNext(1, telegramtest.Failure{Code: 502, Raw: "<html><h1>502 Bad Gateway</h1></html>"})
	u := fake.PressButton(chat, 1, telegram.ScoreKeyboard("1042", 0, 10, key).Rows[1][4].CallbackData)
	var logBuf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logBuf, nil))
	pl := startPoller(t, fake.Client(), telegram.Poller{Timeout: time.Second, MinBackoff: 50 * time.Millisecond}, log, nil)
	got := pl.next(t, 1)
	if got[0].UpdateID != u.UpdateID {
		t.Fatalf("handled %d, want %d", got[0].UpdateID, u.UpdateID)
	}
	if ref, score, err := telegram.ParseCallback(got[0].CallbackQuery.Data, key); err != nil || ref != "1042" || score != 10 {
		t.Errorf("press = (%q, %d, %v)", ref, score, err)
	}
	pl.stop()
	calls := fake.CallsTo("getUpdates")
	if len(calls) < 3 || calls[0].Status != 429 || calls[1].Status != 502 || calls[2].Status != 200 {
		t.Fatalf("getUpdates statuses: %v", statuses(calls))
	}
	if gap := calls[1].At.Sub(calls[0].At); gap < time.Second {
		t.Errorf("retried %v after a 429 with retry_after 1", gap)
	}
	// Upper bounds are generous: the machine may be busy with other tests;
	// what matters is that a 502 is not waited out like a 429.
	if gap := calls[2].At.Sub(calls[1].At); gap < 50*time.Millisecond || gap >= 3*time.Second {
		t.Errorf("retried %v after a 502, want the 50 ms backoff", gap)
	}
	select {
	case dup := <-pl.got:
		t.Errorf("update %d handled twice", dup.UpdateID)
	default:
	}
	logged := logBuf.String()
	if !strings.Contains(logged, "429") || !strings.Contains(logged, "502") || strings.Contains(logged, strings.SplitN(telegramtest.Token, ":", 2)[1]) {
		t.Errorf("log:\n%s", logged)
	}
}

func TestPollStopsWhenContextEnds(t *testing.T) {
	fake := telegramtest.Start(t)
	pl := startPoller(t, fake.Client(), telegram.Poller{Timeout: 30 * time.Second}, nil, nil)
	waitFor(t, func() bool { return fake.Polling() == 1 })
	start := time.Now()
	pl.stop() // fails the test if Run does not return within 5 s
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Run took %v to stop during a 30 s poll", took)
	}
}

func TestPollerBackoffGrows(t *testing.T) {
	t.Parallel()
	// A server that always fails: the waits between attempts double from
	// MinBackoff up to MaxBackoff.
	fake := telegramtest.Start(t)
	fake.FailNext(6, telegramtest.Failure{Code: 500, Description: "Internal Server Error"})
	pl := startPoller(t, fake.Client(), telegram.Poller{Timeout: time.Second, MinBackoff: 20 * time.Millisecond, MaxBackoff: 80 * time.Millisecond}, nil, nil)
	calls := fake.WaitCalls(t, "getUpdates", 6, 5*time.Second)
	pl.stop()
	// Waits after failures 1..5: 20, 40, 80, 80, 80 ms.
	want := []time.Duration{20, 40, 80, 80, 80}
	for i, w := range want {
		gap := calls[i+1].At.Sub(calls[i].At)
		if gap < w*time.Millisecond || gap > w*time.Millisecond+1500*time.Millisecond {
			t.Errorf("wait %d = %v, want ≈%v ms", i+1, gap, w)
		}
	}
}

func statuses(calls []telegramtest.Call) []int {
	var out []int
	for _, c := range calls {
		out = append(out, c.Status)
	}
	return out
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
