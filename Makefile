# MoBill-TKO: the two commands a new user needs are `make run` and `make test` (see README.md).
PYTHON ?= python3
DB ?= mobill_demo
PORT ?= 8069
HOST ?= 127.0.0.1
BENCH ?=
SCALE ?=
export PYTHON

.PHONY: run test lint setup bench demo-reset help

help:
	@echo "make run    - set everything up and serve the demo at http://localhost:$(PORT)"
	@echo "make test   - lint, core tests (pytest) and Odoo tests (incl. a browser test)"
	@echo "make lint   - ruff and pylint-odoo"
	@echo "make bench [BENCH=<name>] [SCALE=<n>] - benchmarks in bench/ (never part of make test)"
	@echo "make demo-reset - drop the demo database (make run builds it again)"

setup:
	@scripts/setup.sh

run:
	@scripts/setup.sh
	@$(PYTHON) scripts/demo.py --db $(DB) --port $(PORT) --host $(HOST)

test:
	@scripts/setup.sh --test
	@$(PYTHON) scripts/run_tests.py

lint:
	@scripts/lint.sh

bench:
	@scripts/setup.sh
	@$(PYTHON) bench/run.py $(if $(BENCH),--only $(BENCH)) $(if $(SCALE),--scale $(SCALE))

demo-reset:
	@dropdb --if-exists $(DB) && rm -rf var/data/filestore/$(DB) var/.demo-$(DB).sha && echo "demo database $(DB) dropped"
