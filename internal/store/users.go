package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"otklik"
)

const userColumns = "id, email, name, role, team, locale, password_hash, disabled, created_at, telegram_chat_id"

func scanUser(row interface{ Scan(...any) error }) (*otklik.User, error) {
	var u otklik.User
	var created instant
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.Team, &u.Locale, &u.PasswordHash, &u.Disabled, &created, &u.TelegramChat); err != nil {
		return nil, err
	}
	u.CreatedAt = created.Time
	return &u, nil
}

// CreateUser adds a user; the e-mail must be new.
func (db *DB) CreateUser(ctx context.Context, u *otklik.User) error {
	u.Normalize()
	if err := u.Validate(); err != nil {
		return err
	}
	now := db.now()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.ensureTeam(ctx, tx, u.Team, now); err != nil {
			return err
		}
		id, err := db.insertID(ctx, tx, `INSERT INTO users (email, name, role, team, locale, password_hash, disabled, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			u.Email, u.Name, string(u.Role), u.Team, u.Locale, u.PasswordHash, u.Disabled, db.ts(now), db.ts(now))
		if isUniqueViolation(err) {
			return otklik.Errorf(otklik.ECONFLICT, "a user with e-mail %s already exists", u.Email)
		}
		if err != nil {
			return fmt.Errorf("store: create user: %w", err)
		}
		u.ID, u.CreatedAt = id, now
		return nil
	})
}

// UpdateUser saves a user's name, role, team, locale and disabled flag.
func (db *DB) UpdateUser(ctx context.Context, u *otklik.User) error {
	u.Normalize()
	if err := u.Validate(); err != nil {
		return err
	}
	now := db.now()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.ensureTeam(ctx, tx, u.Team, now); err != nil {
			return err
		}
		res, err := db.exec(ctx, tx, `UPDATE users SET name = ?, role = ?, team = ?, locale = ?, disabled = ?, updated_at = ? WHERE id = ?`,
			u.Name, string(u.Role), u.Team, u.Locale, u.Disabled, db.ts(now), u.ID)
		if err != nil {
			return fmt.Errorf("store: update user %d: %w", u.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return otklik.Errorf(otklik.ENOTFOUND, "no such user")
		}
		return nil
	})
}

// SetPassword replaces a user's password hash.
func (db *DB) SetPassword(ctx context.Context, userID int64, hash string) error {
	res, err := db.exec(ctx, db.write, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, db.ts(db.now()), userID)
	if err != nil {
		return fmt.Errorf("store: set password %d: %w", userID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return otklik.Errorf(otklik.ENOTFOUND, "no such user")
	}
	return nil
}

// UserByEmail finds a user by e-mail.
func (db *DB) UserByEmail(ctx context.Context, email string) (*otklik.User, error) {
	u, err := scanUser(db.queryRow(ctx, db.read, "SELECT "+userColumns+" FROM users WHERE email = ?", strings.ToLower(strings.TrimSpace(email))))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, otklik.Errorf(otklik.ENOTFOUND, "no user with e-mail %s", email)
	}
	if err != nil {
		return nil, fmt.Errorf("store: user by email: %w", err)
	}
	return u, nil
}

// UserByID finds a user by id.
func (db *DB) UserByID(ctx context.Context, id int64) (*otklik.User, error) {
	u, err := scanUser(db.queryRow(ctx, db.read, "SELECT "+userColumns+" FROM users WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, otklik.Errorf(otklik.ENOTFOUND, "no such user")
	}
	if err != nil {
		return nil, fmt.Errorf("store: user %d: %w", id, err)
	}
	return u, nil
}

// Users lists every user by e-mail.
func (db *DB) Users(ctx context.Context) ([]*otklik.User, error) {
	rows, err := db.query(ctx, db.read, "SELECT "+userColumns+" FROM users ORDER BY email")
	if err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	defer rows.Close()
	var out []*otklik.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("store: users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CountUsers returns how many users exist; zero means a fresh install.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := db.queryRow(ctx, db.read, "SELECT COUNT(*) FROM users").Scan(&n)
	return n, err
}

// Teams lists team names.
func (db *DB) Teams(ctx context.Context) ([]string, error) {
	rows, err := db.query(ctx, db.read, "SELECT name FROM teams ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("store: teams: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// ensureTeam records a team name the first time a user or customer names it.
func (db *DB) ensureTeam(ctx context.Context, tx querier, name string, now time.Time) error {
	if name == "" {
		return nil
	}
	_, err := db.exec(ctx, tx, "INSERT INTO teams (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", name, db.ts(now))
	if err != nil {
		return fmt.Errorf("store: ensure team: %w", err)
	}
	return nil
}

// CreateToken stores a new API token's hash for a user.
func (db *DB) CreateToken(ctx context.Context, userID int64, name, prefix, hash string) (*otklik.Token, error) {
	now := db.now()
	id, err := db.insertID(ctx, db.write, `INSERT INTO api_tokens (user_id, name, prefix, hash, created_at) VALUES (?, ?, ?, ?, ?)`,
		userID, name, prefix, hash, db.ts(now))
	if err != nil {
		return nil, fmt.Errorf("store: create token: %w", err)
	}
	return &otklik.Token{ID: id, UserID: userID, Name: name, Prefix: prefix, CreatedAt: now}, nil
}

// UserByTokenHash returns the enabled user owning a live token with hash.
func (db *DB) UserByTokenHash(ctx context.Context, hash string) (*otklik.User, int64, error) {
	var tokenID int64
	var u otklik.User
	var created instant
	err := db.queryRow(ctx, db.read, `SELECT t.id, u.id, u.email, u.name, u.role, u.team, u.locale, u.password_hash, u.disabled, u.created_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.hash = ? AND t.revoked_at IS NULL AND u.disabled = ?`, hash, false).
		Scan(&tokenID, &u.ID, &u.Email, &u.Name, &u.Role, &u.Team, &u.Locale, &u.PasswordHash, &u.Disabled, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, otklik.Errorf(otklik.EUNAUTHORIZED, "the API token is not valid")
	}
	if err != nil {
		return nil, 0, fmt.Errorf("store: token: %w", err)
	}
	u.CreatedAt = created.Time
	return &u, tokenID, nil
}

// TouchToken records that a token was used.
func (db *DB) TouchToken(ctx context.Context, tokenID int64) error {
	_, err := db.exec(ctx, db.write, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", db.ts(db.now()), tokenID)
	return err
}

// Tokens lists a user's tokens (all users' when userID is 0).
func (db *DB) Tokens(ctx context.Context, userID int64) ([]*otklik.Token, error) {
	rows, err := db.query(ctx, db.read, `SELECT id, user_id, name, prefix, created_at, last_used_at, revoked_at
		FROM api_tokens WHERE ? = 0 OR user_id = ? ORDER BY id`, userID, userID)
	if err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	defer rows.Close()
	var out []*otklik.Token
	for rows.Next() {
		var t otklik.Token
		var created, used, revoked instant
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &created, &used, &revoked); err != nil {
			return nil, err
		}
		t.CreatedAt, t.LastUsedAt, t.RevokedAt = created.Time, used.ptr(), revoked.ptr()
		out = append(out, &t)
	}
	return out, rows.Err()
}

// RevokeToken stops a token from working.
func (db *DB) RevokeToken(ctx context.Context, tokenID int64) error {
	res, err := db.exec(ctx, db.write, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", db.ts(db.now()), tokenID)
	if err != nil {
		return fmt.Errorf("store: revoke token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return otklik.Errorf(otklik.ENOTFOUND, "no such live token")
	}
	return nil
}

// Audit records an action without personal data.
func (db *DB) audit(ctx context.Context, q querier, actor, action, subject, detail string) error {
	_, err := db.exec(ctx, q, "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
		db.ts(db.now()), actor, action, subject, detail)
	if err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	return nil
}

// SetUserTelegramChat links a Telegram chat to a user (a chat serves one
// user: linking it elsewhere unlinks it here).
func (db *DB) SetUserTelegramChat(ctx context.Context, userID int64, chat string) error {
	now := db.ts(db.now())
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, "UPDATE users SET telegram_chat_id = '', updated_at = ? WHERE telegram_chat_id = ? AND id <> ?", now, chat, userID); err != nil {
			return err
		}
		res, err := db.exec(ctx, tx, "UPDATE users SET telegram_chat_id = ?, updated_at = ? WHERE id = ?", chat, now, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return otklik.Errorf(otklik.ENOTFOUND, "no user %d", userID)
		}
		return nil
	})
	if err != nil && otklik.ErrorCode(err) == otklik.EINTERNAL {
		return fmt.Errorf("store: link a user's telegram chat: %w", err)
	}
	return err
}
