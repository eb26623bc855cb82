# Vigil: the two commands are `make demo` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
# npm scripts and everything below run on the Node.js 24 that `npm ci` installs into node_modules.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: apt setup testbed build typecheck lint unit int test demo clean

node_modules/.vigil-installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

setup: node_modules/.vigil-installed

# Debian packages the integration tests need (idempotent; a no-op when they are installed).
apt:
	bash scripts/ci-apt.sh

testbed:
	testbed/build.sh

build: setup
	npm run build

typecheck: setup
	npm run typecheck

lint: setup
	npm run lint

unit: build
	npm test

int: build testbed
	npm run test:int

# Installs, builds the testbed, type-checks, lints, runs unit and integration tests and ends with
# one line: "N passed, N failed".
test: apt setup testbed build
	scripts/test-all.sh

# Starts a sandbox, deploys a sample app, breaks it and shows what Kubernetes reports.
demo: setup testbed build
	./bin/vigil demo

clean:
	rm -rf dist coverage
