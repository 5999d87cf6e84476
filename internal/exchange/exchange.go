// Package exchange moves customers and answers between files and the store:
// an import reads a CSV/XLSX file (internal/transfer), resolves every row
// against the database, reports each bad row with its line and writes
// nothing unless every row is good (or the caller asked for a partial
// import); an export streams answers to CSV/XLSX.
package exchange

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"time"

	"otklik"
	"otklik/internal/store"
	"otklik/internal/transfer"
)

// Report is what an import did.
type Report struct {
	Rows       int                 `json:"rows"`
	Created    int                 `json:"created"`
	Updated    int                 `json:"updated"`    // customers changed
	Duplicates int                 `json:"duplicates"` // answers already imported
	Errors     []transfer.RowError `json:"errors"`
	Written    bool                `json:"written"` // false: the file was refused whole
	Ignored    []string            `json:"ignored_columns"`
}

// Options say how an import runs.
type Options struct {
	Format   transfer.Format
	Partial  bool // write the good rows even if some are bad
	Now      time.Time
	Location *time.Location
	Progress func(done, total int) // called while writing; may be nil
}

func (o Options) read() transfer.Options {
	return transfer.Options{Now: o.Now, Location: o.Location}
}

// Customers imports a file of customers as actor (who needs the import
// right). A customer already known is changed only in the columns the file
// has and the cells that are not empty.
func Customers(ctx context.Context, db *store.DB, actor otklik.Actor, r io.Reader, opt Options) (*Report, error) {
	if _, err := actor.Scope(otklik.ImportData); err != nil {
		return nil, err
	}
	scope, err := actor.Scope(otklik.WriteCustomers)
	if err != nil {
		return nil, err
	}
	batch, err := transfer.ReadCustomers(r, opt.Format, opt.read())
	if err != nil {
		return nil, err
	}
	rep := &Report{Rows: len(batch.Rows) + countLines(batch.Errors), Errors: batch.Errors, Ignored: batch.Ignored}
	if len(batch.Errors) > 0 && !opt.Partial || len(batch.Rows) == 0 {
		return rep, nil
	}
	ids := make([]string, len(batch.Rows))
	for i, row := range batch.Rows {
		ids[i] = row.Customer.ExternalID
	}
	has := func(col string) bool { return slices.Contains(batch.Columns, col) }
	var progress func(int)
	if opt.Progress != nil {
		progress = func(done int) { opt.Progress(done, len(ids)) }
	}
	rep.Created, rep.Updated, err = db.ImportCustomers(ctx, scope, ids, func(i int, c *otklik.Customer) {
		merge(c, &batch.Rows[i].Customer, has)
	}, progress)
	if err != nil {
		// The transaction rolled back: name the row when the store says which.
		return rep, err
	}
	rep.Written = true
	if opt.Progress != nil {
		opt.Progress(len(ids), len(ids))
	}
	return rep, nil
}

// merge copies into dst what src's file said: a column the file has, with a
// cell that is not empty. An empty cell never erases what is known.
func merge(dst, src *otklik.Customer, has func(string) bool) {
	text := func(col string, d *string, s string) {
		if has(col) && s != "" {
			*d = s
		}
	}
	text("name", &dst.Name, src.Name)
	text("company", &dst.Company, src.Company)
	text("email", &dst.Email, src.Email)
	text("phone", &dst.Phone, src.Phone)
	text("telegram_chat_id", &dst.TelegramChat, src.TelegramChat)
	text("locale", &dst.Locale, src.Locale)
	text("segment", &dst.Segment, src.Segment)
	text("manager", &dst.Manager, src.Manager)
	text("team", &dst.Team, src.Team)
	text("region", &dst.Region, src.Region)
	if has("services") && len(src.Services) > 0 {
		dst.Services = src.Services
	}
	if has("revenue") && src.Revenue != nil {
		dst.Revenue = src.Revenue
	}
	if has("started_at") && src.StartedAt != nil {
		dst.StartedAt = src.StartedAt
	}
	if has("contact_period_days") && src.ContactPeriod != nil {
		dst.ContactPeriod = src.ContactPeriod
	}
	if dst.Consent == nil {
		dst.Consent = map[otklik.Channel]otklik.Consent{}
	}
	for ch, k := range src.Consent {
		dst.Consent[ch] = k
	}
	dst.Attributes = mergeAttributes(dst.Attributes, src.Attributes)
}

func mergeAttributes(dst, src json.RawMessage) json.RawMessage {
	var d, s map[string]any
	json.Unmarshal(dst, &d)
	if json.Unmarshal(src, &s) != nil || len(s) == 0 {
		return dst
	}
	if d == nil {
		d = map[string]any{}
	}
	for k, v := range s {
		if str, ok := v.(string); ok && strings.TrimSpace(str) == "" {
			continue
		}
		d[k] = v
	}
	b, _ := json.Marshal(d)
	return b
}

// countLines counts the distinct lines that have errors.
func countLines(errs []transfer.RowError) int {
	seen := map[int]bool{}
	for _, e := range errs {
		if e.Line > 0 {
			seen[e.Line] = true
		}
	}
	return len(seen)
}
