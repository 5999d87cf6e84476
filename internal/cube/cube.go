// Package cube is an in-memory column index of every answer, built so that
// analytics (NPS, CSAT, CES by any cut, weighted, by cohort) answer in
// milliseconds over millions of rows instead of a GROUP BY per request.
//
// # Layout and memory
//
// The budget is about 20 bytes per answer (≤ 200 MiB for 10 million), so a
// row is never a struct and never holds a pointer or a string. Each answer
// keeps only what varies per answer:
//
//	origin   uint16  survey × channel pair (dictionary code)   2 B
//	day      uint16  days since 2000-01-01 in the business zone 2 B
//	score    uint8   0…100                                      1 B
//	profile  uint32  the customer's dimensions (see below)      4 B
//	revenue  float32 snapshot revenue in hundredths, -1 unknown 4 B
//	tenure   int16   months since start, -1 unknown             2 B
//	seq      uint32  change sequence, to skip re-read rows      4 B
//	                                                     total 19 B
//
// The snapshot dimensions of an answer — manager, team, segment, region,
// the set of services and the acquisition cohort — are the customer's state
// when they answered, and thousands of answers share one state. They are
// interned together as a "profile": one uint32 per answer instead of six
// codes and a service bitset, and a query evaluates its filters, the role
// scope and the group of each profile once, not once per answer.
//
// Rows live in blocks of 65,536 consecutive answer ids: an id addresses its
// row directly, so there is no id→row map (which alone would cost more than
// the whole budget). Ids that would leave a dense block mostly empty (a very
// sparse id space) go to "loose" blocks with an explicit id map instead.
// Each block keeps the range of days it holds, so a query for a period skips
// blocks of other periods without reading them.
//
// # Time
//
// Days are calendar days in the zone given to New (the business's zone):
// an answer at 2026-02-28T21:30Z is on 1 March in Moscow. The cube resolves
// time by day only; see Query.From.
package cube

import (
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"otklik/internal/store"
)

const (
	blockBits = 16
	blockRows = 1 << blockBits

	// bigSeq marks a seq that does not fit in uint32; the real value is in
	// Cube.bigSeq. Sequences start at 1 and grow by one per written or
	// revised answer, so this is a safety net, not a path in practice.
	bigSeq = math.MaxUint32

	// freeDenseBlocks is how many dense blocks may exist regardless of how
	// full they are, so small or young cubes never use loose blocks.
	freeDenseBlocks = 16

	// maxDay is the last representable day (2179-06-06); answers are
	// validated to lie after 2000 and not in the future, so this is ample.
	maxDay = math.MaxUint16

	cohortUnknown = math.MinInt32
	tenureMax     = math.MaxInt16
)

// block holds the columns of up to blockRows rows. A dense block holds the
// ids base … base+blockRows-1 at offset id-base; a loose block holds rows in
// arrival order with their ids in ids.
type block struct {
	base int64
	ids  []int64 // loose blocks only
	n    int     // rows at offsets ≥ n are all empty
	// minDay and maxDay bound the days ever stored here (replacements only
	// widen them): a query whose period misses the range skips the block.
	minDay, maxDay uint16

	origin  []uint16 // 0 marks an empty slot: no origin code is 0
	day     []uint16
	score   []uint8
	profile []uint32
	revenue []float32
	tenure  []int16
	seq     []uint32
}

func newBlock(base int64, loose bool) *block {
	b := &block{base: base, minDay: maxDay, maxDay: 0,
		origin: make([]uint16, blockRows), day: make([]uint16, blockRows),
		score: make([]uint8, blockRows), profile: make([]uint32, blockRows),
		revenue: make([]float32, blockRows), tenure: make([]int16, blockRows),
		seq: make([]uint32, blockRows)}
	if loose {
		b.ids = make([]int64, 0, blockRows)
	}
	return b
}

// dict maps strings to dense codes. Code 0 is always "", the unknown value,
// so every dimension has the same spelling for "not set".
type dict struct {
	codes map[string]uint32
	names []string
}

func newDict() dict { return dict{codes: map[string]uint32{"": 0}, names: []string{""}} }

func (d *dict) code(s string) uint32 {
	if c, ok := d.codes[s]; ok {
		return c
	}
	s = strings.Clone(s) // the row's string may share a large scan buffer
	c := uint32(len(d.names))
	d.codes[s] = c
	d.names = append(d.names, s)
	return c
}

// profiles is the table of interned customer states (see the package doc).
// Profile 0 is a placeholder with every dimension unknown, referenced only
// by empty slots.
type profiles struct {
	manager, team, segment, region []uint32
	cohort                         []int32  // months since 1970-01, or cohortUnknown
	services                       []uint32 // code of the profile's set of services in Cube.sets
	byKey                          map[string]uint32
}

// origin is a survey and a channel: both vary per answer and few pairs
// exist, so one 2-byte code carries both.
type origin struct {
	survey  int64
	channel uint32
}

