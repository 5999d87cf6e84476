package store

import (
	"sync"
	"time"

	"otklik"
)

// recentCustomers keeps, on SQLite only, what answers need of the customers
// that answered in the last two seconds: under load the same lookups repeat
// and each costs a read the writer's commits keep making cold. SQLite has one
// writer, this process, and every change of a customer here forgets its
// entry once the change commits (and a load that overlapped the change is
// not kept), so an answer never snapshots a customer changed or erased here. (Another process on the same file, such as
// `otklik import`, is seen within two seconds.) PostgreSQL, shared by
// replicas, is always asked.
type recentCustomers struct {
	on  bool
	mu  sync.Mutex
	m   map[string]recentCustomer
	gen uint64 // counts forgets: a load that began before one must not be kept
}

type recentCustomer struct {
	c  *otklik.Customer
	at time.Time
}

const recentTTL = 2 * time.Second

// get returns a kept customer, or the generation to hand to put after
// loading it.
func (r *recentCustomers) get(ext string) (*otklik.Customer, uint64, bool) {
	if !r.on {
		return nil, 0, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.m[ext]
	if !ok || time.Since(e.at) > recentTTL {
		return nil, r.gen, false
	}
	return e.c, r.gen, true
}

// put keeps a customer loaded since get returned gen, unless a customer was
// changed meanwhile: the load may have read what that change replaced.
func (r *recentCustomers) put(ext string, c *otklik.Customer, gen uint64) {
	if !r.on {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if gen != r.gen {
		return
	}
	if r.m == nil || len(r.m) >= 100_000 {
		r.m = map[string]recentCustomer{}
	}
	r.m[ext] = recentCustomer{c, time.Now()}
}

// forget drops a customer after a change to it committed (or every customer,
// for ext == "").
func (r *recentCustomers) forget(ext string) {
	if !r.on {
		return
	}
	r.mu.Lock()
	r.gen++
	if ext == "" {
		r.m = nil
	} else {
		delete(r.m, ext)
	}
	r.mu.Unlock()
}
