package web

import (
	"net/http"
	"strconv"
	"strings"

	"otklik"
	"otklik/internal/auth"
)

type settingsData struct {
	Users    []*otklik.User
	Teams    []string
	Tokens   []*otklik.Token
	Emails   map[int64]string // token owner id → e-mail
	Roles    []otklik.Role
	NewToken string // shown once, right after creation
	NewPass  string // a generated password, shown once
	NewUser  string
	Error    string
}

func (s *Server) settings(w http.ResponseWriter, r *http.Request) {
	s.renderSettings(w, r, http.StatusOK, settingsData{})
}

func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, status int, d settingsData) {
	if _, err := viewerOf(r).user.Actor().Scope(otklik.ManageUsers); err != nil {
		s.errorPage(w, r, err)
		return
	}
	var err error
	if d.Users, err = s.db.Users(r.Context()); err == nil {
		if d.Teams, err = s.db.Teams(r.Context()); err == nil {
			d.Tokens, err = s.db.Tokens(r.Context(), 0)
		}
	}
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	d.Roles, d.Emails = otklik.Roles, map[int64]string{}
	for _, u := range d.Users {
		d.Emails[u.ID] = u.Email
	}
	s.render(w, r, status, "settings", page{Title: "settings.title", Nav: "settings", Data: d})
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	if _, err := viewerOf(r).user.Actor().Scope(otklik.ManageUsers); err != nil {
		s.errorPage(w, r, err)
		return
	}
	password := auth.GeneratePassword()
	hash, err := auth.HashPassword(password)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	u := &otklik.User{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Role: otklik.Role(r.PostFormValue("role")),
		Team: r.PostFormValue("team"), Locale: r.PostFormValue("locale"), PasswordHash: hash}
	if err := s.db.CreateUser(r.Context(), u); err != nil {
		if c := otklik.ErrorCode(err); c == otklik.EINVALID || c == otklik.ECONFLICT {
			s.renderSettings(w, r, http.StatusUnprocessableEntity, settingsData{Error: describeFields(err)})
			return
		}
		s.errorPage(w, r, err)
		return
	}
	s.renderSettings(w, r, http.StatusOK, settingsData{NewUser: u.Email, NewPass: password})
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) {
	actor := viewerOf(r).user.Actor()
	if _, err := actor.Scope(otklik.ManageUsers); err != nil {
		s.errorPage(w, r, err)
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	u, err := s.db.UserByID(r.Context(), id)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	u.Role, u.Team = otklik.Role(r.PostFormValue("role")), r.PostFormValue("team")
	u.Disabled = r.PostFormValue("disabled") == "1"
	if u.ID == actor.UserID && (u.Disabled || u.Role != otklik.RoleAdmin) {
		// Nobody locks themselves out of the settings by a slip.
		s.renderSettings(w, r, http.StatusUnprocessableEntity, settingsData{Error: "error.forbidden"})
		return
	}
	if err := s.db.UpdateUser(r.Context(), u); err != nil {
		if otklik.ErrorCode(err) == otklik.EINVALID {
			s.renderSettings(w, r, http.StatusUnprocessableEntity, settingsData{Error: describeFields(err)})
			return
		}
		s.errorPage(w, r, err)
		return
	}
	if u.Disabled {
		if err := s.db.DeleteUserSessions(r.Context(), u.ID, ""); err != nil {
			s.errorPage(w, r, err)
			return
		}
	}
	s.cfg.CredentialsChanged()
	http.Redirect(w, r, "/settings", http.StatusSeeOther)
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	actor := viewerOf(r).user.Actor()
	if _, err := actor.Scope(otklik.ManageUsers); err != nil {
		s.errorPage(w, r, err)
		return
	}
	owner := actor.UserID
	if email := strings.TrimSpace(r.PostFormValue("email")); email != "" {
		u, err := s.db.UserByEmail(r.Context(), email)
		if err != nil {
			s.renderSettings(w, r, http.StatusUnprocessableEntity, settingsData{Error: "error.invalid_form"})
			return
		}
		owner = u.ID
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" || len(name) > 100 {
		s.renderSettings(w, r, http.StatusUnprocessableEntity, settingsData{Error: "error.invalid_form"})
		return
	}
	token, prefix, hash := auth.NewToken()
	if _, err := s.db.CreateToken(r.Context(), owner, name, prefix, hash); err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.renderSettings(w, r, http.StatusOK, settingsData{NewToken: token})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	if _, err := viewerOf(r).user.Actor().Scope(otklik.ManageUsers); err != nil {
		s.errorPage(w, r, err)
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := s.db.RevokeToken(r.Context(), id); err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.cfg.CredentialsChanged()
	http.Redirect(w, r, "/settings", http.StatusSeeOther)
}

// describeFields lists an error's bad fields for a form's message.
func describeFields(err error) string {
	var parts []string
	for _, f := range otklik.ErrorFields(err) {
		parts = append(parts, f.Field+": "+f.Message)
	}
	if len(parts) == 0 {
		return otklik.ErrorMessage(err)
	}
	return strings.Join(parts, "; ")
}
