# The two commands a newcomer needs: `make run` and `make test`. Everything else is what they use.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

UV_VERSION := 0.13.9
TOOLS := .run/tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
PACKAGES := $(patsubst %,-p %,$(notdir $(wildcard shared/*/src/ibermuseos_* services/*/src/ibermuseos_*)))
TESTS := shared services tests
LINTED := $(TESTS) deploy benchmarks clients conftest.py

# Tests reach the broker and database started below, unless given external ones. A test that takes
# Kafka or PostgreSQL away starts a broker or server of its own (testing/private_kafka.py, private_postgres.py).
TEST_ENV = KAFKA_BOOTSTRAP_SERVERS=$(or $(KAFKA_BOOTSTRAP_SERVERS),127.0.0.1:9092) \
	PG_ADMIN_URL=$(or $(PG_ADMIN_URL),postgresql://postgres@127.0.0.1:5432/postgres)

.PHONY: help run test down lint format schemas bench setup python infra kafka postgres dev-issuer migrate services demo status chromium images lint-deploy wrk dashboard-vendor

help:
	@echo "make run    set up everything, start the platform with demo data, print where to look"
	@echo "make test   set up everything, run lint and all tests"
	@echo "make down   stop what make run started"
	@echo "make images build the four services' images (podman from Debian's packages where there is no Docker)"
	@echo "make lint | format | schemas | bench | status"

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

python: $(UV)
	$(UV) sync --frozen --all-packages --python python3 --quiet

kafka:
	bash deploy/local/kafka.sh start

postgres:
	bash deploy/local/postgres.sh start

dev-issuer: python
	$(BIN)/ibermuseos-dev-token --dir .run/dev-issuer --write-key-set >/dev/null

infra: kafka postgres dev-issuer

setup: python infra

migrate: setup
	bash deploy/local/services.sh migrate

services: migrate
	bash services/notifications/devtools/mailsink.sh start
	bash deploy/local/services.sh start

demo: services
	$(BIN)/python deploy/local/demo

run: demo

status:
	bash deploy/local/services.sh status
	bash services/notifications/devtools/mailsink.sh status
	bash deploy/local/kafka.sh status || true
	bash deploy/local/postgres.sh status || true

down:
	bash deploy/local/services.sh stop
	bash services/notifications/devtools/mailsink.sh stop
	bash deploy/local/kafka.sh stop
	bash deploy/local/postgres.sh stop

lint: python lint-deploy
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy $(PACKAGES)
	$(BIN)/lint-imports
	$(BIN)/ibermuseos-schemas check
	bash clients/typescript/check.sh

# The deployment files: every kustomization built as `kubectl apply -k` would, each pod checked against
# Pod Security "restricted" (k8s.io/pod-security-admission), each manifest against the Kubernetes schema
# with unknown fields refused (kubernetes-validate --strict), and the Compose file against the Compose
# specification (compose-go). The checker is built once from the Go module proxy into .run/tools.
DEPLOY_CHECK := $(TOOLS)/bin/deploy-check
KUSTOMIZATIONS := deploy/k8s/namespace $(foreach s,applications courses notifications reporting,deploy/k8s/$(s) deploy/k8s/$(s)/migrate)

$(DEPLOY_CHECK): deploy/check/go.mod deploy/check/go.sum deploy/check/main.go
	cd deploy/check && go build -o $(CURDIR)/$(DEPLOY_CHECK) .

lint-deploy: python $(DEPLOY_CHECK)
	rm -rf .run/k8s && mkdir -p .run/k8s
	$(DEPLOY_CHECK) kubernetes .run/k8s $(KUSTOMIZATIONS)
	$(BIN)/kubernetes-validate --strict --quiet .run/k8s/*.yaml
	$(DEPLOY_CHECK) compose deploy/compose.yaml

format: python
	$(BIN)/ruff format $(LINTED)
	$(BIN)/ruff check --fix $(LINTED)

schemas: python
	$(BIN)/ibermuseos-schemas export

# The reporting dashboard and the certificate verification page are tested in Debian's headless chromium
# (no browser download).
chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium chromium-driver)

# Refreshes the dashboard's vendored chart library and map from npm (pinned in the script); not run by tests.
dashboard-vendor:
	bash services/reporting/devtools/vendor-dashboard.sh

# The services' images, which the deployment tier of `make test` runs (tests/deploy).
images:
	bash deploy/images/build.sh

# Tests run in TEST_WORKERS pytest-xdist workers: most of a test's time is spent waiting on services, Kafka
# and PostgreSQL, so there are more workers than cores. conftest.py keeps the tests of a folder whose services
# start once per session in one worker.
TEST_WORKERS ?= 4

# Lint and the images do not depend on each other: they are made side by side.
test: setup chromium
	$(MAKE) --no-print-directory -j2 -Otarget lint images
	$(TEST_ENV) $(BIN)/pytest -n $(TEST_WORKERS) --dist loadscope $(TESTS)

# The HTTP benchmark's load generator (benchmarks/bench_http.py), Debian's package.
wrk:
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)

# BENCH_QUICK=1 runs every phase briefly; `make bench BENCH=bench_http` runs one benchmark.
bench: setup wrk
	$(TEST_ENV) $(BIN)/python -m benchmarks $(BENCH)
