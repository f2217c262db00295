# Everything a fresh machine needs beyond Python 3.11+ and make is installed here,
# into a local virtual environment (.venv), from the pinned requirements.lock.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO_OUT ?= demo-output

.PHONY: install demo portal-demo test clean lock

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# The main job on the built-in demo: a synthetic fieldwork (with the derived reference-data subset it needs),
# then the report on it.
demo: install
	$(BIN)/fjernarbeid demo --out $(DEMO_OUT) --overwrite
	$(BIN)/fjernarbeid report $(DEMO_OUT)/demo_survey.csv --dispositions $(DEMO_OUT)/demo_dispositions.csv \
	  --refdata $(DEMO_OUT)/refdata --out $(DEMO_OUT)/report --format html,json --overwrite
	$(BIN)/fjernarbeid target $(DEMO_OUT)/demo_survey.csv --dispositions $(DEMO_OUT)/demo_dispositions.csv \
	  --refdata $(DEMO_OUT)/refdata --region 4618,4619,4620,4622 --region-name Hardanger --out $(DEMO_OUT)/target --overwrite
	@echo "The demo report is $(DEMO_OUT)/report/report.html (numbers in $(DEMO_OUT)/report/results.json;"
	@echo "chapter 4.5 with its tables in $(DEMO_OUT)/target)"

# The coworking network portal with its FICTIONAL demonstration network on http://127.0.0.1:$(PORTAL_PORT)/
PORTAL_PORT ?= 8000
portal-demo: install
	$(BIN)/fjernarbeid portal demo --port $(PORTAL_PORT)

test: install
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) $(DEMO_OUT) build src/*.egg-info

# Re-pin after changing dependencies in pyproject.toml.
lock:
	$(PYTHON) -m venv /tmp/fjernarbeid-lock && /tmp/fjernarbeid-lock/bin/pip install -q -e '.[test]' \
	  && /tmp/fjernarbeid-lock/bin/pip freeze --exclude-editable > requirements.lock
