package cube_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"otklik/internal/cube"
	"otklik/internal/store"
)

// pager is a Source over a slice sorted by seq that, like PostgreSQL in the
// store, starts each read `window` seq values early.
type pager struct {
	rows   []store.CubeRow
	window int64
	calls  int
}

func (p *pager) CubeRows(_ context.Context, after int64, limit int) ([]store.CubeRow, int64, error) {
	p.calls++
	from := max(after-p.window, 0)
	i, _ := slices.BinarySearchFunc(p.rows, from+1, func(r store.CubeRow, s int64) int { return int(r.Seq - s) })
	page := slices.Clone(p.rows[i:min(i+limit, len(p.rows))])
	next := after
	for _, r := range page {
		next = max(next, r.Seq)
	}
	return page, next, nil
}

func TestSyncPagesAndWindow(t *testing.T) {
	src := &pager{window: 2000}
	base := handRows()[0]
	const n = 2*cube.PageSize + 123
	for i := range int64(n) {
		r := base
		r.ID, r.Seq, r.Score = i+1, i+1, int(i%11)
		src.rows = append(src.rows, r)
	}
	c := cube.New(moscow)
	added, err := c.Sync(context.Background(), src)
	if err != nil || added != n || c.Len() != n || c.HighWater() != n || src.calls != 3 {
		t.Fatalf("first sync: added %d err %v len %d high %d calls %d", added, err, c.Len(), c.HighWater(), src.calls)
	}
	// Nothing new: the re-read window comes back and is skipped.
	if added, err := c.Sync(context.Background(), src); err != nil || added != 0 || c.HighWater() != n {
		t.Fatalf("idle sync: added %d err %v", added, err)
	}
	// A revision takes a new seq; a late commit has a seq below the high water.
	rev := src.rows[10]
	rev.Seq, rev.Score = n+1, 0
	late := base
	late.ID, late.Seq, late.Score = n+5, n-500, 10
	src.rows = append(src.rows[:10], src.rows[11:]...)
	src.rows = slices.Insert(src.rows, len(src.rows)-500, late)
	src.rows = append(src.rows, rev)
	if added, err := c.Sync(context.Background(), src); err != nil || added != 2 || c.Len() != n+1 || c.HighWater() != n+1 {
		t.Fatalf("sync after revision: added %d err %v len %d high %d", added, err, c.Len(), c.HighWater())
	}
	// Id i scored (i−1)%11: n/11 tens, less id 11 revised to 0, plus the
	// late row.
	r := c.Query(cube.Query{Scope: all}).Overall
	if r.Hist[10] != n/11 || r.N() != n+1 {
		t.Fatalf("tens: %d, n %d", r.Hist[10], r.N())
	}
}

func TestSparseIDs(t *testing.T) {
	c := cube.New(time.UTC)
	base := handRows()[0]
	// Ids far apart use loose blocks beyond the first few dense ones, and
	// still replace in place.
	var rows []store.CubeRow
	for i := range int64(40) {
		r := base
		r.ID, r.Seq = i<<40+7, i+1
		rows = append(rows, r)
	}
	c.Add(rows)
	rows[39].Seq, rows[39].Score = 1000, 0
	rows[0].Seq, rows[0].Score = 1000, 0
	c.Add(rows)
	h := c.Query(cube.Query{Scope: all}).Overall.Hist
	if c.Len() != 40 || h[0] != 2 || h[10] != 38 {
		t.Fatalf("len %d, zeros %d, tens %d", c.Len(), h[0], h[10])
	}
}

// lockedPager is a pager that a test may append to while Run reads it.
type lockedPager struct {
	mu sync.Mutex
	p  pager
}

func (l *lockedPager) CubeRows(ctx context.Context, after int64, limit int) ([]store.CubeRow, int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.p.CubeRows(ctx, after, limit)
}

func (l *lockedPager) add(rows ...store.CubeRow) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.p.rows = append(l.p.rows, rows...)
}

func TestRunCatchesUp(t *testing.T) {
	src := &lockedPager{p: pager{window: 10}}
	src.add(handRows()...)
	c := cube.New(moscow)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		c.Run(ctx, src, 5*time.Millisecond, slog.New(slog.DiscardHandler))
		close(done)
	}()
	waitFor := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); c.Len() != n; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("len %d, want %d", c.Len(), n)
			}
		}
	}
	waitFor(14)
	// Another replica writes an answer.
	r := handRows()[0]
	r.ID, r.Seq = 15, 15
	src.add(r)
	waitFor(15)
	cancel()
	<-done
}

// TestConcurrentQueries runs queries while a writer adds and revises rows;
// run with -race.
func TestConcurrentQueries(t *testing.T) {
	c := handCube()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 3 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				r := c.Query(cube.Query{Scope: all, GroupBy: cube.DimService, Weighted: true})
				if r.Overall.N() < 14 {
					t.Errorf("n %d", r.Overall.N())
					return
				}
				c.Cohorts(cube.Query{Scope: all})
			}
		})
	}
	base := handRows()
	for i := range 200 {
		r := base[i%len(base)]
		r.ID, r.Seq = int64(100+i), int64(100+i)
		r.Manager = fmt.Sprintf("m%d", i%7)
		c.Add([]store.CubeRow{r})
		r.Seq++
		r.Score = i % 11
		c.Add([]store.CubeRow{r})
	}
	close(stop)
	wg.Wait()
	if c.Len() != 214 {
		t.Fatalf("len %d", c.Len())
	}
}
