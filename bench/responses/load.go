package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"otklik"
	"otklik/bench/internal/benchkit"
)

// comments are what customers write, Russian and English, short and long,
// hostile markup included: the API stores them as given.
var comments = []string{
	"Всё отлично, менеджер всегда на связи",
	"Долго отвечают на письма, приходится напоминать по два-три раза",
	"Отчёты приходят вовремя, но хотелось бы больше аналитики по конверсиям",
	"Спасибо команде! Рекомендую коллегам.",
	"Цены выросли, а качество осталось прежним",
	"Сменили менеджера без предупреждения — неприятно",
	"Great team, fast turnaround, clear reports.",
	"Too expensive for what we get.",
	"Менеджер Анна — лучшая, звоните ей: +7 916 123-45-67",
	`<script>alert("xss")</script> комментарий с разметкой`,
	"Сайт запустили с опозданием на две недели, но результат нравится. Трафик вырос на 40 %, заявок стало больше, " +
		"однако по SEO хотелось бы видеть план работ на квартал вперёд, а не только отчёт по факту. " +
		"И ещё: пожалуйста, присылайте счета в начале месяца, бухгалтерия просит.",
	"ok",
	"",
	"Нормально",
	"They answer within an hour, even on Fridays 👍",
	"Не понимаю, за что мы платим: отчёт на 2 страницы и никаких рекомендаций",
}

var channels = []otklik.Channel{otklik.ChannelEmail, otklik.ChannelTelegram, otklik.ChannelWeb, otklik.ChannelWidget,
	otklik.ChannelPhone, otklik.ChannelChat, otklik.ChannelSMS, otklik.ChannelAPI}

// load sends POST /api/v1/responses through vegeta.
type load struct {
	cfg    config
	url    string
	header http.Header
	runID  string
	client *http.Client

	survey    []byte   // `"nps-bench"`
	customers [][]byte // JSON-quoted external ids
	comments  [][]byte // JSON-quoted comments without the closing quote
}

