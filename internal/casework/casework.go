// Package casework runs the closed loop: it reads every new answer by seq
// (as the analytics index does), routes it through the rules of
// internal/loop, opens a case — one per answer, enforced by the database, so
// any number of replicas may scan at once —, notifies the people named the
// same moment through a job enqueued in the case's own transaction, marks
// SLA breaches and escalates them to the lead, and settles "won back" when a
// detractor answers again.
//
// The answer write path is untouched: a case is opened within a fraction of
// a second of the answer's commit by this process (Run watches the store's
// change counter), and within a couple of seconds of another replica's.
package casework

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"otklik"
	"otklik/internal/calendar"
	"otklik/internal/channel/email"
	"otklik/internal/jobs"
	"otklik/internal/locale"
	"otklik/internal/loop"
	"otklik/internal/store"
)

// Settings keys.
const (
	rulesKey    = "loop.rules"
	calendarKey = "loop.calendar"
	cursorKey   = "loop.seq"
)

// Mailer sends one e-mail; *email.Sender is one.
type Mailer interface {
	Send(ctx context.Context, m email.Message) error
}

// Config is what the engine needs.
type Config struct {
	DB      *store.DB
	Now     func() time.Time
	Log     *slog.Logger
	Catalog *locale.Catalog
	Mail    Mailer // nil: no e-mail (the timeline says so)
	BaseURL string // links in notifications point here
	// Resolved runs in the transaction that resolves a case: the outreach
	// engine plans the re-survey there. Nil: no re-survey.
	Resolved func(ctx context.Context, tx *sql.Tx, c *otklik.Case) error
	// Event runs in the transaction that opens or resolves a case, for
	// outgoing webhooks (case.opened, case.resolved). Nil: none.
	Event func(ctx context.Context, tx *sql.Tx, kind string, c *otklik.Case) error
}

// Engine is the closed loop at work.
type Engine struct {
	cfg  Config
	jobs *jobs.Jobs
	mu   sync.Mutex // one Scan at a time in this process
}

// New returns an engine; UseJobs must be called before it opens cases.
func New(cfg Config) *Engine {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &Engine{cfg: cfg}
}

// Register adds the engine's workers; the job queue is opened after it.
func (e *Engine) Register(w *river.Workers) {
	river.AddWorker(w, &notifyWorker{e: e})
	river.AddWorker(w, &escalateWorker{e: e})
	river.AddWorker(w, &planRemindWorker{e: e})
}

// Periodic is the engine's leader-only work: marking SLA breaches every
// minute, reminding owners of plan actions every hour.
func (e *Engine) Periodic() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Minute),
			func() (river.JobArgs, *river.InsertOpts) { return EscalateArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return PlanRemindArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
	}
}

// UseJobs gives the engine the queue its notifications go through.
func (e *Engine) UseJobs(j *jobs.Jobs) { e.jobs = j }

// Rules returns the routing rules: the stored ones, or the defaults.
func (e *Engine) Rules(ctx context.Context) ([]loop.Rule, error) {
	v, ok, err := e.cfg.DB.SettingValue(ctx, rulesKey)
	if err != nil || !ok {
		return loop.DefaultRules(), err
	}
	var rules []loop.Rule
	if err := json.Unmarshal([]byte(v), &rules); err != nil {
		return nil, fmt.Errorf("casework: stored rules: %w", err)
	}
	return rules, nil
}

// SetRules validates and stores the ordered rules: each rule's position is
// its place in the list, and a rule without an id gets the next free one.
func (e *Engine) SetRules(ctx context.Context, rules []loop.Rule) ([]loop.Rule, error) {
	var p otklik.Problems
	if len(rules) > 100 {
		p.Add("rules", "at most 100 rules")
	}
	next := int64(1)
	for _, r := range rules {
		next = max(next, r.ID+1)
	}
	for i := range rules {
		r := &rules[i]
		r.Position = i
		r.Name = strings.TrimSpace(r.Name)
		if r.Case == "" {
			r.Case = otklik.CaseDetractor
		}
		if r.ID <= 0 {
			r.ID, next = next, next+1
		}
		if r.Watchers == nil {
			r.Watchers = []loop.WatcherSpec{}
		}
		for _, f := range otklik.ErrorFields(r.Validate()) {
			p.Add(fmt.Sprintf("items[%d].%s", i, f.Field), "%s", f.Message)
		}
	}
	if err := p.Err("the routing rules are not valid"); err != nil {
		return nil, err
	}
	b, _ := json.Marshal(rules)
	return rules, e.cfg.DB.PutSetting(ctx, rulesKey, string(b))
}

// Calendar returns the business calendar SLAs are counted on.
func (e *Engine) Calendar(ctx context.Context) (calendar.Calendar, error) {
	v, ok, err := e.cfg.DB.SettingValue(ctx, calendarKey)
	if err != nil || !ok {
		return calendar.Default(), err
	}
	var c calendar.Calendar
	if err := json.Unmarshal([]byte(v), &c); err != nil {
		return calendar.Default(), fmt.Errorf("casework: stored calendar: %w", err)
	}
	return c, nil
}

