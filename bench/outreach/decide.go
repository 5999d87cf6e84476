package main

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"otklik"
	"otklik/internal/outreach"
	"otklik/internal/store"
)

// historyDays is how far back dispatch reads a customer's history: the
// longest cap period a policy may count, plus a day (dispatch.historyDays).
const historyDays = 366

// errReadOnly ends the state-reading transaction without committing.
var errReadOnly = errors.New("read only: roll back")

// decisionInput is what dispatch.PlanCustomer hands outreach.Plan for one
// customer.
type decisionInput struct {
	who     outreach.Person
	reqs    []outreach.Request
	history []outreach.Contact
}

// decider does for one due customer what dispatch.PlanCustomer does up to
// the decisions, and no further: it reads the policy and its zone, opens
// the write transaction PlanCustomer decides in, reads the customer's
// outreach state in it (store.OutreachStateOf: the customer with consents,
// the waiting invitations, the history of the last 366 days), gathers the
// invitations whose moment has come, builds the history, calls
// outreach.Plan — and rolls back instead of recording the decisions and
// enqueueing the sends. A lifetime candidate is decided with its
// milestone's request added, as if planMilestone had just planned it.
type decider struct {
	db         *store.DB
	now        time.Time
	schedules  []outreach.Schedule
	candidates map[int64]bool
}

func (d *decider) decide(ctx context.Context, id int64) (decisionInput, []outreach.Decision, error) {
	var in decisionInput
	var out []outreach.Decision
	policy := outreach.DefaultPolicy()
	if v, ok, err := d.db.SettingValue(ctx, policyKey); err != nil {
		return in, nil, err
	} else if ok {
		if err := json.Unmarshal([]byte(v), &policy); err != nil {
			return in, nil, fmt.Errorf("stored policy: %w", err)
		}
	}
	loc, err := policy.Zone()
	if err != nil {
		return in, nil, err
	}
	now := d.now
	err = d.db.InTx(ctx, func(tx *sql.Tx) error {
		st, err := d.db.OutreachStateOf(ctx, tx, id, now.AddDate(0, 0, -historyDays))
		if otklik.ErrorCode(err) == otklik.ENOTFOUND {
			return errReadOnly // erased: PlanCustomer skips what waits
		}
		if err != nil {
			return err
		}
		in.who = outreach.PersonFrom(st.Customer)
		in.who.Location = loc
		for _, inv := range st.Waiting {
			if inv.NextAt == nil || inv.NextAt.After(now) {
				continue
			}
			in.reqs = append(in.reqs, outreach.Request{Source: inv.Source, Ref: inv.Ref, Survey: inv.Survey, Label: inv.Label,
				Channels: inv.Channels, Earliest: inv.EarliestAt, Latest: inv.LatestAt})
		}
		if d.candidates[id] {
			in.reqs = append(in.reqs, d.lifetimeRequests(st.Customer, in.who, loc)...)
		}
		if len(in.reqs) == 0 {
			return errReadOnly
		}
		for _, h := range st.History {
			at := now
			if h.SentAt != nil {
				at = *h.SentAt
			}
			in.history = append(in.history, outreach.Contact{At: at, Source: h.Source, Survey: h.Survey, Label: h.Label, Ref: h.Ref})
		}
		out = outreach.Plan(policy, in.who, in.reqs, in.history, now)
		return errReadOnly
	})
	if err != nil && !errors.Is(err, errReadOnly) {
		return in, nil, err
	}
	return in, out, nil
}

// lifetimeRequests are the requests planMilestone plans for a candidate:
// each enabled schedule that matches the customer and whose milestone fell
// within its validity.
func (d *decider) lifetimeRequests(c *otklik.Customer, who outreach.Person, loc *time.Location) []outreach.Request {
	var out []outreach.Request
	for _, s := range d.schedules {
		if !s.Matches(who) {
			continue
		}
		for _, m := range s.Months {
			at := s.Milestone(*c.StartedAt, m, loc)
			if !at.After(d.now) && !at.Before(d.now.Add(-s.Validity.Std())) {
				out = append(out, s.Request(m, at))
			}
		}
	}
	return out
}

// decisionStats counts the decisions by action and reason.
type decisionStats struct {
	customers, requests int
	byAction            map[outreach.Action]int
	byReason            map[string]int
}

func countDecisions(ins []decisionInput, outs [][]outreach.Decision) decisionStats {
	s := decisionStats{byAction: map[outreach.Action]int{}, byReason: map[string]int{}}
	for i := range ins {
		if len(ins[i].reqs) == 0 {
			continue
		}
		s.customers++
		s.requests += len(ins[i].reqs)
		for _, d := range outs[i] {
			s.byAction[d.Action]++
			s.byReason[d.Reason.Code]++
		}
	}
	return s
}

func (s decisionStats) String() string {
	type kv struct {
		k string
		v int
	}
	var reasons []kv
	for k, v := range s.byReason {
		reasons = append(reasons, kv{k, v})
	}
	slices.SortFunc(reasons, func(a, b kv) int {
		if c := cmp.Compare(b.v, a.v); c != 0 {
			return c
		}
		return strings.Compare(a.k, b.k)
	})
	parts := make([]string, 0, len(reasons))
	for _, r := range reasons {
		parts = append(parts, fmt.Sprintf("%s %s", r.k, num(float64(r.v))))
	}
	return fmt.Sprintf("%s customers, %s requests: send %s, defer %s, skip %s (%s)", num(float64(s.customers)), num(float64(s.requests)),
		num(float64(s.byAction[outreach.Send])), num(float64(s.byAction[outreach.Defer])), num(float64(s.byAction[outreach.Skip])),
		strings.Join(parts, ", "))
}
