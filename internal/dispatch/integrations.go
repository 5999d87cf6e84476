package dispatch

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"otklik"
	"otklik/internal/crm"
)

const integrationsKey = "outreach.integrations"

// Integrations is how CRMs reach Otklik: the secret in their webhook URLs
// (/api/v1/integrations/amocrm/{secret}, …/bitrix24/{secret}) and how each
// CRM's records name customers.
type Integrations struct {
	// Secret is generated once; it is the only credential a CRM's webhook
	// carries, so it is long and random.
	Secret string      `json:"secret"`
	AmoCRM AmoSettings `json:"amocrm"`
	Bitrix Bitrix24    `json:"bitrix24"`
}

// AmoSettings: the lead custom field (id or name) with the customer's id.
type AmoSettings struct {
	CustomerField string `json:"customer_field"`
}

// Bitrix24 is a Bitrix24 portal: its inbound REST webhook (a secret), the
// outgoing webhook's application token, and the stage mapping.
type Bitrix24 struct {
	PortalURL        string   `json:"portal_url"`
	ApplicationToken string   `json:"application_token"`
	CustomerField    string   `json:"customer_field"`
	WonStages        []string `json:"won_stages"`
	LostStages       []string `json:"lost_stages"`
}

// Integrations returns the stored settings, creating the secret the first
// time.
func (e *Engine) Integrations(ctx context.Context) (Integrations, error) {
	v, ok, err := e.cfg.DB.SettingValue(ctx, integrationsKey)
	if err != nil {
		return Integrations{}, err
	}
	var in Integrations
	if !ok {
		// First use: every replica proposes a fresh secret; the first stored
		// wins and all of them read it back.
		b := make([]byte, 24)
		rand.Read(b)
		def := crm.DefaultBitrixMapping()
		fresh, _ := json.Marshal(Integrations{Secret: hex.EncodeToString(b),
			Bitrix: Bitrix24{CustomerField: def.CustomerField, WonStages: def.WonStages, LostStages: def.LostStages}})
		if v, err = e.cfg.DB.Setting(ctx, integrationsKey, func() string { return string(fresh) }); err != nil {
			return Integrations{}, err
		}
	}
	if err := json.Unmarshal([]byte(v), &in); err != nil {
		return Integrations{}, fmt.Errorf("dispatch: stored integrations: %w", err)
	}
	return in, nil
}

// SetIntegrations validates and stores the CRM settings; the secret is kept.
func (e *Engine) SetIntegrations(ctx context.Context, in Integrations) (Integrations, error) {
	cur, err := e.Integrations(ctx)
	if err != nil {
		return cur, err
	}
	var p otklik.Problems
	if u := strings.TrimSpace(in.Bitrix.PortalURL); u != "" {
		pu, err := url.Parse(u)
		if err != nil || pu.Scheme != "https" && pu.Scheme != "http" || pu.Host == "" || pu.RawQuery != "" || pu.User != nil {
			p.Add("bitrix24.portal_url", "must be the portal's inbound webhook URL, https://<portal>/rest/<user>/<key>/")
		}
	}
	if len(in.AmoCRM.CustomerField) > 200 {
		p.Add("amocrm.customer_field", "is longer than 200 characters")
	}
	if err := p.Err("the integration settings are not valid"); err != nil {
		return cur, err
	}
	in.Secret = cur.Secret
	return in, e.saveIntegrations(ctx, in)
}

func (e *Engine) saveIntegrations(ctx context.Context, in Integrations) error {
	b, _ := json.Marshal(in)
	return e.cfg.DB.PutSetting(ctx, integrationsKey, string(b))
}

// CheckSecret reports whether secret is the integrations' secret.
func (e *Engine) CheckSecret(ctx context.Context, secret string) (Integrations, bool, error) {
	in, err := e.Integrations(ctx)
	if err != nil {
		return in, false, err
	}
	ok := secret != "" && subtle.ConstantTimeCompare([]byte(secret), []byte(in.Secret)) == 1
	return in, ok, nil
}

// EventResult is what became of one event from a CRM.
type EventResult struct {
	Event   crm.Event `json:"event"`
	Created bool      `json:"created"`
	Planned int       `json:"invitations_planned"`
	Error   string    `json:"error,omitempty"`
}

// AmoCRM records the events of an amoCRM webhook body.
func (e *Engine) AmoCRM(ctx context.Context, in Integrations, body []byte) ([]EventResult, error) {
	evs, err := crm.ParseAmoCRM(body, crm.AmoMapping{CustomerField: in.AmoCRM.CustomerField}, e.now())
	if err != nil {
		return nil, err
	}
	return e.recordAll(ctx, evs, "amocrm")
}

