# ResolutionFlow. `make run` serves on the local PostgreSQL with demo data; `make test` runs the suite.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

SQLC := CGO_ENABLED=0 go run github.com/sqlc-dev/sqlc/cmd/sqlc@v1.31.1
BIN := bin/resolutionflow
# DEV_MODE gives `make run` an ephemeral JWT secret; production sets JWT_SECRET instead.
RUN_ENV := DEV_MODE=$${DEV_MODE:-true}
TEST_DATABASE_URL ?= postgres://postgres@localhost:5432/postgres?sslmode=disable

.PHONY: all build run load demo-passwords generate generate-go generate-ts check-generate lint-spec vet test web-deps clean

all: build

build:
	go build -o $(BIN) ./cmd/resolutionflow

run: build
	$(RUN_ENV) ./$(BIN) demo
	$(RUN_ENV) ./$(BIN) serve

# Against a server already running (make run, in another terminal): seeds 10,000 generated trees
# into a new account and measures. LOAD_FLAGS passes more, e.g. LOAD_FLAGS="-rate 400".
load:
	go run ./cmd/rfload $(LOAD_FLAGS)

demo-passwords: build
	$(RUN_ENV) ./$(BIN) demo -reset-passwords

generate: generate-go generate-ts

generate-go:
	go tool oapi-codegen -config oapi.yaml api/openapi.yaml
	$(SQLC) generate

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --ignore-scripts
	touch $@

web-deps: web/node_modules/.package-lock.json

generate-ts: web-deps
	cd web && npx openapi-typescript ../api/openapi.yaml -o ../gen/ts/schema.ts
	cd web && npx tsc --noEmit -p tsconfig.json

# Fails when gen/ differs from what the generators make of api/ and db/.
check-generate: generate
	@if [ -n "$$(git status --porcelain -- gen)" ]; then \
		echo "gen/ is stale: run 'make generate' and commit the result"; git status --porcelain -- gen; exit 1; fi

lint-spec: web-deps
	cd web && npx redocly lint ../api/openapi.yaml --config ../api/redocly.yaml

vet:
	go vet ./...

test:
	TEST_DATABASE_URL="$(TEST_DATABASE_URL)" go test -race -count=1 ./...

clean:
	rm -rf bin
