package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"otklik"
	"otklik/internal/dispatch"
	"otklik/internal/locale"
	"otklik/internal/store"
)

// The CRM integrations (/outreach/integrations) and the outgoing webhooks
// (/outreach/webhooks). A CRM reaches Otklik at a URL holding the
// integrations' secret, shown here for copying into the CRM; outgoing
// webhooks are the other direction, Otklik's events posted to another
// system, each signed with a secret shown once, when it is created.

// integrationsForm is the CRM settings as typed.
type integrationsForm struct {
	AmoField    string
	PortalURL   string
	AppToken    string
	BitrixField string
	Won         string // comma-separated stage ids
	Lost        string
}

func integrationsToForm(in dispatch.Integrations) integrationsForm {
	return integrationsForm{AmoField: in.AmoCRM.CustomerField, PortalURL: in.Bitrix.PortalURL, AppToken: in.Bitrix.ApplicationToken,
		BitrixField: in.Bitrix.CustomerField, Won: joinList(in.Bitrix.WonStages), Lost: joinList(in.Bitrix.LostStages)}
}

func readIntegrationsForm(r *http.Request) integrationsForm {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	return integrationsForm{AmoField: v("amocrm.customer_field"), PortalURL: v("bitrix24.portal_url"),
		AppToken: v("bitrix24.application_token"), BitrixField: v("bitrix24.customer_field"),
		Won: v("bitrix24.won_stages"), Lost: v("bitrix24.lost_stages")}
}

func (f integrationsForm) integrations() dispatch.Integrations {
	return dispatch.Integrations{AmoCRM: dispatch.AmoSettings{CustomerField: f.AmoField},
		Bitrix: dispatch.Bitrix24{PortalURL: f.PortalURL, ApplicationToken: f.AppToken, CustomerField: f.BitrixField,
			WonStages: splitList(f.Won), LostStages: splitList(f.Lost)}}
}

func integrationsKnows(key string) bool {
	switch key {
	case "amocrm.customer_field", "bitrix24.portal_url", "bitrix24.application_token", "bitrix24.customer_field",
		"bitrix24.won_stages", "bitrix24.lost_stages":
		return true
	}
	return false
}

type integrationsData struct {
	Tabs      []outreachTab
	F         integrationsForm
	Errors    formErrors
	AmoURL    string
	BitrixURL string
}

// crmURL is the address a CRM posts its webhook to.
func (s *Server) crmURL(crmName, secret string) string {
	return strings.TrimRight(s.cfg.BaseURL, "/") + "/api/v1/integrations/" + crmName + "/" + url.PathEscape(secret)
}

func (s *Server) outreachIntegrations(w http.ResponseWriter, r *http.Request) {
	e, ok := s.outreachAllowed(w, r)
	if !ok {
		return
	}
	in, err := e.Integrations(r.Context())
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.renderIntegrations(w, r, http.StatusOK, outreachDone(r), in.Secret, integrationsData{F: integrationsToForm(in)})
}

func (s *Server) renderIntegrations(w http.ResponseWriter, r *http.Request, status int, notice, secret string, d integrationsData) {
	d.Tabs, d.AmoURL, d.BitrixURL = outreachTabs("integrations"), s.crmURL("amocrm", secret), s.crmURL("bitrix24", secret)
	if d.Errors.At == nil {
		d.Errors.At = map[string]string{}
	}
	s.render(w, r, status, "outreach_integrations", page{Title: "outreachui.integrations.title", Nav: "outreach", Notice: notice, Data: d})
}

func (s *Server) saveOutreachIntegrations(w http.ResponseWriter, r *http.Request) {
	e, ok := s.outreachAllowed(w, r)
	if !ok {
		return
	}
	f := readIntegrationsForm(r)
	in, err := e.SetIntegrations(r.Context(), f.integrations())
	if err != nil {
		if otklik.ErrorCode(err) != otklik.EINVALID {
			s.errorPage(w, r, err)
			return
		}
		// SetIntegrations returns the stored settings with the refusal, so
		// the URLs still show the secret.
		s.renderIntegrations(w, r, http.StatusUnprocessableEntity, "", in.Secret,
			integrationsData{F: f, Errors: placeErrors(s.localizer(r), otklik.ErrorFields(err), integrationsKnows)})
		return
	}
	http.Redirect(w, r, "/outreach/integrations?done=saved", http.StatusSeeOther)
}

// hookEventName is a webhook event type for a reader; "*" is every event.
func hookEventName(l *locale.Localizer, ev string) string {
	if ev == "*" {
		return l.T("outreachui.hook_event.all")
	}
	if slices.Contains(dispatch.WebhookEventTypes(), ev) {
		return l.T("outreachui.hook_event." + strings.ReplaceAll(ev, ".", "_"))
	}
	return ev
}

// hookEventChoice is an event type's box in the new webhook's form.
type hookEventChoice struct {
	Value, Name string
	Checked     bool
}

type webhookRow struct {
	W      *otklik.Webhook
	Events string
}

