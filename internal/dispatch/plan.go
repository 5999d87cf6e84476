package dispatch

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"otklik"
	"otklik/internal/outreach"
	"otklik/internal/store"
)

// PlanArgs is the leader's periodic planning round.
type PlanArgs struct{}

// Kind names the job for River.
func (PlanArgs) Kind() string { return "outreach_plan" }

// InsertOpts keeps one round queued at a time.
func (PlanArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: pendingStates}}
}

// pendingStates are the job states in which a second round is not
// inserted: one waiting or running covers it.
var pendingStates = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
	rivertype.JobStateScheduled, rivertype.JobStateRetryable}

type planWorker struct {
	river.WorkerDefaults[PlanArgs]
	e *Engine
}

func (w *planWorker) Work(ctx context.Context, _ *river.Job[PlanArgs]) error {
	r, err := w.e.Plan(ctx)
	if r.Lifetime+r.Decided+r.Reminders > 0 {
		w.e.cfg.Log.Info("outreach: planned", "lifetime", r.Lifetime, "decided", r.Decided, "reminders", r.Reminders)
	}
	return err
}

// PlanCustomerArgs plans one customer at once (an event whose invitation is
// due now).
type PlanCustomerArgs struct {
	CustomerID int64 `json:"customer_id"`
}

// Kind names the job for River.
func (PlanCustomerArgs) Kind() string { return "outreach_plan_customer" }

type planCustomerWorker struct {
	river.WorkerDefaults[PlanCustomerArgs]
	e *Engine
}

func (w *planCustomerWorker) Work(ctx context.Context, job *river.Job[PlanCustomerArgs]) error {
	_, err := w.e.PlanCustomer(ctx, job.Args.CustomerID)
	return err
}

// Round counts what a planning round did.
type Round struct {
	Lifetime  int // lifetime invitations planned
	Decided   int // waiting invitations decided (sent, deferred or skipped)
	Reminders int // reminders queued
}

// Plan is one planning round: the lifetime milestones that fell due, the
// decisions on every invitation whose moment has come, the reminders.
func (e *Engine) Plan(ctx context.Context) (Round, error) {
	var r Round
	policy, err := e.Policy(ctx)
	if err != nil {
		return r, err
	}
	if r.Lifetime, err = e.planLifetime(ctx, policy); err != nil {
		return r, err
	}
	for {
		due, err := e.cfg.DB.DueCustomers(ctx, e.now(), 200)
		if err != nil {
			return r, err
		}
		before := r.Decided
		for _, id := range due {
			n, err := e.PlanCustomer(ctx, id)
			if err != nil {
				return r, err
			}
			r.Decided += n
		}
		// A full page that decided nothing would come back unchanged.
		if len(due) < 200 || r.Decided == before {
			break
		}
	}
	if r.Reminders, err = e.remind(ctx, policy); err != nil {
		return r, err
	}
	// A send claimed over half an hour ago and never finished stopped with
	// its process: take it as sent rather than risk sending twice.
	if n, err := e.cfg.DB.SettleStuck(ctx, e.now().Add(-30*time.Minute)); err != nil || n > 0 {
		e.cfg.Log.Warn("outreach: interrupted sends taken as sent", "invitations", n, "err", err)
		return r, err
	}
	return r, nil
}

