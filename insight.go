package otklik

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Insights: key points from interviews and comments become ideas and
// problems on a board the whole team shares, votes on, and reviews each
// quarter. Any answer can become an item, or add weight to one.

// Insight kinds.
const (
	InsightIdea    = "idea"
	InsightProblem = "problem"
)

// InsightKinds lists the kinds.
var InsightKinds = []string{InsightProblem, InsightIdea}

// Insight statuses.
const (
	InsightNew      = "new"      // on the board, not yet decided
	InsightPlanned  = "planned"  // someone's plan takes it on
	InsightDone     = "done"     // fixed or built
	InsightRejected = "rejected" // decided against
)

// InsightStatuses lists the statuses in the order an item moves through them.
var InsightStatuses = []string{InsightNew, InsightPlanned, InsightDone, InsightRejected}

// Limits on a board item.
const (
	MaxInsightTitleLength = 200
	MaxInsightBodyLength  = 5000
	MaxTags               = 10
	MaxTagLength          = 40
)

// Insight is an idea or a problem on the board.
type Insight struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	Tags      []string  `json:"tags"`
	Status    string    `json:"status"`
	Author    string    `json:"author"` // who put it on the board (e-mail)
	Theme     string    `json:"theme"`  // the key of the recurring theme it came from, if any
	Votes     int       `json:"votes"`
	Answers   int       `json:"answers"` // answers linked to it
	Voted     bool      `json:"voted"`   // by the user asking
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Normalize trims what was typed, cleans the tags and fills the defaults.
func (in *Insight) Normalize() {
	in.Title = strings.Join(strings.Fields(in.Title), " ")
	in.Body = strings.TrimSpace(in.Body)
	in.Tags = CleanTags(in.Tags)
	if in.Status == "" {
		in.Status = InsightNew
	}
}

// Validate checks a normalized item.
func (in *Insight) Validate() error {
	var p Problems
	if !contains(InsightKinds, in.Kind) {
		p.Add("kind", "must be one of %s", strings.Join(InsightKinds, ", "))
	}
	if !contains(InsightStatuses, in.Status) {
		p.Add("status", "must be one of %s", strings.Join(InsightStatuses, ", "))
	}
	if in.Title == "" {
		p.Add("title", "is required")
	}
	checkLength(&p, "title", in.Title, MaxInsightTitleLength)
	checkLength(&p, "body", in.Body, MaxInsightBodyLength)
	if len(in.Tags) > MaxTags {
		p.Add("tags", "must be at most %d", MaxTags)
	}
	for _, t := range in.Tags {
		if utf8.RuneCountInString(t) > MaxTagLength {
			p.Add("tags", "is longer than %d characters", MaxTagLength)
			break
		}
	}
	checkLength(&p, "theme", in.Theme, MaxInsightTitleLength)
	return p.Err("the item is not valid")
}

// ParseTags reads tags as people type them: separated by commas or
// semicolons, with or without a leading #. See CleanTags.
func ParseTags(s string) []string {
	return CleanTags(strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }))
}

// CleanTags lower-cases each tag (ё read as е, so «счёт» and «счет» are
// one tag), drops a leading #, squeezes inner spaces, removes control
// characters, invalid UTF-8, empty tags and repeats, and keeps the order.
func CleanTags(tags []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, t := range tags {
		t = strings.ToValidUTF8(t, "")
		t = strings.Map(func(r rune) rune {
			switch r = unicode.ToLower(r); {
			case r == 'ё':
				return 'е'
			case unicode.IsControl(r):
				return ' '
			}
			return r
		}, t)
		t = strings.TrimLeft(strings.Join(strings.Fields(t), " "), "# ")
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

// Quarter is a calendar quarter, written "2026-Q1": the period of the
// board's review.
type Quarter struct {
	Year int
	Q    int // 1–4
}

// ParseQuarter reads "2026-Q1" (q in either case).
func ParseQuarter(s string) (Quarter, error) {
	y, q, ok := strings.Cut(strings.ToUpper(strings.TrimSpace(s)), "-Q")
	year, err1 := strconv.Atoi(y)
	n, err2 := strconv.Atoi(q)
	if !ok || err1 != nil || err2 != nil || len(y) != 4 || len(q) != 1 || year < 2000 || n < 1 || n > 4 {
		return Quarter{}, &Error{Code: EINVALID, Message: "the quarter is not valid",
			Fields: []FieldError{{Field: "quarter", Message: "must be a quarter YYYY-Qn"}}}
	}
	return Quarter{year, n}, nil
}

// QuarterOf returns the quarter t falls in, in loc.
func QuarterOf(t time.Time, loc *time.Location) Quarter {
	t = t.In(loc)
	return Quarter{t.Year(), (int(t.Month())-1)/3 + 1}
}

// String writes the quarter as "2026-Q1".
func (q Quarter) String() string { return fmt.Sprintf("%04d-Q%d", q.Year, q.Q) }

// Bounds returns the quarter as instants [from, to) in loc.
func (q Quarter) Bounds(loc *time.Location) (from, to time.Time) {
	from = time.Date(q.Year, time.Month(3*q.Q-2), 1, 0, 0, 0, 0, loc)
	return from, from.AddDate(0, 3, 0)
}

// Prev returns the quarter before q.
func (q Quarter) Prev() Quarter {
	if q.Q == 1 {
		return Quarter{q.Year - 1, 4}
	}
	return Quarter{q.Year, q.Q - 1}
}

// Next returns the quarter after q.
func (q Quarter) Next() Quarter {
	if q.Q == 4 {
		return Quarter{q.Year + 1, 1}
	}
	return Quarter{q.Year, q.Q + 1}
}
