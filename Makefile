# Sinergi: `make run` (the whole stack with demo data) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP_VERSION := 26.3
EMBEDDED := $(PY) -m config.embedded
PIP_AUDIT_VERSION := 2.10.1
AUDIT_VENV := .data/audit-venv
FUZZ_SECONDS ?= 60

.PHONY: run test bench install chromium wrk lint format check-deploy migrations-check messages shell clean \
	fuzz audit

$(VENV)/.installed: requirements.txt build-constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Sinergi needs Python 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check "pip==$(PIP_VERSION)"
	$(PY) -m pip install --quiet --disable-pip-version-check --build-constraint build-constraints.txt -r requirements.txt
	touch $@

install: $(VENV)/.installed

## make run: migrate, load reference + demo data, serve http://127.0.0.1:8000 with worker and beat
run: install
	$(EMBEDDED) run

## make test: the whole suite (PostgreSQL, Redis, a Celery worker, Chromium) on embedded services
test: install chromium
	$(EMBEDDED) exec --test -- $(PY) -m pytest $(PYTEST_ARGS)

## Debian's Chromium for the browser tests (never `playwright install`)
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

bench: install wrk
	$(EMBEDDED) exec --bench -- $(PY) manage.py bench_import

## Debian's wrk: the load test's 20 clients in C, so that the two cores go to the server
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "Installing Debian's wrk for the load test"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }

## make fuzz: the roster parser under atheris (libFuzzer) for FUZZ_SECONDS; any crash other than
## the documented refusal, or an input taking over 2 s, fails and is kept in .data/fuzz/
fuzz: install
	@mkdir -p .data/fuzz
	@echo "Fuzzing the roster parser for $(FUZZ_SECONDS) s (log: .data/fuzz/fuzz.log)"
	@$(PY) -m enrolment.imports.fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=2 \
	  -artifact_prefix=.data/fuzz/ >.data/fuzz/fuzz.log 2>&1 \
	  || { tail -40 .data/fuzz/fuzz.log; echo "make fuzz: the parser failed an input (above)"; exit 1; }
	@grep -E "^Done [0-9]+ runs" .data/fuzz/fuzz.log

## make audit: pip-audit (from PyPI, in its own venv) on the pinned requirements; see README
audit:
	@test -x $(AUDIT_VENV)/bin/python || $(PYTHON) -m venv $(AUDIT_VENV)
	@$(AUDIT_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
	  "pip-audit==$(PIP_AUDIT_VERSION)"
	$(AUDIT_VENV)/bin/python .ci/audit.py $(AUDIT_VENV)/bin/pip-audit requirements.txt

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install
	$(EMBEDDED) exec --test -- $(PY) manage.py makemigrations --check --dry-run

## production settings must pass Django's deployment checks
check-deploy: install
	DJANGO_DEBUG=false DJANGO_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	DJANGO_ALLOWED_HOSTS=sinergi.example.go.id \
	DATABASE_URL=postgres://sinergi@db.invalid/sinergi REDIS_URL=redis://redis.invalid:6379/0 \
	$(PY) manage.py check --deploy --fail-level WARNING

messages: install
	DJANGO_DEBUG=true DATABASE_URL=postgres://unused/unused REDIS_URL=redis://unused:6379/0 \
	  $(PY) manage.py makemessages -l id --no-obsolete -i ".venv/*" -i ".data/*" -i "tests/*"
	DJANGO_DEBUG=true DATABASE_URL=postgres://unused/unused REDIS_URL=redis://unused:6379/0 \
	  $(PY) manage.py compilemessages -l id -i ".venv/*" -i ".data/*"

shell: install
	$(EMBEDDED) exec -- $(PY) manage.py shell

clean:
	rm -rf .data staticfiles artifacts
