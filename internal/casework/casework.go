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

// Messenger sends a text to a chat; the app adapts the Telegram client.
type Messenger interface {
	Send(ctx context.Context, chat int64, text string) error
}

// Config is what the engine needs.
type Config struct {
	DB      *store.DB
	Now     func() time.Time
	Log     *slog.Logger
	Catalog *locale.Catalog
	Mail    Mailer // nil: no e-mail (the timeline says so)
	// Telegram sends to users who linked a chat with the bot (nil: none);
	// TelegramPermanent tells a refusal retrying cannot fix.
	Telegram          Messenger
	TelegramPermanent func(error) bool
	BaseURL           string // links in notifications point here
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
	e.cfg.DB.FollowAnswers(ctx, 200*time.Millisecond, 2*time.Second, func(ctx context.Context) error {
		_, err := e.Scan(ctx)
		return err
	}, e.cfg.Log, "casework: scan")
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
	people := newPeople(e.cfg.DB)
	for {
		rows, next, err := e.cfg.DB.LoopRows(ctx, from, 500)
		if err != nil {
			return opened, err
		}
		waiting, err := e.cfg.DB.AwaitingWonBack(ctx, customersOf(rows))
		if err != nil {
			return opened, err
		}
		work, err := e.plan(ctx, rules, cal, rows, waiting, people)
		if err != nil {
			return opened, err
		}
		n, err := e.apply(ctx, work)
		opened += n
		if err != nil {
			return opened, err
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

// MaxCaseAge bounds how old an answer may be to open a case: a history of
// answers imported from elsewhere is not a list of customers to call back
// today. (It still settles the won-back verdicts of open cases.)
const MaxCaseAge = 7 * 24 * time.Hour

// step is what one answer asks of the loop: a won-back verdict for the
// customer's waiting cases (verdict set), a case to open (c set), or both.
type step struct {
	row     *store.LoopRow
	verdict string
	c       *otklik.Case
}

// plan works out, reading only, what a page of answers asks: the won-back
// verdicts (awaiting lists the customers with cases waiting for a next
// answer, and gains those a case in this page starts waiting for) and the
// cases the rules open. Most answers ask nothing.
func (e *Engine) plan(ctx context.Context, rules []loop.Rule, cal calendar.Calendar, rows []store.LoopRow,
	awaiting map[int64]bool, people *people) ([]step, error) {
	var out []step
	now := e.cfg.Now()
	for i := range rows {
		row := &rows[i]
		st := step{row: row}
		if awaiting[row.CustomerID] && row.Kind == otklik.KindNPS {
			if st.verdict = loop.WonBack(0, row.Response.Score); st.verdict == "" {
				st.verdict = "none" // still a detractor
			}
		}
		if !row.CustomerErased && now.Sub(row.Response.AnsweredAt) <= MaxCaseAge {
			if rule, ok := loop.Route(rules, &row.Response, row.Kind); ok {
				c, err := e.caseFor(ctx, rule, cal, row, people)
				if err != nil {
					return nil, err
				}
				st.c = c
				if c.Kind == otklik.CaseDetractor && row.Kind == otklik.KindNPS && c.Score <= 6 {
					// The customer's next answer, maybe in this page, settles it.
					awaiting[row.CustomerID] = true
				}
			}
		}
		if st.verdict != "" || st.c != nil {
			out = append(out, st)
		}
	}
	return out, nil
}

// apply writes a page's steps in answer order (so a case opened for an
// answer is settled by a later answer of the same page), each in its own
// short transaction with the new case's notification job: measured under
// load (bench/responses), longer transactions holding the single SQLite
// writer slowed the answers coming in more than the extra commits cost.
// It returns how many cases it opened.
func (e *Engine) apply(ctx context.Context, work []step) (int, error) {
	opened := 0
	for i := range work {
		n, err := e.applyStep(ctx, work[i])
		opened += n
		if err != nil {
			return opened, err
		}
	}
	return opened, nil
}

func (e *Engine) applyStep(ctx context.Context, st step) (opened int, err error) {
	err = e.cfg.DB.InTx(ctx, func(tx *sql.Tx) error {
		if st.verdict != "" {
			r := st.row
			if _, err := e.cfg.DB.SettleWonBackTx(ctx, tx, r.CustomerID, r.ID, r.Response.AnsweredAt, st.verdict); err != nil {
				return err
			}
		}
		if st.c == nil {
			return nil
		}
		c := st.c
		created, err := e.cfg.DB.OpenCaseTx(ctx, tx, c, func(tx *sql.Tx, id int64) error {
			c.ID = id
			if _, err := e.jobs.InsertTx(ctx, tx, NotifyArgs{CaseID: id, Event: "opened"}, nil); err != nil {
				return err
			}
			if e.cfg.Event != nil {
				return e.cfg.Event(ctx, tx, "case.opened", c)
			}
			return nil
		})
		if created && err == nil {
			opened = 1
		}
		return err
	})
	return opened, err
}

// people remembers, for one scan, the leads of each team and each user's
// team: a page of answers names the same few managers again and again.
type people struct {
	db    *store.DB
	leads map[string][]string
	teams map[string]string
}

func newPeople(db *store.DB) *people {
	return &people{db: db, leads: map[string][]string{}, teams: map[string]string{}}
}

// leadsOf returns the e-mails of team's enabled leads.
func (p *people) leadsOf(ctx context.Context, team string) ([]string, error) {
	if l, ok := p.leads[team]; ok {
		return l, nil
	}
	us, err := p.db.TeamLeads(ctx, team)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, u := range us {
		out = append(out, u.Email)
	}
	p.leads[team] = out
	return out, nil
}

// teamOf returns the team of the user with e-mail, "" for no such user.
func (p *people) teamOf(ctx context.Context, email string) (string, error) {
	if t, ok := p.teams[email]; ok {
		return t, nil
	}
	u, err := p.db.UserByEmail(ctx, email)
	switch {
	case otklik.ErrorCode(err) == otklik.ENOTFOUND:
		u, err = &otklik.User{}, nil
	case err != nil:
		return "", err
	}
	p.teams[email] = u.Team
	return u.Team, nil
}

// caseFor builds the case rule opens for an answer: the owner and watchers
// resolved to people, the SLA due times counted on the business calendar.
func (e *Engine) caseFor(ctx context.Context, rule loop.Rule, cal calendar.Calendar, row *store.LoopRow, people *people) (*otklik.Case, error) {
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

	var lookupErr error
	leads := func(team string) []string {
		l, err := people.leadsOf(ctx, team)
		if err != nil {
			lookupErr = err
		}
		return l
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
			team := snap.Team
			if snap.Manager != "" {
				t, err := people.teamOf(ctx, snap.Manager)
				if err != nil {
					return nil, err
				}
				if t != "" {
					team = t // the manager's own team, when the manager is a user
				}
			}
			add(leads(team)...)
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
	return c, lookupErr
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
