# Two commands do everything: `make demo` and `make test`. Both set themselves up.
SHELL := /bin/bash
UV_VERSION := 0.13.8
TOOLS := $(CURDIR)/.tools
UV := $(TOOLS)/bin/uv
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin

export VOELSPRIET_VAR_DIR ?= $(CURDIR)/var
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Airflow: the project's airflow.cfg; its metadata DB, logs and password file under var/airflow.
export AIRFLOW_HOME := $(CURDIR)/var/airflow
export AIRFLOW_CONFIG := $(CURDIR)/airflow.cfg

.PHONY: demo test env system-deps benchmark web lint clean airflow

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# The environment exactly as uv.lock says; re-synced whenever the lock changes.
$(VENV)/.synced: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --python 3.11
	touch $@

env: $(VENV)/.synced

# Debian packages the tests and reports need: headless Chromium and poppler (pdftoppm).
system-deps:
	@bash scripts/system-deps.sh

demo: env
	@bash scripts/demo.sh

# Scheduler, DAG processor, API server and UI (http://localhost:8080) with the project's DAGs.
# The admin password is printed at start and kept in var/airflow/.
airflow: env
	$(BIN)/voelspriet db upgrade
	$(BIN)/airflow db migrate
	PATH="$(BIN):$$PATH" $(BIN)/airflow standalone  # it starts its parts as `airflow ...`

test: env system-deps
	$(BIN)/pytest

benchmark: env
	@bash scripts/benchmarks.sh

# The web app on http://127.0.0.1:8000/ (add a user first: .venv/bin/voelspriet users add NAME --role webcare).
web: env
	$(BIN)/voelspriet db upgrade
	$(BIN)/voelspriet web --host $${VOELSPRIET_WEB_HOST:-127.0.0.1} --port $${VOELSPRIET_WEB_PORT:-8000}

lint: env
	$(BIN)/ruff check .

clean:
	rm -rf var .pytest_cache
