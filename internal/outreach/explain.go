package outreach

import (
	"strconv"
	"strings"
	"time"

	"otklik/internal/locale"
)

// Explain renders a reason as a manager would say it, in l's language,
// with instants shown in loc (nil: UTC):
//
//	отправлено по e-mail: NPS после доставки
//	отложено до 24.11.2026 09:00: тихие часы 21:00–09:00
//	пропущено: клиенту уже писали 02.03.2026 (NPS после сделки); лимит для новых клиентов — 1 раз в 30 дней
//
// Dates are written 02.03.2026 in Russian and 2 Mar 2026 in English. The
// sentences come from the outreach catalogue (messages/outreach.*.toml);
// a code it does not know is returned as it is, so the gap shows.
func Explain(l *locale.Localizer, r Reason, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	x := explainer{l: l, loc: loc, p: r.Params}
	if r.Code == CodeSent {
		ch := x.p["channel"]
		switch ch {
		case "email", "telegram":
			return l.T("outreach.sent."+ch, map[string]any{"Label": x.p["label"]})
		}
		return l.T("outreach.sent.channel", map[string]any{"Channel": ch, "Label": x.p["label"]})
	}
	verdict, name, ok := strings.Cut(r.Code, ".")
	var head string
	switch {
	case !ok:
		return r.Code
	case verdict == "skipped":
		head = l.T("outreach.verdict.skipped")
	case verdict == "deferred":
		head = l.T("outreach.verdict.deferred", map[string]any{"Until": x.dateTime("until")})
	default:
		return r.Code
	}
	body, ok := x.cause(name)
	if !ok {
		return r.Code
	}
	return head + ": " + body
}

type explainer struct {
	l   *locale.Localizer
	loc *time.Location
	p   map[string]string
}

func (x explainer) cause(name string) (string, bool) {
	l, p := x.l, x.p
	switch name {
	case "erased":
		return l.T("outreach.reason.erased"), true
	case "already_sent":
		return l.T("outreach.reason.already_sent", map[string]any{"Date": x.dateTime("sent_at"), "Label": p["label"]}), true
	case "expired":
		return l.T("outreach.reason.expired", map[string]any{"Date": x.dateTime("latest")}), true
	case "no_channel":
		return x.noChannel(), true
	case "no_time":
		return l.T("outreach.reason.no_time"), true
	case causeNotYet:
		return l.T("outreach.reason.not_yet", map[string]any{"Label": p["label"]}), true
	case causeCap, causeContactPeriod:
		return l.T("outreach.reason.contacted", map[string]any{"Date": x.date("last_at"), "Label": p["last_label"],
			"Limit": x.limit(name)}), true
	case causeOutranked:
		return l.T("outreach.reason.outranked", map[string]any{"Date": x.dateTime("winner_at"), "Label": p["winner_label"],
			"Limit": x.limit(p["limit"])}), true
	case causeQuietHours:
		return l.T("outreach.reason.quiet_hours", map[string]any{"From": p["from"], "To": p["to"]}), true
	case causeDayOff, causeHoliday:
		id := "outreach.reason." + name
		if p["last_date"] != "" && p["last_date"] != p["date"] {
			id += "s" // a run of days: "праздничные дни 31.12.2026–08.01.2027"
		}
		return l.T(id, map[string]any{"Date": x.date("date"), "Last": x.date("last_date")}), true
	}
	return "", false
}

// noChannel lists, per channel of the request, what it lacks.
func (x explainer) noChannel() string {
	var parts []string
	for ch := range strings.SplitSeq(x.p["channels"], ",") {
		if ch == "" {
			continue
		}
		name := x.l.T("outreach.channel." + ch)
		if name == "outreach.channel."+ch {
			name = ch // a channel the catalogue does not name: show it as stored
		}
		what := x.p[ch]
		id := "outreach.lacks." + what
		if what == ChannelNoAddress && (ch == "email" || ch == "telegram") {
			id += "_" + ch // "no linked chat" says more than "no address"
		}
		switch what {
		case ChannelNoConsent, ChannelWithdrawn, ChannelNoAddress, ChannelUnsupported:
			parts = append(parts, x.l.T(id, map[string]any{"Channel": name}))
		default:
			parts = append(parts, name)
		}
	}
	if len(parts) == 0 {
		return x.l.T("outreach.reason.no_channel_listed")
	}
	return x.l.T("outreach.reason.no_channel", map[string]any{"Detail": strings.Join(parts, "; ")})
}

// limit words the limit that applied: a cap or the agreed contact period.
func (x explainer) limit(kind string) string {
	days, _ := strconv.Atoi(x.p["period_days"])
	period := x.l.N("outreach.days", days)
	if kind == causeContactPeriod {
		return x.l.T("outreach.limit.contact_period", map[string]any{"Period": period})
	}
	most, _ := strconv.Atoi(x.p["max"])
	rate := x.l.N("outreach.rate", most, map[string]any{"Period": period})
	switch name := x.p["cap"]; name {
	case CapNewCustomers, CapEstablishedCustomers:
		return x.l.T("outreach.limit."+name, map[string]any{"Rate": rate})
	default:
		return x.l.T("outreach.limit.named", map[string]any{"Name": name, "Rate": rate})
	}
}

func (x explainer) date(key string) string {
	v := x.p[key]
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return x.format(t.In(x.loc), false)
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return x.format(t, false)
	}
	return v
}

func (x explainer) dateTime(key string) string {
	v := x.p[key]
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return x.format(t.In(x.loc), true)
	}
	return v
}

// format writes 02.03.2026 (15:04) in Russian, 2 Mar 2026 (15:04) in
// English.
func (x explainer) format(t time.Time, clock bool) string {
	layout := "02.01.2006"
	if x.l.Lang() == locale.English {
		layout = "2 Jan 2006"
	}
	if clock {
		layout += " 15:04"
	}
	return t.Format(layout)
}