// Cube is the column index. It is safe for concurrent queries and one
// writer: queries take a read lock, Add and Sync the write lock.
type Cube struct {
	loc *time.Location

	syncMu    sync.Mutex // one Sync at a time, so pages apply in order
	highWater atomic.Int64

	mu          sync.RWMutex
	blocks      []*block         // every block, in creation order: the scan list
	dense       map[int64]*block // id>>blockBits → block
	loose       map[int64]uint32 // id → row number over looseBlocks
	looseBlocks []*block
	bigSeq      map[int64]int64
	last        *block // the dense block of the previous row: rows come in id runs
	rows        int
	dropped     int
	minDay      int // over all rows ever stored; minDay > maxDay when empty
	maxDay      int
	maxTenure   int

	origins  []origin // by code; code 0 is the empty slot
	originOf map[origin]uint16

	channels, managers, teams, segments, regions, services dict
	prof                                                   profiles
	keyBuf                                                 []byte

	// sets are the distinct sets of services, sorted service codes; set 0
	// is no services, written {0} (the "" service). Customers hold one to
	// three of a handful of services, so few sets exist, and grouping by
	// set keeps the scan of a service breakdown as cheap as any other.
	sets  [][]uint32
	setOf map[string]uint32
}

// New returns an empty cube whose days are calendar days in loc (nil means
// UTC).
func New(loc *time.Location) *Cube {
	if loc == nil {
		loc = time.UTC
	}
	c := &Cube{loc: loc, dense: map[int64]*block{}, loose: map[int64]uint32{}, bigSeq: map[int64]int64{},
		minDay: maxDay + 1, maxDay: -1,
		origins: []origin{{}}, originOf: map[origin]uint16{},
		channels: newDict(), managers: newDict(), teams: newDict(), segments: newDict(),
		regions: newDict(), services: newDict()}
	p := &c.prof
	p.byKey = map[string]uint32{}
	p.manager, p.team, p.segment, p.region = []uint32{0}, []uint32{0}, []uint32{0}, []uint32{0}
	p.cohort, p.services = []int32{cohortUnknown}, []uint32{0}
	c.sets, c.setOf = [][]uint32{{0}}, map[string]uint32{"": 0}
	return c
}

// Len returns the number of answers held.
func (c *Cube) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.rows
}

// Dropped returns how many rows Add could not represent and left out: a day
// before 2000 or after 2179, a score outside 0–100, or more than 65,535
// survey×channel pairs. Validated answers never are; the count lets Run
// report data that somehow got past validation.
func (c *Cube) Dropped() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.dropped
}

// HighWater returns the seq after which the next Sync reads. Only Sync moves
// it: rows given to Add directly do not, so that Sync still reads rows with
// a lower seq that another writer committed meanwhile.
func (c *Cube) HighWater() int64 { return c.highWater.Load() }

// Add inserts rows, or replaces the held row with the same ID when the new
// one has a higher Seq (a score revised on the survey page). A row whose Seq
// is not higher than the held one is a re-read of the same version and is
// skipped cheaply, without touching any dictionary.
func (c *Cube) Add(rows []store.CubeRow) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.add(rows)
}

// add applies rows under the write lock and returns how many changed the cube.
func (c *Cube) add(rows []store.CubeRow) (changed int) {
	for i := range rows {
		if c.put(&rows[i]) {
			changed++
		}
	}
	return changed
}

func (c *Cube) put(r *store.CubeRow) bool {
	b, off, held := c.find(r.ID)
	if held && c.seqAt(b, off, r.ID) >= r.Seq {
		return false
	}
	y, m, d := r.AnsweredAt.In(c.loc).Date()
	day := civilDay(y, m, d)
	o, okOrigin := c.originCode(r.SurveyID, r.Channel)
	if day < 0 || day > maxDay || r.Score < 0 || r.Score > 100 || !okOrigin {
		c.dropped++
		if held { // the held version is outdated: better absent than wrong
			b.origin[off] = 0
			c.rows--
		}
		return held
	}
	if b == nil {
		b, off = c.slotFor(r.ID)
	}
	if !held {
		c.rows++
	}
	b.origin[off] = o
	b.day[off] = uint16(day)
	b.score[off] = uint8(r.Score)
	b.profile[off] = c.profileCode(r)
	b.revenue[off] = -1
	if r.Revenue >= 0 {
		b.revenue[off] = float32(r.Revenue)
	}
	t := -1
	if r.Tenure >= 0 {
		t = min(r.Tenure, tenureMax)
	}
	b.tenure[off] = int16(t)
	c.maxTenure = max(c.maxTenure, t)
	if r.Seq >= 0 && r.Seq < bigSeq {
		b.seq[off] = uint32(r.Seq)
		delete(c.bigSeq, r.ID)
	} else {
		b.seq[off] = bigSeq
		c.bigSeq[r.ID] = r.Seq
	}
	b.n = max(b.n, off+1)
	b.minDay, b.maxDay = min(b.minDay, uint16(day)), max(b.maxDay, uint16(day))
	c.minDay, c.maxDay = min(c.minDay, day), max(c.maxDay, day)
	return true
}

