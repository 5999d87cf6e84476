package store

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"sync"

	"otklik"
)

// maxBatch bounds one group commit: 16 columns × 500 rows stays far below
// both databases' limit on statement parameters.
const maxBatch = 500

var errClosed = errors.New("store: closed")

// pending is one answer waiting for its transaction.
type pending struct {
	r       *otklik.Response
	created bool
	err     error
	done    chan struct{}
}

// batcher groups concurrent answer writes into shared transactions: a worker
// takes whatever is queued (up to maxBatch), commits it and wakes each
// waiter. Nothing waits for a timer, so a lone answer commits at once, and
// under load batches grow by themselves. Senders block when the queue is
// full; nothing is ever dropped, and nobody is answered before the commit.
type batcher struct {
	db      *DB
	in      chan *pending
	quit    chan struct{}
	stopped chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
}

func newBatcher(db *DB, workers int) *batcher {
	b := &batcher{db: db, in: make(chan *pending, 4*maxBatch), quit: make(chan struct{}), stopped: make(chan struct{})}
	b.wg.Add(workers)
	for range workers {
		go b.work()
	}
	go func() { b.wg.Wait(); close(b.stopped) }()
	return b
}

func (b *batcher) enqueue(ctx context.Context, p *pending) error {
	select {
	case <-b.quit:
		return errClosed
	default:
	}
	select {
	case b.in <- p:
		return nil
	case <-b.quit:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *batcher) wait(ctx context.Context, p *pending) error {
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-b.stopped:
		select {
		case <-p.done:
			return nil
		default:
			return errClosed
		}
	}
}

// close lets the workers finish what is queued, then stops them.
func (b *batcher) close() {
	b.once.Do(func() { close(b.quit) })
	<-b.stopped
}

func (b *batcher) work() {
	defer b.wg.Done()
	batch := make([]*pending, 0, maxBatch)
	for {
		var first *pending
		select {
		case first = <-b.in:
		case <-b.quit:
			// Drain what was queued before the close, then stop.
			select {
			case first = <-b.in:
			default:
				return
			}
		}
		batch = append(batch[:0], first)
		if len(b.in) == 0 {
			// Let the requests that are already running reach the queue:
			// one more answer per commit is one fsync fewer.
			runtime.Gosched()
		}
	fill:
		for len(batch) < maxBatch {
			select {
			case p := <-b.in:
				batch = append(batch, p)
			default:
				break fill
			}
		}
		b.flush(batch)
	}
}

// flush commits a batch; if the shared transaction fails, each answer is
// tried alone so that one bad answer never fails its neighbours.
func (b *batcher) flush(batch []*pending) {
	ctx := context.Background() // a waiter's cancellation must not abort its neighbours' commit
	err := b.db.insertBatch(ctx, batch)
	if err != nil && len(batch) > 1 {
		slog.Warn("store: group commit failed, writing answers one by one", "size", len(batch), "err", err)
		for _, p := range batch {
			p.created, p.err = false, nil
			if err := b.db.insertBatch(ctx, []*pending{p}); err != nil {
				p.err = err
			} else {
				b.db.changes.Add(1)
			}
			close(p.done)
		}
		return
	}
	if err == nil {
		b.db.changes.Add(uint64(len(batch)))
	}
	for _, p := range batch {
		if err != nil {
			p.created = false
			p.err = err
		}
		close(p.done)
	}
}
