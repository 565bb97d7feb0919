# The two commands that matter: `make up` (the whole system) and `make test` (the whole suite).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
# STAFF_JWT_SECRET: set it to choose one; otherwise `make up` writes a random one to
# var/staff-jwt-secret once and `make token` signs with it (deploy/local/secret.py).
# Defaults of deploy/local; override all of them to run a second stack beside the first.
export KAFKA_PORT ?= 9092
export FERRET_PORT ?= 27017
export SERVICE_PORT_BASE ?= 8000
export KAFKA_BOOTSTRAP_SERVERS ?= 127.0.0.1:$(KAFKA_PORT)
export MONGODB_URL ?= mongodb://127.0.0.1:$(FERRET_PORT)

.PHONY: up down test bench install servers token seed clean rebuild-reports dead-letters

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed ## Python environment and the servers (Kafka, FerretDB), once
	deploy/local/servers.sh install

servers: install
	deploy/local/servers.sh start

up: servers ## Kafka, FerretDB, the four services and a seeded demo brand
	deploy/local/services.sh start
	@# The demo's dates are relative to the day it was seeded: seed once per var/ folder.
	@[ -f var/.seeded ] || { $(PY) -m deploy.local.seed && touch var/.seeded; }
	@echo
	@echo "bookings  http://127.0.0.1:$$(($(SERVICE_PORT_BASE) + 1))/docs"
	@echo "credits   http://127.0.0.1:$$(($(SERVICE_PORT_BASE) + 2))/docs"
	@echo "reports   http://127.0.0.1:$$(($(SERVICE_PORT_BASE) + 3))/docs"
	@echo "notifier  http://127.0.0.1:$$(($(SERVICE_PORT_BASE) + 4))/docs"
	@echo "staff web page  http://127.0.0.1:$$(($(SERVICE_PORT_BASE) + 3))/staff/"
	@echo "admin token for every location:  make token ROLE=admin LOCATIONS='*'"

down: ## stop the services and the servers that `make up` started
	deploy/local/services.sh stop
	deploy/local/servers.sh stop

test: servers ## the whole suite against real Kafka and FerretDB
	$(PY) -m pytest $(PYTEST_ARGS)

rebuild-reports: $(VENV)/.installed ## rebuild the reports' read models from the topics and switch to them live
	$(PY) -m services.reports.entrypoints.rebuild

bench: servers
	$(PY) -m benchmarks.run_all $(BENCH_ARGS)

# The operators' tool for *.dlq topics (shared/tools: it ships in the service image too).
# make dead-letters ARGS='show studio.sales.v1.dlq 42'   (ARGS='--help' for every command)
ARGS ?= list
dead-letters: $(VENV)/.installed ## list dead letters per reason, show one, re-drive a selection
	$(PY) -m shared.tools.dead_letters $(ARGS)

ROLE ?= admin
LOCATIONS ?= *
token: $(VENV)/.installed ## a staff JWT for the demo: make token ROLE=reporting LOCATIONS=loc-1,loc-2
	@$(PY) -m deploy.local.token --role "$(ROLE)" --locations "$(LOCATIONS)"

clean: down
	rm -rf var
