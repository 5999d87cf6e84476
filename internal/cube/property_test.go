package cube_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"otklik"
	"otklik/internal/cube"
	"otklik/internal/store"
	"otklik/internal/storetest"
)

// world is a database filled with random answers, the cube's view of it and
// an independent connection for plain SQL aggregates.
type world struct {
	dialect   string
	db        *store.DB
	raw       *sql.DB
	surveys   map[otklik.Kind]*otklik.Survey
	customers []*otklik.Customer
	rng       *rand.Rand
	answers   []*otklik.Response
}

var (
	propManagers = []string{"anna@bank.example", "boris@bank.example", "vera@bank.example", "gleb@bank.example", "dina@bank.example", ""}
	propTeams    = map[string]string{"anna@bank.example": "north", "boris@bank.example": "north",
		"vera@bank.example": "south", "gleb@bank.example": "south"}
	propSegments = []string{"smb", "corp", "micro", ""}
	propRegions  = []string{"msk", "spb", ""}
	propServices = []string{"loans", "cards", "deposits", "leasing", "fx"}
)

func newWorld(t *testing.T, dialect string) *world {
	ctx := context.Background()
	clock := storetest.NewClock(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
	cfg := storetest.Config(t, dialect, clock.Now)
	db, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var raw *sql.DB
	if dialect == "sqlite" {
		raw, err = sql.Open("sqlite", "file:"+cfg.Path+"?mode=ro")
	} else {
		raw, err = sql.Open("pgx", cfg.URL)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	w := &world{dialect: dialect, db: db, raw: raw, surveys: map[otklik.Kind]*otklik.Survey{}, rng: rand.New(rand.NewPCG(5, 8))}
	for _, k := range []otklik.Kind{otklik.KindNPS, otklik.KindCSAT, otklik.KindCES, otklik.KindCustom} {
		s := &otklik.Survey{Key: string(k) + "-main", Kind: k, Title: otklik.Text{RU: "Опрос", EN: "Survey"},
			ScoreQuestion: otklik.Text{RU: "Оценка?", EN: "Score?"}}
		if k == otklik.KindCustom {
			s.Scale = otklik.Scale{Min: 0, Max: 100}
		}
		if err := db.CreateSurvey(ctx, s); err != nil {
			t.Fatal(err)
		}
		w.surveys[k] = s
	}
	for i := range 80 {
		c, _, err := db.UpsertCustomer(ctx, all, "c"+strconv.Itoa(i), func(c *otklik.Customer) {
			c.Name = "Клиент"
			c.Manager = propManagers[w.rng.IntN(len(propManagers))]
			c.Team = propTeams[c.Manager]
			if c.Manager == "" && w.rng.IntN(2) == 0 {
				c.Team = "west"
			}
			c.Segment = propSegments[w.rng.IntN(len(propSegments))]
			c.Region = propRegions[w.rng.IntN(len(propRegions))]
			for _, j := range w.rng.Perm(len(propServices))[:w.rng.IntN(4)] {
				c.Services = append(c.Services, propServices[j])
			}
			switch k := w.rng.IntN(20); {
			case k < 3: // unknown revenue
			case k < 4:
				c.Revenue = new(otklik.Amount) // zero: no weight
			case k < 8: // large: float32 rounds these
				c.Revenue = ptr(otklik.Amount(1e8 + w.rng.Int64N(5e9)))
			default:
				c.Revenue = ptr(otklik.Amount(1 + w.rng.Int64N(5e6)))
			}
			if w.rng.IntN(5) > 0 {
				c.StartedAt = &otklik.Date{Time: time.Date(2022, 1, 1+w.rng.IntN(1520), 0, 0, 0, 0, time.UTC)}
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		w.customers = append(w.customers, c)
	}
	w.addAnswers(t, 2500)
	return w
}

func ptr[T any](v T) *T { return &v }

// addAnswers stores n random answers between December 2024 and the clock.
func (w *world) addAnswers(t *testing.T, n int) {
	t.Helper()
	first := time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC)
	span := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC).Sub(first)
	var batch []*otklik.Response
	for range n {
		c := w.customers[w.rng.IntN(len(w.customers))]
		at := first.Add(time.Duration(w.rng.Int64N(int64(span)))).Truncate(time.Second)
		var s *otklik.Survey
		switch k := w.rng.IntN(20); {
		case k < 11:
			s = w.surveys[otklik.KindNPS]
		case k < 15:
			s = w.surveys[otklik.KindCSAT]
		case k < 18:
			s = w.surveys[otklik.KindCES]
		default:
			s = w.surveys[otklik.KindCustom]
		}
		r := &otklik.Response{SurveyID: s.ID, CustomerID: c.ID, Survey: s.Key, Customer: c.ExternalID,
			Channel: otklik.ResponseChannels[w.rng.IntN(len(otklik.ResponseChannels))],
			Score:   s.Scale.Min + w.rng.IntN(s.Scale.Max-s.Scale.Min+1), AnsweredAt: at,
			Snapshot: c.Dimensions(at.In(moscow)), IdempotencyKey: fmt.Sprintf("k%d", len(w.answers)+len(batch))}
		if w.rng.IntN(10) == 0 { // the customer has since moved to another manager
			r.Snapshot.Manager = propManagers[w.rng.IntN(len(propManagers))]
		}
		batch = append(batch, r)
	}
	for i := 0; i < len(batch); i += 500 {
		part := batch[i:min(i+500, len(batch))]
		for j, res := range w.db.AddResponses(context.Background(), part) {
			if res.Err != nil || !res.Created {
				t.Fatalf("answer %d: %+v", i+j, res)
			}
		}
	}
	w.answers = append(w.answers, batch...)
}

// agg is a plain aggregate: score counts and the revenue weights of NPS
// answers, exact integers.
type agg struct {
	hist           [101]int
	wn             int
	wsum, wpr, wdt int64
}

type propCase struct {
	name    string
	surveys []otklik.Kind
	scope   otklik.Scope
	filter  map[cube.Dim]string
	from    time.Time
	to      time.Time
}

func (w *world) query(pc propCase, by cube.Dim) cube.Query {
	q := cube.Query{Scope: pc.scope, Filter: pc.filter, GroupBy: by, From: pc.from, To: pc.to, Weighted: true}
	for _, k := range pc.surveys {
		q.Surveys = append(q.Surveys, w.surveys[k].ID)
	}
	return q
}

const tenureSQL = `CASE WHEN r.tenure_months IS NULL THEN '' WHEN r.tenure_months < 3 THEN '0-2'
	WHEN r.tenure_months < 6 THEN '3-5' WHEN r.tenure_months < 9 THEN '6-8' WHEN r.tenure_months < 12 THEN '9-11'
	WHEN r.tenure_months < 24 THEN '12-23' ELSE '24+' END`

// keySQL is the SQL expression of a dimension's key; time dimensions are
// keyed in Go from answered_at (SQLite and PostgreSQL differ in date
// functions), so they select the instant itself.
func (w *world) keySQL(by cube.Dim) string {
	pg := w.dialect == "postgres"
	switch by {
	case cube.DimNone:
		return "''"
	case cube.DimSegment, cube.DimManager, cube.DimTeam, cube.DimRegion, cube.DimChannel:
		return "r." + string(by)
	case cube.DimTenure:
		return tenureSQL
	case cube.DimService:
		return "COALESCE(s.value, '')"
	case cube.DimCohort:
		if pg {
			return "COALESCE(to_char(c.started_at, 'YYYY-MM'), '')"
		}
		return "COALESCE(substr(c.started_at, 1, 7), '')"
	}
	return "r.answered_at"
}

// sqlAggregate runs the plain aggregate of pc grouped by `by` on the raw
// connection.
func (w *world) sqlAggregate(t *testing.T, pc propCase, by cube.Dim) map[string]*agg {
	t.Helper()
	pg := w.dialect == "postgres"
	from := "responses r JOIN customers c ON c.id = r.customer_id"
	if by == cube.DimService {
		if pg {
			from += " LEFT JOIN LATERAL jsonb_array_elements_text(r.services) s(value) ON true"
		} else {
			from += " LEFT JOIN json_each(r.services) s"
		}
	}
	var where []string
	var args []any
	arg := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	if len(pc.surveys) > 0 {
		var ids []string
		for _, k := range pc.surveys {
			ids = append(ids, strconv.FormatInt(w.surveys[k].ID, 10))
		}
		where = append(where, "r.survey_id IN ("+strings.Join(ids, ", ")+")")
	}
	instant := func(t time.Time) any {
		if pg {
			return t
		}
		return t.UTC().Format("2006-01-02T15:04:05.000000Z")
	}
	if !pc.from.IsZero() {
		arg("r.answered_at >= ?", instant(pc.from))
	}
	if !pc.to.IsZero() {
		arg("r.answered_at < ?", instant(pc.to))
	}
	switch pc.scope.Reach {
	case otklik.ReachOwn:
		arg("r.manager = ?", pc.scope.Manager)
	case otklik.ReachTeam:
		arg("r.team = ?", pc.scope.Team)
	}
	for d, v := range pc.filter {
		switch d {
		case cube.DimSegment, cube.DimManager, cube.DimTeam, cube.DimRegion, cube.DimChannel:
			arg("r."+string(d)+" = ?", v)
		case cube.DimTenure:
			arg(tenureSQL+" = ?", v)
		case cube.DimService:
			if pg {
				arg("r.services @> jsonb_build_array(?::text)", v)
			} else {
				arg("EXISTS (SELECT 1 FROM json_each(r.services) WHERE value = ?)", v)
			}
		default:
			t.Fatalf("no SQL for filter %s", d)
		}
	}
	weighted := "r.revenue > 0 AND r.score <= 10"
	q := "SELECT " + w.keySQL(by) + ", r.score, COUNT(*), " +
		"SUM(CASE WHEN " + weighted + " THEN 1 ELSE 0 END), " +
		"CAST(SUM(CASE WHEN " + weighted + " THEN r.revenue ELSE 0 END) AS BIGINT), " +
		"CAST(SUM(CASE WHEN " + weighted + " AND r.score >= 9 THEN r.revenue ELSE 0 END) AS BIGINT), " +
		"CAST(SUM(CASE WHEN " + weighted + " AND r.score <= 6 THEN r.revenue ELSE 0 END) AS BIGINT) " +
		"FROM " + from
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " GROUP BY 1, 2"
	if pg {
		n := 0
		q = rebind(q, &n)
	}
	rows, err := w.raw.Query(q, args...)
	if err != nil {
		t.Fatalf("%s\n%v", q, err)
	}
	defer rows.Close()
	out := map[string]*agg{}
	for rows.Next() {
		var key any
		var score, n, wn int
		var wsum, wpr, wdt int64
		if err := rows.Scan(&key, &score, &n, &wn, &wsum, &wpr, &wdt); err != nil {
			t.Fatal(err)
		}
		k := w.keyOf(t, by, key)
		if out[k] == nil {
			out[k] = &agg{}
		}
		a := out[k]
		a.hist[score] += n
		a.wn += wn
		a.wsum, a.wpr, a.wdt = a.wsum+wsum, a.wpr+wpr, a.wdt+wdt
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func rebind(q string, n *int) string {
	var b strings.Builder
	for _, r := range q {
		if r == '?' {
			*n++
			fmt.Fprintf(&b, "$%d", *n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// keyOf turns a selected key into the group key; instants are keyed in Go,
// with the standard library's calendar, in Moscow.
func (w *world) keyOf(t *testing.T, by cube.Dim, v any) string {
	var at time.Time
	switch x := v.(type) {
	case string:
		if !isTime(by) {
			return x
		}
		var err error
		if at, err = time.Parse(time.RFC3339Nano, x); err != nil {
			t.Fatal(err)
		}
	case []byte:
		return w.keyOf(t, by, string(x))
	case time.Time:
		at = x
	default:
		t.Fatalf("key %T %v", v, v)
	}
	at = at.In(moscow)
	switch by {
	case cube.DimDay:
		return at.Format(time.DateOnly)
	case cube.DimWeek:
		y, wk := at.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, wk)
	case cube.DimMonth:
		return at.Format("2006-01")
	case cube.DimQuarter:
		return fmt.Sprintf("%d-Q%d", at.Year(), (at.Month()-1)/3+1)
	}
	t.Fatalf("instant for %s", by)
	return ""
}

func isTime(d cube.Dim) bool {
	return d == cube.DimDay || d == cube.DimWeek || d == cube.DimMonth || d == cube.DimQuarter
}

// same compares a cube cell with a plain aggregate: histograms and weight
// counts exactly, weight sums to float32's precision (the cube keeps
// revenues as float32 weights).
func same(c cube.Cell, a *agg) string {
	for s, n := range a.hist {
		if int(c.Hist[s]) != n {
			return fmt.Sprintf("score %d: cube %d, SQL %d", s, c.Hist[s], n)
		}
	}
	if c.WeightedN != a.wn {
		return fmt.Sprintf("weighted n: cube %d, SQL %d", c.WeightedN, a.wn)
	}
	for _, p := range [][2]float64{{c.WeightSum, float64(a.wsum)}, {c.WeightPromoters, float64(a.wpr)}, {c.WeightDetractors, float64(a.wdt)}} {
		if math.Abs(p[0]-p[1]) > 1e-6*math.Abs(p[1]) {
			return fmt.Sprintf("weights: cube %v, SQL %v", p[0], p[1])
		}
	}
	return ""
}

// check compares the cube with SQL for pc, overall and for every group_by.
func (w *world) check(t *testing.T, c *cube.Cube, pc propCase) {
	t.Helper()
	overall := w.sqlAggregate(t, pc, cube.DimNone)[""]
	if overall == nil || overall.wn == 0 {
		t.Fatalf("%s: the case selects no weighted answer in SQL: a vacuous comparison", pc.name)
	}
	for _, by := range append([]cube.Dim{cube.DimNone}, cube.Dims...) {
		r := c.Query(w.query(pc, by))
		if d := same(r.Overall, overall); d != "" {
			t.Errorf("%s by %q: overall: %s", pc.name, by, d)
		}
		if by == cube.DimNone {
			continue
		}
		want := w.sqlAggregate(t, pc, by)
		var keys []string
		for _, g := range r.Groups {
			keys = append(keys, g.Key)
			a := want[g.Key]
			if a == nil {
				t.Errorf("%s by %s: group %q is not in SQL", pc.name, by, g.Key)
				continue
			}
			if d := same(g.Cell, a); d != "" {
				t.Errorf("%s by %s: group %q: %s", pc.name, by, g.Key, d)
			}
			delete(want, g.Key)
		}
		for k := range want {
			t.Errorf("%s by %s: SQL group %q is missing", pc.name, by, k)
		}
		if isTime(by) && !slices.IsSorted(keys) {
			t.Errorf("%s by %s: not chronological: %v", pc.name, by, keys)
		}
	}
}

func propCases() []propCase {
	nps := []otklik.Kind{otklik.KindNPS}
	return []propCase{
		{name: "nps", surveys: nps, scope: all},
		{name: "every survey", scope: all},
		{name: "own", surveys: nps, scope: otklik.Scope{Reach: otklik.ReachOwn, Manager: "vera@bank.example"}},
		{name: "team", surveys: nps, scope: otklik.Scope{Reach: otklik.ReachTeam, Team: "north"}},
		{name: "smb in a period", surveys: nps, scope: all, filter: map[cube.Dim]string{cube.DimSegment: "smb"},
			from: time.Date(2025, 6, 1, 0, 0, 0, 0, moscow), to: time.Date(2026, 1, 1, 0, 0, 0, 0, moscow)},
		{name: "csat with cards", surveys: []otklik.Kind{otklik.KindCSAT, otklik.KindCustom}, scope: all,
			filter: map[cube.Dim]string{cube.DimService: "cards"}},
		{name: "team in a band", surveys: nps, scope: otklik.Scope{Reach: otklik.ReachTeam, Team: "south"},
			filter: map[cube.Dim]string{cube.DimTenure: "12-23", cube.DimManager: "gleb@bank.example"}},
	}
}

func TestMatchesSQL(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		w := newWorld(t, dialect)
		c := cube.New(moscow)
		added, err := c.Sync(ctx, w.db)
		if err != nil || added != len(w.answers) || c.Len() != len(w.answers) {
			t.Fatalf("sync: added %d of %d, len %d, err %v", added, len(w.answers), c.Len(), err)
		}
		for _, pc := range propCases() {
			w.check(t, c, pc)
		}

		// Another replica's cube catches up with answers added after its
		// first sync, and a score revised on the survey page.
		replica := cube.New(moscow)
		if _, err := replica.Sync(ctx, w.db); err != nil {
			t.Fatal(err)
		}
		w.addAnswers(t, 300)
		var revised *otklik.Response
		for _, r := range w.answers {
			if r.SurveyID == w.surveys[otklik.KindNPS].ID && r.Score <= 6 {
				revised = r
				break
			}
		}
		revised.Score = 10
		if err := w.db.ReviseResponse(ctx, revised); err != nil {
			t.Fatal(err)
		}
		for _, cc := range []*cube.Cube{c, replica} {
			added, err := cc.Sync(ctx, w.db)
			if err != nil || added != 301 || cc.Len() != len(w.answers) {
				t.Fatalf("catch-up: added %d, want 301; len %d of %d; err %v", added, cc.Len(), len(w.answers), err)
			}
			if again, err := cc.Sync(ctx, w.db); err != nil || again != 0 {
				t.Fatalf("idle sync applied %d rows (err %v)", again, err)
			}
			w.check(t, cc, propCases()[0])
			w.check(t, cc, propCases()[3])
		}
	})
}
