package main

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"otklik"
	"otklik/internal/cube"
)

// queryCase is one analytics request, run on the cube as the API runs it
// (plain NPS by default; with weighted=true, Query.Weighted is set and the
// revenue-weighted NPS computed too: both forms are timed) and as plain SQL
// computing the same figures: answers per group and score, and the revenue
// weights of the weighted NPS.
type queryCase struct {
	name    string
	api     string // the API request it stands for
	target  time.Duration
	q       cube.Query
	cohorts bool // cube.Cohorts instead of cube.Query

	// The SQL: the group key per dialect, an optional join, and conditions
	// besides the survey (placeholders ?).
	keySQLite, keyPG   string
	joinSQLite, joinPG string
	where              []string
	args               []any
}

const (
	targetFast  = 20 * time.Millisecond // NPS overall and by month
	targetOther = 50 * time.Millisecond // any other group_by with a filter
)

// tenureSQL is metric.TenureBands as SQL; NULL (no start) is the "" band.
const tenureSQL = `CASE WHEN r.tenure_months IS NULL THEN '' WHEN r.tenure_months < 3 THEN '0-2'
	WHEN r.tenure_months < 6 THEN '3-5' WHEN r.tenure_months < 9 THEN '6-8' WHEN r.tenure_months < 12 THEN '9-11'
	WHEN r.tenure_months < 24 THEN '12-23' ELSE '24+' END`

// cases returns the measured requests. monthShift is SQLite's modifier that
// moves a UTC instant to Moscow's wall clock (SQLite has no zone database).
func cases(nps int64, monthShift string) []queryCase {
	all := otklik.Scope{Reach: otklik.ReachAll}
	m03 := "manager03@otklik.local"
	team := teamNames[1]
	survey := []int64{nps}
	return []queryCase{
		{name: "overall", api: "nps?survey=nps", target: targetFast,
			q:         cube.Query{Surveys: survey, Scope: all},
			keySQLite: "''", keyPG: "''"},
		{name: "by month", api: "nps?survey=nps&group_by=month", target: targetFast,
			q:         cube.Query{Surveys: survey, Scope: all, GroupBy: cube.DimMonth},
			keySQLite: "strftime('%Y-%m', r.answered_at, '" + monthShift + "')",
			keyPG:     "to_char(r.answered_at AT TIME ZONE 'Europe/Moscow', 'YYYY-MM')"},
		{name: "manager, segment=smb", api: "group_by=manager&filter[segment]=smb", target: targetOther,
			q: cube.Query{Surveys: survey, Scope: all, GroupBy: cube.DimManager,
				Filter: map[cube.Dim]string{cube.DimSegment: "smb"}},
			keySQLite: "r.manager", keyPG: "r.manager", where: []string{"r.segment = ?"}, args: []any{"smb"}},
		{name: "segment, own scope", api: "group_by=segment as " + m03, target: targetOther,
			q:         cube.Query{Surveys: survey, Scope: otklik.Scope{Reach: otklik.ReachOwn, Manager: m03}, GroupBy: cube.DimSegment},
			keySQLite: "r.segment", keyPG: "r.segment", where: []string{"r.manager = ?"}, args: []any{m03}},
		{name: "service, segment=corporate", api: "group_by=service&filter[segment]=corporate", target: targetOther,
			q: cube.Query{Surveys: survey, Scope: all, GroupBy: cube.DimService,
				Filter: map[cube.Dim]string{cube.DimSegment: "corporate"}},
			keySQLite: "COALESCE(s.value, '')", joinSQLite: "LEFT JOIN json_each(r.services) s",
			keyPG: "COALESCE(s.value, '')", joinPG: "LEFT JOIN LATERAL jsonb_array_elements_text(r.services) s(value) ON true",
			where: []string{"r.segment = ?"}, args: []any{"corporate"}},
		{name: "tenure, team scope", api: "group_by=tenure as lead of " + team, target: targetOther,
			q:         cube.Query{Surveys: survey, Scope: otklik.Scope{Reach: otklik.ReachTeam, Team: team}, GroupBy: cube.DimTenure},
			keySQLite: tenureSQL, keyPG: tenureSQL, where: []string{"r.team = ?"}, args: []any{team}},
		{name: "cohort table", api: "cohorts?survey=nps&metric=nps", target: targetOther, cohorts: true,
			q:          cube.Query{Surveys: survey, Scope: all},
			keySQLite:  "COALESCE(substr(c.started_at, 1, 7), '') || '|' || " + tenureSQL,
			joinSQLite: "JOIN customers c ON c.id = r.customer_id",
			keyPG:      "COALESCE(to_char(c.started_at, 'YYYY-MM'), '') || '|' || " + tenureSQL,
			joinPG:     "JOIN customers c ON c.id = r.customer_id"},
	}
}

// sql returns the plain SQL of the case for dialect.
func (c *queryCase) sql(dialect string, survey int64) (string, []any) {
	key, join := c.keySQLite, c.joinSQLite
	if dialect == "postgres" {
		key, join = c.keyPG, c.joinPG
	}
	weighted := "r.revenue > 0 AND r.score <= 10"
	q := "SELECT " + key + ", r.score, COUNT(*), " +
		"SUM(CASE WHEN " + weighted + " THEN 1 ELSE 0 END), " +
		"CAST(SUM(CASE WHEN " + weighted + " THEN r.revenue ELSE 0 END) AS BIGINT), " +
		"CAST(SUM(CASE WHEN " + weighted + " AND r.score >= 9 THEN r.revenue ELSE 0 END) AS BIGINT), " +
		"CAST(SUM(CASE WHEN " + weighted + " AND r.score <= 6 THEN r.revenue ELSE 0 END) AS BIGINT)\n" +
		"FROM responses r " + join + "\nWHERE " + strings.Join(append([]string{"r.survey_id = ?"}, c.where...), " AND ") +
		"\nGROUP BY 1, 2"
	args := append([]any{survey}, c.args...)
	if dialect == "postgres" {
		q = rebind(q)
	}
	return q, args
}

