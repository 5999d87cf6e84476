package otklik

// Role is what a user does in the business; it decides what they may see
// and change. The whole permission table lives in this file.
type Role string

const (
	RoleAdmin       Role = "admin"       // director of customer care: sees and sets everything
	RoleLead        Role = "lead"        // a team's data
	RoleManager     Role = "manager"     // own customers only
	RoleInterviewer Role = "interviewer" // calls customers and records phone answers
	RoleAgent       Role = "agent"       // answers customers in the inbox
	RoleReviewer    Role = "reviewer"    // scores calls and chats
	RoleViewer      Role = "viewer"      // reads answers and figures, changes nothing
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleAdmin, RoleLead, RoleManager, RoleInterviewer, RoleAgent, RoleReviewer, RoleViewer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, k := range Roles {
		if r == k {
			return true
		}
	}
	return false
}

// Action is something a user may be allowed to do.
type Action string

const (
	ReadCustomers  Action = "customers.read"
	WriteCustomers Action = "customers.write"
	ErasePersonal  Action = "personal.erase" // erase or export a person's data
	ReadSurveys    Action = "surveys.read"
	WriteSurveys   Action = "surveys.write"
	ReadResponses  Action = "responses.read"
	WriteResponses Action = "responses.write"
	ReadMetrics    Action = "metrics.read"
	ImportData     Action = "data.import"
	ManageUsers    Action = "users.manage"
	ReadCases      Action = "cases.read"  // the closed loop's cases
	WorkCases      Action = "cases.work"  // notes, call-backs, resolution
	ManageLoop     Action = "loop.manage" // routing rules, the business calendar
	SendEvents     Action = "events.send" // business events from CRMs and the API
	ManageOutreach Action = "outreach.manage"
	ReadOutreach   Action = "outreach.read" // invitations and why they were sent or not

	ReadReferrals   Action = "referrals.read"   // the referral report and promoters' codes
	ManageReferrals Action = "referrals.manage" // the referral programme's settings

	ReadInsights  Action = "insights.read"  // the board of ideas and problems, themes, action plans
	WriteInsights Action = "insights.write" // add to the board, link answers to it, vote
	ManagePlans   Action = "plans.manage"   // write a team's action plans; move board items along
)

// Reach is how far a permission extends over customers and answers.
type Reach int

const (
	ReachNone Reach = iota // not allowed at all
	ReachOwn               // customers the user manages; answers they served
	ReachTeam              // the user's team
	ReachAll               // everything
)

// permissions is the one table of who may do what, and over which rows.
var permissions = map[Action]map[Role]Reach{
	ReadCustomers: {
		RoleAdmin: ReachAll, RoleLead: ReachTeam, RoleManager: ReachOwn,
		RoleInterviewer: ReachAll, RoleAgent: ReachAll,
	},
	WriteCustomers: {RoleAdmin: ReachAll, RoleLead: ReachTeam, RoleManager: ReachOwn},
	ErasePersonal:  {RoleAdmin: ReachAll},
	ReadSurveys: {
		RoleAdmin: ReachAll, RoleLead: ReachAll, RoleManager: ReachAll, RoleInterviewer: ReachAll,
		RoleAgent: ReachAll, RoleReviewer: ReachAll, RoleViewer: ReachAll,
	},
	WriteSurveys:  {RoleAdmin: ReachAll},
	ReadResponses: {RoleAdmin: ReachAll, RoleLead: ReachTeam, RoleManager: ReachOwn, RoleViewer: ReachAll},
	WriteResponses: {
		RoleAdmin: ReachAll, RoleLead: ReachTeam, RoleManager: ReachOwn,
		RoleInterviewer: ReachAll, RoleAgent: ReachAll,
	},
	ReadMetrics:    {RoleAdmin: ReachAll, RoleLead: ReachTeam, RoleManager: ReachOwn, RoleViewer: ReachAll},
	ImportData:     {RoleAdmin: ReachAll},
	ManageUsers:    {RoleAdmin: ReachAll},
	ReadCases:      {RoleAdmin: ReachAll, RoleLead: ReachTeam, RoleManager: ReachOwn, RoleViewer: ReachAll},
	WorkCases:      {RoleAdmin: ReachAll, RoleLead: ReachTeam, RoleManager: ReachOwn},
	ManageLoop:     {RoleAdmin: ReachAll},
	SendEvents:     {RoleAdmin: ReachAll, RoleAgent: ReachAll},
	ManageOutreach: {RoleAdmin: ReachAll},
	ReadOutreach: {
		RoleAdmin: ReachAll, RoleLead: ReachTeam, RoleManager: ReachOwn, RoleViewer: ReachAll,
	},
	ReadReferrals:   {RoleAdmin: ReachAll, RoleLead: ReachTeam, RoleManager: ReachOwn, RoleViewer: ReachAll},
	ManageReferrals: {RoleAdmin: ReachAll},
	// The board is the whole team's: everyone who reads answers sees it,
	// everyone who works with customers (not a viewer, who changes nothing)
	// adds to it and votes; their reach bounds the answers they may link to
	// it and mine for themes. Leads write their team's action plans (admins
	// any team's) and, having planned the work, move board items to
	// planned, done or rejected.
	ReadInsights:  {RoleAdmin: ReachAll, RoleLead: ReachTeam, RoleManager: ReachOwn, RoleViewer: ReachAll},
	WriteInsights: {RoleAdmin: ReachAll, RoleLead: ReachTeam, RoleManager: ReachOwn},
	ManagePlans:   {RoleAdmin: ReachAll, RoleLead: ReachTeam},
}

// Actor is the user on whose behalf a request runs.
type Actor struct {
	UserID int64
	Email  string
	Role   Role
	Team   string
	Locale string // the user's language, for texts the API writes (explanations)
}

// Scope is the set of rows an actor may touch for one action. The store turns
// it into a WHERE clause; nothing else filters rows by role.
type Scope struct {
	Reach   Reach
	Team    string // with ReachTeam
	Manager string // with ReachOwn: the manager's e-mail
}

// Scope returns what a may reach for action, or an EFORBIDDEN error.
func (a Actor) Scope(action Action) (Scope, error) {
	reach := permissions[action][a.Role]
	switch {
	case reach == ReachNone:
		return Scope{}, Errorf(EFORBIDDEN, "your role (%s) may not do this", a.Role)
	case reach == ReachTeam && a.Team == "":
		// A lead without a team sees nothing rather than everything.
		return Scope{}, Errorf(EFORBIDDEN, "you are not in a team")
	}
	return Scope{Reach: reach, Team: a.Team, Manager: a.Email}, nil
}

// Can reports whether a may do action at all.
func (a Actor) Can(action Action) bool {
	_, err := a.Scope(action)
	return err == nil
}

// Covers reports whether a customer managed by manager in team lies in s.
func (s Scope) Covers(manager, team string) bool {
	switch s.Reach {
	case ReachAll:
		return true
	case ReachTeam:
		return team != "" && team == s.Team
	case ReachOwn:
		return manager != "" && manager == s.Manager
	}
	return false
}
