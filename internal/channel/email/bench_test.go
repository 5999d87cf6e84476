package email_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"otklik/internal/channel/email/smtptest"
)

// BenchmarkSendToSink measures sending invitations (multipart, Cyrillic, a
// 0–10 scale of links, ~5 KB on the wire) to the in-process sink over
// loopback, reporting msgs/s. The sink parses every message, so its cost is
// included; it keeps only the last 100 to bound memory.
func BenchmarkSendToSink(b *testing.B) {
	for _, bc := range []struct {
		name     string
		opts     []smtptest.Option
		parallel bool
	}{
		{"plain/serial", nil, false},
		{"plain/parallel", nil, true},
		{"starttls+auth/parallel", []smtptest.Option{smtptest.WithSTARTTLS(), smtptest.WithAuth("u", "p")}, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			sink := smtptest.Start(b, append(bc.opts, smtptest.WithMaxStored(100))...)
			s := newSender(b, sink.URL())
			ctx := context.Background()
			var n atomic.Int64
			send := func() {
				if err := s.Send(ctx, invitation(fmt.Sprint(n.Add(1)))); err != nil {
					b.Error(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			if bc.parallel {
				b.SetParallelism(4) // 4×GOMAXPROCS senders, as a job queue's workers would be
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						send()
					}
				})
			} else {
				for b.Loop() {
					send()
				}
			}
			b.ReportMetric(float64(n.Load())/b.Elapsed().Seconds(), "msgs/s")
			if sink.Count() != int(n.Load()) {
				b.Errorf("sink got %d of %d", sink.Count(), n.Load())
			}
		})
	}
}
