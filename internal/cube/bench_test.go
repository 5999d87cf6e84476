package cube_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"otklik"
	"otklik/internal/cube"
	"otklik/internal/store"
	"otklik/internal/storetest"
)

// synth generates realistic answers: 3 surveys (NPS 60 %, CSAT 25 %, CES
// 15 %), 18 months of days in roughly id order (as live answers arrive),
// 40,000 customers with 12 managers in 3 teams, 6 segments, 1–3 of 10
// services, 8 regions, log-normal revenues (5 % unknown) and starts over the
// three years before the last answer (tenure 0–36 months).
type synth struct {
	rng       *rand.Rand
	customers []synthCustomer
	first     time.Time
	days      int
}

type synthCustomer struct {
	manager, team, segment, region string
	services                       []string
	revenue                        int64
	started                        time.Time
}

var (
	synthSegments = []string{"smb", "smb", "smb", "micro", "micro", "corporate", "enterprise", "state", "nonprofit"}
	synthServices = []string{"loans", "cards", "deposits", "leasing", "factoring", "payroll", "acquiring", "fx", "guarantees", "cash"}
	synthRegions  = []string{"msk", "spb", "kzn", "ekb", "nsk", "nnv", "krd", "rnd"}
	synthChannels = []string{"email", "email", "telegram", "web", "phone", "widget"}
)

func newSynth(seed uint64) *synth {
	g := &synth{rng: rand.New(rand.NewPCG(seed, 1)), first: time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC), days: 547}
	for range 40000 {
		m := g.rng.IntN(12)
		c := synthCustomer{manager: fmt.Sprintf("m%02d@bank.example", m), team: fmt.Sprintf("team-%d", m/4),
			segment: synthSegments[g.rng.IntN(len(synthSegments))], region: synthRegions[g.rng.IntN(len(synthRegions))],
			revenue: int64(math.Exp(math.Log(3e7) + 1.2*g.rng.NormFloat64())),
			started: g.first.AddDate(0, 18-g.rng.IntN(37), g.rng.IntN(28))}
		if g.rng.IntN(20) == 0 {
			c.revenue = -1
		}
		for k := 1 + g.rng.IntN(3); k > 0; k-- {
			// Squaring skews towards the first services, as real portfolios do.
			s := synthServices[int(float64(len(synthServices))*math.Pow(g.rng.Float64(), 2))]
			if !contains(c.services, s) {
				c.services = append(c.services, s)
			}
		}
		g.customers = append(g.customers, c)
	}
	return g
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// fill overwrites rows with the answers of ids first+1 … first+len(rows), out
// of total answers.
func (g *synth) fill(rows []store.CubeRow, first, total int) {
	for i := range rows {
		id := first + i + 1
		c := &g.customers[g.rng.IntN(len(g.customers))]
		day := min(max(int(int64(id)*int64(g.days)/int64(total))+g.rng.IntN(7)-3, 0), g.days-1)
		when := g.first.Add(time.Duration(day)*24*time.Hour + time.Duration(g.rng.IntN(86400))*time.Second)
		survey, score := int64(1), npsScore(g.rng)
		switch k := g.rng.IntN(20); {
		case k < 5:
			survey, score = 2, []int{1, 2, 3, 4, 4, 5, 5, 5}[g.rng.IntN(8)]
		case k < 8:
			survey, score = 3, 1+g.rng.IntN(7)
		}
		tenure := -1
		if g.rng.IntN(30) > 0 {
			tenure = max(otklik.Date{Time: c.started}.MonthsSince(when), 0)
		}
		rows[i] = store.CubeRow{ID: int64(id), Seq: int64(id), SurveyID: survey, AnsweredAt: when, Score: score,
			Channel: synthChannels[g.rng.IntN(len(synthChannels))], Manager: c.manager, Team: c.team,
			Segment: c.segment, Services: c.services, Revenue: c.revenue, Region: c.region,
			Tenure: tenure, StartedAt: c.started}
	}
}

// npsScore draws from a typical B2B distribution: NPS around +30.
func npsScore(r *rand.Rand) int {
	return []int{0, 1, 2, 3, 4, 5, 5, 6, 6, 7, 7, 7, 8, 8, 8, 8, 9, 9, 9, 9, 9, 10, 10, 10, 10, 10, 10, 10}[r.IntN(28)]
}