// SetCalendar validates and stores the business calendar.
func (e *Engine) SetCalendar(ctx context.Context, c calendar.Calendar) error {
	if err := c.Validate(); err != nil {
		return err
	}
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return e.cfg.DB.PutSetting(ctx, calendarKey, string(b))
}

// Run scans for new answers until ctx ends: at once after this process
// wrote answers (the store's change counter moved), and every two seconds
// for other replicas' answers.
func (e *Engine) Run(ctx context.Context) {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	var seen uint64
	last := time.Time{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		changes := e.cfg.DB.Changes()
		if changes == seen && time.Since(last) < 2*time.Second {
			continue
		}
		seen, last = changes, time.Now()
		if _, err := e.Scan(ctx); err != nil && ctx.Err() == nil {
			e.cfg.Log.Error("casework: scan", "err", err)
		}
	}
}

// Scan reads the answers after the stored cursor, opens their cases and
// settles won-back verdicts, then moves the cursor. It returns how many
// cases it opened.
func (e *Engine) Scan(ctx context.Context) (opened int, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.jobs == nil {
		return 0, fmt.Errorf("casework: no job queue")
	}
	rules, err := e.Rules(ctx)
	if err != nil {
		return 0, err
	}
	cal, err := e.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	cursor, err := e.cursor(ctx)
	if err != nil {
		return 0, err
	}
	from, last := e.cfg.DB.LoopStart(cursor), cursor
	for {
		rows, next, err := e.cfg.DB.LoopRows(ctx, from, 500)
		if err != nil {
			return opened, err
		}
		waiting, err := e.cfg.DB.AwaitingWonBack(ctx, customersOf(rows))
		if err != nil {
			return opened, err
		}
		for i := range rows {
			created, err := e.handle(ctx, rules, cal, &rows[i], waiting)
			if err != nil {
				return opened, err
			}
			if created {
				opened++
			}
		}
		if next > last {
			if err := e.cfg.DB.PutSetting(ctx, cursorKey, strconv.FormatInt(next, 10)); err != nil {
				return opened, err
			}
			last = next
		}
		if len(rows) < 500 {
			return opened, nil
		}
		from = next
	}
}

func (e *Engine) cursor(ctx context.Context) (int64, error) {
	v, ok, err := e.cfg.DB.SettingValue(ctx, cursorKey)
	if err != nil || !ok {
		return 0, err
	}
	return strconv.ParseInt(v, 10, 64)
}

// customersOf lists the customers of rows.
func customersOf(rows []store.LoopRow) []int64 {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.CustomerID
	}
	return ids
}

// handle routes one answer: it settles the customer's open won-back
// questions (awaiting lists the customers who have some), then opens a case
// when a rule picks the answer. Most answers need no write at all.
func (e *Engine) handle(ctx context.Context, rules []loop.Rule, cal calendar.Calendar, row *store.LoopRow, awaiting map[int64]bool) (bool, error) {
	if awaiting[row.CustomerID] && row.Kind == otklik.KindNPS {
		verdict := loop.WonBack(0, row.Response.Score)
		if verdict == "" {
			verdict = "none" // still a detractor
		}
		if _, err := e.cfg.DB.SettleWonBack(ctx, row.CustomerID, row.ID, row.Response.AnsweredAt, verdict); err != nil {
			return false, err
		}
	}
	if row.CustomerErased {
		return false, nil
	}
	rule, ok := loop.Route(rules, &row.Response, row.Kind)
	if !ok {
		return false, nil
	}
	c, err := e.caseFor(ctx, rule, cal, row)
	if err != nil {
		return false, err
	}
	if c.Kind == otklik.CaseDetractor && row.Kind == otklik.KindNPS && c.Score <= 6 {
		// The customer's next answer, maybe in this same page, settles it.
		awaiting[row.CustomerID] = true
	}
	return e.cfg.DB.OpenCase(ctx, c, func(tx *sql.Tx, id int64) error {
		c.ID = id
		if _, err := e.jobs.InsertTx(ctx, tx, NotifyArgs{CaseID: id, Event: "opened"}, nil); err != nil {
			return err
		}
		if e.cfg.Event != nil {
			return e.cfg.Event(ctx, tx, "case.opened", c)
		}
		return nil
	})
}

