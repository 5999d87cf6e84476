package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"otklik"
	"otklik/internal/outreach"
	"otklik/internal/store"
)

// everything is the limit the timed calls pass: dispatch.Plan reads 500
// candidates (200 due customers) a page and plans or decides them before
// it asks again, so its next page holds the rest; a read-only run cannot
// consume pages, so it asks for every page at once — the same rows, read
// by the same query and index.
const everything = math.MaxInt32

// Page sizes dispatch.Plan uses, to say how many pages a round reads.
const (
	candidatesPage = 500
	duePage        = 200
)

// policyKey is where dispatch keeps the business's contact policy
// (dispatch.policyKey): the round reads it first.
const policyKey = "outreach.policy"

// dueSet is the answer to "who is due now": customer ids, ascending.
type dueSet struct {
	ids       []int64
	lifetime  int   // candidates of the lifetime milestones (StartedBetween, summed over months)
	waiting   int   // customers with a waiting invitation due (DueCustomers)
	perMonth  []int // candidates per milestone month
	schedules []outreach.Schedule
}

func (d dueSet) hash() string { return hashIDs(d.ids) }

// hashIDs is a short digest of an ascending id list, to compare two
// answers at a glance.
func hashIDs(ids []int64) string {
	h := sha256.New()
	var b [8]byte
	for _, id := range ids {
		binary.BigEndian.PutUint64(b[:], uint64(id))
		h.Write(b[:])
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// reads are the two queries a planning round makes: the product's store
// methods, or the rewritten form the what-if phase measures.
type reads interface {
	StartedBetween(ctx context.Context, from, to otklik.Date, ref string, after store.Started, limit int) ([]store.Started, error)
	DueCustomers(ctx context.Context, now time.Time, limit int) ([]int64, error)
}

// productDue is what dispatch.Plan reads before it decides anything: the
// policy (the stored one or the default) and its zone, the lifetime
// schedules, and for every month of every enabled schedule the window of
// start dates whose milestone fell due within the validity
// (Schedule.StartWindow) and the customers started then without that
// milestone's invitation (StartedBetween, a range on customers_started);
// then the customers with an invitation whose moment has come
// (DueCustomers, through the partial index invitations_next). Not
// included: the survey lookup by key, which the product serves from a
// cache.
//
// With paged nil it reads every page at once and returns the answer.
// With paged set — the answer of such a call — it reads as a round does:
// pages of 500 candidates and of 200 due customers, as many as the round
// reads for that answer. The round plans or decides each page before it
// asks for the next, which then holds the rest; read-only, each later page
// is the same query over the same rows, so it is asked again as it is.
//
// lookback, when positive, narrows each milestone's window to the
// milestones of the last lookback instead of the schedule's whole validity
// (a query change the what-if phase measures); 0 is the product as it is.
func productDue(ctx context.Context, db *store.DB, r reads, now time.Time, lookback time.Duration, paged *dueSet) (dueSet, error) {
	var d dueSet
	policy := outreach.DefaultPolicy()
	if v, ok, err := db.SettingValue(ctx, policyKey); err != nil {
		return d, err
	} else if ok {
		if err := json.Unmarshal([]byte(v), &policy); err != nil {
			return d, fmt.Errorf("stored policy: %w", err)
		}
	}
	loc, err := policy.Zone()
	if err != nil {
		return d, err
	}
	defs, err := db.Definitions(ctx, "schedule")
	if err != nil {
		return d, err
	}
	calls := func(size, known int) (limit, times int) {
		if paged == nil {
			return everything, 1
		}
		return size, known/size + 1
	}
	month := 0
	for _, def := range defs {
		var s outreach.Schedule
		if err := json.Unmarshal(def.JSON, &s); err != nil {
			return d, fmt.Errorf("schedule %d: %w", def.ID, err)
		}
		s.ID = def.ID
		d.schedules = append(d.schedules, s)
		if !s.Enabled {
			continue
		}
		window := s
		if lookback > 0 {
			window.Validity = outreach.Duration(lookback)
		}
		for _, m := range s.Months {
			from, to := window.StartWindow(m, now, loc)
			if from.After(to.Time) {
				d.perMonth = append(d.perMonth, 0)
				month++
				continue
			}
			limit, times := calls(candidatesPage, 0)
			if paged != nil {
				limit, times = calls(candidatesPage, paged.perMonth[month])
			}
			// Page by page, each page after the last one's (started_at, id),
			// as dispatch.planMonth reads.
			var ids []int64
			var after store.Started
			for range times {
				page, err := r.StartedBetween(ctx, from, to, "lifetime:"+strconv.FormatInt(s.ID, 10)+":"+strconv.Itoa(m), after, limit)
				if err != nil {
					return d, err
				}
				for _, st := range page {
					ids = append(ids, st.ID)
				}
				if len(page) < limit {
					break
				}
				after = page[len(page)-1]
			}
			d.perMonth = append(d.perMonth, len(ids))
			d.lifetime += len(ids)
			d.ids = append(d.ids, ids...)
			month++
		}
	}
	limit, times := calls(duePage, 0)
	if paged != nil {
		limit, times = calls(duePage, paged.waiting)
	}
	var due []int64
	for range times {
		if due, err = r.DueCustomers(ctx, now, limit); err != nil {
			return d, err
		}
	}
	d.waiting = len(due)
	d.ids = append(d.ids, due...)
	slices.Sort(d.ids)
	d.ids = slices.Compact(d.ids)
	return d, nil
}

// pages is how many pages a planning round reads for d: one per 500
// candidates of each month (plus the last, short one) and per 200 due
// customers.
func (d dueSet) pages() int {
	n := 0
	for _, c := range d.perMonth {
		n += c/candidatesPage + 1
	}
	return n + d.waiting/duePage + 1
}

// naive is the query a newcomer would write for "who is due now": one pass
// over every customer that works out, row by row, the date of each
// lifetime milestone from the start date (start + m months, the day
// clamped to the month's end, at the schedule's hour in Moscow), keeps
// those whose milestone fell within the last 30 days and who have no
// invitation for it, or who have an invitation waiting whose moment has
// come. Nothing in it can use an index on started_at or next_at: the
// milestone is computed, and the OR makes the waiting test a probe per
// customer.
type naive struct {
	query string
	args  []any
}

// naiveQuery builds the plain SQL for schedule s at now. utcHour is the
// schedule's send hour in UTC (SQLite has no zone database: the caller
// checks that Moscow keeps one offset over the period).
func naiveQuery(dialect string, s outreach.Schedule, now time.Time, utcHour int) naive {
	from := now.Add(-s.Validity.Std())
	months := make([]string, len(s.Months))
	for i, m := range s.Months {
		months[i] = strconv.Itoa(m)
	}
	ref := "lifetime:" + strconv.FormatInt(s.ID, 10) + ":"
	if dialect == "postgres" {
		return naive{query: `SELECT c.id FROM customers c
WHERE (c.erased_at IS NULL AND c.started_at IS NOT NULL AND EXISTS (
        SELECT 1 FROM (VALUES (` + strings.Join(months, "), (") + `)) AS ms(m)
        WHERE (LEAST(date_trunc('month', c.started_at::timestamp) + make_interval(months => ms.m)
                         + make_interval(days => extract(day FROM c.started_at)::int - 1),
                     date_trunc('month', c.started_at::timestamp) + make_interval(months => ms.m + 1) - interval '1 day')::date
               + make_time($5, 0, 0)) AT TIME ZONE 'Europe/Moscow' BETWEEN $1 AND $2
          AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.customer_id = c.id AND i.ref = $3 || ms.m)))
   OR EXISTS (SELECT 1 FROM invitations i WHERE i.customer_id = c.id AND i.next_at IS NOT NULL AND i.next_at <= $4)
ORDER BY c.id`, args: []any{from, now, ref, now, s.SendHour}}
	}
	ts := func(t time.Time) string { return t.UTC().Format(sqliteTime) }
	sel := "SELECT " + months[0] + " AS m"
	for _, m := range months[1:] {
		sel += " UNION ALL SELECT " + m
	}
	return naive{query: `SELECT c.id FROM customers c
WHERE (c.erased_at IS NULL AND c.started_at IS NOT NULL AND EXISTS (
        SELECT 1 FROM (` + sel + `) ms
        WHERE min(date(c.started_at, 'start of month', '+' || ms.m || ' months',
                       '+' || (CAST(strftime('%d', c.started_at) AS INTEGER) - 1) || ' days'),
                  date(c.started_at, 'start of month', '+' || (ms.m + 1) || ' months', '-1 day'))
              || ? BETWEEN ? AND ?
          AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.customer_id = c.id AND i.ref = ? || ms.m)))
   OR EXISTS (SELECT 1 FROM invitations i WHERE i.customer_id = c.id AND i.next_at IS NOT NULL AND i.next_at <= ?)
ORDER BY c.id`, args: []any{fmt.Sprintf("T%02d:00:00.000000Z", utcHour), ts(from), ts(now), ref, ts(now)}}
}

// run runs the plain SQL and returns the ids, ascending.
func (q naive) run(ctx context.Context, db *sql.DB) ([]int64, error) {
	rows, err := db.QueryContext(ctx, q.query, q.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// sqliteUTCHour returns the schedule's send hour in UTC for Moscow, and
// checks that Moscow keeps one offset over the year before now and the
// month after (it has since October 2014): SQLite's plain SQL uses a fixed
// offset.
func sqliteUTCHour(s outreach.Schedule, now time.Time) (int, error) {
	_, off := now.In(moscow).Zone()
	for t := now.AddDate(-1, 0, 0); t.Before(now.AddDate(0, 1, 0)); t = t.Add(24 * time.Hour) {
		if _, o := t.In(moscow).Zone(); o != off {
			return 0, fmt.Errorf("Europe/Moscow changes its UTC offset near %s: the plain SQL for SQLite would be wrong", t.Format(time.DateOnly))
		}
	}
	h := s.SendHour - off/3600
	if off%3600 != 0 || h < 0 || h > 23 {
		return 0, fmt.Errorf("send hour %d in Moscow is not a whole UTC hour of the same day", s.SendHour)
	}
	return h, nil
}
