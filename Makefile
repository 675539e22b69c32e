# Build, test and run the claims service. Everything needs only Go: the
# tools (buf, protoc plugins, grpcurl) are pinned as tools in go.mod and run
# with `go tool`.
GOTOOL   := go tool
DATA_DIR ?= .data
FUZZTIME ?= 10000x
BENCHTIME ?= 5s

.PHONY: run test generate check-generate lint lint-proto build bench bench-classifier fuzz loadtest quality vocab clean

# Start the server on its default ports, persisting the model in $(DATA_DIR).
run:
	go run ./server --data-dir $(DATA_DIR)

# The race detector needs cgo, so a C compiler: go disables cgo when it
# finds none, and the tests then run without the detector rather than fail.
RACE := $(if $(filter 1,$(shell go env CGO_ENABLED)),-race,)

# Vet and run every test, with the race detector when cgo is available.
test:
	go vet ./...
	@test -n "$(RACE)" || echo "make test: no C compiler, so no race detector (cgo is off): the tests run without it" >&2
	go test $(RACE) -count=1 ./...

# Regenerate the Go, gRPC, grpc-gateway and OpenAPI files in proto/ from the
# .proto sources (proto/buf.gen.yaml). Runs offline.
generate:
	$(GOTOOL) buf generate --template proto/buf.gen.yaml

# Fail if the committed generated code is not what `make generate` writes.
check-generate: generate
	@git diff --exit-code -- proto/ || (echo "generated code is stale: run make generate and commit" >&2; exit 1)
	@test -z "$$(git status --porcelain -- proto/)" || (git status --porcelain -- proto/; echo "make generate left untracked files" >&2; exit 1)

# Lint Go, go.mod and protos.
lint: lint-proto
	@test -z "$$(gofmt -l .)" || (gofmt -l .; echo "gofmt: files above need formatting" >&2; exit 1)
	go vet ./...
	@go mod tidy -diff || (echo "go.mod/go.sum are not tidy: run go mod tidy" >&2; exit 1)

# Lint the .proto sources and check they are buf-formatted.
lint-proto:
	$(GOTOOL) buf lint
	$(GOTOOL) buf format -d --exit-code

# Build the server and client binaries into bin/.
build:
	go build -o bin/ ./server ./client

# The performance table (README, Performance): the classifier in process
# (per core), training, startup, memory, and the server over gRPC and REST on
# loopback against an empty RPC. One run prints one table (about two
# minutes); see server/internal/benchcmd for its flags.
bench:
	go build -o bin/ ./server ./server/internal/benchcmd
	bin/benchcmd -server bin/server

# The classifier's Go benchmarks, $(BENCHTIME) each.
bench-classifier:
	go test -run '^$$' -bench . -benchtime $(BENCHTIME) ./classifier/

# Run every fuzz target for $(FUZZTIME) inputs. A count rather than a duration:
# a duration-based -fuzztime can end in a spurious "context deadline exceeded"
# on Go 1.26 (golang/go#75804).
fuzz:
	go test -run '^$$' -fuzz '^FuzzSegment$$' -fuzztime $(FUZZTIME) ./classifier/
	go test -run '^$$' -fuzz '^FuzzExtract$$' -fuzztime $(FUZZTIME) ./classifier/
	go test -run '^$$' -fuzz '^FuzzTokenize$$' -fuzztime $(FUZZTIME) ./classifier/
	go test -run '^$$' -fuzz '^FuzzReadWords$$' -fuzztime $(FUZZTIME) ./classifier/
	go test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./classifier/
	go test -run '^$$' -fuzz '^FuzzLoadPayload$$' -fuzztime $(FUZZTIME) ./classifier/
	go test -run '^$$' -fuzz '^FuzzReadExamples$$' -fuzztime $(FUZZTIME) ./classifier/
	go test -run '^$$' -fuzz '^FuzzRESTJSON$$' -fuzztime $(FUZZTIME) ./server/internal/gateway/
	go test -run '^$$' -fuzz '^FuzzCountElements$$' -fuzztime $(FUZZTIME) ./server/internal/gateway/
	go test -run '^$$' -fuzz '^FuzzKeepFirst$$' -fuzztime $(FUZZTIME) ./server/internal/api/
	go test -run '^$$' -fuzz '^FuzzProxiesClient$$' -fuzztime $(FUZZTIME) ./server/internal/api/
	go test -run '^$$' -fuzz '^FuzzTraceID$$' -fuzztime $(FUZZTIME) ./server/internal/reqid/
	go test -run '^$$' -fuzz '^FuzzFind$$' -fuzztime $(FUZZTIME) ./server/internal/memlimit/
	go test -run '^$$' -fuzz '^FuzzAcceptsGzip$$' -fuzztime $(FUZZTIME) ./server/internal/gateway/
	go test -run '^$$' -fuzz '^FuzzJSONStr$$' -fuzztime $(FUZZTIME) ./classifier/jsonstr/

# Load test on loopback: a freshly started server binary, CLIENTS clients
# classifying (half over REST), STREAMS over ClassifyStream (half over
# REST), ABANDONERS giving up on their calls partway and TRAINERS training
# for DURATION; fails on any error, if the final example counts are not the
# start plus every acknowledged Train, or if the server's goroutines do not
# come back to their number before the load once the clients have left.
CLIENTS    ?= 8
STREAMS    ?= 2
ABANDONERS ?= 1
TRAINERS   ?= 2
DURATION   ?= 10s
loadtest: build
	go run ./server/internal/loadtest -server bin/server -clients $(CLIENTS) -streams $(STREAMS) -abandoners $(ABANDONERS) -trainers $(TRAINERS) -duration $(DURATION)

# The model's accuracy figures: 10-fold CV, written corpus -> seed sentences,
# and leave-one-seed-article-out.
quality:
	go run ./classifier/internal/quality -loao -dev classifier/testdata/dev/articles_dev.jsonl,classifier/testdata/dev/hard_dev.jsonl

# Rebuild seeds/tokenizer.json from the corpus, then seeds/words.txt (the
# tokens of the corpus's words) from both; deterministic.
vocab:
	go run ./classifier/internal/vocabgen -out seeds/tokenizer.json seeds/corpus/*.jsonl seeds/labeled.jsonl
	go run ./seeds/internal/wordsgen -out seeds/words.txt

# Remove the built binaries.
clean:
	rm -rf bin
