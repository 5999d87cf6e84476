package transfer

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"otklik"
)

// CustomerRow is a customer read from the file, normalized and valid.
type CustomerRow struct {
	Line     int
	Customer otklik.Customer
}

// CustomerBatch is the outcome of reading a customer file: the good rows to
// store and every problem of the bad ones, in file order.
type CustomerBatch struct {
	Rows   []CustomerRow
	Errors []RowError
	// Columns are the canonical names of the columns understood, in header
	// order; Ignored the header cells that matched nothing (often a typo).
	Columns []string
	Ignored []string
}

var customerColumns = []column{
	{name: "external_id", aliases: []string{"id клиента", "внешний id"}, required: true},
	{name: "name", aliases: []string{"имя"}},
	{name: "company", aliases: []string{"компания"}},
	{name: "email", aliases: []string{"e-mail", "почта"}},
	{name: "phone", aliases: []string{"телефон"}},
	{name: "telegram_chat_id"},
	{name: "locale", aliases: []string{"язык"}},
	{name: "segment", aliases: []string{"сегмент"}},
	{name: "services", aliases: []string{"услуги"}},
	{name: "revenue", aliases: []string{"выручка", "бюджет"}},
	{name: "started_at", aliases: []string{"дата начала"}},
	{name: "manager", aliases: []string{"менеджер"}},
	{name: "team", aliases: []string{"команда"}},
	{name: "region", aliases: []string{"регион"}},
	{name: "contact_period_days"},
	{name: "consent_email"},
	{name: "consent_telegram"},
	{name: "consent_sms"},
	{name: "consent_phone"},
}

var customerPrefixes = []prefixColumn{
	{prefix: "attr.", want: "an attribute name of up to 100 characters"},
}

// consentColumns pairs each consent column with its channel.
var consentColumns = []struct {
	name    string
	channel otklik.Channel
}{
	{"consent_email", otklik.ChannelEmail},
	{"consent_telegram", otklik.ChannelTelegram},
	{"consent_sms", otklik.ChannelSMS},
	{"consent_phone", otklik.ChannelPhone},
}

// ReadCustomers reads a customer file. Only external_id is required; see
// customerColumns for the columns and their Russian names. The error is for
// a file that cannot be read at all (an *otklik.Error: EINVALID, or
// ETOOLARGE beyond opt.MaxRows); bad rows are in the batch.
func ReadCustomers(r io.Reader, f Format, opt Options) (*CustomerBatch, error) {
	opt = opt.withDefaults()
	b := &CustomerBatch{}
	seen := map[string]int{} // external_id → first line, to catch duplicates
	report := func(e RowError) { b.Errors = append(b.Errors, e) }
	l, err := readTable(r, f, opt, customerColumns, customerPrefixes, func(line int, rc *rowCells) {
		c := customerFromRow(rc, opt)
		c.Normalize()
		for _, fe := range otklik.ErrorFields(c.Validate()) {
			rc.p.Add(fe.Field, "%s", fe.Message)
		}
		if len(rc.p) > 0 {
			return
		}
		if first, dup := seen[c.ExternalID]; dup {
			rc.p.Add("external_id", "repeats the customer of line %d", first)
			return
		}
		seen[c.ExternalID] = line
		b.Rows = append(b.Rows, CustomerRow{Line: line, Customer: c})
	}, report)
	if err != nil {
		return nil, err
	}
	b.Columns, b.Ignored = l.names(), l.ignored
	return b, nil
}

// customerFromRow builds a customer from one row, collecting the problems
// of cells that cannot be parsed. Validation of the parsed values is left to
// otklik.Customer.Validate so the rules live in one place.
func customerFromRow(rc *rowCells, opt Options) otklik.Customer {
	get := rc.get
	c := otklik.Customer{
		ExternalID:   get("external_id"),
		Name:         get("name"),
		Company:      get("company"),
		Email:        get("email"),
		Phone:        get("phone"),
		TelegramChat: get("telegram_chat_id"),
		Locale:       locale(get("locale")),
		Segment:      get("segment"),
		Services:     splitServices(get("services")),
		Manager:      get("manager"),
		Team:         get("team"),
		Region:       get("region"),
	}
	if s := get("revenue"); s != "" {
		if a, ok := parseAmount(s, rc.excel); ok {
			c.Revenue = &a
		} else {
			rc.p.Add("revenue", "%q is not an amount such as 150000 or 150 000,50", shorten(s))
		}
	}
	if s := get("started_at"); s != "" {
		if d, ok := rc.parseDate(s); ok {
			c.StartedAt = &d
		} else {
			rc.p.Add("started_at", "%q is not a date (YYYY-MM-DD or DD.MM.YYYY)", shorten(s))
		}
	}
	if s := get("contact_period_days"); s != "" {
		if n, ok := parseInt(s); ok {
			c.ContactPeriod = &n
		} else {
			rc.p.Add("contact_period_days", "%q is not a whole number of days", shorten(s))
		}
	}
	for _, cc := range consentColumns {
		s := get(cc.name)
		if s == "" {
			continue // no answer in the file: keep what the database knows
		}
		granted, ok := parseBool(s)
		if !ok {
			rc.p.Add(cc.name, "%q is not yes/no (да/нет, true/false, 1/0)", shorten(s))
			continue
		}
		if c.Consent == nil {
			c.Consent = map[otklik.Channel]otklik.Consent{}
		}
		// A "no" is recorded too: it is a withdrawal we learned of now.
		c.Consent[cc.channel] = otklik.Consent{Granted: granted, At: opt.Now, Source: "import"}
	}
	if attrs := rc.l.prefixed["attr."]; len(attrs) > 0 {
		m := map[string]string{}
		for _, a := range attrs {
			if v := rc.text(a.index, "attr."+a.key); v != "" {
				m[a.key] = v
			}
		}
		if len(m) > 0 {
			raw, err := json.Marshal(m)
			if err != nil {
				panic(fmt.Sprintf("transfer: marshal attributes: %v", err)) // strings always marshal
			}
			c.Attributes = raw
		}
	}
	return c
}

// splitServices splits a services cell on |, ; or , and drops repeats.
func splitServices(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '|' || r == ';' || r == ',' }) {
		if part = strings.TrimSpace(part); part != "" && !slices.Contains(out, part) {
			out = append(out, part)
		}
	}
	return out
}

// locale accepts what people type for a language: ru-RU, English, русский.
func locale(s string) string {
	k := strings.ToLower(s)
	if base, _, ok := strings.Cut(strings.ReplaceAll(k, "_", "-"), "-"); ok {
		k = base
	}
	switch k {
	case "русский", "рус", "russian":
		return "ru"
	case "английский", "англ", "english":
		return "en"
	}
	return k
}
