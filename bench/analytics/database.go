package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"otklik"
	"otklik/bench/internal/benchkit"
	"otklik/internal/store" // registers the "pgx" and "sqlite" database/sql drivers
)

// target is one fresh database: where it is and how to reach it.
type target struct {
	dialect string
	cfg     store.Config // for store.Open
	where   string       // for the report, without a password
	path    string       // SQLite: the file
	url     string       // PostgreSQL: the URL with the bench schema on its search_path
	cleanup func()
}

// newTarget makes an empty database of dialect: a SQLite file in a new
// temporary directory, or a schema bench_<random> on the server at pgURL.
func newTarget(ctx context.Context, cfg config, dialect string) (*target, error) {
	t := &target{dialect: dialect, cleanup: func() {}}
	switch dialect {
	case "sqlite":
		dir, err := os.MkdirTemp(cfg.dir, "otklik-analytics-*")
		if err != nil {
			return nil, err
		}
		t.path = filepath.Join(dir, "otklik.db")
		t.cfg = store.Config{Path: t.path}
		t.where = t.path
		if cfg.keep {
			t.cleanup = func() { fmt.Fprintf(os.Stderr, "bench: kept %s\n", dir) }
		} else {
			t.cleanup = func() { os.RemoveAll(dir) }
		}
	case "postgres":
		u, drop, err := benchkit.FreshSchema(ctx, cfg.PgURL, 2*time.Minute)
		if err != nil {
			return nil, err
		}
		t.url, t.cleanup = u, drop
		t.cfg = store.Config{URL: u}
		pu, _ := url.Parse(u)
		t.where = pu.Redacted()
	default:
		return nil, fmt.Errorf("unknown database %q", dialect)
	}
	return t, nil
}

// seedResult is what the answers refer to.
type seedResult struct {
	surveys [3]int64 // nps, csat, ces
}

// seed migrates the database and creates, through the store as the
// application does, the three surveys, the managers (users in their teams)
// and the customers (one ImportCustomers transaction).
func seed(ctx context.Context, t *target, w *world, out io.Writer) (*seedResult, error) {
	start := time.Now()
	db, err := store.Open(ctx, t.cfg)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	res := &seedResult{}
	drivers := []otklik.Driver{
		{Key: "manager_speed", Text: otklik.Text{RU: "Скорость ответа менеджера", EN: "How fast your manager answers"}},
		{Key: "manager_quality", Text: otklik.Text{RU: "Качество работы менеджера", EN: "Your manager's work"}},
		{Key: "deliverables", Text: otklik.Text{RU: "Результаты работ", EN: "What we deliver"}},
	}
	for i, s := range []*otklik.Survey{
		{Key: "nps", Kind: otklik.KindNPS, Title: otklik.Text{RU: "Готовность рекомендовать", EN: "Likelihood to recommend"},
			ScoreQuestion: otklik.Text{RU: "Насколько вероятно, что вы порекомендуете нас коллеге?", EN: "How likely are you to recommend us to a colleague?"},
			WhyQuestion:   otklik.Text{RU: "Почему?", EN: "Why?"}, Drivers: drivers},
		{Key: "csat", Kind: otklik.KindCSAT, Title: otklik.Text{RU: "Удовлетворённость", EN: "Satisfaction"},
			ScoreQuestion: otklik.Text{RU: "Насколько вы довольны обслуживанием?", EN: "How satisfied are you with our service?"}},
		{Key: "ces", Kind: otklik.KindCES, Title: otklik.Text{RU: "Лёгкость", EN: "Effort"},
			ScoreQuestion: otklik.Text{RU: "Насколько легко было решить вопрос?", EN: "How easy was it to get your issue resolved?"}},
	} {
		if err := db.CreateSurvey(ctx, s); err != nil {
			return nil, fmt.Errorf("survey %s: %w", s.Key, err)
		}
		res.surveys[i] = s.ID
	}
	for i, m := range w.managers {
		u := &otklik.User{Email: m.email, Name: fmt.Sprintf("Менеджер %d", i+1), Role: otklik.RoleManager, Team: m.team, Locale: "ru"}
		if err := db.CreateUser(ctx, u); err != nil {
			return nil, fmt.Errorf("manager %s: %w", m.email, err)
		}
	}
	ids := make([]string, len(w.customers))
	for i := range w.customers {
		ids[i] = w.customers[i].ext
	}
	_, _, err = db.ImportCustomers(ctx, otklik.Scope{Reach: otklik.ReachAll}, ids, func(i int, c *otklik.Customer) {
		g := &w.customers[i]
		m := &w.managers[g.manager]
		c.Name = fmt.Sprintf("Клиент %d", i+1)
		c.Company = fmt.Sprintf("ООО «Компания %d»", i+1)
		c.Email = fmt.Sprintf("client%06d@example.com", i+1)
		c.Locale = "ru"
		c.Segment, c.Region, c.Manager, c.Team = g.segment, g.region, m.email, m.team
		c.Services = append([]string(nil), g.services...)
		c.Revenue = nil
		if g.revenue >= 0 {
			a := otklik.Amount(g.revenue)
			c.Revenue = &a
		}
		c.StartedAt = g.started
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("customers: %w", err)
	}
	fmt.Fprintf(out, "seed (store.Migrate, CreateSurvey ×3, CreateUser ×%d in %d teams, ImportCustomers ×%s): %v\n",
		len(w.managers), len(teamNames), num(float64(len(w.customers))), benchkit.Since(start))
	return res, nil
}

// customerIDs reads the ids the customers were given and records them in w.
func customerIDs(ctx context.Context, db *sql.DB, w *world) error {
	byExt := make(map[string]int, len(w.customers))
	for i := range w.customers {
		byExt[w.customers[i].ext] = i
		w.customers[i].id = 0
	}
	rows, err := db.QueryContext(ctx, "SELECT id, external_id FROM customers")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var ext string
		if err := rows.Scan(&id, &ext); err != nil {
			return err
		}
		if i, ok := byExt[ext]; ok {
			w.customers[i].id = id
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range w.customers {
		if w.customers[i].id == 0 {
			return fmt.Errorf("customer %s was not stored", w.customers[i].ext)
		}
	}
	return nil
}

// openSQL opens the connection the plain SQL queries run on: for SQLite a
// read-only connection with the settings of the store's read pool (64 MiB
// page cache, 1 GiB memory map), for PostgreSQL the bench schema.
func openSQL(t *target) (*sql.DB, error) {
	if t.dialect == "postgres" {
		db, err := sql.Open("pgx", t.url)
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(1)
		return db, nil
	}
	q := url.Values{}
	for _, p := range []string{"busy_timeout(5000)", "query_only(1)", "mmap_size(1073741824)", "cache_size(-65536)"} {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+t.path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	return db, nil
}
