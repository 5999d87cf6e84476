package crm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"otklik"
)

// DefaultBitrixTimeout bounds one REST call when Bitrix.HTTP is nil.
const DefaultBitrixTimeout = 10 * time.Second

// maxBitrixAnswer is the largest REST answer read: a deal with a few
// hundred custom fields is well under it.
const maxBitrixAnswer = 4 << 20

// Bitrix is a client of one Bitrix24 portal's REST API through an inbound
// webhook. It is safe for concurrent use.
type Bitrix struct {
	// BaseURL is the inbound webhook's URL, such as
	// https://portal.bitrix24.ru/rest/1/abc123/. It holds a secret: errors
	// never show it.
	BaseURL string
	// HTTP sends the requests; nil means a client with DefaultBitrixTimeout.
	HTTP *http.Client
}

// BitrixError is a failed REST call.
type BitrixError struct {
	Method      string // the REST method, "crm.deal.get"
	Status      int    // the HTTP status; 0 when no answer came
	Code        string // the portal's error code ("NOT_FOUND", "QUERY_LIMIT_EXCEEDED"); may be empty
	Description string // the portal's error_description
	// Temporary reports that the same call may succeed later: no answer
	// (time-out, refused connection), a 5xx answer, or the portal's rate
	// limits (503 QUERY_LIMIT_EXCEEDED, 429 OPERATION_TIME_LIMIT). Any other
	// 4xx, and an error answer with status 200, is permanent.
	Temporary bool
	Err       error // the transport error, if any
}

