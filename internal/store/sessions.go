package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"otklik"
)

// Session is a signed-in browser.
type Session struct {
	User      *otklik.User
	CSRF      string
	ExpiresAt time.Time
}

// CreateSession stores a session under the hash of its cookie value.
func (db *DB) CreateSession(ctx context.Context, idHash string, userID int64, csrf string, expires time.Time) error {
	_, err := db.exec(ctx, db.write, "INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
		idHash, userID, csrf, db.ts(db.now()), db.ts(expires))
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// SessionByHash returns a live session of an enabled user.
func (db *DB) SessionByHash(ctx context.Context, idHash string) (*Session, error) {
	var s Session
	var expires, created instant
	var u otklik.User
	err := db.queryRow(ctx, db.read, `SELECT s.csrf, s.expires_at, u.id, u.email, u.name, u.role, u.team, u.locale, u.password_hash, u.disabled, u.created_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id_hash = ? AND s.expires_at > ? AND u.disabled = ?`, idHash, db.ts(db.now()), false).
		Scan(&s.CSRF, &expires, &u.ID, &u.Email, &u.Name, &u.Role, &u.Team, &u.Locale, &u.PasswordHash, &u.Disabled, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, otklik.Errorf(otklik.EUNAUTHORIZED, "not signed in")
	}
	if err != nil {
		return nil, fmt.Errorf("store: session: %w", err)
	}
	u.CreatedAt = created.Time
	s.User, s.ExpiresAt = &u, expires.Time
	return &s, nil
}

// ExtendSession moves a session's expiry.
func (db *DB) ExtendSession(ctx context.Context, idHash string, expires time.Time) error {
	_, err := db.exec(ctx, db.write, "UPDATE sessions SET expires_at = ? WHERE id_hash = ?", db.ts(expires), idHash)
	return err
}

// DeleteSession signs a browser out.
func (db *DB) DeleteSession(ctx context.Context, idHash string) error {
	_, err := db.exec(ctx, db.write, "DELETE FROM sessions WHERE id_hash = ?", idHash)
	return err
}

// DeleteUserSessions signs a user out everywhere except keep (a hash, may
// be empty): after a password change.
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64, keep string) error {
	_, err := db.exec(ctx, db.write, "DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?", userID, keep)
	return err
}

// DeleteExpiredSessions removes sessions past their expiry.
func (db *DB) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res, err := db.exec(ctx, db.write, "DELETE FROM sessions WHERE expires_at <= ?", db.ts(db.now()))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Setting returns an installation setting, creating it with make() the
// first time. Replicas racing on the first start all end up with the value
// that was stored first.
func (db *DB) Setting(ctx context.Context, key string, make func() string) (string, error) {
	var v string
	err := db.queryRow(ctx, db.read, "SELECT value FROM settings WHERE key = ?", key).Scan(&v)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: setting %s: %w", key, err)
	}
	if _, err := db.exec(ctx, db.write, "INSERT INTO settings (key, value, created_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING",
		key, make(), db.ts(db.now())); err != nil {
		return "", fmt.Errorf("store: setting %s: %w", key, err)
	}
	if err := db.queryRow(ctx, db.write, "SELECT value FROM settings WHERE key = ?", key).Scan(&v); err != nil {
		return "", fmt.Errorf("store: setting %s: %w", key, err)
	}
	return v, nil
}
