// Package metric computes the customer-feedback metrics of the product:
// NPS (plain and weighted) with its margin of error, the two-sample NPS
// comparison used to mark period-over-period changes, CSAT, CES and the
// happiness index.
//
// Everything here is a pure function of counts: no I/O and only the standard
// library, so the same code serves a dashboard over a few answers and a batch
// over millions of rows (callers aggregate with the *Counts accumulators or
// feed GROUP BY counts through AddN instead of materialising score slices).
//
// Nothing is rounded inside the package: rounding once, at the API edge, with
// Round1 keeps derived figures (deltas, z-scores) free of accumulated rounding
// error. No function returns NaN or ±Inf, because encoding/json refuses them
// and a dashboard cannot show them.
package metric
