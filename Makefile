# The README's two commands:
#   make site   install kanalregister and build the demo site into site/
#   make test   install the test tools and run the whole test suite
PYTHON ?= python3
PIP ?= $(PYTHON) -m pip

.PHONY: site test install install-test lint

install:
	$(PIP) install -q -e .
	$(PYTHON) -m compileall -q kanalregister  # bytecode, as a non-editable install would have

install-test:
	$(PIP) install -q -e '.[test]'
	npm ci --silent --no-audit --no-fund

site: install
	$(PYTHON) build.py

test: install-test
	$(PYTHON) -m pytest -q