func rebind(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// figures are a result reduced to what both sides compute: per group key,
// answers per score and the revenue weights.
type figures map[string]*cellFigures

type cellFigures struct {
	hist           [101]int64
	wn             int64
	wsum, wpr, wdt float64
}

func (f figures) cell(k string) *cellFigures {
	c := f[k]
	if c == nil {
		c = &cellFigures{}
		f[k] = c
	}
	return c
}

func (f figures) answers() int64 {
	var n int64
	for _, c := range f {
		for _, k := range c.hist {
			n += k
		}
	}
	return n
}

func fromCell(c *cube.Cell) *cellFigures {
	out := &cellFigures{wn: int64(c.WeightedN), wsum: c.WeightSum, wpr: c.WeightPromoters, wdt: c.WeightDetractors}
	for s, k := range c.Hist {
		out.hist[s] = int64(k)
	}
	return out
}

// runCube runs the case once and returns its figures.
func (c *queryCase) runCube(cb *cube.Cube, weighted bool) figures {
	q := c.q
	q.Weighted = weighted
	f := figures{}
	if c.cohorts {
		for cohort, bands := range cb.Cohorts(q) {
			for band, cell := range bands {
				f[cohort+"|"+band] = fromCell(&cell)
			}
		}
		return f
	}
	r := cb.Query(q)
	if q.GroupBy == cube.DimNone {
		f[""] = fromCell(&r.Overall)
		return f
	}
	for i := range r.Groups {
		f[r.Groups[i].Key] = fromCell(&r.Groups[i].Cell)
	}
	return f
}

// runSQL runs the case's SQL once and returns its figures.
func (c *queryCase) runSQL(ctx context.Context, db *sql.DB, dialect string, survey int64) (figures, error) {
	q, args := c.sql(dialect, survey)
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w\n%s", c.name, err, q)
	}
	defer rows.Close()
	f := figures{}
	for rows.Next() {
		var key string
		var score, n, wn, wsum, wpr, wdt int64
		if err := rows.Scan(&key, &score, &n, &wn, &wsum, &wpr, &wdt); err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		if score < 0 || score > 100 {
			return nil, fmt.Errorf("%s: score %d out of range", c.name, score)
		}
		cell := f.cell(key)
		cell.hist[score] += n
		cell.wn += wn
		cell.wsum += float64(wsum)
		cell.wpr += float64(wpr)
		cell.wdt += float64(wdt)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", c.name, err)
	}
	return f, nil
}

// compare returns "" when the cube's figures equal SQL's: every count
// exactly, the weight sums to float32 precision (the cube keeps revenues as
// float32 weights). Otherwise it describes the first differences.
func compare(cb, sq figures, weighted bool) string {
	var diffs []string
	keys := make([]string, 0, len(sq))
	for k := range sq {
		keys = append(keys, k)
	}
	for k := range cb {
		if sq[k] == nil {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		a, b := cb[k], sq[k]
		switch {
		case a == nil:
			diffs = append(diffs, fmt.Sprintf("group %q: only in SQL", k))
		case b == nil:
			diffs = append(diffs, fmt.Sprintf("group %q: only in the cube", k))
		default:
			for s := range a.hist {
				if a.hist[s] != b.hist[s] {
					diffs = append(diffs, fmt.Sprintf("group %q score %d: cube %d, SQL %d", k, s, a.hist[s], b.hist[s]))
					break
				}
			}
			if !weighted {
				continue
			}
			if a.wn != b.wn {
				diffs = append(diffs, fmt.Sprintf("group %q weighted n: cube %d, SQL %d", k, a.wn, b.wn))
			}
			for _, p := range [][2]float64{{a.wsum, b.wsum}, {a.wpr, b.wpr}, {a.wdt, b.wdt}} {
				if math.Abs(p[0]-p[1]) > 1e-6*math.Abs(p[1]) {
					diffs = append(diffs, fmt.Sprintf("group %q weights: cube %.0f, SQL %.0f", k, p[0], p[1]))
					break
				}
			}
		}
		if len(diffs) >= 5 {
			diffs = append(diffs, "…")
			break
		}
	}
	return strings.Join(diffs, "; ")
}

// timings are repeated measurements of one query.
type timings []time.Duration

func (t timings) median() time.Duration {
	if len(t) == 0 {
		return 0
	}
	s := slices.Clone(t)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// p90 is the nearest-rank 90th percentile.
func (t timings) p90() time.Duration {
	if len(t) == 0 {
		return 0
	}
	s := slices.Clone(t)
	slices.Sort(s)
	return s[int(math.Ceil(0.9*float64(len(s))))-1]
}

// measure runs f warm times unmeasured, then reps times measured.
func measure(warm, reps int, f func()) timings {
	for range warm {
		f()
	}
	out := make(timings, reps)
	for i := range out {
		start := time.Now()
		f()
		out[i] = time.Since(start)
	}
	return out
}
