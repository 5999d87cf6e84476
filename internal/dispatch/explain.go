package dispatch

import (
	"time"

	"otklik"
	"otklik/internal/locale"
	"otklik/internal/outreach"
)

// ExplainLog writes one entry of an invitation's log in words, in l's
// language, with times in loc: what happened and why.
func ExplainLog(l *locale.Localizer, e otklik.InvitationLog, inv *otklik.Invitation, loc *time.Location) string {
	data := map[string]any{"Label": inv.Label, "Channel": channelName(l, e.Channel)}
	switch e.Action {
	case "planned":
		data["Earliest"] = l.DateTime(inv.EarliestAt, loc)
		data["Latest"] = l.DateTime(inv.LatestAt, loc)
		return l.T("invite.log.planned", data)
	case "queued", "deferred", "skipped":
		if e.Reason == "" {
			return l.T("invite.log."+e.Action, data)
		}
		return outreach.Explain(l, outreach.Reason{Code: e.Reason, Params: e.ReasonParams}, loc)
	case "sent", "reminded", "answered", "outcome_unknown":
		return l.T("invite.log."+e.Action, data)
	case "failed", "reminder_failed":
		data["Error"] = e.ReasonParams["error"]
		return l.T("invite.log."+e.Action, data)
	}
	return e.Action
}

func channelName(l *locale.Localizer, ch otklik.Channel) string {
	if ch == "" {
		return ""
	}
	return l.T("channel." + string(ch))
}
