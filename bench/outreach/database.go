package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"otklik"
	"otklik/bench/internal/benchkit"
	"otklik/internal/outreach"
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
// temporary directory, or a schema bench_<random> on the server.
func newTarget(ctx context.Context, cfg config, dialect string) (*target, error) {
	t := &target{dialect: dialect, cleanup: func() {}}
	switch dialect {
	case "sqlite":
		dir, err := os.MkdirTemp(cfg.dir, "otklik-outreach-*")
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
		if cfg.keep {
			schema := pu.Query().Get("search_path")
			t.cleanup = func() {
				fmt.Fprintf(os.Stderr, "bench: kept schema %s (DROP SCHEMA %s CASCADE removes it)\n", schema, schema)
			}
		}
	default:
		return nil, fmt.Errorf("unknown database %q", dialect)
	}
	return t, nil
}

// seeded is what the generated rows refer to.
type seeded struct {
	surveys  [2]int64 // nps, csat
	schedule outreach.Schedule
}

// seed migrates the database with the product's migrations (so the schema
// and its indexes are the product's) and stores, through the store, the
// two surveys and the default lifetime schedule, as dispatch.Engine.Seed
// does on a first start.
func seed(ctx context.Context, t *target) (*seeded, error) {
	db, err := store.Open(ctx, t.cfg)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	res := &seeded{}
	for i, s := range []*otklik.Survey{
		{Key: "nps", Kind: otklik.KindNPS, Title: otklik.Text{RU: "Готовность рекомендовать", EN: "Likelihood to recommend"},
			ScoreQuestion: otklik.Text{RU: "Насколько вероятно, что вы порекомендуете нас?", EN: "How likely are you to recommend us?"},
			WhyQuestion:   otklik.Text{RU: "Почему?", EN: "Why?"}},
		{Key: "csat", Kind: otklik.KindCSAT, Title: otklik.Text{RU: "Удовлетворённость", EN: "Satisfaction"},
			ScoreQuestion: otklik.Text{RU: "Насколько вы довольны обслуживанием?", EN: "How satisfied are you with our service?"}},
	} {
		if err := db.CreateSurvey(ctx, s); err != nil {
			return nil, fmt.Errorf("survey %s: %w", s.Key, err)
		}
		res.surveys[i] = s.ID
	}
	s := outreach.DefaultSchedule()
	s.ID, err = db.SaveDefinition(ctx, "schedule", store.Definition{Enabled: s.Enabled}, func(id int64) ([]byte, error) {
		s.ID = id
		return json.Marshal(s)
	})
	if err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	res.schedule = s
	return res, nil
}

// openSQL opens the connection the plain SQL runs on: for SQLite a
// read-only connection with the settings of the store's read pool, for
// PostgreSQL the bench schema.
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
