# Everything a fresh machine needs beyond Python 3.11+ and make is installed here,
# into a local virtual environment (.venv), from the pinned requirements.lock.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO_OUT ?= demo-output

.PHONY: install demo test clean lock

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

demo: install
	$(BIN)/fjernarbeid demo --out $(DEMO_OUT)

test: install
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) $(DEMO_OUT) build src/*.egg-info

# Re-pin after changing dependencies in pyproject.toml.
lock:
	$(PYTHON) -m venv /tmp/fjernarbeid-lock && /tmp/fjernarbeid-lock/bin/pip install -q -e '.[test]' \
	  && /tmp/fjernarbeid-lock/bin/pip freeze --exclude-editable > requirements.lock