// planLifetime plans the invitations of every enabled schedule whose
// milestone fell due since the schedule's last round (within its validity:
// the first round, and once a day to catch customers added or changed
// since with a start date in the past, look at the whole validity).
// Candidates come from an index range on the start date, page by page;
// the unique (customer, ref) makes a second round, or a second replica,
// plan nothing twice.
func (e *Engine) planLifetime(ctx context.Context, policy outreach.Policy) (int, error) {
	schedules, err := e.Schedules(ctx)
	if err != nil {
		return 0, err
	}
	loc, err := policy.Zone()
	if err != nil {
		return 0, err
	}
	rounds, err := e.lifetimeRounds(ctx)
	if err != nil {
		return 0, err
	}
	now := e.now()
	planned := 0
	for _, s := range schedules {
		if !s.Enabled {
			continue
		}
		sv, err := e.cfg.Intake.Survey(ctx, s.Survey)
		if err != nil {
			// Said on the settings page; here only for whoever debugs.
			e.cfg.Log.Debug("dispatch: schedule names a missing survey", "schedule", s.ID, "survey", s.Survey, "err", err)
			continue
		}
		r := rounds[s.ID]
		window := s
		full := now.Sub(r.Full) >= 24*time.Hour || r.Last.IsZero()
		if !full {
			// Since the last round, with a minute of overlap.
			window.Validity = outreach.Duration(min(now.Sub(r.Last)+time.Minute, s.Validity.Std()))
		}
		for _, m := range s.Months {
			n, err := e.planMonth(ctx, window, s, m, sv.ID, now, loc)
			if err != nil {
				return planned, err
			}
			planned += n
		}
		r.Last = now
		if full {
			r.Full = now
		}
		rounds[s.ID] = r
	}
	return planned, e.saveLifetimeRounds(ctx, rounds)
}

// planMonth plans month m of schedule s for the customers whose milestone
// falls in window's validity before now.
func (e *Engine) planMonth(ctx context.Context, window, s outreach.Schedule, m int, surveyID int64, now time.Time, loc *time.Location) (int, error) {
	from, to := window.StartWindow(m, now, loc)
	if from.After(to.Time) {
		return 0, nil
	}
	ref := fmt.Sprintf("lifetime:%d:%d", s.ID, m)
	planned := 0
	var after store.Started
	for {
		page, err := e.cfg.DB.StartedBetween(ctx, from, to, ref, after, 500)
		if err != nil {
			return planned, err
		}
		ids := make([]int64, len(page))
		for i, st := range page {
			ids[i] = st.ID
		}
		n, err := e.planMilestone(ctx, s, m, surveyID, ids, loc)
		if err != nil {
			return planned, err
		}
		planned += n
		if len(page) < 500 {
			return planned, nil
		}
		after = page[len(page)-1]
	}
}

// lifetimeRound is when a schedule's milestones were last planned, and
// last planned over the whole validity.
type lifetimeRound struct {
	Last time.Time `json:"last"`
	Full time.Time `json:"full"`
}

const roundsKey = "outreach.lifetime_rounds"

func (e *Engine) lifetimeRounds(ctx context.Context) (map[int64]lifetimeRound, error) {
	out := map[int64]lifetimeRound{}
	v, ok, err := e.cfg.DB.SettingValue(ctx, roundsKey)
	if err != nil || !ok {
		return out, err
	}
	if err := json.Unmarshal([]byte(v), &out); err != nil {
		return map[int64]lifetimeRound{}, nil // unreadable: plan the whole windows again
	}
	return out, nil
}

func (e *Engine) saveLifetimeRounds(ctx context.Context, rounds map[int64]lifetimeRound) error {
	b, _ := json.Marshal(rounds)
	return e.cfg.DB.PutSetting(ctx, roundsKey, string(b))
}

// forgetLifetimeRound makes the next round plan a schedule's whole
// validity: its months or service may have changed.
func (e *Engine) forgetLifetimeRound(ctx context.Context, id int64) error {
	rounds, err := e.lifetimeRounds(ctx)
	if err != nil {
		return err
	}
	delete(rounds, id)
	return e.saveLifetimeRounds(ctx, rounds)
}

