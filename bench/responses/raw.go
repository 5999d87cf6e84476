package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"otklik"
	"otklik/bench/internal/benchkit"
	"otklik/internal/app"
)

// rawResult is the group-commit rate without HTTP.
type rawResult struct {
	n        int
	elapsed  time.Duration
	rate     float64 // answers per second
	p50, p99 time.Duration
	cpu      benchkit.CPUUse
}

// rawInsert writes cfg.rawN prepared answers straight through
// store.DB.AddResponses from cfg.rawGoroutines goroutines, each call carrying
// cfg.rawChunk answers and returning after their commit: the ceiling of the
// write path when parsing, authentication, lookups and HTTP cost nothing.
func rawInsert(ctx context.Context, a *app.App, seed *seeded, cfg config, keyPrefix string) (rawResult, error) {
	rng := rand.New(rand.NewPCG(7, uint64(cfg.rawN)))
	now := time.Now().UTC()
	answers := make([]*otklik.Response, cfg.rawN)
	for i := range answers {
		c := seed.customers[rng.IntN(len(seed.customers))]
		at := now
		if cfg.spread > 0 {
			at = now.Add(-time.Duration(rng.Int64N(int64(cfg.spread)))).Truncate(time.Microsecond)
		}
		answers[i] = &otklik.Response{
			SurveyID: seed.survey.ID, Survey: seed.survey.Key, CustomerID: c.ID, Customer: c.ExternalID,
			Channel: otklik.ResponseChannels[rng.IntN(len(otklik.ResponseChannels))], Score: rng.IntN(11),
			Comment:    string(comments[rng.IntN(len(comments))]) + " #" + strconv.Itoa(i),
			Answers:    map[string]int{"manager_speed": 1 + rng.IntN(5), "deliverables": 1 + rng.IntN(5)},
			AnsweredAt: at, IdempotencyKey: keyPrefix + strconv.Itoa(i),
			Snapshot: c.Dimensions(at.In(a.Location)),
		}
	}

	var next atomic.Int64
	var failed atomic.Int64
	var firstErr error
	var errOnce sync.Once
	lat := make([][]time.Duration, cfg.rawGoroutines)
	var wg sync.WaitGroup
	cpu0 := benchkit.SampleCPU(benchkit.PostgresTicks)
	start := time.Now()
	for g := range cfg.rawGoroutines {
		wg.Go(func() {
			for ctx.Err() == nil {
				from := int(next.Add(int64(cfg.rawChunk))) - cfg.rawChunk
				if from >= len(answers) {
					return
				}
				chunk := answers[from:min(from+cfg.rawChunk, len(answers))]
				t0 := time.Now()
				res := a.DB.AddResponses(ctx, chunk)
				lat[g] = append(lat[g], time.Since(t0))
				for _, r := range res {
					if r.Err != nil || !r.Created {
						failed.Add(1)
						errOnce.Do(func() { firstErr = fmt.Errorf("answer not created: %v", r.Err) })
					}
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := benchkit.CPUBetween(cpu0, benchkit.SampleCPU(benchkit.PostgresTicks))
	if err := ctx.Err(); err != nil {
		return rawResult{}, err
	}
	if n := failed.Load(); n > 0 {
		return rawResult{}, fmt.Errorf("%d of %d answers failed: %w", n, len(answers), firstErr)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	return rawResult{
		n: len(answers), elapsed: elapsed, rate: float64(len(answers)) / elapsed.Seconds(),
		p50: quantile(all, 0.50), p99: quantile(all, 0.99), cpu: cpu,
	}, nil
}

// quantile returns the q-quantile of sorted durations (nearest rank).
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
