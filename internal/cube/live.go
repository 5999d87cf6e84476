package cube

import (
	"context"
	"sync"
)

// Writer is a store that counts the answers this process changed.
type Writer interface {
	Source
	Changes() uint64
}

// Live is a cube kept current with its source: Run (started by the app)
// catches up with every replica's answers every few seconds, and Fresh
// catches up at once with what this process wrote since, so a figure read
// right after an answer was recorded here includes it.
type Live struct {
	cube *Cube
	src  Writer
	mu   sync.Mutex
	seen uint64
}

// NewLive wraps c, which reads from src.
func NewLive(c *Cube, src Writer) *Live { return &Live{cube: c, src: src} }

// Cube returns the index.
func (l *Live) Cube() *Cube { return l.cube }

// Fresh syncs the cube if this process changed answers since the last
// sync; otherwise it costs one atomic read.
func (l *Live) Fresh(ctx context.Context) error {
	changes := l.src.Changes()
	l.mu.Lock()
	defer l.mu.Unlock()
	if changes == l.seen {
		return nil
	}
	if _, err := l.cube.Sync(ctx, l.src); err != nil {
		return err
	}
	l.seen = changes
	return nil
}

// IsTime reports whether d cuts by time (day, week, month, quarter).
func (d Dim) IsTime() bool { return d.isTime() }
