// Package dispatch runs outreach: it takes business events in, keeps the
// triggers, lifetime schedules and contact policy, plans invitations with
// the decisions of internal/outreach (every one explained), sends them by
// e-mail or Telegram as River jobs — at most once each, however many
// replicas run —, reminds once, and closes an invitation when its survey is
// answered on any channel.
//
// Planning is index-friendly: a round asks each lifetime milestone only for
// the start dates whose milestone came since the last round (a keyset range
// of the partial index on customers (started_at, id); the whole validity
// once a day), and reads the invitations whose moment has come through a
// partial index on invitations.next_at — 9–12 ms at a million customers
// (bench/README.md).
package dispatch

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"otklik"
	"otklik/internal/channel/email"
	"otklik/internal/channel/telegram"
	"otklik/internal/crm"
	"otklik/internal/intake"
	"otklik/internal/jobs"
	"otklik/internal/locale"
	"otklik/internal/outreach"
	"otklik/internal/store"
	"otklik/internal/surveylink"
)

const (
	policyKey   = "outreach.policy"
	seededKey   = "outreach.seeded"
	cursorKey   = "outreach.seq"
	historyDays = 366 // the longest cap period a policy may count, plus a day
)

// Mailer sends one e-mail; *email.Sender is one.
type Mailer interface {
	Send(ctx context.Context, m email.Message) error
}

// Config is what the engine needs.
type Config struct {
	DB       *store.DB
	Intake   *intake.Service
	Now      func() time.Time
	Log      *slog.Logger
	Catalog  *locale.Catalog
	Links    *surveylink.Signer
	LinkTTL  time.Duration
	BaseURL  string
	Business string // the business's name, the sender's display name
	Mail     Mailer // nil: no e-mail channel
	// Telegram is the bot (nil: no Telegram channel); BotName its user
	// name for deep links; TelegramKey signs its buttons and links.
	Telegram    *telegram.Client
	BotName     string
	TelegramKey []byte
	// RetryDelay is how long a send that failed for a passing reason waits
	// before its attempt-th retry; nil means 30 s, 2 min, 10 min, 1 h, ….
	// When set (tests set milliseconds) it replaces the webhook delivery
	// schedule too; a subscriber's Retry-After is honoured either way.
	RetryDelay func(attempt int) time.Duration
}

// Engine is outreach at work.
type Engine struct {
	cfg         Config
	customRetry bool // Config.RetryDelay was given
	jobs        *jobs.Jobs
	mu          sync.Mutex // one answer scan at a time in this process
}

// New returns an engine; UseJobs must be called before it plans.
func New(cfg Config) *Engine {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.LinkTTL == 0 {
		cfg.LinkTTL = 30 * 24 * time.Hour
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	custom := cfg.RetryDelay != nil
	if !custom {
		cfg.RetryDelay = defaultRetryDelay
	}
	return &Engine{cfg: cfg, customRetry: custom}
}

// defaultRetryDelay spaces the retries of a send: a mail server that is
// down for a minute or for an hour is waited out without hammering it.
func defaultRetryDelay(attempt int) time.Duration {
	steps := []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour}
	return steps[min(max(attempt, 1), len(steps))-1]
}

// UseJobs gives the engine its job queue.
func (e *Engine) UseJobs(j *jobs.Jobs) { e.jobs = j }

// Register adds the engine's workers.
func (e *Engine) Register(w *river.Workers) {
	river.AddWorker(w, &planWorker{e: e})
	river.AddWorker(w, &planCustomerWorker{e: e})
	river.AddWorker(w, &sendWorker{e: e})
	river.AddWorker(w, &bitrixFetchWorker{e: e})
	river.AddWorker(w, &forgetWorker{e: e})
	river.AddWorker(w, e.webhookWorker())
}

// Periodic is the leader's planning round, every 30 seconds, and its daily
// clean-up of the delivery log and once-marks.
func (e *Engine) Periodic() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(30*time.Second),
			func() (river.JobArgs, *river.InsertOpts) { return PlanArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return ForgetArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
	}
}

// Retention of what is kept only for a while.
const (
	KeepDeliveries = 30 * 24 * time.Hour // the webhook delivery log
	KeepMarks      = 7 * 24 * time.Hour  // once-marks: announcements, reminders
)

// ForgetArgs is the daily clean-up job.
type ForgetArgs struct{}

// Kind names the job for River.
func (ForgetArgs) Kind() string { return "outreach_forget" }

type forgetWorker struct {
	river.WorkerDefaults[ForgetArgs]
	e *Engine
}