const benchRows = 10_000_000

var bench struct {
	once  sync.Once
	cube  *cube.Cube
	mib   float64
	build time.Duration
}

// benchCube builds the 10M-row cube once per process and measures its heap:
// the difference of HeapAlloc around the build, after a GC each time and
// with the generator's data dropped.
func benchCube() *cube.Cube {
	bench.once.Do(func() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		g := newSynth(42)
		c := cube.New(moscow)
		rows := make([]store.CubeRow, cube.PageSize)
		var adding time.Duration
		for first := 0; first < benchRows; first += len(rows) {
			g.fill(rows, first, benchRows)
			start := time.Now()
			c.Add(rows)
			adding += time.Since(start)
		}
		g, rows = nil, nil
		runtime.GC()
		runtime.ReadMemStats(&after)
		bench.cube, bench.build = c, adding
		bench.mib = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / (1 << 20)
	})
	return bench.cube
}

func BenchmarkQuery10M(b *testing.B) {
	c := benchCube()
	team := otklik.Scope{Reach: otklik.ReachTeam, Team: "team-1"}
	own := otklik.Scope{Reach: otklik.ReachOwn, Manager: "m03@bank.example"}
	nps := []int64{1}
	lastQuarter := cube.Query{Surveys: nps, Scope: all, GroupBy: cube.DimWeek,
		From: time.Date(2026, 1, 1, 0, 0, 0, 0, moscow), To: time.Date(2026, 4, 1, 0, 0, 0, 0, moscow)}
	cases := []struct {
		name string
		q    cube.Query
	}{
		{"overall", cube.Query{Surveys: nps, Scope: all}},
		{"month", cube.Query{Surveys: nps, Scope: all, GroupBy: cube.DimMonth}},
		{"month_weighted", cube.Query{Surveys: nps, Scope: all, GroupBy: cube.DimMonth, Weighted: true}},
		{"week_last_quarter", lastQuarter},
		{"manager_filter_segment", cube.Query{Surveys: nps, Scope: all, GroupBy: cube.DimManager,
			Filter: map[cube.Dim]string{cube.DimSegment: "smb"}}},
		{"segment_scope_own", cube.Query{Surveys: nps, Scope: own, GroupBy: cube.DimSegment}},
		{"service_filter_segment", cube.Query{Surveys: nps, Scope: all, GroupBy: cube.DimService,
			Filter: map[cube.Dim]string{cube.DimSegment: "corporate"}}},
		{"service_scope_team", cube.Query{Surveys: nps, Scope: team, GroupBy: cube.DimService}},
		{"tenure_scope_team", cube.Query{Surveys: nps, Scope: team, GroupBy: cube.DimTenure}},
		{"region_filter_service", cube.Query{Surveys: nps, Scope: all, GroupBy: cube.DimRegion,
			Filter: map[cube.Dim]string{cube.DimService: "cards"}}},
		{"channel_filter_tenure", cube.Query{Surveys: nps, Scope: all, GroupBy: cube.DimChannel,
			Filter: map[cube.Dim]string{cube.DimTenure: "12-23"}}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				n = c.Query(tc.q).Overall.N()
			}
			if n == 0 {
				b.Fatal("the query matched nothing")
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/query")
			b.ReportMetric(bench.mib, "MiB")
			b.ReportMetric(float64(c.Len())/1e6, "Mrows")
		})
	}
	b.Run("cohorts", func(b *testing.B) {
		for b.Loop() {
			c.Cohorts(cube.Query{Surveys: nps, Scope: all})
		}
		b.ReportMetric(bench.mib, "MiB")
	})
	b.Run("build", func(b *testing.B) {
		// The build of the shared cube, measured once: Add only, not the
		// generator.
		for b.Loop() {
		}
		b.ReportMetric(bench.build.Seconds(), "s/10M")
		b.ReportMetric(bench.mib, "MiB")
		b.ReportMetric(bench.mib*(1<<20)/float64(c.Len()), "B/row")
	})
}

