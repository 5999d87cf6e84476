package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"otklik"
)

// surveyDefinition is what the definition column holds: every field of a
// survey that is not a column of its own.
type surveyDefinition struct {
	Title         otklik.Text     `json:"title"`
	ScoreQuestion otklik.Text     `json:"score_question"`
	Scale         otklik.Scale    `json:"scale"`
	WhyQuestion   otklik.Text     `json:"why_question"`
	Drivers       []otklik.Driver `json:"drivers"`
	ScorePosition string          `json:"score_position"`
}

func definitionOf(s *otklik.Survey) string {
	b, _ := json.Marshal(surveyDefinition{s.Title, s.ScoreQuestion, s.Scale, s.WhyQuestion, s.Drivers, s.ScorePosition})
	return string(b)
}

func scanSurvey(row interface{ Scan(...any) error }) (*otklik.Survey, error) {
	var s otklik.Survey
	var def string
	var created, updated instant
	if err := row.Scan(&s.ID, &s.Key, &s.Kind, &def, &created, &updated); err != nil {
		return nil, err
	}
	var d surveyDefinition
	if err := json.Unmarshal([]byte(def), &d); err != nil {
		return nil, fmt.Errorf("definition of survey %s: %w", s.Key, err)
	}
	s.Title, s.ScoreQuestion, s.Scale, s.WhyQuestion, s.Drivers, s.ScorePosition =
		d.Title, d.ScoreQuestion, d.Scale, d.WhyQuestion, d.Drivers, d.ScorePosition
	s.CreatedAt, s.UpdatedAt = created.Time, updated.Time
	s.Normalize()
	return &s, nil
}

// CreateSurvey stores a new survey; its key must be new.
func (db *DB) CreateSurvey(ctx context.Context, s *otklik.Survey) error {
	s.Normalize()
	if err := s.Validate(); err != nil {
		return err
	}
	now := db.now()
	id, err := db.insertID(ctx, db.write, "INSERT INTO surveys (key, kind, definition, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
		s.Key, string(s.Kind), definitionOf(s), db.ts(now), db.ts(now))
	if isUniqueViolation(err) {
		return &otklik.Error{Code: otklik.ECONFLICT, Message: "a survey with this key already exists",
			Fields: []otklik.FieldError{{Field: "key", Message: "is taken"}}}
	}
	if err != nil {
		return fmt.Errorf("store: create survey: %w", err)
	}
	s.ID, s.CreatedAt, s.UpdatedAt = id, now, now
	return nil
}

// UpdateSurvey replaces a survey's definition. Its kind and key stay: the
// answers already given were on that scale.
func (db *DB) UpdateSurvey(ctx context.Context, s *otklik.Survey) error {
	s.Normalize()
	if err := s.Validate(); err != nil {
		return err
	}
	old, err := db.Survey(ctx, s.Key)
	if err != nil {
		return err
	}
	if old.Kind != s.Kind || old.Scale != s.Scale {
		return &otklik.Error{Code: otklik.ECONFLICT, Message: "the kind and scale of a survey cannot change once created",
			Fields: []otklik.FieldError{{Field: "kind", Message: "must stay " + string(old.Kind)}}}
	}
	now := db.now()
	if _, err := db.exec(ctx, db.write, "UPDATE surveys SET definition = ?, updated_at = ? WHERE id = ?", definitionOf(s), db.ts(now), old.ID); err != nil {
		return fmt.Errorf("store: update survey: %w", err)
	}
	s.ID, s.CreatedAt, s.UpdatedAt = old.ID, old.CreatedAt, now
	return nil
}

// Survey returns the survey with key.
func (db *DB) Survey(ctx context.Context, key string) (*otklik.Survey, error) {
	s, err := scanSurvey(db.queryRow(ctx, db.read, "SELECT id, key, kind, definition, created_at, updated_at FROM surveys WHERE key = ?", key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, otklik.Errorf(otklik.ENOTFOUND, "no survey %q", key)
	}
	if err != nil {
		return nil, fmt.Errorf("store: survey %s: %w", key, err)
	}
	return s, nil
}

// Surveys lists every survey by key.
func (db *DB) Surveys(ctx context.Context) ([]*otklik.Survey, error) {
	rows, err := db.query(ctx, db.read, "SELECT id, key, kind, definition, created_at, updated_at FROM surveys ORDER BY key")
	if err != nil {
		return nil, fmt.Errorf("store: surveys: %w", err)
	}
	defer rows.Close()
	var out []*otklik.Survey
	for rows.Next() {
		s, err := scanSurvey(rows)
		if err != nil {
			return nil, fmt.Errorf("store: surveys: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
