# Go-based tools (buf and the protoc plugins) are pinned in tools/go.mod.
GOTOOL := go tool -modfile=tools/go.mod

.PHONY: generate lint-proto

# Regenerate the Go, gRPC, grpc-gateway and OpenAPI files in proto/ from the
# .proto sources (buf.gen.yaml). Runs offline.
generate:
	$(GOTOOL) buf generate

# Lint the .proto sources and check they are buf-formatted.
lint-proto:
	$(GOTOOL) buf lint
	$(GOTOOL) buf format -d --exit-code