// caseFor builds the case rule opens for an answer: the owner and watchers
// resolved to people, the SLA due times counted on the business calendar.
func (e *Engine) caseFor(ctx context.Context, rule loop.Rule, cal calendar.Calendar, row *store.LoopRow) (*otklik.Case, error) {
	snap := row.Response.Snapshot
	now := e.cfg.Now().UTC()
	c := &otklik.Case{
		Kind: rule.Case, ResponseID: row.ID, CustomerID: row.CustomerID, SurveyID: row.SurveyID,
		Score: row.Response.Score, Channel: row.Response.Channel, Rule: rule.Name,
		Manager: snap.Manager, Team: snap.Team, Segment: snap.Segment,
		OpenedAt: now, AnsweredAt: row.Response.AnsweredAt, ResurveyDays: rule.ResurveyDays,
	}
	if c.Kind == "" {
		c.Kind = otklik.CaseDetractor
	}
	if c.Kind == otklik.CaseThanks {
		c.ResurveyDays = 0
	}
	first, resolution := loop.Due(cal, now, rule)
	c.FirstContactDue, c.ResolutionDue = &first, &resolution

	leads := func(team string) []string {
		us, err := e.cfg.DB.TeamLeads(ctx, team)
		if err != nil {
			e.cfg.Log.Warn("casework: team leads", "team", team, "err", err)
		}
		var out []string
		for _, u := range us {
			out = append(out, u.Email)
		}
		return out
	}
	switch rule.Owner.Kind {
	case loop.OwnerUser:
		c.Owner = strings.ToLower(rule.Owner.Email)
	case loop.OwnerTeamLead:
		if l := leads(snap.Team); len(l) > 0 {
			c.Owner = l[0]
		}
	default:
		c.Owner = snap.Manager
	}
	if c.Owner == "" { // no manager on record: the team's lead takes it
		if l := leads(snap.Team); len(l) > 0 {
			c.Owner = l[0]
		}
	}
	watchers := []string{}
	add := func(emails ...string) {
		for _, m := range emails {
			if m != "" && m != c.Owner && !slices.Contains(watchers, m) {
				watchers = append(watchers, m)
			}
		}
	}
	for _, w := range rule.Watchers {
		switch w.Kind {
		case loop.WatcherUser:
			add(strings.ToLower(w.Email))
		case loop.WatcherManagerLead:
			add(leads(e.managerTeam(ctx, snap))...)
		case loop.WatcherChannelSpecialist:
			spec, err := e.specialist(ctx, row.Response.Channel)
			if err != nil {
				return nil, err
			}
			if spec != nil {
				add(spec.Email)
				add(leads(spec.Team)...)
			}
		}
	}
	c.Watchers = watchers
	return c, nil
}

// managerTeam is the team of the answer's manager: the user's team when
// the manager is a user, else the snapshot's team.
func (e *Engine) managerTeam(ctx context.Context, snap otklik.Dimensions) string {
	if snap.Manager != "" {
		if u, err := e.cfg.DB.UserByEmail(ctx, snap.Manager); err == nil && u.Team != "" {
			return u.Team
		}
	}
	return snap.Team
}

// specialist is the user in charge of a channel: an enabled user whose
// team is named after the channel is not a thing, so the mapping is a
// setting, loop.specialist.<channel> = e-mail.
func (e *Engine) specialist(ctx context.Context, ch otklik.Channel) (*otklik.User, error) {
	v, ok, err := e.cfg.DB.SettingValue(ctx, "loop.specialist."+string(ch))
	if err != nil || !ok || v == "" {
		return nil, err
	}
	u, err := e.cfg.DB.UserByEmail(ctx, v)
	if otklik.ErrorCode(err) == otklik.ENOTFOUND {
		return &otklik.User{Email: v}, nil
	}
	return u, err
}

// Resolve records a case's resolution, plans the re-survey and notifies the
// watchers, all in one transaction.
func (e *Engine) Resolve(ctx context.Context, actor otklik.Actor, id int64, res otklik.Resolution) (*otklik.Case, error) {
	scope, err := actor.Scope(otklik.WorkCases)
	if err != nil {
		return nil, err
	}
	if err := res.Validate(); err != nil {
		return nil, err
	}
	return e.cfg.DB.ResolveCase(ctx, scope, id, actor.Email, res, func(tx *sql.Tx, c *otklik.Case) error {
		if e.cfg.Resolved != nil && c.ResurveyAt != nil {
			if err := e.cfg.Resolved(ctx, tx, c); err != nil {
				return err
			}
		}
		if e.jobs != nil {
			if _, err := e.jobs.InsertTx(ctx, tx, NotifyArgs{CaseID: c.ID, Event: "resolved"}, nil); err != nil {
				return err
			}
		}
		if e.cfg.Event != nil {
			return e.cfg.Event(ctx, tx, "case.resolved", c)
		}
		return nil
	})
}

// Escalate marks the cases whose SLA ran out and notifies their owner,
// watchers and the team's lead.
func (e *Engine) Escalate(ctx context.Context) (int, error) {
	breaches, err := e.cfg.DB.MarkBreaches(ctx, e.cfg.Now().UTC(), func(tx *sql.Tx, b store.Breach) error {
		_, err := e.jobs.InsertTx(ctx, tx, NotifyArgs{CaseID: b.CaseID, Event: "breach_" + b.Which}, nil)
		return err
	})
	return len(breaches), err
}
