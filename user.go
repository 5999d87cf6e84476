package otklik

import (
	"net/mail"
	"strings"
	"time"
)

// User is a person who works in Otklik.
type User struct {
	ID           int64     `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	Team         string    `json:"team"`
	Locale       string    `json:"locale"`
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	Disabled     bool      `json:"disabled"`
	// TelegramChat is the user's chat with the bot, linked by its deep
	// link: case notifications go there as well as by e-mail.
	TelegramChat string `json:"telegram_chat_id,omitempty"`
}

// Actor returns the identity the user acts with.
func (u *User) Actor() Actor {
	return Actor{UserID: u.ID, Email: u.Email, Role: u.Role, Team: u.Team, Locale: u.Locale}
}

// Normalize trims the fields and fills defaults.
func (u *User) Normalize() {
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	u.Name = strings.TrimSpace(u.Name)
	u.Team = strings.TrimSpace(u.Team)
	if u.Locale == "" {
		u.Locale = "ru"
	}
}

// Validate checks a normalized user.
func (u *User) Validate() error {
	var p Problems
	if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
		p.Add("email", "is not an e-mail address")
	}
	if !u.Role.Valid() {
		p.Add("role", "must be one of admin, lead, manager, interviewer, agent, reviewer, viewer")
	}
	if u.Role == RoleLead && u.Team == "" {
		p.Add("team", "a lead needs a team")
	}
	if u.Locale != "ru" && u.Locale != "en" {
		p.Add("locale", "must be ru or en")
	}
	return p.Err("the user is not valid")
}

// Token is an API token; only its hash is stored.
type Token struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"` // the first characters, to recognise it in lists
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}