func (e *Engine) recordAll(ctx context.Context, evs []crm.Event, source string) ([]EventResult, error) {
	out := make([]EventResult, 0, len(evs))
	for _, ev := range evs {
		_, created, planned, err := e.RecordEvent(ctx, ev, source)
		r := EventResult{Event: ev, Created: created, Planned: planned}
		if err != nil {
			if otklik.ErrorCode(err) == "" || otklik.ErrorCode(err) == otklik.EINTERNAL {
				return out, err
			}
			r.Error = otklik.ErrorMessage(err)
			e.cfg.Log.Warn("outreach: event not recorded", "source", source, "event", ev.ID, "err", r.Error)
		}
		out = append(out, r)
	}
	return out, nil
}

// Bitrix24 handles an ONCRMDEALUPDATE notice: the notice carries only the
// deal's id, so the deal is fetched from the portal's REST API; a won or
// lost stage becomes an event. When the portal cannot be reached the fetch
// is retried by a job.
func (e *Engine) Bitrix24(ctx context.Context, in Integrations, body []byte) ([]EventResult, error) {
	n, err := crm.ParseBitrixEvent(body)
	if err != nil {
		return nil, err
	}
	if in.Bitrix.ApplicationToken != "" && !n.Authentic(in.Bitrix.ApplicationToken) {
		return nil, otklik.Errorf(otklik.EUNAUTHORIZED, "the notice's application_token is not this portal's")
	}
	if !n.DealEvent() {
		return []EventResult{}, nil
	}
	if in.Bitrix.PortalURL == "" {
		return nil, otklik.Errorf(otklik.ECONFLICT, "no Bitrix24 portal is configured (PUT /api/v1/integrations)")
	}
	res, err := e.fetchDeal(ctx, in, n.Domain, n.ID)
	var coded *otklik.Error
	switch {
	case err == nil || errors.As(err, &coded):
		return res, err
	case crm.IsTemporary(err):
		e.cfg.Log.Warn("outreach: Bitrix24 portal unreachable; retrying later", "deal", n.ID, "err", err)
		_, err = e.jobs.Client().Insert(ctx, BitrixFetchArgs{Domain: n.Domain, DealID: n.ID}, nil)
		return []EventResult{}, err
	}
	return nil, otklik.Errorf(otklik.EINVALID, "the Bitrix24 portal refused crm.deal.get: %v", err)
}

func (e *Engine) fetchDeal(ctx context.Context, in Integrations, domain, id string) ([]EventResult, error) {
	b := &crm.Bitrix{BaseURL: in.Bitrix.PortalURL}
	deal, err := b.Deal(ctx, id)
	if err != nil {
		return nil, err
	}
	m := crm.BitrixMapping{WonStages: in.Bitrix.WonStages, LostStages: in.Bitrix.LostStages, CustomerField: in.Bitrix.CustomerField}
	ev, ok := crm.BitrixDealEvent(deal, m, domain)
	if !ok {
		return []EventResult{}, nil
	}
	return e.recordAll(ctx, []crm.Event{ev}, "bitrix24")
}

// BitrixFetchArgs retries fetching a deal the portal did not give at once.
type BitrixFetchArgs struct {
	Domain string `json:"domain"`
	DealID string `json:"deal_id"`
}

// Kind names the job for River.
func (BitrixFetchArgs) Kind() string { return "bitrix24_fetch" }

// InsertOpts: a few tries over about an hour.
func (BitrixFetchArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 6} }

type bitrixFetchWorker struct {
	river.WorkerDefaults[BitrixFetchArgs]
	e *Engine
}

func (w *bitrixFetchWorker) Work(ctx context.Context, job *river.Job[BitrixFetchArgs]) error {
	in, err := w.e.Integrations(ctx)
	if err != nil {
		return err
	}
	_, err = w.e.fetchDeal(ctx, in, job.Args.Domain, job.Args.DealID)
	if err != nil && !crm.IsTemporary(err) {
		w.e.cfg.Log.Warn("outreach: Bitrix24 deal not fetched", "deal", job.Args.DealID, "err", err)
		return river.JobCancel(err)
	}
	return err
}

// NextRetry spreads the retries: 1, 4, 9, 16, 25 minutes.
func (w *bitrixFetchWorker) NextRetry(job *river.Job[BitrixFetchArgs]) time.Time {
	return time.Now().Add(time.Duration(job.Attempt*job.Attempt) * time.Minute)
}