func (e *BitrixError) Error() string {
	kind := "permanent"
	if e.Temporary {
		kind = "temporary"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "bitrix24: %s (%s)", e.Method, kind)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.Status)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, ": %s", e.Code)
	}
	if e.Description != "" {
		fmt.Fprintf(&b, ": %s", e.Description)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

func (e *BitrixError) Unwrap() error { return e.Err }

// IsTemporary reports whether err is worth retrying later with backoff:
// a BitrixError marked Temporary, a time-out or a cancelled context.
// IsTemporary(nil) is false.
func IsTemporary(err error) bool {
	var be *BitrixError
	if errors.As(err, &be) {
		return be.Temporary
	}
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.As(err, &ne) && ne.Timeout()
}

// Deal fetches a deal with crm.deal.get. A deal that does not exist, or
// that the webhook's user may not read, is a permanent BitrixError (the
// portal answers 400 "Not found" / "Access denied").
func (b *Bitrix) Deal(ctx context.Context, id string) (BitrixDeal, error) {
	const method = "crm.deal.get"
	if !numericID(id) {
		return BitrixDeal{}, otklik.Errorf(otklik.EINVALID, "bitrix24: %q is not a deal id", clip(id, 40))
	}
	base, err := b.base()
	if err != nil {
		return BitrixDeal{}, err
	}
	raw, err := b.call(ctx, method, base+method+".json?id="+id)
	if err != nil {
		return BitrixDeal{}, err
	}
	fields, err := scalarFields(raw)
	if err != nil {
		return BitrixDeal{}, &BitrixError{Method: method, Status: http.StatusOK, Description: "the answer's result is not a deal"}
	}
	d := BitrixDeal{
		ID:          fields["ID"],
		StageID:     fields["STAGE_ID"],
		CategoryID:  fields["CATEGORY_ID"],
		Opportunity: fields["OPPORTUNITY"],
		CurrencyID:  fields["CURRENCY_ID"],
		ContactID:   fields["CONTACT_ID"],
		CompanyID:   fields["COMPANY_ID"],
		AssignedBy:  fields["ASSIGNED_BY_ID"],
		Modified:    bitrixTime(fields["DATE_MODIFY"]),
		Moved:       bitrixTime(fields["MOVED_TIME"]),
		Fields:      fields,
	}
	if d.ID != id {
		return BitrixDeal{}, &BitrixError{Method: method, Status: http.StatusOK,
			Description: fmt.Sprintf("asked for deal %s, the answer is deal %q", id, clip(d.ID, 40))}
	}
	return d, nil
}

// base checks BaseURL and returns it ending in '/'.
func (b *Bitrix) base() (string, error) {
	u, err := url.Parse(b.BaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		// The URL holds the webhook's secret: say what is wrong, not what it is.
		return "", otklik.Errorf(otklik.EINVALID, "bitrix24: the webhook URL must be an http(s) URL such as https://portal.bitrix24.ru/rest/1/secret/")
	}
	s := b.BaseURL
	if !strings.HasSuffix(s, "/") {
		s += "/"
	}
	return s, nil
}

// call GETs a REST method and returns its "result", or a BitrixError.
func (b *Bitrix) call(ctx context.Context, method, target string) (json.RawMessage, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, &BitrixError{Method: method, Err: errors.New("cannot build the request")}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "otklik")
	client := b.HTTP
	if client == nil {
		client = &http.Client{Timeout: DefaultBitrixTimeout}
	}
	resp, err := client.Do(req)
	if err != nil {
		// *url.Error repeats the URL, which holds the webhook's secret.
		err = unwrapURL(err)
		var ne net.Error
		if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
			err = fmt.Errorf("no answer in time: %w", err)
		}
		return nil, &BitrixError{Method: method, Temporary: true, Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBitrixAnswer+1))
	if err != nil {
		return nil, &BitrixError{Method: method, Status: resp.StatusCode, Temporary: true,
			Err: fmt.Errorf("reading the answer: %w", unwrapURL(err))}
	}
	if len(body) > maxBitrixAnswer {
		return nil, &BitrixError{Method: method, Status: resp.StatusCode, Description: "the answer is larger than 4 MiB"}
	}
	var ans struct {
		Result      json.RawMessage `json:"result"`
		Error       *string         `json:"error"`
		Description string          `json:"error_description"`
	}
	jsonErr := json.Unmarshal(body, &ans)
	e := &BitrixError{Method: method, Status: resp.StatusCode, Description: clip(strings.TrimSpace(ans.Description), 300)}
	if ans.Error != nil {
		e.Code = clip(strings.TrimSpace(*ans.Error), 100)
	}
	switch e.Code {
	case "QUERY_LIMIT_EXCEEDED", "OPERATION_TIME_LIMIT", "INTERNAL_SERVER_ERROR", "ERROR_UNEXPECTED_ANSWER":
		e.Temporary = true
	}
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
		e.Temporary = true
	}
	switch {
	case resp.StatusCode != http.StatusOK:
		if jsonErr != nil && e.Description == "" {
			e.Description = "the answer is not a REST error: " + http.StatusText(resp.StatusCode)
		}
		return nil, e
	case jsonErr != nil:
		e.Description = "the answer is not JSON"
		return nil, e
	case ans.Error != nil:
		return nil, e
	case len(ans.Result) == 0 || bytes.Equal(ans.Result, []byte("null")):
		e.Description = "the answer has no result"
		return nil, e
	}
	return ans.Result, nil
}

// unwrapURL drops the *url.Error around err, whose text repeats the URL
// and so the webhook's secret.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// scalarFields reads a REST object into text: strings as they are, numbers
// as written, the first item of a multiple field; null, booleans and
// nested objects are left out.
func scalarFields(raw json.RawMessage) (map[string]string, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, errors.New("not an object")
	}
	out := make(map[string]string, len(obj))
	for k, v := range obj {
		v = bytes.TrimSpace(v)
		if len(v) > 0 && v[0] == '[' {
			var items []json.RawMessage
			if json.Unmarshal(v, &items) != nil || len(items) == 0 {
				continue
			}
			v = bytes.TrimSpace(items[0])
		}
		if s, ok := scalarText(v); ok {
			out[k] = s
		}
	}
	return out, nil
}

func scalarText(v json.RawMessage) (string, bool) {
	if len(v) == 0 {
		return "", false
	}
	switch {
	case v[0] == '"':
		var s string
		if json.Unmarshal(v, &s) != nil {
			return "", false
		}
		return s, true
	case v[0] == '-' || v[0] >= '0' && v[0] <= '9':
		return string(v), true
	}
	return "", false
}

// bitrixTime reads a REST datetime ("2024-08-30T14:29:00+02:00") as UTC;
// zero when absent or malformed.
func bitrixTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
