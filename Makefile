# Two commands do everything on a machine with Python 3.11: `make book` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))

.PHONY: help install book book-student setup-cells test test-fast lab execute browser clean vendor-plotly

help:
	@echo "make book     build the HTML book into _build/html (installs .venv first)"
	@echo "make book-student  the same book without solutions, into $(STUDENT_HTML)"
	@echo "make setup-cells   write every chapter's setup cell (installs rnnbook in Colab) from _config.yml"
	@echo "make test     run every test: nbval (strict), rnnbook vs PyTorch, book build, browser,"
	@echo "              portability pass (other numeric kernels), time budgets"
	@echo "make lab      open JupyterLab on the notebooks"
	@echo "make execute  re-execute every notebook in place and store its outputs"

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

install: $(STAMP)

# Teachers' tools (nbgrader) on top of the students' requirements; `make test` needs them too.
TEACHER_STAMP := $(VENV)/.installed-teacher
$(TEACHER_STAMP): $(STAMP) requirements-teacher.txt
	$(PY) -m pip install --quiet -r requirements-teacher.txt
	@touch $(TEACHER_STAMP)

book: $(STAMP)
	$(VENV)/bin/jupyter-book build . --all -W -n --keep-going
	@echo "The book is at $(CURDIR)/_build/html/index.html"

# The student edition: the same book with every exercise solution and every "Answers" block removed
# from the pages, the search index and the downloadable notebooks (rnnbook/site/student.py).
STUDENT_HTML := _build/student/_build/html
book-student: $(STAMP)
	RNNBOOK_EDITION=student $(VENV)/bin/jupyter-book build . --all -W -n --keep-going --path-output _build/student
	@echo "The student edition is at $(CURDIR)/$(STUDENT_HTML)/index.html"

# Every chapter's first cell installs rnnbook where it is missing (Colab, a downloaded notebook),
# from the repository named in _config.yml. Idempotent; run it after adding a chapter or changing
# repository.url, then commit the notebooks.
setup-cells: $(STAMP)
	$(PY) -m rnnbook.site.setupcell $(NOTEBOOKS)

# A maintainer's step (needs the npm registry), never part of `make book` or `make test`: rebuild
# the book's partial plotly.js bundle (rnnbook/site/static/vendor/README.md).
PLOTLY_JS_VERSION := 4.1.1
VENDOR := rnnbook/site/static/vendor
vendor-plotly:
	@tmp=$$(mktemp -d) && cp $(VENDOR)/plotly-entry.js $$tmp/ && cd $$tmp && npm init -y >/dev/null && \
	  npm install --no-audit --no-fund --ignore-scripts plotly.js@$(PLOTLY_JS_VERSION) esbuild@0.28.2 >/dev/null && \
	  ./node_modules/.bin/esbuild plotly-entry.js --bundle --minify --format=iife --global-name=Plotly \
	    --platform=browser --target=es2017 --define:global=window --loader:.css=empty --log-level=warning \
	    --banner:js="/* plotly.js (rnnbook partial bundle: core, scatter, heatmap, table) v$(PLOTLY_JS_VERSION) | MIT licence | https://github.com/plotly/plotly.js */" \
	    --outfile=$(CURDIR)/$(VENDOR)/plotly-rnnbook.min.js && cp node_modules/plotly.js/LICENSE $(CURDIR)/$(VENDOR)/plotly.LICENSE.txt && \
	  rm -rf $$tmp
	@echo "Wrote $(VENDOR)/plotly-rnnbook.min.js"

# The browser test needs a Chromium; Playwright's own browser download is not used.
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser test"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "No chromium found: the browser test will be skipped (install chromium, or set RNNBOOK_CHROMIUM)"; \
	  fi; \
	fi

# Three runs: first everything else on both cores; then the portability pass (nbval once more
# under other numeric kernels; it starts two workers of its own); then the time-budget test alone,
# so the seconds it measures are not shared with other tests.
test: $(TEACHER_STAMP) browser
	$(PY) -m pytest -n 2 --dist loadfile -m "not timing and not portability"
	$(PY) -m pytest -m portability tests/test_portability.py
	$(PY) -m pytest -m timing tests/test_timing.py

test-fast: $(TEACHER_STAMP)
	$(PY) -m pytest -n 2 --dist loadfile -m "not timing and not slow and not portability"

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

# Widget state and widget views are not stored: the HTML book shows each figure's plotly fallback
# (stored widget state would make myst-nb load widget scripts from a CDN), and a notebook opened
# before it is run shows the figure's still image instead of "model not found".
execute: $(STAMP)
	$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.timeout=60 --ExecutePreprocessor.store_widget_state=False \
	  --ExecutePreprocessor.record_timing=False $(NOTEBOOKS)
	$(PY) -m rnnbook.site.nbclean $(NOTEBOOKS)

# `make assignments`: the release (student) version of every assignment in assignments/source,
# made by nbgrader in a course folder of its own under _build/, so that no gradebook is written into
# assignments/. nbgrader runs the `alembic` command, so the venv's bin/ goes first on PATH.
.PHONY: assignments
ASSIGNMENTS_BUILD := _build/assignments
assignments: $(TEACHER_STAMP)
	rm -rf $(ASSIGNMENTS_BUILD) && mkdir -p $(ASSIGNMENTS_BUILD)
	cp -R assignments/source assignments/nbgrader_config.py $(ASSIGNMENTS_BUILD)/
	cd $(ASSIGNMENTS_BUILD) && for name in $$(ls source); do \
	  PATH="$(CURDIR)/$(VENV)/bin:$$PATH" nbgrader generate_assignment "$$name" --force \
	    --log-level=WARN; \
	done
	@echo "Student versions: $(CURDIR)/$(ASSIGNMENTS_BUILD)/release/"

clean:
	rm -rf _build .pytest_cache