// planMilestone plans month m of schedule s for the customers ids, in one
// transaction.
func (e *Engine) planMilestone(ctx context.Context, s outreach.Schedule, m int, surveyID int64, ids []int64, loc *time.Location) (int, error) {
	n := 0
	err := e.cfg.DB.InTx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			c, err := e.cfg.DB.CustomerByID(ctx, id)
			if err != nil {
				if otklik.ErrorCode(err) == otklik.ENOTFOUND {
					continue
				}
				return err
			}
			if !s.Matches(outreach.PersonFrom(c)) {
				continue
			}
			req := s.Request(m, s.Milestone(*c.StartedAt, m, loc))
			ok, err := e.plan(ctx, tx, c.ID, surveyID, req)
			if err != nil {
				return err
			}
			if ok {
				n++
			}
		}
		return nil
	})
	return n, err
}

// PlanCustomer decides every invitation of one customer whose moment has
// come, together, so that they compete by priority: each is queued for
// sending (with its send job, in the same transaction), deferred to its
// next allowed moment or skipped — and the reason recorded.
func (e *Engine) PlanCustomer(ctx context.Context, customerID int64) (int, error) {
	policy, err := e.Policy(ctx)
	if err != nil {
		return 0, err
	}
	loc, err := policy.Zone()
	if err != nil {
		return 0, err
	}
	now := e.now()
	decided, erased := 0, false
	err = e.cfg.DB.InTx(ctx, func(tx *sql.Tx) error {
		st, err := e.cfg.DB.OutreachStateOf(ctx, tx, customerID, now.AddDate(0, 0, -historyDays))
		if otklik.ErrorCode(err) == otklik.ENOTFOUND {
			erased = true
			return nil
		}
		if err != nil {
			return err
		}
		who := outreach.PersonFrom(st.Customer)
		who.Location = loc
		var due []*otklik.Invitation
		var reqs []outreach.Request
		for _, inv := range st.Waiting {
			if inv.NextAt == nil || inv.NextAt.After(now) {
				continue
			}
			due = append(due, inv)
			reqs = append(reqs, outreach.Request{Source: inv.Source, Ref: inv.Ref, Survey: inv.Survey, Label: inv.Label,
				Channels: inv.Channels, Earliest: inv.EarliestAt, Latest: inv.LatestAt})
		}
		if len(due) == 0 {
			return nil
		}
		var history []outreach.Contact
		for _, h := range st.History {
			at := h.UpdatedAt // queued or sending: as good as sent when decided
			if h.SentAt != nil {
				at = *h.SentAt
			}
			history = append(history, outreach.Contact{At: at, Source: h.Source, Survey: h.Survey, Label: h.Label, Ref: h.Ref})
		}
		for i, d := range outreach.Plan(policy, who, reqs, history, now) {
			inv := due[i]
			applied, err := e.cfg.DB.Decide(ctx, tx, inv, string(d.Action), d.At, d.Channel, d.Reason.Code, d.Reason.Params)
			if err != nil {
				return err
			}
			if !applied {
				continue // another replica decided it first
			}
			if d.Action == outreach.Send {
				if _, err := e.jobs.InsertTx(ctx, tx, SendArgs{InvitationID: inv.ID}, nil); err != nil {
					return err
				}
			}
			decided++
		}
		return nil
	})
	if err == nil && erased {
		err = e.cfg.DB.SkipWaiting(ctx, customerID, outreach.CodeSkippedErased)
	}
	return decided, err
}

// remind queues the reminders that are due: an invitation sent, not
// answered, still valid, ReminderAfter ago.
func (e *Engine) remind(ctx context.Context, policy outreach.Policy) (int, error) {
	if policy.Reminders <= 0 || policy.ReminderAfter <= 0 {
		return 0, nil
	}
	now := e.now()
	invs, err := e.cfg.DB.DueReminders(ctx, now.Add(-policy.ReminderAfter.Std()), now, policy.Reminders, 500)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, inv := range invs {
		if inv.SentAt == nil || now.After(inv.LatestAt) {
			continue
		}
		if due, _ := outreach.Reminder(policy, *inv.SentAt, inv.Reminders, now); !due {
			continue
		}
		if _, err := e.jobs.Client().Insert(ctx, SendArgs{InvitationID: inv.ID, Reminder: inv.Reminders + 1}, nil); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