// find returns where id is held. When it is not held, b is the dense block
// its slot would be in (nil if that block does not exist).
func (c *Cube) find(id int64) (b *block, off int, held bool) {
	key := id >> blockBits
	if c.last != nil && c.last.base>>blockBits == key {
		b = c.last
	} else if b = c.dense[key]; b != nil {
		c.last = b
	}
	if b != nil {
		off = int(id - b.base)
		if b.origin[off] != 0 {
			return b, off, true
		}
	}
	if len(c.loose) > 0 {
		if r, ok := c.loose[id]; ok {
			lb := c.looseBlocks[r>>blockBits]
			lo := int(r & (blockRows - 1))
			return lb, lo, lb.origin[lo] != 0
		}
	}
	return b, off, false
}

// slotFor makes room for an id that find did not place: a new dense block
// while dense blocks stay at least half full on average, else a loose row.
func (c *Cube) slotFor(id int64) (*block, int) {
	if len(c.dense) < freeDenseBlocks || (len(c.dense)+1)*blockRows <= 2*(c.rows+1) {
		key := id >> blockBits
		b := newBlock(key<<blockBits, false)
		c.dense[key] = b
		c.blocks = append(c.blocks, b)
		c.last = b
		return b, int(id - b.base)
	}
	var lb *block
	if n := len(c.looseBlocks); n > 0 && len(c.looseBlocks[n-1].ids) < blockRows {
		lb = c.looseBlocks[n-1]
	} else {
		lb = newBlock(0, true)
		c.looseBlocks = append(c.looseBlocks, lb)
		c.blocks = append(c.blocks, lb)
	}
	off := len(lb.ids)
	lb.ids = append(lb.ids, id)
	c.loose[id] = uint32((len(c.looseBlocks)-1)<<blockBits | off)
	return lb, off
}

func (c *Cube) seqAt(b *block, off int, id int64) int64 {
	if s := b.seq[off]; s != bigSeq {
		return int64(s)
	}
	return c.bigSeq[id]
}

func (c *Cube) originCode(survey int64, channel string) (uint16, bool) {
	k := origin{survey, c.channels.code(channel)}
	if o, ok := c.originOf[k]; ok {
		return o, true
	}
	if len(c.origins) > math.MaxUint16 {
		return 0, false
	}
	o := uint16(len(c.origins))
	c.origins = append(c.origins, k)
	c.originOf[k] = o
	return o, true
}

// profileCode interns the customer state of r. The lookup key is built from
// the raw strings so that the common case — a state seen before — costs one
// map lookup and no allocation. The same set of services listed in another
// order yields a second, identical profile, which is harmless.
func (c *Cube) profileCode(r *store.CubeRow) uint32 {
	cohort := int32(cohortUnknown)
	if !r.StartedAt.IsZero() {
		// started_at is a calendar date stored as UTC midnight: read its
		// month as is, without moving it into the business zone.
		y, m, _ := r.StartedAt.UTC().Date()
		cohort = int32((y-1970)*12 + int(m) - 1)
	}
	k := c.keyBuf[:0]
	for _, s := range [...]string{r.Manager, r.Team, r.Segment, r.Region} {
		k = binary.AppendUvarint(k, uint64(len(s)))
		k = append(k, s...)
	}
	k = binary.AppendVarint(k, int64(cohort))
	for _, s := range r.Services {
		k = binary.AppendUvarint(k, uint64(len(s)))
		k = append(k, s...)
	}
	c.keyBuf = k
	p := &c.prof
	if code, ok := p.byKey[string(k)]; ok {
		return code
	}
	code := uint32(len(p.manager))
	p.byKey[string(k)] = code
	p.manager = append(p.manager, c.managers.code(r.Manager))
	p.team = append(p.team, c.teams.code(r.Team))
	p.segment = append(p.segment, c.segments.code(r.Segment))
	p.region = append(p.region, c.regions.code(r.Region))
	p.cohort = append(p.cohort, cohort)
	p.services = append(p.services, c.serviceSet(r.Services))
	return code
}

// serviceSet interns a list of services as a set: order and repeats do not
// matter.
func (c *Cube) serviceSet(names []string) uint32 {
	var set []uint32
	for _, s := range names {
		set = append(set, c.services.code(s))
	}
	slices.Sort(set)
	set = slices.Compact(set)
	if len(set) > 0 && set[0] == 0 {
		set = set[1:] // a blank service name is no service
	}
	var k []byte
	for _, s := range set {
		k = binary.AppendUvarint(k, uint64(s))
	}
	if code, ok := c.setOf[string(k)]; ok {
		return code
	}
	code := uint32(len(c.sets))
	c.setOf[string(k)] = code
	c.sets = append(c.sets, set)
	return code
}

// civilDay returns the days from 2000-01-01 to the given date (proleptic
// Gregorian; Hinnant's days_from_civil), without building a time.Time.
func civilDay(y int, m time.Month, d int) int {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (int(m) + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468 - 10957 // 10957: 1970-01-01 → 2000-01-01
}

// dayDate returns the date of a day number as midnight UTC.
func dayDate(day int) time.Time { return time.Date(2000, 1, 1+day, 0, 0, 0, 0, time.UTC) }
