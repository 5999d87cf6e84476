package dispatch_test

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"otklik"
	"otklik/internal/app"
	"otklik/internal/apptest"
	"otklik/internal/channel/email"
	"otklik/internal/channel/email/smtptest"
	"otklik/internal/crm"
	"otklik/internal/jobs"
	"otklik/internal/storetest"
)

// rawMessages is how many messages the bare sender sends.
const rawMessages = 2000

// pipelineBatch is how many won deals one iteration records: enough that
// the pipeline's fixed latency (two job hops, each waiting at most River's
// fetch interval) is a small part of the iteration.
const pipelineBatch = 250

// BenchmarkSendPipeline measures outreach sending end to end, on each
// database: a whole Otklik (apptest.Start, Site.Background starting River)
// mailing an in-process SMTP sink. Each iteration records pipelineBatch
// deal_won events for as many fresh customers who agreed to e-mail, from
// four goroutines as concurrent webhooks would arrive (Engine.RecordEvent:
// the event and its planned invitation in one transaction, with a job to
// plan the customer at once, since the default trigger has no delay), and
// waits until the sink holds every invitation: the job plans the customer
// (outreach.Plan decides "send", the send job is enqueued in the same
// transaction), the send job claims the invitation, renders and sends the
// mail, and records it sent. It reports invitations delivered per second
// (invitations/s; ns/op is per batch), the rate of the bare email.Sender to
// the same sink with as many goroutines as River has workers (raw_msgs/s),
// their ratio, and the ceiling River's fetch settings put on the pipeline
// (queue_cap_invitations/s).
//
//	go test -run '^$' -bench SendPipeline -benchtime 5x ./internal/dispatch
func BenchmarkSendPipeline(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) { benchSendPipeline(b, dialect) })
	}
}

func benchSendPipeline(b *testing.B, dialect string) {
	sink := smtptest.Start(b, smtptest.WithMaxStored(100))
	site := apptest.Start(b, dialect, func(c *app.Config) {
		c.SMTPURL, c.MailFrom = sink.URL(), "Otklik <otklik@otklik.test>"
	})
	ctx := context.Background()
	sv := &otklik.Survey{Key: "nps", Kind: otklik.KindNPS, Title: otklik.Text{RU: "Оценка", EN: "Rating"},
		ScoreQuestion: otklik.Text{RU: "Насколько вероятно, что вы порекомендуете нас?", EN: "Would you recommend us?"}}
	if err := site.App.DB.CreateSurvey(ctx, sv); err != nil {
		b.Fatal(err)
	}
	raw := rawSendRate(b, sink, rawMessages, jobs.DefaultMaxWorkers)
	site.Background(b)

	var delivered int
	var spent, cpu time.Duration
	for iter := 0; b.Loop(); iter++ {
		b.StopTimer()
		exts := benchCustomers(b, site, iter, pipelineBatch)
		want := sink.Count() + len(exts)
		b.StartTimer()
		start, cpu0 := time.Now(), processCPU()
		recordDeals(b, site, exts)
		sink.WaitFor(want, 5*time.Minute)
		spent += time.Since(start)
		cpu += processCPU() - cpu0
		delivered += len(exts)
	}
	if got := sink.Count(); got != delivered+rawMessages {
		b.Fatalf("the sink holds %d messages, want %d invitations and %d raw", got, delivered, rawMessages)
	}
	rate := float64(delivered) / spent.Seconds()
	b.ReportMetric(rate, "invitations/s")
	b.ReportMetric(raw, "raw_msgs/s")
	b.ReportMetric(rate/raw, "pipeline/raw")
	// The CPU this process (app, River, sink) spent per invitation: times
	// the rate, it says how much of the two cores the pipeline used.
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(delivered), "cpu_ms/invitation")
	// River fetches at most MaxWorkers jobs per FetchCooldown, and an
	// invitation due at once takes two jobs (plan the customer, send): the
	// ceiling the queue's configuration sets, to read the rate against.
	b.ReportMetric(float64(jobs.DefaultMaxWorkers)/jobs.FetchCooldown.Seconds()/2, "queue_cap_invitations/s")
}

// benchCustomers creates n customers who agreed to e-mail, outside the
// timed part, and returns their external ids.
func benchCustomers(b *testing.B, site *apptest.Site, iter, n int) []string {
	b.Helper()
	exts := make([]string, n)
	for i := range exts {
		exts[i] = fmt.Sprintf("B-%03d-%04d", iter, i)
	}
	now := site.Clock.Now()
	_, _, err := site.App.DB.ImportCustomers(context.Background(), otklik.Scope{Reach: otklik.ReachAll}, exts, func(i int, c *otklik.Customer) {
		c.Name, c.Email = "Клиент "+exts[i], strings.ToLower(exts[i])+"@example.ru"
		c.Consent = map[otklik.Channel]otklik.Consent{otklik.ChannelEmail: {Granted: true, At: now, Source: "bench"}}
	}, nil)
	if err != nil {
		b.Fatal(err)
	}
	return exts
}

// recordDeals records a won deal for each customer, from four goroutines.
func recordDeals(b *testing.B, site *apptest.Site, exts []string) {
	b.Helper()
	ctx := context.Background()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(exts); i = int(next.Add(1)) - 1 {
				ev := crm.Event{ID: "deal-" + exts[i], Type: "deal_won", Customer: exts[i], OccurredAt: site.Clock.Now()}
				if _, created, planned, err := site.App.Outreach.RecordEvent(ctx, ev, "bench"); err != nil || !created || planned != 1 {
					errs <- fmt.Errorf("event %s: created %v, planned %d, %v", ev.ID, created, planned, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
}

// rawSendRate sends n invitation-like messages (Cyrillic text and HTML, an
// 11-link scale, unsubscribe headers — what the engine renders) straight
// through an email.Sender from `workers` goroutines, and returns messages
// per second: the ceiling of the send step alone.
func rawSendRate(b *testing.B, sink *smtptest.Sink, n, workers int) float64 {
	b.Helper()
	s, err := email.New(email.Config{URL: sink.URL(), From: "Otklik <otklik@otklik.test>"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				if err := s.Send(ctx, rawInvitation(i)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	return float64(n) / time.Since(start).Seconds()
}

// processCPU is the CPU time this process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func rawInvitation(i int64) email.Message {
	var html, text strings.Builder
	html.WriteString(`<!doctype html><html><body><table><tr><td>Здравствуйте, Клиент!</td></tr>` +
		`<tr><td>Насколько вероятно, что вы порекомендуете нас?</td></tr><tr>`)
	text.WriteString("Здравствуйте, Клиент!\n\nНасколько вероятно, что вы порекомендуете нас?\n\n")
	for s := 0; s <= 10; s++ {
		fmt.Fprintf(&html, `<td><a href="http://otklik.test/s/raw%d/score/%d">%d</a></td>`, i, s, s)
		fmt.Fprintf(&text, "%2d: http://otklik.test/s/raw%d/score/%d\n", s, i, s)
	}
	html.WriteString(`</tr></table><p>Отписаться: <a href="http://otklik.test/u/raw">ссылка</a></p></body></html>`)
	return email.Message{
		To:        (&mail.Address{Name: "Клиент", Address: fmt.Sprintf("raw%d@example.ru", i)}).String(),
		Subject:   "Оценка",
		Text:      text.String(),
		HTML:      html.String(),
		FromName:  "Otklik",
		Headers:   map[string]string{"List-Unsubscribe": "<http://otklik.test/u/raw>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
		MessageID: fmt.Sprintf("raw-%d", i),
	}
}
