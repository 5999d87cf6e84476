package outreach

import (
	"slices"
	"strings"
	"testing"

	"otklik/internal/locale"
)

func catalog(t *testing.T) *locale.Catalog {
	t.Helper()
	c, err := locale.New()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestExplainSentences checks whole sentences, as a manager reads them,
// for decisions Decide made.
func TestExplainSentences(t *testing.T) {
	c := catalog(t)
	p := DefaultPolicy()
	capped := Decide(p, reachable(date(2026, 1, 10)),
		request("event:1:1", delivery, at(2026, 3, 10, 11, 0), at(2026, 3, 20, 11, 0)),
		[]Contact{contact(at(2026, 3, 2, 10, 0), dealWon)}, at(2026, 3, 10, 12, 0))
	quiet := Decide(p, reachable(established),
		request("event:1:1", delivery, at(2026, 11, 23, 21, 30), at(2026, 11, 29, 21, 30)), nil, at(2026, 11, 23, 22, 0))
	sent := Decide(p, reachable(established),
		request("event:1:1", delivery, at(2026, 11, 17, 11, 0), at(2026, 11, 23, 11, 0)), nil, at(2026, 11, 17, 12, 0))
	tests := []struct {
		r      Reason
		ru, en string
	}{
		{capped.Reason,
			"пропущено: клиенту уже писали 02.03.2026 (NPS после сделки); лимит для новых клиентов — 1 раз в 30 дней",
			"skipped: the customer was already contacted on 2 Mar 2026 (NPS после сделки); limit for new customers: once per 30 days"},
		{quiet.Reason,
			"отложено до 24.11.2026 09:00: тихие часы 21:00–09:00",
			"deferred until 24 Nov 2026 09:00: quiet hours 21:00–09:00"},
		{sent.Reason, "отправлено по e-mail: NPS после доставки", "sent by e-mail: NPS после доставки"},
		{Reason{CodeSkippedCap, map[string]string{"cap": CapEstablishedCustomers, "max": "2", "period_days": "365",
			"last_at": "2025-06-01T09:00:00Z", "last_label": "", "latest": "2026-04-10T09:00:00Z"}},
			"пропущено: клиенту уже писали 01.06.2025; лимит для постоянных клиентов — 2 раза в 365 дней",
			"skipped: the customer was already contacted on 1 Jun 2025; limit for established customers: 2 times per 365 days"},
		{Reason{CodeDeferredContactPeriod, map[string]string{"period_days": "21", "last_at": "2026-01-15T07:00:00Z",
			"last_label": "NPS", "until": "2026-02-05T07:00:00Z"}},
			"отложено до 05.02.2026 10:00: клиенту уже писали 15.01.2026 (NPS); клиент просил писать не чаще раза в 21 день",
			"deferred until 5 Feb 2026 10:00: the customer was already contacted on 15 Jan 2026 (NPS); the customer asked to hear from us at most once every 21 days"},
		{Reason{CodeSkippedNoChannel, map[string]string{"channels": "email,telegram", "email": ChannelWithdrawn, "telegram": ChannelNoAddress}},
			"пропущено: нет канала для связи — e-mail: клиент отказался от рассылки; Telegram: чат не привязан",
			"skipped: no way to reach the customer — e-mail: the customer opted out; Telegram: no linked chat"},
		{Reason{CodeSkippedCap, map[string]string{"cap": "VIP", "max": "3", "period_days": "1",
			"last_at": "2026-03-02T07:00:00Z", "last_label": "NPS", "latest": "2026-03-20T08:00:00Z"}},
			"пропущено: клиенту уже писали 02.03.2026 (NPS); лимит «VIP» — 3 раза в 1 день",
			"skipped: the customer was already contacted on 2 Mar 2026 (NPS); limit “VIP”: 3 times per day"},
	}
	for _, tt := range tests {
		if got := Explain(c.For(locale.Russian), tt.r, msk); got != tt.ru {
			t.Errorf("ru %s:\n got %s\nwant %s", tt.r.Code, got, tt.ru)
		}
		if got := Explain(c.For(locale.English), tt.r, msk); got != tt.en {
			t.Errorf("en %s:\n got %s\nwant %s", tt.r.Code, got, tt.en)
		}
	}
}

// TestExplainEveryCode renders every reason code in both languages: no
// catalogue id may be missing, no template variable empty, and the key
// params must show.
func TestExplainEveryCode(t *testing.T) {
	c := catalog(t)
	cap := map[string]string{"cap": CapNewCustomers, "max": "1", "period_days": "30",
		"last_at": "2026-03-02T07:00:00Z", "last_label": "NPS после сделки"}
	outranked := map[string]string{"winner_label": resurvey, "winner_ref": "case:7", "winner_at": "2026-04-10T09:00:00Z",
		"limit": "cap", "cap": CapNewCustomers, "max": "1", "period_days": "30"}
	period := map[string]string{"period_days": "90", "last_at": "2026-01-15T07:00:00Z", "last_label": "NPS после сделки"}
	until := "2026-11-24T06:00:00Z"
	latest := "2026-11-29T18:30:00Z"
	with := func(m map[string]string, k, v string) map[string]string { return withParam(m, k, v) }
	type shows struct{ ru, en []string }
	cases := map[string]struct {
		params map[string]string
		shows  shows
	}{
		CodeSent: {map[string]string{"channel": "telegram", "label": delivery, "survey": "nps"},
			shows{[]string{"Telegram", delivery}, []string{"Telegram", delivery}}},
		CodeSkippedErased:      {nil, shows{[]string{"удалены"}, []string{"erased"}}},
		CodeSkippedAlreadySent: {map[string]string{"sent_at": "2026-11-17T08:05:00Z", "label": dealWon}, shows{[]string{"17.11.2026 11:05", dealWon}, []string{"17 Nov 2026 11:05", dealWon}}},
		CodeSkippedExpired:     {map[string]string{"latest": latest}, shows{[]string{"29.11.2026 21:30"}, []string{"29 Nov 2026 21:30"}}},
		CodeSkippedNoChannel: {map[string]string{"channels": "email", "email": ChannelNoConsent},
			shows{[]string{"e-mail", "нет согласия"}, []string{"e-mail", "no consent"}}},
		CodeSkippedNoTime:  {nil, shows{[]string{"правила"}, []string{"policy"}}},
		CodeDeferredNotYet: {map[string]string{"earliest": until, "label": delivery, "until": until}, shows{[]string{"24.11.2026 09:00", delivery}, []string{"24 Nov 2026 09:00", delivery}}},
		CodeDeferredCap:    {with(cap, "until", until), shows{[]string{"24.11.2026 09:00", "02.03.2026", "NPS после сделки", "новых", "1 раз в 30 дней"}, []string{"24 Nov 2026 09:00", "2 Mar 2026", "new customers", "once per 30 days"}}},
		CodeSkippedCap:     {with(cap, "latest", latest), shows{[]string{"пропущено", "02.03.2026", "1 раз в 30 дней"}, []string{"skipped", "2 Mar 2026", "once per 30 days"}}},
		CodeDeferredContactPeriod: {with(period, "until", until),
			shows{[]string{"24.11.2026 09:00", "15.01.2026", "90 дней"}, []string{"24 Nov 2026 09:00", "15 Jan 2026", "90 days"}}},
		CodeSkippedContactPeriod: {with(period, "latest", latest), shows{[]string{"пропущено", "15.01.2026", "90 дней"}, []string{"skipped", "15 Jan 2026", "90 days"}}},
		CodeDeferredOutranked: {with(outranked, "until", until),
			shows{[]string{"24.11.2026 09:00", resurvey, "10.04.2026 12:00", "1 раз в 30 дней"}, []string{"24 Nov 2026 09:00", resurvey, "10 Apr 2026 12:00", "once per 30 days"}}},
		CodeSkippedOutranked: {with(with(outranked, "latest", latest), "limit", "contact_period"),
			shows{[]string{"пропущено", resurvey, "не чаще раза в 30 дней"}, []string{"skipped", resurvey, "once every 30 days"}}},
		CodeDeferredQuietHours: {map[string]string{"from": "22:00", "to": "08:00", "until": until}, shows{[]string{"22:00–08:00"}, []string{"22:00–08:00"}}},
		CodeSkippedQuietHours:  {map[string]string{"from": "22:00", "to": "08:00", "latest": latest}, shows{[]string{"пропущено", "22:00–08:00"}, []string{"skipped", "22:00–08:00"}}},
		CodeDeferredDayOff:     {map[string]string{"date": "2026-11-21", "until": until}, shows{[]string{"21.11.2026"}, []string{"21 Nov 2026"}}},
		CodeSkippedDayOff: {map[string]string{"date": "2026-11-21", "last_date": "2026-11-22", "latest": latest},
			shows{[]string{"нерабочие дни 21.11.2026–22.11.2026"}, []string{"days off 21 Nov 2026–22 Nov 2026"}}},
		CodeDeferredHoliday: {map[string]string{"date": "2026-11-04", "until": until}, shows{[]string{"праздни", "04.11.2026"}, []string{"holiday", "4 Nov 2026"}}},
		CodeSkippedHoliday: {map[string]string{"date": "2026-12-31", "last_date": "2027-01-08", "latest": latest},
			shows{[]string{"праздничные дни 31.12.2026–08.01.2027"}, []string{"public holidays 31 Dec 2026–8 Jan 2027"}}},
	}
	for _, code := range ReasonCodes() {
		tc, ok := cases[code]
		if !ok {
			t.Errorf("no case for %s", code)
			continue
		}
		for _, lang := range []string{locale.Russian, locale.English} {
			got := Explain(c.For(lang), Reason{Code: code, Params: tc.params}, msk)
			if got == code || strings.Contains(got, "outreach.") || strings.Contains(got, "<no value>") {
				t.Errorf("%s %s renders as %q", lang, code, got)
			}
			want := tc.shows.ru
			if lang == locale.English {
				want = tc.shows.en
			}
			for _, w := range want {
				if !strings.Contains(got, w) {
					t.Errorf("%s %s = %q; does not show %q", lang, code, got, w)
				}
			}
		}
	}
	if len(cases) != len(ReasonCodes()) {
		t.Errorf("%d cases for %d codes", len(cases), len(ReasonCodes()))
	}
}

func TestExplainUnknown(t *testing.T) {
	l := catalog(t).For(locale.Russian)
	for _, code := range []string{"", "nonsense", "skipped.nonsense", "maybe.cap"} {
		if got := Explain(l, Reason{Code: code}, nil); got != code {
			t.Errorf("Explain(%q) = %q, want the code itself", code, got)
		}
	}
	// A channel Otklik does not name is shown as stored.
	got := Explain(l, Reason{CodeSkippedNoChannel, map[string]string{"channels": "pigeon", "pigeon": ChannelUnsupported}}, nil)
	if !strings.Contains(got, "pigeon: по этому каналу") {
		t.Errorf("unsupported channel: %q", got)
	}
	if got := Explain(l, Reason{CodeSkippedNoChannel, map[string]string{"channels": ""}}, nil); !strings.Contains(got, "не указан ни один канал") {
		t.Errorf("no channels: %q", got)
	}
	if !slices.Contains(ReasonCodes(), CodeSent) {
		t.Error("ReasonCodes lacks sent")
	}
}
