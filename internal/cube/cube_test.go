package cube_test

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"otklik"
	"otklik/internal/cube"
	"otklik/internal/store"
)

var moscow = mustZone("Europe/Moscow")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

const (
	npsSurvey  = 1
	csatSurvey = 2
	cesSurvey  = 3
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func date(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// row builds a cube row; seq equals id unless changed by the caller.
func row(id int64, survey int64, when string, score int, channel, manager, team, segment string,
	services []string, revenue int64, tenure int, started string) store.CubeRow {
	return store.CubeRow{ID: id, Seq: id, SurveyID: survey, AnsweredAt: at(when), Score: score, Channel: channel,
		Manager: manager, Team: team, Segment: segment, Services: services, Revenue: revenue,
		Tenure: tenure, StartedAt: date(started)}
}

// handRows are the answers every figure below is computed from by hand.
// Moscow is UTC+3: rows 3 and 6 fall on the next day there.
//
//	id score channel manager team  segment services        revenue  tenure day (Moscow)  start
//	1  10    email   anna    north smb     loans            1000.00  1     2025-12-28    2025-11-15
//	2   9    email   anna    north smb     loans, cards     3000.00  4     2025-12-31    2025-08-01
//	3   8    web     boris   north corp    cards            –       13     2026-01-01    2024-12-10
//	4   7    phone   boris   north corp    –                2000.00  –     2026-01-15    –
//	5   6    web     vera    south smb     loans            1000.00  0     2026-02-28    2026-01-20
//	6   3    email   vera    south corp    loans, deposits  5000.00 30     2026-03-01    2023-06-01
//	7   0    phone   –       –     –       –                –        –     2026-03-02    –
//	8  10    web     anna    north smb     deposits         0.00     2     2026-04-01    2026-01-20
//
// plus CSAT answers 5, 4, 2 and CES answers 6, 3, 7.
func handRows() []store.CubeRow {
	return []store.CubeRow{
		row(1, npsSurvey, "2025-12-28T12:00:00Z", 10, "email", "anna", "north", "smb", []string{"loans"}, 100000, 1, "2025-11-15"),
		row(2, npsSurvey, "2025-12-31T20:30:00Z", 9, "email", "anna", "north", "smb", []string{"loans", "cards"}, 300000, 4, "2025-08-01"),
		row(3, npsSurvey, "2025-12-31T21:30:00Z", 8, "web", "boris", "north", "corp", []string{"cards"}, -1, 13, "2024-12-10"),
		row(4, npsSurvey, "2026-01-15T10:00:00Z", 7, "phone", "boris", "north", "corp", nil, 200000, -1, ""),
		row(5, npsSurvey, "2026-02-28T20:30:00Z", 6, "web", "vera", "south", "smb", []string{"loans"}, 100000, 0, "2026-01-20"),
		row(6, npsSurvey, "2026-02-28T21:30:00Z", 3, "email", "vera", "south", "corp", []string{"loans", "deposits"}, 500000, 30, "2023-06-01"),
		row(7, npsSurvey, "2026-03-02T09:00:00Z", 0, "phone", "", "", "", nil, -1, -1, ""),
		row(8, npsSurvey, "2026-04-01T06:00:00Z", 10, "web", "anna", "north", "smb", []string{"deposits"}, 0, 2, "2026-01-20"),
		row(9, csatSurvey, "2026-01-10T10:00:00Z", 5, "email", "anna", "north", "smb", []string{"loans"}, 100000, 1, "2025-11-15"),
		row(10, csatSurvey, "2026-01-11T10:00:00Z", 4, "web", "boris", "north", "corp", nil, -1, -1, ""),
		row(11, csatSurvey, "2026-01-12T10:00:00Z", 2, "phone", "vera", "south", "smb", nil, -1, -1, ""),
		row(12, cesSurvey, "2026-01-10T10:00:00Z", 6, "email", "anna", "north", "smb", nil, -1, -1, ""),
		row(13, cesSurvey, "2026-01-11T10:00:00Z", 3, "web", "boris", "north", "corp", nil, -1, -1, ""),
		row(14, cesSurvey, "2026-01-12T10:00:00Z", 7, "phone", "vera", "south", "smb", nil, -1, -1, ""),
	}
}

func handCube() *cube.Cube {
	c := cube.New(moscow)
	c.Add(handRows())
	return c
}

var all = otklik.Scope{Reach: otklik.ReachAll}

// fig is the part of a cell the hand computations check.
type fig struct {
	Key                  string
	N, P, Pa, D          int
	NPS                  float64
	WeightedNPS          float64
	WeightedN            int
	WeightSum, Promoters float64
}

func figOf(key string, c cube.Cell) fig {
	r := c.NPS()
	w, wn := c.WeightedNPS()
	return fig{Key: key, N: c.N(), P: r.Promoters, Pa: r.Passives, D: r.Detractors, NPS: round(r.NPS),
		WeightedNPS: round(w), WeightedN: wn, WeightSum: c.WeightSum, Promoters: c.WeightPromoters}
}

func round(x float64) float64 { return math.Round(x*1000) / 1000 }

func groupsOf(r cube.Result) []fig {
	var out []fig
	for _, g := range r.Groups {
		out = append(out, figOf(g.Key, g.Cell))
	}
	return out
}

// brief drops the weight fields for unweighted queries.
func brief(fs []fig) []fig {
	for i := range fs {
		fs[i].WeightSum, fs[i].Promoters = 0, 0
	}
	return fs
}

func TestHandOverallAndWeighted(t *testing.T) {
	c := handCube()
	if c.Len() != 14 {
		t.Fatalf("Len = %d, want 14", c.Len())
	}
	r := c.Query(cube.Query{Surveys: []int64{npsSurvey}, Scope: all, Weighted: true})
	// Promoters 10, 9, 10; passives 8, 7; detractors 6, 3, 0: NPS (3−3)/8 = 0.
	// Weighted: rows with revenue > 0 are 1 (P 1000), 2 (P 3000), 4 (passive
	// 2000), 5 (D 1000), 6 (D 5000) in roubles; rows 3, 7 have none, row 8 a
	// zero weight. Σw = 12000, (4000 − 6000)/12000 = −16.667, weighted_n 5.
	want := fig{N: 8, P: 3, Pa: 2, D: 3, NPS: 0, WeightedNPS: -16.667, WeightedN: 5, WeightSum: 1200000, Promoters: 400000}
	if diff := cmp.Diff(want, figOf("", r.Overall)); diff != "" {
		t.Fatalf("overall (-want +got):\n%s", diff)
	}
	if r.Groups != nil {
		t.Fatalf("groups without group_by: %+v", r.Groups)
	}
	// Effective n = (Σw)²/Σw² = 12000² / (1000²+3000²+2000²+1000²+5000²) = 144/40 = 3.6.
	if w := r.Overall.Weighted(); math.Abs(w.EffectiveN-3.6) > 1e-9 || !w.SmallSample {
		t.Fatalf("weighted result: %+v", w)
	}

	csat := c.Query(cube.Query{Surveys: []int64{csatSurvey}, Scope: all}).Overall.CSAT()
	// 5, 4, 2: mean 11/3, share of 4–5 = 2/3, one low score.
	if csat.N != 3 || round(csat.Mean) != 3.667 || round(csat.ShareTop) != 0.667 || csat.Low != 1 {
		t.Fatalf("CSAT: %+v", csat)
	}
	ces := c.Query(cube.Query{Surveys: []int64{cesSurvey}, Scope: all}).Overall.CES()
	// 6, 3, 7: mean 16/3, share of 5–7 = 2/3.
	if ces.N != 3 || round(ces.Mean) != 5.333 || round(ces.ShareEasy) != 0.667 {
		t.Fatalf("CES: %+v", ces)
	}
	if n := c.Query(cube.Query{Scope: all}).Overall.N(); n != 14 {
		t.Fatalf("all surveys: n = %d, want 14", n)
	}
}

func TestHandGroups(t *testing.T) {
	c := handCube()
	q := func(by cube.Dim, f map[cube.Dim]string) []fig {
		return brief(groupsOf(c.Query(cube.Query{Surveys: []int64{npsSurvey}, Scope: all, GroupBy: by, Filter: f})))
	}
	cases := []struct {
		name string
		got  []fig
		want []fig
	}{
		// anna 10, 9, 10; boris 8, 7; vera 6, 3; no manager 0. Ties on n
		// go by key: boris before vera.
		{"manager", q(cube.DimManager, nil), []fig{
			{Key: "anna", N: 3, P: 3, NPS: 100}, {Key: "boris", N: 2, Pa: 2}, {Key: "vera", N: 2, D: 2, NPS: -100},
			{Key: "", N: 1, D: 1, NPS: -100}}},
		// Row 2 (loans, cards) and row 6 (loans, deposits) count in both of
		// their services: loans 10, 9, 6, 3; cards 9, 8; deposits 3, 10;
		// none 7, 0.
		{"service", q(cube.DimService, nil), []fig{
			{Key: "loans", N: 4, P: 2, D: 2}, {Key: "", N: 2, Pa: 1, D: 1, NPS: -50},
			{Key: "cards", N: 2, P: 1, Pa: 1, NPS: 50}, {Key: "deposits", N: 2, P: 1, D: 1}}},
		// Bands in band order, unknown last: 0-2 = rows 1, 5, 8 (10, 6, 10).
		{"tenure", q(cube.DimTenure, nil), []fig{
			{Key: "0-2", N: 3, P: 2, D: 1, NPS: 33.333}, {Key: "3-5", N: 1, P: 1, NPS: 100},
			{Key: "12-23", N: 1, Pa: 1}, {Key: "24+", N: 1, D: 1, NPS: -100}, {Key: "", N: 2, Pa: 1, D: 1, NPS: -50}}},
		{"channel", q(cube.DimChannel, nil), []fig{
			{Key: "email", N: 3, P: 2, D: 1, NPS: 33.333}, {Key: "web", N: 3, P: 1, Pa: 1, D: 1},
			{Key: "phone", N: 2, Pa: 1, D: 1, NPS: -50}}},
		{"team", q(cube.DimTeam, nil), []fig{
			{Key: "north", N: 5, P: 3, Pa: 2, NPS: 60}, {Key: "south", N: 2, D: 2, NPS: -100}, {Key: "", N: 1, D: 1, NPS: -100}}},
		{"cohort", q(cube.DimCohort, nil), []fig{
			{Key: "2023-06", N: 1, D: 1, NPS: -100}, {Key: "2024-12", N: 1, Pa: 1}, {Key: "2025-08", N: 1, P: 1, NPS: 100},
			{Key: "2025-11", N: 1, P: 1, NPS: 100}, {Key: "2026-01", N: 2, P: 1, D: 1}, {Key: "", N: 2, Pa: 1, D: 1, NPS: -50}}},
		// smb: 10, 9, 6, 10 → (3 − 1)/4 = 50 %.
		{"segment filter", q(cube.DimNone, map[cube.Dim]string{cube.DimSegment: "smb"}), nil},
		{"loans by manager", q(cube.DimManager, map[cube.Dim]string{cube.DimService: "loans"}), []fig{
			{Key: "anna", N: 2, P: 2, NPS: 100}, {Key: "vera", N: 2, D: 2, NPS: -100}}},
		{"no services by segment", q(cube.DimSegment, map[cube.Dim]string{cube.DimService: ""}), []fig{
			{Key: "", N: 1, D: 1, NPS: -100}, {Key: "corp", N: 1, Pa: 1}}},
		{"band 0-2 by channel", q(cube.DimChannel, map[cube.Dim]string{cube.DimTenure: "0-2"}), []fig{
			{Key: "web", N: 2, P: 1, D: 1}, {Key: "email", N: 1, P: 1, NPS: 100}}},
		{"March by day", q(cube.DimDay, map[cube.Dim]string{cube.DimMonth: "2026-03"}), []fig{
			{Key: "2026-03-01", N: 1, D: 1, NPS: -100}, {Key: "2026-03-02", N: 1, D: 1, NPS: -100}}},
		{"cohort filter", q(cube.DimManager, map[cube.Dim]string{cube.DimCohort: "2026-01"}), []fig{
			{Key: "anna", N: 1, P: 1, NPS: 100}, {Key: "vera", N: 1, D: 1, NPS: -100}}},
	}
	for _, tc := range cases {
		if diff := cmp.Diff(tc.want, tc.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	smb := c.Query(cube.Query{Surveys: []int64{npsSurvey}, Scope: all, Filter: map[cube.Dim]string{cube.DimSegment: "smb"}})
	if got := figOf("", smb.Overall); got.N != 4 || got.NPS != 50 {
		t.Errorf("smb overall: %+v", got)
	}
	// Service groups count a row in each service, the overall once.
	svc := c.Query(cube.Query{Surveys: []int64{npsSurvey}, Scope: all, GroupBy: cube.DimService, Weighted: true})
	if got := figOf("", svc.Overall); got.N != 8 || got.WeightSum != 1200000 || got.WeightedN != 5 {
		t.Errorf("service overall: %+v", got)
	}
	// loans: rows 1 (P 1000), 2 (P 3000), 5 (D 1000), 6 (D 5000): (4000−6000)/10000 = −20.
	if w, n := svc.Groups[0].WeightedNPS(); svc.Groups[0].Key != "loans" || round(w) != -20 || n != 4 {
		t.Errorf("weighted loans: %v %d", w, n)
	}
	for _, f := range []map[cube.Dim]string{
		{cube.DimManager: "nobody"}, {cube.DimSegment: "vip"}, {cube.DimTenure: "7-9"}, {"colour": "red"},
		{cube.DimCohort: "soon"}, {cube.DimWeek: "2027-W01"},
	} {
		if r := c.Query(cube.Query{Scope: all, Filter: f, GroupBy: cube.DimManager}); r.Overall.N() != 0 || r.Groups != nil {
			t.Errorf("filter %v matched %d answers", f, r.Overall.N())
		}
	}
}

func TestHandTimeKeys(t *testing.T) {
	c := handCube()
	keys := func(by cube.Dim, q cube.Query) (ks []string, ns []int) {
		q.Surveys, q.Scope, q.GroupBy = []int64{npsSurvey}, all, by
		for _, g := range c.Query(q).Groups {
			ks, ns = append(ks, g.Key), append(ns, g.N())
		}
		return ks, ns
	}
	// In Moscow row 3 (2025-12-31T21:30Z) is on 1 January and row 6
	// (2026-02-28T21:30Z) on 1 March. 2026-01-01 is a Thursday, so
	// 2025-12-29 … 2026-01-04 is ISO week 2026-W01, and 28 December 2025 (a
	// Sunday) is in 2025-W52.
	cases := []struct {
		by   cube.Dim
		keys []string
		ns   []int
	}{
		{cube.DimDay, []string{"2025-12-28", "2025-12-31", "2026-01-01", "2026-01-15", "2026-02-28", "2026-03-01", "2026-03-02", "2026-04-01"},
			[]int{1, 1, 1, 1, 1, 1, 1, 1}},
		{cube.DimWeek, []string{"2025-W52", "2026-W01", "2026-W03", "2026-W09", "2026-W10", "2026-W14"}, []int{1, 2, 1, 2, 1, 1}},
		{cube.DimMonth, []string{"2025-12", "2026-01", "2026-02", "2026-03", "2026-04"}, []int{2, 2, 1, 2, 1}},
		{cube.DimQuarter, []string{"2025-Q4", "2026-Q1", "2026-Q2"}, []int{2, 5, 1}},
	}
	for _, tc := range cases {
		ks, ns := keys(tc.by, cube.Query{})
		if diff := cmp.Diff(tc.keys, ks); diff != "" {
			t.Errorf("%s keys (-want +got):\n%s", tc.by, diff)
		}
		if diff := cmp.Diff(tc.ns, ns); diff != "" {
			t.Errorf("%s counts (-want +got):\n%s", tc.by, diff)
		}
	}
	// [1 January, 1 March) in Moscow: rows 3, 4 and 5, not row 6.
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, moscow)
	to := time.Date(2026, 3, 1, 0, 0, 0, 0, moscow)
	ks, ns := keys(cube.DimMonth, cube.Query{From: from, To: to})
	if diff := cmp.Diff([]string{"2026-01", "2026-02"}, ks); diff != "" || !slices.Equal(ns, []int{2, 1}) {
		t.Errorf("period: %v %v", ks, ns)
	}
	// The same day in UTC moves rows 3 and 6 back a day.
	utc := cube.New(time.UTC)
	utc.Add(handRows())
	r := utc.Query(cube.Query{Surveys: []int64{npsSurvey}, Scope: all, GroupBy: cube.DimMonth})
	var got []string
	for _, g := range r.Groups {
		got = append(got, g.Key)
	}
	if diff := cmp.Diff([]string{"2025-12", "2026-01", "2026-02", "2026-03", "2026-04"}, got); diff != "" || r.Groups[0].N() != 3 {
		t.Errorf("UTC months %v, first n %d", got, r.Groups[0].N())
	}
}

func TestHandScope(t *testing.T) {
	c := handCube()
	nps := func(s otklik.Scope, f map[cube.Dim]string) fig {
		return figOf("", c.Query(cube.Query{Surveys: []int64{npsSurvey}, Scope: s, Filter: f}).Overall)
	}
	cases := []struct {
		name  string
		scope otklik.Scope
		f     map[cube.Dim]string
		n     int
		nps   float64
	}{
		{"own: anna", otklik.Scope{Reach: otklik.ReachOwn, Manager: "anna"}, nil, 3, 100},
		{"team north: 10 9 8 7 10", otklik.Scope{Reach: otklik.ReachTeam, Team: "north"}, nil, 5, 60},
		{"team south", otklik.Scope{Reach: otklik.ReachTeam, Team: "south"}, nil, 2, -100},
		{"own without e-mail", otklik.Scope{Reach: otklik.ReachOwn}, nil, 0, 0},
		{"team without name", otklik.Scope{Reach: otklik.ReachTeam}, nil, 0, 0},
		{"unknown manager", otklik.Scope{Reach: otklik.ReachOwn, Manager: "zoe"}, nil, 0, 0},
		{"no reach", otklik.Scope{}, nil, 0, 0},
		{"own, filter on another manager", otklik.Scope{Reach: otklik.ReachOwn, Manager: "anna"}, map[cube.Dim]string{cube.DimManager: "boris"}, 0, 0},
		{"team north, filter boris", otklik.Scope{Reach: otklik.ReachTeam, Team: "north"}, map[cube.Dim]string{cube.DimManager: "boris"}, 2, 0},
	}
	for _, tc := range cases {
		if got := nps(tc.scope, tc.f); got.N != tc.n || got.NPS != tc.nps {
			t.Errorf("%s: n %d nps %v, want %d %v", tc.name, got.N, got.NPS, tc.n, tc.nps)
		}
	}
	// Scope applies to every group, and to cohorts.
	r := c.Query(cube.Query{Surveys: []int64{npsSurvey}, Scope: otklik.Scope{Reach: otklik.ReachOwn, Manager: "anna"}, GroupBy: cube.DimService})
	if diff := cmp.Diff([]fig{{Key: "deposits", N: 1, P: 1, NPS: 100}, {Key: "loans", N: 2, P: 2, NPS: 100}, {Key: "cards", N: 1, P: 1, NPS: 100}},
		brief(groupsOf(r)), cmp.Comparer(func(a, b []fig) bool { return cmp.Equal(sortFigs(a), sortFigs(b)) })); diff != "" {
		t.Errorf("anna's services (-want +got):\n%s", diff)
	}
	if r.Groups[0].Key != "loans" {
		t.Errorf("largest group first: %+v", r.Groups)
	}
}

func sortFigs(fs []fig) []fig {
	fs = slices.Clone(fs)
	slices.SortFunc(fs, func(a, b fig) int { return compareStrings(a.Key, b.Key) })
	return fs
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestHandCohorts(t *testing.T) {
	c := handCube()
	got := map[string]map[string]int{}
	for cohort, bands := range c.Cohorts(cube.Query{Surveys: []int64{npsSurvey}, Scope: all}) {
		got[cohort] = map[string]int{}
		for band, cell := range bands {
			got[cohort][band] = cell.N()
		}
	}
	want := map[string]map[string]int{
		"2023-06": {"24+": 1}, "2024-12": {"12-23": 1}, "2025-08": {"3-5": 1}, "2025-11": {"0-2": 1},
		"2026-01": {"0-2": 2}, "": {"": 2},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("cohorts (-want +got):\n%s", diff)
	}
	team := c.Cohorts(cube.Query{Surveys: []int64{npsSurvey}, Scope: otklik.Scope{Reach: otklik.ReachTeam, Team: "south"}})
	if len(team) != 2 || team["2026-01"]["0-2"].NPS().NPS != -100 || team["2023-06"]["24+"].N() != 1 {
		t.Fatalf("south cohorts: %+v", team)
	}
	if len(c.Cohorts(cube.Query{})) != 0 {
		t.Fatal("cohorts without reach are not empty")
	}
}

func TestReplaceByID(t *testing.T) {
	c := handCube()
	q := cube.Query{Surveys: []int64{npsSurvey}, Scope: all, GroupBy: cube.DimManager}
	// Row 7 revised from 0 to 10 under a higher seq, and now anna's.
	revised := handRows()[6]
	revised.Seq, revised.Score, revised.Manager = 100, 10, "anna"
	c.Add([]store.CubeRow{revised})
	r := c.Query(q)
	// Promoters 10, 9, 10, 10; passives 8, 7; detractors 6, 3: (4 − 2)/8 = 25.
	if got := figOf("", r.Overall); got.N != 8 || got.P != 4 || got.NPS != 25 || c.Len() != 14 {
		t.Fatalf("after revision: %+v, len %d", got, c.Len())
	}
	if r.Groups[0].Key != "anna" || r.Groups[0].N() != 4 || len(r.Groups) != 3 {
		t.Fatalf("groups after revision: %+v", groupsOf(r))
	}
	// An older or the same version is ignored.
	stale := handRows()[6]
	stale.Seq = 99
	c.Add([]store.CubeRow{stale, revised})
	if got := figOf("", c.Query(q).Overall); got.P != 4 || got.NPS != 25 {
		t.Fatalf("stale row replaced the revision: %+v", got)
	}
	// A row that cannot be represented removes the outdated one.
	bad := revised
	bad.Seq, bad.Score = 101, 120
	c.Add([]store.CubeRow{bad})
	if c.Len() != 13 || c.Dropped() != 1 || c.Query(q).Overall.N() != 7 {
		t.Fatalf("invalid revision: len %d dropped %d", c.Len(), c.Dropped())
	}
}