func newLoad(cfg config, url string, seed *seeded, runID string) *load {
	l := &load{cfg: cfg, url: url, runID: runID}
	l.header = http.Header{}
	l.header.Set("Authorization", "Bearer "+seed.token)
	l.header.Set("Content-Type", "application/json")
	l.survey, _ = json.Marshal(seed.survey.Key)
	for _, c := range seed.customers {
		b, _ := json.Marshal(c.ExternalID)
		l.customers = append(l.customers, b)
	}
	for _, c := range comments {
		b, _ := json.Marshal(c)
		l.comments = append(l.comments, b[:len(b)-1])
	}
	// Belt and braces: whatever the URL says, never dial anything but loopback.
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
				return fmt.Errorf("refusing to connect to %s: not loopback", address)
			}
			return nil
		}}
	l.client = &http.Client{
		Timeout: cfg.timeout,
		Transport: &http.Transport{
			DialContext:         dialer.DialContext,
			MaxIdleConns:        cfg.connections,
			MaxIdleConnsPerHost: cfg.connections,
			MaxConnsPerHost:     cfg.connections,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return l
}

// targeter returns a vegeta Targeter generating a different answer on every
// call: customer, score, comment, channel, time and drivers vary, and each
// carries an idempotency key with keyPrefix so the database can be checked.
func (l *load) targeter(keyPrefix string) vegeta.Targeter {
	var seq atomic.Uint64
	spread := int64(l.cfg.spread)
	return func(t *vegeta.Target) error {
		n := seq.Add(1)
		b := make([]byte, 0, 512)
		b = append(b, `{"id":"`...)
		b = append(b, keyPrefix...)
		b = strconv.AppendUint(b, n, 10)
		b = append(b, `","survey":`...)
		b = append(b, l.survey...)
		b = append(b, `,"customer":`...)
		b = append(b, l.customers[rand.IntN(len(l.customers))]...)
		b = append(b, `,"score":`...)
		b = strconv.AppendInt(b, int64(rand.IntN(11)), 10)
		b = append(b, `,"comment":`...)
		b = append(b, l.comments[rand.IntN(len(l.comments))]...)
		b = append(b, " (#"...)
		b = strconv.AppendUint(b, n, 10)
		b = append(b, `)","channel":"`...)
		b = append(b, channels[rand.IntN(len(channels))]...)
		if spread > 0 {
			b = append(b, `","answered_at":"`...)
			b = time.Now().UTC().Add(-time.Duration(rand.Int64N(spread))).AppendFormat(b, time.RFC3339Nano)
		}
		b = append(b, `","answers":{"manager_speed":`...)
		b = strconv.AppendInt(b, int64(1+rand.IntN(5)), 10)
		b = append(b, `,"manager_quality":`...)
		b = strconv.AppendInt(b, int64(1+rand.IntN(5)), 10)
		b = append(b, `}}`...)
		t.Method, t.URL, t.Body, t.Header = http.MethodPost, l.url, b, l.header
		return nil
	}
}

// attackResult is what one attack measured, and what the database holds.
type attackResult struct {
	name      string
	keyPrefix string
	rate      int
	duration  time.Duration

	requests   int
	sentRate   float64 // requests begun per second, as vegeta managed to pace them
	elapsed    time.Duration
	throughput float64 // 201 answers per second
	n201       int
	codes      map[int]int
	errors     map[string]int
	lat        []time.Duration // sorted
	p50, p95   time.Duration
	p99, max   time.Duration
	ids        []int64 // from the Location of each 201

	checked         bool
	stored, missing int
	cpu             benchkit.CPUUse
}

// attack runs vegeta at a constant rate for du. Server and load generator
// share the process; the latter's goroutines are labelled side=loadgen.
func (l *load) attack(ctx context.Context, name string, rate int, du time.Duration) (*attackResult, error) {
	r := &attackResult{name: name, keyPrefix: "bench-" + l.runID + "-" + name + "-", rate: rate, duration: du,
		codes: map[int]int{}, errors: map[string]int{}}
	atk := vegeta.NewAttacker(
		vegeta.Client(l.client),
		vegeta.Workers(uint64(l.cfg.workers)),
		vegeta.MaxWorkers(uint64(l.cfg.maxWorkers)),
		vegeta.MaxBody(2048),
	)
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()

	cpu0 := benchkit.SampleCPU(benchkit.PostgresTicks)
	var results <-chan *vegeta.Result
	pprof.Do(ctx, pprof.Labels("side", "loadgen"), func(context.Context) {
		results = atk.Attack(l.targeter(r.keyPrefix), vegeta.Rate{Freq: rate, Per: time.Second}, du, name)
	})
	var first, lastStart, end time.Time
	r.lat = make([]time.Duration, 0, int(float64(rate)*du.Seconds())+16)
	for res := range results {
		r.requests++
		if first.IsZero() || res.Timestamp.Before(first) {
			first = res.Timestamp
		}
		if res.Timestamp.After(lastStart) {
			lastStart = res.Timestamp
		}
		if e := res.End(); e.After(end) {
			end = e
		}
		r.lat = append(r.lat, res.Latency)
		code := int(res.Code)
		r.codes[code]++
		switch {
		case code == http.StatusCreated:
			r.n201++
			loc := res.Headers.Get("Location")
			id, err := strconv.ParseInt(loc[strings.LastIndexByte(loc, '/')+1:], 10, 64)
			if err != nil {
				r.errors["201 without a usable Location: "+loc]++
				continue
			}
			r.ids = append(r.ids, id)
		case res.Error != "":
			msg := res.Error
			if len(res.Body) > 0 {
				msg += ": " + strings.TrimSpace(string(res.Body))
			}
			if len(msg) > 300 {
				msg = msg[:300] + "…"
			}
			if len(r.errors) < 20 {
				r.errors[msg]++
			} else {
				r.errors["(other errors)"]++
			}
		}
	}
	r.cpu = benchkit.CPUBetween(cpu0, benchkit.SampleCPU(benchkit.PostgresTicks))
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if r.requests == 0 {
		return nil, fmt.Errorf("%s: vegeta sent no requests", name)
	}
	slices.Sort(r.lat)
	r.p50, r.p95, r.p99 = quantile(r.lat, 0.50), quantile(r.lat, 0.95), quantile(r.lat, 0.99)
	r.max = r.lat[len(r.lat)-1]
	if span := lastStart.Sub(first); span > 0 && r.requests > 1 {
		r.sentRate = float64(r.requests-1) / span.Seconds()
	}
	r.elapsed = end.Sub(first)
	r.throughput = float64(r.n201) / r.elapsed.Seconds()
	return r, nil
}

// passes reports whether the attack met the budget at rate: every request
// answered 201, p99 within budget, and vegeta managed to send the rate
// (when it cannot, its workers were all waiting on the server, and the
// latencies it reports would hide the queue).
func (r *attackResult) passes(cfg config, rate int) bool {
	return r.n201 == r.requests && r.p99 < cfg.p99Budget && r.sentRate >= 0.98*float64(rate) &&
		(!r.checked || (r.missing == 0 && r.stored == r.n201))
}

func (r *attackResult) failureNote(cfg config, rate int) string {
	var why []string
	if r.n201 != r.requests {
		why = append(why, fmt.Sprintf("%d not 201", r.requests-r.n201))
	}
	if r.p99 >= cfg.p99Budget {
		why = append(why, "p99 over budget")
	}
	if r.sentRate < 0.98*float64(rate) {
		why = append(why, "rate not reached")
	}
	if len(why) == 0 {
		return ""
	}
	return " (" + strings.Join(why, ", ") + ")"
}

func (r *attackResult) print(out io.Writer, cfg config) {
	fmt.Fprintf(out, "  requests      %s in %v (sent at %s/s of %s/s asked)\n", num(float64(r.requests)), r.elapsed.Round(time.Millisecond), num(r.sentRate), num(float64(r.rate)))
	fmt.Fprintf(out, "  success       %.2f %% (%s × 201 Created)\n", 100*float64(r.n201)/float64(r.requests), num(float64(r.n201)))
	fmt.Fprintf(out, "  throughput    %s answers/s stored and acknowledged\n", num(r.throughput))
	fmt.Fprintf(out, "  latency       p50 %s   p95 %s   p99 %s   max %s\n", ms(r.p50), ms(r.p95), ms(r.p99), ms(r.max))
	var codes []string
	for _, c := range slices.Sorted(maps.Keys(r.codes)) {
		label := strconv.Itoa(c)
		if c == 0 {
			label = "no response"
		}
		codes = append(codes, fmt.Sprintf("%s: %s", label, num(float64(r.codes[c]))))
	}
	fmt.Fprintf(out, "  status codes  %s\n", strings.Join(codes, ", "))
	if r.cpu.OK {
		fmt.Fprintf(out, "  cpu           %s\n", cpuText(r.cpu))
		if cfg.quiet > 0 && r.cpu.Others >= cfg.quiet {
			fmt.Fprintf(out, "  WARNING       unrelated processes took %.2f cores during the run: these figures understate Otklik; run again\n", r.cpu.Others)
		}
	}
	for _, e := range slices.Sorted(maps.Keys(r.errors)) {
		fmt.Fprintf(out, "  error ×%-6d %s\n", r.errors[e], e)
	}
	switch {
	case !r.checked:
	case r.missing == 0 && r.stored == r.n201:
		fmt.Fprintf(out, "  durability    OK: %s answers stored under this run's keys = %s responses 201, every acknowledged id found\n", num(float64(r.stored)), num(float64(r.n201)))
	default:
		fmt.Fprintf(out, "  durability    FAILED: %s stored, %s × 201, %d acknowledged ids missing\n", num(float64(r.stored)), num(float64(r.n201)), r.missing)
	}
	v := "NOT met"
	if r.passes(cfg, r.rate) && r.throughput >= 0.99*float64(cfg.targetRate) {
		v = "met"
	}
	fmt.Fprintf(out, "  goal          ≥ %s answers/s with p99 < %v and 100 %% success: %s\n", num(float64(cfg.targetRate)), cfg.p99Budget, v)
}

// num formats a count or rate with thousands separators: 12,345.
func num(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return benchkit.Thousands(strconv.FormatInt(int64(math.Round(v)), 10))
}

// ms formats a latency in milliseconds.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v < 10:
		return fmt.Sprintf("%.2fms", v)
	case v < 100:
		return fmt.Sprintf("%.1fms", v)
	}
	return fmt.Sprintf("%.0fms", v)
}