// BenchmarkBuild measures Add of 1M answers into an empty cube, in pages of
// PageSize as Sync applies them.
func BenchmarkBuild(b *testing.B) {
	const n = 1_000_000
	g := newSynth(7)
	rows := make([]store.CubeRow, n)
	g.fill(rows, 0, n)
	for b.Loop() {
		c := cube.New(moscow)
		for i := 0; i < n; i += cube.PageSize {
			c.Add(rows[i:min(i+cube.PageSize, n)])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/1M")
}

// syncRows is the size of the database BenchmarkSync reads: enough for a
// stable rate, small enough to fill in a few seconds. The rate extrapolates
// to the start-up time of a 10M-answer cube ("s/10M").
const syncRows = 100_000

// BenchmarkSync measures a cold Sync from each database: the start-up load.
// The answers are generated in SQL, which is much faster than writing them
// through the store.
func BenchmarkSync(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			ctx := context.Background()
			cfg := storetest.Config(b, dialect, func() time.Time { return time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) })
			db, err := store.Open(ctx, cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if err := db.Migrate(ctx); err != nil {
				b.Fatal(err)
			}
			s := &otklik.Survey{Key: "nps", Kind: otklik.KindNPS, Title: otklik.Text{RU: "Опрос", EN: "Survey"},
				ScoreQuestion: otklik.Text{RU: "Оценка?", EN: "Score?"}}
			if err := db.CreateSurvey(ctx, s); err != nil {
				b.Fatal(err)
			}
			fillAnswers(b, dialect, cfg, s.ID)
			for b.Loop() {
				c := cube.New(moscow)
				if n, err := c.Sync(ctx, db); err != nil || n != syncRows {
					b.Fatalf("synced %d of %d: %v", n, syncRows, err)
				}
			}
			perOp := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(syncRows/perOp, "rows/s")
			b.ReportMetric(perOp*benchRows/syncRows, "s/10M")
		})
	}
}

// fillAnswers inserts 1,000 customers and syncRows answers with plain SQL.
func fillAnswers(b *testing.B, dialect string, cfg store.Config, survey int64) {
	var raw *sql.DB
	var err error
	var stmts []string
	if dialect == "sqlite" {
		raw, err = sql.Open("sqlite", "file:"+cfg.Path+"?_pragma=busy_timeout(5000)")
		const n = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) `
		stmts = []string{
			fmt.Sprintf(n+`INSERT INTO customers (external_id, created_at, updated_at, started_at)
				SELECT 'c' || i, '2024-01-01T00:00:00.000000Z', '2024-01-01T00:00:00.000000Z',
				date('2022-01-01', '+' || (i %% 1400) || ' days') FROM n`, 1000),
			fmt.Sprintf(n+`INSERT INTO responses (`+syncColumns+`, seq)
				SELECT %d, 1 + i %% 1000, 'email', i %% 11,
				strftime('%%Y-%%m-%%dT%%H:%%M:%%S.000000Z', 1730000000 + i * 400, 'unixepoch'), '2026-03-01T00:00:00.000000Z',
				'k' || i, 'm' || (i %% 12) || '@bank.example', 'team-' || (i %% 3), 'seg-' || (i %% 6),
				'["loans","cards"]', 100000 + i, 'msk', i %% 36, i FROM n`, syncRows, survey),
		}
	} else {
		raw, err = sql.Open("pgx", cfg.URL)
		stmts = []string{
			`INSERT INTO customers (external_id, created_at, updated_at, started_at)
				SELECT 'c' || i, now(), now(), DATE '2022-01-01' + i % 1400 FROM generate_series(1, 1000) i`,
			fmt.Sprintf(`INSERT INTO responses (`+syncColumns+`)
				SELECT %d, 1 + i %% 1000, 'email', i %% 11, to_timestamp(1730000000 + i * 400), now(),
				'k' || i, 'm' || (i %% 12) || '@bank.example', 'team-' || (i %% 3), 'seg-' || (i %% 6),
				'["loans","cards"]'::jsonb, 100000 + i, 'msk', i %% 36 FROM generate_series(1, %d) i`, survey, syncRows),
		}
	}
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	for _, q := range stmts {
		if _, err := raw.Exec(q); err != nil {
			b.Fatalf("%s\n%v", q, err)
		}
	}
}

const syncColumns = `survey_id, customer_id, channel, score, answered_at, created_at, idempotency_key,
	manager, team, segment, services, revenue, region, tenure_months`
