package store

import "otklik"

// scopeWhere turns an actor's scope into a condition on the manager and team
// columns named; every role-filtered query goes through here.
func scopeWhere(s otklik.Scope, managerCol, teamCol string) (string, []any) {
	switch s.Reach {
	case otklik.ReachAll:
		return "1=1", nil
	case otklik.ReachTeam:
		return teamCol + " = ?", []any{s.Team}
	case otklik.ReachOwn:
		return managerCol + " = ?", []any{s.Manager}
	}
	return "1=0", nil
}
