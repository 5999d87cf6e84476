package cube

import (
	"context"
	"log/slog"
	"time"

	"otklik/internal/store"
)

// Source is where the cube reads answers from: *store.DB.
type Source interface {
	// CubeRows returns up to limit rows changed after seq `after`, in seq
	// order, and the seq the next call should start after.
	CubeRows(ctx context.Context, after int64, limit int) ([]store.CubeRow, int64, error)
}

// PageSize is how many rows Sync asks for at a time: large enough that a
// cold start of millions of rows takes few round trips, small enough that a
// page (≈ 10 MB of scanned rows) and the write lock held while applying it
// (tens of milliseconds) stay modest.
const PageSize = 50000

// Sync reads every row changed after the high-water mark and applies it,
// page by page, and returns how many rows it inserted or replaced. Rows the
// source returns again (PostgreSQL re-reads a trailing window of seq values,
// because seq order is not commit order there) carry the seq already held
// and are skipped. Calls are serialised; queries keep running meanwhile and
// wait only while a page is applied.
func (c *Cube) Sync(ctx context.Context, src Source) (added int, err error) {
	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	after := c.HighWater()
	for {
		rows, next, err := src.CubeRows(ctx, after, PageSize)
		if err != nil {
			return added, err
		}
		c.mu.Lock()
		added += c.add(rows)
		c.mu.Unlock()
		if next > after {
			c.highWater.Store(next)
		}
		// A short page means the source has nothing more to give now; a
		// next that does not advance would only repeat the same page.
		if len(rows) < PageSize || next <= after {
			return added, nil
		}
		after = next
	}
}

// Run loads the cube and then syncs it every `every` until ctx ends, so that
// answers written by other replicas show up within that interval. Errors are
// logged and retried at the next tick: a database hiccup leaves the figures
// a few seconds stale, never wrong.
func (c *Cube) Run(ctx context.Context, src Source, every time.Duration, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	if every <= 0 {
		every = 2 * time.Second
	}
	start := time.Now()
	added, err := c.Sync(ctx, src)
	if err != nil && ctx.Err() == nil {
		log.Error("cube: initial load", "err", err, "rows", added)
	} else {
		log.Info("cube: loaded", "rows", c.Len(), "took", time.Since(start).Round(time.Millisecond))
	}
	dropped := c.Dropped()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		added, err := c.Sync(ctx, src)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("cube: sync", "err", err, "applied", added)
		case added > 0:
			log.Debug("cube: sync", "applied", added, "rows", c.Len(), "high_water", c.HighWater())
		}
		if d := c.Dropped(); d != dropped {
			log.Warn("cube: rows left out (day or score out of range)", "total", d)
			dropped = d
		}
	}
}