type webhooksData struct {
	Tabs    []outreachTab
	Rows    []webhookRow
	URL     string // the new webhook's, as typed
	Events  []hookEventChoice
	Errors  formErrors
	Created *otklik.Webhook // just created: its secret is shown this once
}

func (s *Server) outreachWebhooks(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.outreachAllowed(w, r); !ok {
		return
	}
	s.renderWebhooks(w, r, http.StatusOK, outreachDone(r), webhooksData{}, nil)
}

func (s *Server) renderWebhooks(w http.ResponseWriter, r *http.Request, status int, notice string, d webhooksData, checked []string) {
	l := s.localizer(r)
	hooks, err := s.db.Webhooks(r.Context())
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	for _, h := range hooks {
		var names []string
		for _, ev := range h.Events {
			names = append(names, hookEventName(l, ev))
		}
		d.Rows = append(d.Rows, webhookRow{W: h, Events: strings.Join(names, ", ")})
	}
	for _, ev := range append(dispatch.WebhookEventTypes(), "*") {
		d.Events = append(d.Events, hookEventChoice{Value: ev, Name: hookEventName(l, ev), Checked: slices.Contains(checked, ev)})
	}
	d.Tabs = outreachTabs("webhooks")
	if d.Errors.At == nil {
		d.Errors.At = map[string]string{}
	}
	s.render(w, r, status, "outreach_webhooks", page{Title: "outreachui.webhooks.title", Nav: "outreach", Notice: notice, Data: d})
}

// createOutreachWebhook stores a subscription and shows its secret, this
// once, on the page that answers the form; the list never shows it.
func (s *Server) createOutreachWebhook(w http.ResponseWriter, r *http.Request) {
	e, ok := s.outreachAllowed(w, r)
	if !ok {
		return
	}
	rawURL, events := strings.TrimSpace(r.PostFormValue("url")), r.PostForm["events"]
	hook, err := e.CreateWebhook(r.Context(), rawURL, events)
	if err != nil {
		if otklik.ErrorCode(err) != otklik.EINVALID {
			s.errorPage(w, r, err)
			return
		}
		errs := placeErrors(s.localizer(r), otklik.ErrorFields(err), func(key string) bool { return key == "url" || key == "events" })
		s.renderWebhooks(w, r, http.StatusUnprocessableEntity, "", webhooksData{URL: rawURL, Errors: errs}, events)
		return
	}
	s.renderWebhooks(w, r, http.StatusOK, "", webhooksData{Created: hook}, nil)
}

// toggleOutreachWebhook switches a subscription to the state the form
// asks for (enabled=1 or 0), so a second click changes nothing.
func (s *Server) toggleOutreachWebhook(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.outreachAllowed(w, r); !ok {
		return
	}
	id, err := outreachID(r, "webhook")
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	if _, err := s.db.SetWebhookEnabled(r.Context(), id, r.PostFormValue("enabled") == "1"); err != nil {
		s.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/outreach/webhooks?done=changed", http.StatusSeeOther)
}

func (s *Server) deleteOutreachWebhook(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.outreachAllowed(w, r); !ok {
		return
	}
	id, err := outreachID(r, "webhook")
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	if err := s.db.DeleteWebhook(r.Context(), id); err != nil {
		s.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/outreach/webhooks?done=deleted", http.StatusSeeOther)
}

// deliveryRow is one attempt in a webhook's delivery log.
type deliveryRow struct {
	D        otklik.WebhookDelivery
	Event    string
	Status   string
	Duration string
	OK       bool
}

type deliveriesData struct {
	Tabs   []outreachTab
	W      *otklik.Webhook
	Events string
	Rows   []deliveryRow
	Limit  int
}

// deliveriesShown is how many of the latest attempts the page lists.
const deliveriesShown = 100

func (s *Server) outreachDeliveries(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.outreachAllowed(w, r); !ok {
		return
	}
	id, err := outreachID(r, "webhook")
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	ctx, l := r.Context(), s.localizer(r)
	hook, err := s.db.Webhook(ctx, id)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	hook.Secret = "" // never on a page after its creation
	ds, err := s.db.Deliveries(ctx, id, deliveriesShown)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	d := deliveriesData{Tabs: outreachTabs("webhooks"), W: hook, Limit: min(deliveriesShown, store.MaxDeliveries)}
	var names []string
	for _, ev := range hook.Events {
		names = append(names, hookEventName(l, ev))
	}
	d.Events = strings.Join(names, ", ")
	for _, x := range ds {
		row := deliveryRow{D: x, Event: hookEventName(l, x.Type), OK: x.Error == "",
			Duration: l.T("outreachui.deliveries.ms", map[string]any{"N": l.Number(float64(x.DurationMS), 0)})}
		row.Status = l.T("outreachui.deliveries.no_reply")
		if x.Status != 0 {
			row.Status = strings.TrimSpace(strconv.Itoa(x.Status) + " " + http.StatusText(x.Status))
		}
		d.Rows = append(d.Rows, row)
	}
	s.render(w, r, http.StatusOK, "outreach_webhook", page{Title: "outreachui.deliveries.title", Nav: "outreach", Data: d})
}