func (w *forgetWorker) Work(ctx context.Context, _ *river.Job[ForgetArgs]) error {
	now := w.e.now()
	n, err := w.e.cfg.DB.Forget(ctx, now.Add(-KeepDeliveries), now.Add(-KeepMarks))
	if n > 0 {
		w.e.cfg.Log.Info("outreach: old delivery log and marks deleted", "rows", n)
	}
	return err
}

func (e *Engine) now() time.Time { return e.cfg.Now().UTC().Truncate(time.Microsecond) }

// Policy returns the contact policy: the stored one or the default.
func (e *Engine) Policy(ctx context.Context) (outreach.Policy, error) {
	v, ok, err := e.cfg.DB.SettingValue(ctx, policyKey)
	if err != nil || !ok {
		return outreach.DefaultPolicy(), err
	}
	var p outreach.Policy
	if err := json.Unmarshal([]byte(v), &p); err != nil {
		return outreach.DefaultPolicy(), fmt.Errorf("dispatch: stored policy: %w", err)
	}
	return p, nil
}

// SetPolicy validates and stores the contact policy.
func (e *Engine) SetPolicy(ctx context.Context, p outreach.Policy) error {
	if err := p.Validate(); err != nil {
		return err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return e.cfg.DB.PutSetting(ctx, policyKey, string(b))
}

// Seed stores the default triggers and lifetime schedule the first time
// an installation starts; after that they are the business's to change.
//
// Replicas starting together race for the seeded mark; the one whose
// value was stored seeds.
func (e *Engine) Seed(ctx context.Context) error {
	mine := e.now().Format(time.RFC3339Nano) + " " + randomHolder()
	got, err := e.cfg.DB.Setting(ctx, seededKey, func() string { return mine })
	if err != nil || got != mine {
		return err
	}
	for _, t := range outreach.DefaultTriggers() {
		if _, err := e.saveTrigger(ctx, t); err != nil {
			return err
		}
	}
	_, err = e.saveSchedule(ctx, outreach.DefaultSchedule())
	return err
}

// Triggers lists the event triggers.
func (e *Engine) Triggers(ctx context.Context) ([]outreach.Trigger, error) {
	defs, err := e.cfg.DB.Definitions(ctx, "trigger")
	if err != nil {
		return nil, err
	}
	out := make([]outreach.Trigger, 0, len(defs))
	for _, d := range defs {
		var t outreach.Trigger
		if err := json.Unmarshal(d.JSON, &t); err != nil {
			return nil, fmt.Errorf("dispatch: trigger %d: %w", d.ID, err)
		}
		t.ID = d.ID
		out = append(out, t)
	}
	return out, nil
}

// SaveTrigger validates and stores a trigger (a new one when ID is 0).
func (e *Engine) SaveTrigger(ctx context.Context, t outreach.Trigger) (outreach.Trigger, error) {
	if err := t.Validate(); err != nil {
		return t, err
	}
	if t.Enabled { // a switched-off trigger may name a survey not made yet
		if err := e.surveyExists(ctx, t.Survey); err != nil {
			return t, err
		}
	}
	return e.saveTrigger(ctx, t)
}

func (e *Engine) saveTrigger(ctx context.Context, t outreach.Trigger) (outreach.Trigger, error) {
	id, err := e.cfg.DB.SaveDefinition(ctx, "trigger", store.Definition{ID: t.ID, EventType: t.EventType, Enabled: t.Enabled},
		func(id int64) ([]byte, error) { t.ID = id; return json.Marshal(t) })
	t.ID = id
	return t, err
}

// surveyExists refuses to switch on a trigger or schedule naming a survey
// that does not exist: it would never fire, silently. The defaults seeded at install
// name "nps" and "csat" before anyone has created them, so Seed bypasses it.
func (e *Engine) surveyExists(ctx context.Context, key string) error {
	if _, err := e.cfg.DB.Survey(ctx, key); otklik.ErrorCode(err) == otklik.ENOTFOUND {
		var p otklik.Problems
		p.Add("survey", "no survey %q: create it first", key)
		return p.Err("the survey named does not exist")
	} else if err != nil {
		return err
	}
	return nil
}

// Schedules lists the lifetime schedules.
func (e *Engine) Schedules(ctx context.Context) ([]outreach.Schedule, error) {
	defs, err := e.cfg.DB.Definitions(ctx, "schedule")
	if err != nil {
		return nil, err
	}
	out := make([]outreach.Schedule, 0, len(defs))
	for _, d := range defs {
		var s outreach.Schedule
		if err := json.Unmarshal(d.JSON, &s); err != nil {
			return nil, fmt.Errorf("dispatch: schedule %d: %w", d.ID, err)
		}
		s.ID = d.ID
		out = append(out, s)
	}
	return out, nil
}

// SaveSchedule validates and stores a lifetime schedule.
func (e *Engine) SaveSchedule(ctx context.Context, s outreach.Schedule) (outreach.Schedule, error) {
	if err := s.Validate(); err != nil {
		return s, err
	}
	if s.Enabled {
		if err := e.surveyExists(ctx, s.Survey); err != nil {
			return s, err
		}
	}
	return e.saveSchedule(ctx, s)
}

func (e *Engine) saveSchedule(ctx context.Context, s outreach.Schedule) (outreach.Schedule, error) {
	id, err := e.cfg.DB.SaveDefinition(ctx, "schedule", store.Definition{ID: s.ID, Enabled: s.Enabled},
		func(id int64) ([]byte, error) { s.ID = id; return json.Marshal(s) })
	s.ID = id
	if err != nil {
		return s, err
	}
	return s, e.forgetLifetimeRound(ctx, id)
}

// RecordEvent stores a business event and plans the invitations its
// triggers make, in one transaction; a retry of a known event changes
// nothing (created is false). An invitation due at once (a zero delay) is
// planned by a job enqueued in the same transaction, so it goes out within
// seconds.
func (e *Engine) RecordEvent(ctx context.Context, in crm.Event, source string) (ev *otklik.Event, created bool, planned int, err error) {
	c, err := e.cfg.DB.Customer(ctx, otklik.Scope{Reach: otklik.ReachAll}, in.Customer)
	if otklik.ErrorCode(err) == otklik.ENOTFOUND {
		var p otklik.Problems
		p.Add("customer", "no customer %q: create it first (POST /api/v1/customers)", in.Customer)
		return nil, false, 0, p.Err("the event names an unknown customer")
	}
	if err != nil {
		return nil, false, 0, err
	}
	triggers, err := e.Triggers(ctx)
	if err != nil {
		return nil, false, 0, err
	}
	ev = &otklik.Event{ExternalID: in.ID, Type: in.Type, Customer: c.ExternalID, CustomerID: c.ID,
		OccurredAt: in.OccurredAt.UTC(), Attributes: in.Attributes, Source: source}
	who := outreach.PersonFrom(c)
	now := e.now()
	created, err = e.cfg.DB.AddEvent(ctx, ev, func(tx *sql.Tx) error {
		soon := false
		for _, t := range triggers {
			if !t.Matches(ev.Type, who) {
				continue
			}
			sv, err := e.cfg.Intake.Survey(ctx, t.Survey)
			if err != nil {
				e.cfg.Log.Warn("dispatch: trigger names a missing survey", "trigger", t.ID, "survey", t.Survey, "err", err)
				continue
			}
			req := t.Request(ev.ExternalID, ev.OccurredAt)
			ok, err := e.plan(ctx, tx, c.ID, sv.ID, req)
			if err != nil {
				return err
			}
			if ok {
				planned++
				soon = soon || !req.Earliest.After(now)
			}
		}
		if soon {
			_, err := e.jobs.InsertTx(ctx, tx, PlanCustomerArgs{CustomerID: c.ID}, nil)
			return err
		}
		return nil
	})
	return ev, created, planned, err
}

// plan inserts the invitation of req for a customer unless it exists.
func (e *Engine) plan(ctx context.Context, tx *sql.Tx, customerID, surveyID int64, req outreach.Request) (bool, error) {
	inv := &otklik.Invitation{CustomerID: customerID, SurveyID: surveyID, Source: req.Source, Ref: req.Ref, Label: req.Label,
		Channels: req.Channels, EarliestAt: req.Earliest.UTC(), LatestAt: req.Latest.UTC()}
	return e.cfg.DB.PlanInvitation(ctx, tx, inv)
}

// Resurvey plans the closed loop's re-survey of a resolved case's customer,
// in the transaction that resolves it: the same survey, from the re-survey
// date, valid two weeks, first in priority.
func (e *Engine) Resurvey(ctx context.Context, tx *sql.Tx, c *otklik.Case) error {
	if c.ResurveyAt == nil {
		return nil
	}
	req := outreach.Request{Source: outreach.SourceLoop, Ref: fmt.Sprintf("case:%d", c.ID), Survey: c.Survey,
		Label: fmt.Sprintf("Повторный опрос после случая №%d", c.ID), Channels: outreach.SendChannels(), Earliest: *c.ResurveyAt,
		Latest: c.ResurveyAt.Add(14 * 24 * time.Hour)}
	_, err := e.plan(ctx, tx, c.CustomerID, c.SurveyID, req)
	return err
}
