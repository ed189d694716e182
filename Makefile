# ResolutionFlow. `make run` serves on the local PostgreSQL with demo data; `make test` runs the suite.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

SQLC := CGO_ENABLED=0 go run github.com/sqlc-dev/sqlc/cmd/sqlc@v1.31.1
BIN := bin/resolutionflow
# DEV_MODE gives `make run` an ephemeral JWT secret; production sets JWT_SECRET instead.
RUN_ENV := DEV_MODE=$${DEV_MODE:-true}
TEST_DATABASE_URL ?= postgres://postgres@localhost:5432/postgres?sslmode=disable

# The console's build output, embedded by internal/console; rebuilt when any of its sources change.
CONSOLE := internal/console/dist/app/index.html
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json gen/ts/schema.ts

.PHONY: all build console run web-dev load demo-passwords generate generate-go generate-ts check-generate lint-spec vet lint \
	test test-go test-web test-e2e screenshots bench-console web-deps clean

all: build

build: console
	go build -o $(BIN) ./cmd/resolutionflow

console: $(CONSOLE)

$(CONSOLE): web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run build

run: build
	$(RUN_ENV) ./$(BIN) demo
	$(RUN_ENV) ./$(BIN) serve

# The console with hot reload on http://127.0.0.1:5173, proxying the API to a running `make run`
# (or API_TARGET=http://host:port).
web-dev: web-deps
	cd web && npx vite

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

# go vet, staticcheck and golangci-lint (.golangci.yml), both pinned as tools in go.mod. gen/ is the
# generators' output: neither lints it.
lint: vet
	go tool staticcheck $$(go list ./... | grep -v '/gen/')
	go tool golangci-lint run ./...

# The whole suite: Go tests on real PostgreSQL, the console's unit tests, and the browser tests
# (Debian's chromium) against the real binary.
test: test-go test-web test-e2e

test-go:
	TEST_DATABASE_URL="$(TEST_DATABASE_URL)" go test -race -count=1 ./...

test-web: web-deps
	cd web && npx vitest run

test-e2e: build
	cd web && TEST_DATABASE_URL="$(TEST_DATABASE_URL)" RF_BINARY=../bin/resolutionflow npx vitest run --config vitest.e2e.config.ts

# Regenerates docs/screenshots: every screen at 1280x800 and 390x844.
screenshots: build
	rm -f docs/screenshots/*.png
	cd web && TEST_DATABASE_URL="$(TEST_DATABASE_URL)" RF_BINARY=../bin/resolutionflow SCREENSHOT_DIR=../../docs/screenshots \
		npx vitest run --config vitest.e2e.config.ts e2e/screens.e2e.ts

# Escalate-to-visible latency over 20 handoffs and the queue route's JavaScript (README numbers).
bench-console: build
	cd web && TEST_DATABASE_URL="$(TEST_DATABASE_URL)" RF_BINARY=../bin/resolutionflow npx vitest run --config vitest.bench.config.ts

clean:
	rm -rf bin internal/console/dist/app web/e2e/.artifacts
