package transfer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"otklik"
)

// ResponseRow is an answer read from the file. Survey and Customer hold the
// survey key and the customer's external_id: the caller resolves them, and
// checks the score against the survey's scale, which a file cannot know.
type ResponseRow struct {
	Line     int
	Response otklik.Response
}

// ResponseBatch is the outcome of reading a file of historical answers.
type ResponseBatch struct {
	Rows    []ResponseRow
	Errors  []RowError
	Columns []string
	Ignored []string
	// Snapshot is true when the file carries snapshot_* columns (an export
	// of Otklik does): the rows then hold the dimensions as they were when
	// the customer answered, and the caller should keep them instead of
	// copying today's manager and segment into history.
	Snapshot bool
}

var responseColumns = []column{
	{name: "id"},
	{name: "survey", aliases: []string{"опрос"}, required: true},
	{name: "customer", aliases: []string{"клиент"}, required: true},
	{name: "score", aliases: []string{"оценка"}, required: true},
	{name: "comment", aliases: []string{"комментарий"}},
	{name: "channel", aliases: []string{"канал"}},
	{name: "answered_at", aliases: []string{"дата ответа"}, required: true},
	{name: "snapshot_manager"},
	{name: "snapshot_team"},
	{name: "snapshot_segment"},
	{name: "snapshot_services"},
	{name: "snapshot_revenue"},
	{name: "snapshot_region"},
	{name: "snapshot_tenure_months"},
}

const answersPrefix = "answers."

var responsePrefixes = []prefixColumn{{
	prefix: answersPrefix, lower: true, check: slugPattern.MatchString,
	want: "a driver key such as manager_speed (lowercase letters, digits, _ and -)",
}}

// externalIDPattern repeats otklik's rule for Customer.ExternalID, which the
// domain does not export; an answer naming an impossible customer is a row
// error here, with its line, rather than a lookup miss later.
var externalIDPattern = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}._:@/#-]{0,127}$`)

// maxScore is the top of any scale a survey may have (custom scales end at
// 100 at most), the only score bound a file can check without the survey.
const maxScore = 100

// ReadResponses reads a file of answers. Required columns: survey,
// customer, score, answered_at; driver answers are answers.KEY columns. An
// answer without an id gets one derived from its content, so importing the
// same file twice never counts an answer twice. Errors are as for
// ReadCustomers.
func ReadResponses(r io.Reader, f Format, opt Options) (*ResponseBatch, error) {
	opt = opt.withDefaults()
	b := &ResponseBatch{}
	seen := map[string]int{} // idempotency key → first line
	report := func(e RowError) { b.Errors = append(b.Errors, e) }
	l, err := readTable(r, f, opt, responseColumns, responsePrefixes, func(line int, rc *rowCells) {
		resp := responseFromRow(rc, opt)
		if len(rc.p) > 0 {
			return
		}
		explicit := resp.IdempotencyKey != ""
		if !explicit {
			resp.IdempotencyKey = ContentKey(&resp)
		}
		if first, dup := seen[resp.IdempotencyKey]; dup {
			if explicit {
				rc.p.Add("id", "repeats the id of line %d", first)
			} else {
				rc.p.Add("id", "is the same answer as line %d", first)
			}
			return
		}
		seen[resp.IdempotencyKey] = line
		b.Rows = append(b.Rows, ResponseRow{Line: line, Response: resp})
	}, report)
	if err != nil {
		return nil, err
	}
	b.Columns, b.Ignored = l.names(), l.ignored
	for _, c := range b.Columns {
		if strings.HasPrefix(c, "snapshot_") {
			b.Snapshot = true
		}
	}
	return b, nil
}

