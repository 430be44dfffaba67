# The README's two commands. Both work with the system Python (Debian, Ubuntu: PEP 668),
# nothing activated: they make and use their own virtual environment in .venv/.
#   make site   install kanalregister into .venv and build the demo site into site/
#   make test   install the test tools (pinned in requirements/test.lock) and run every test
#
# Dependencies are installed at the versions in requirements/test.lock, so a new machine gets
# the same versions as CI. `make test-latest` runs the tests with the newest versions that
# pyproject.toml's ranges allow; `make lock` rewrites the lock from such an environment.
PYTHON ?= python3
VENV ?= .venv
VPY := $(VENV)/bin/python
LOCK := requirements/test.lock

.PHONY: site test install install-test test-latest lock lint dist clean-venv messages compile-messages

$(VPY):
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
	  echo "Python's venv module is missing: install it (Debian/Ubuntu: sudo apt-get install python3-venv)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip

install: $(VPY)
	$(VPY) -m pip install -q -c $(LOCK) -e .

install-test: $(VPY)
	$(VPY) -m pip install -q -c $(LOCK) -e '.[test]'
	npm ci --silent --no-audit --no-fund

site: install
	$(VPY) build.py

test: install-test
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VPY) -m pytest -q

# The newest versions the declared ranges allow (what `pip install kanalregister` gets today).
test-latest: $(VPY)
	$(VPY) -m pip install -q --upgrade --upgrade-strategy eager -e '.[test]'
	npm ci --silent --no-audit --no-fund
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VPY) -m pytest -q

# Rewrite the lock from a new virtual environment with the newest versions the ranges allow;
# then run `make test` (and commit the lock when it passes).
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install -q --upgrade pip
	.venv-lock/bin/python -m pip install -q -e '.[test]'
	{ echo "# Exact versions for 'make test' and CI (pip freeze of a new venv after pip install -e '.[test]');"; \
	  echo "# rewrite with 'make lock'. pyproject.toml's ranges start at these versions."; \
	  .venv-lock/bin/python -m pip freeze --exclude-editable --all | grep -v -E '^(pip|setuptools|wheel)=='; } > $(LOCK)
	rm -rf .venv-lock

lint: install-test
	$(VENV)/bin/ruff check kanalregister tests bench build.py

# The wheel and sdist in dist/ (run from a folder other than the repository root: the top-level
# build.py would shadow the `build` package there).
dist: install-test
	cd /tmp && $(abspath $(VPY)) -m build --outdir $(abspath dist) $(abspath .)
	$(VPY) -m twine check --strict dist/*

clean-venv:
	rm -rf $(VENV)

# Tool messages (docs/translating.md): `make messages` extracts the English source strings with
# Babel and updates the Swedish catalogue; translate the new entries, then `make compile-messages`.
PYBABEL := $(VENV)/bin/pybabel
LOCALE := kanalregister/locale
EXTRACT := -F babel.cfg --no-default-keywords -k _ -k ngettext:1,2 --sort-output --add-location=file -w 100

messages: $(VPY)
	mkdir -p build
	$(PYBABEL) extract $(EXTRACT) -o build/messages.pot .
	$(PYBABEL) update -i build/messages.pot -d $(LOCALE) -D messages -l sv -w 100 --ignore-obsolete --no-fuzzy-matching

compile-messages: $(VPY)
	$(PYBABEL) compile -d $(LOCALE) -D messages --statistics
