# Every test, vet included. Store and API tests also run on PostgreSQL when
# OTKLIK_TEST_DATABASE_URL is set (.ci/run sets it).
.PHONY: test build run fuzz bench load bench-analytics

test:
	go vet ./...
	go test -count=1 ./...

build:
	go build -o bin/otklik ./cmd/otklik

run:
	go run ./cmd/otklik serve

# Each parser's fuzz target for a short while (FUZZTIME=1m for longer).
FUZZTIME ?= 20s
fuzz:
	@for pkg in $$(go list ./...); do \
		for f in $$(go test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
			echo "== $$pkg $$f"; go test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

bench:
	go test -run '^$$' -bench . -benchmem ./...

# The answer write path under load over HTTP (see bench/README.md).
load:
	go run ./bench/responses

# The analytics index at 10M answers, next to the same queries in SQL, on
# SQLite and (with OTKLIK_TEST_DATABASE_URL) PostgreSQL; generates the data
# first, so it takes a while (see bench/README.md). ARGS="-n 1000000" for a
# quick run.
bench-analytics:
	go run ./bench/analytics $(ARGS)

# Who is due now over 1,000,000 customers — the product's planning reads
# next to the plain SQL — on SQLite and (with OTKLIK_TEST_DATABASE_URL)
# PostgreSQL, then the sending pipeline's throughput against the bare
# e-mail sender (see bench/README.md). ARGS="-n 100000 -sql-reps 3" for a
# quick run.
.PHONY: bench-outreach
bench-outreach:
	go run ./bench/outreach $(ARGS)
	go test -run '^$$' -bench SendPipeline -benchtime 5x ./internal/dispatch