// responseFromRow parses and checks one answer as far as a file allows.
func responseFromRow(rc *rowCells, opt Options) otklik.Response {
	get := rc.get
	r := otklik.Response{
		Survey:         strings.ToLower(get("survey")),
		Customer:       get("customer"),
		Comment:        get("comment"),
		Channel:        otklik.Channel(strings.ToLower(get("channel"))),
		IdempotencyKey: get("id"),
		Answers:        map[string]int{},
	}
	switch {
	case r.Survey == "":
		rc.p.Add("survey", "is required")
	case !slugPattern.MatchString(r.Survey):
		rc.p.Add("survey", "%q is not a survey key (lowercase letters, digits, _ and -)", shorten(r.Survey))
	}
	switch {
	case r.Customer == "":
		rc.p.Add("customer", "is required: the customer's external_id")
	case !externalIDPattern.MatchString(r.Customer):
		rc.p.Add("customer", "%q is not an external_id: up to 128 letters, digits and . _ : @ / # -", shorten(r.Customer))
	}
	if s := get("score"); s == "" {
		rc.p.Add("score", "is required")
	} else if n, ok := parseInt(s); !ok {
		rc.p.Add("score", "%q is not a whole number", shorten(s))
	} else if n < 0 || n > maxScore {
		rc.p.Add("score", "must be between 0 and %d", maxScore)
	} else {
		r.Score = n
	}
	if utf8.RuneCountInString(r.Comment) > otklik.MaxCommentLength {
		rc.p.Add("comment", "is longer than %d characters", otklik.MaxCommentLength)
	}
	if r.Channel == "" {
		r.Channel = otklik.ChannelImport
	} else if !slices.Contains(otklik.ResponseChannels, r.Channel) {
		rc.p.Add("channel", "must be one of email, telegram, web, widget, phone, chat, sms, import, api")
	}
	if s := get("answered_at"); s == "" {
		rc.p.Add("answered_at", "is required")
	} else if t, ok := rc.parseTime(s, opt.Location); !ok {
		rc.p.Add("answered_at", "%q is not a date and time (2024-01-31 14:05, 31.01.2024 14:05 or RFC 3339)", shorten(s))
	} else if t.After(opt.Now.Add(5 * time.Minute)) {
		rc.p.Add("answered_at", "is in the future")
	} else if t.Year() < 2000 {
		rc.p.Add("answered_at", "is before 2000")
	} else {
		r.AnsweredAt = t
	}
	if len(r.IdempotencyKey) > 200 {
		rc.p.Add("id", "is longer than 200 characters")
	}
	for _, a := range rc.l.prefixed[answersPrefix] {
		field := answersPrefix + a.key
		s := rc.text(a.index, field)
		if s == "" {
			continue // the driver question was skipped
		}
		if n, ok := parseInt(s); !ok || !otklik.DriverScale.Contains(n) {
			rc.p.Add(field, "%q is not a rating from %d to %d", shorten(s), otklik.DriverScale.Min, otklik.DriverScale.Max)
		} else {
			r.Answers[a.key] = n
		}
	}
	r.Snapshot = snapshotFromRow(rc)
	return r
}

// snapshotFromRow reads the snapshot_* columns of an export.
func snapshotFromRow(rc *rowCells) otklik.Dimensions {
	get := rc.get
	d := otklik.Dimensions{
		Manager: strings.ToLower(get("snapshot_manager")),
		Team:    get("snapshot_team"),
		Segment: get("snapshot_segment"),
		Region:  get("snapshot_region"),
	}
	// Exports join services with "|" alone: a service name may hold a comma.
	for _, s := range strings.Split(get("snapshot_services"), "|") {
		if s = strings.TrimSpace(s); s != "" {
			d.Services = append(d.Services, s)
		}
	}
	if s := get("snapshot_revenue"); s != "" {
		if a, ok := parseAmount(s, rc.excel); ok && a >= 0 {
			d.Revenue = &a
		} else {
			rc.p.Add("snapshot_revenue", "%q is not an amount such as 150000 or 150 000,50", shorten(s))
		}
	}
	if s := get("snapshot_tenure_months"); s != "" {
		if n, ok := parseInt(s); ok && n >= 0 {
			d.TenureMonths = &n
		} else {
			rc.p.Add("snapshot_tenure_months", "%q is not a whole number of months", shorten(s))
		}
	}
	return d
}

// ContentKey derives the idempotency key of an answer that has none from
// what identifies it: survey, customer, instant, score, comment and driver
// answers. Channel and snapshot stay out, so a re-export that adds them
// still matches. The recipe must never change: stored keys depend on it.
func ContentKey(r *otklik.Response) string {
	answers := r.Answers
	if answers == nil {
		answers = map[string]int{} // nil and empty must give one key
	}
	h := sha256.New()
	// JSON gives an unambiguous encoding, with map keys sorted.
	_ = json.NewEncoder(h).Encode([]any{r.Survey, r.Customer, r.AnsweredAt.UTC().Format(time.RFC3339Nano),
		r.Score, strings.TrimSpace(r.Comment), answers})
	return "import:" + hex.EncodeToString(h.Sum(nil))
}
