# Two commands do all the set-up on a fresh machine:
#   make run   — the system with demo data on SQLite, at http://127.0.0.1:$(PORT)
#   make test  — the whole test suite (TEST_DATABASE_URL selects PostgreSQL; SQLite otherwise)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
STAMP  := $(VENV)/.installed

export FLASK_APP := wsgi

.PHONY: run test test-fast browser fonts js nginx clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

# The field app's browser libraries (jsQR, the QR decoder for phones without BarcodeDetector) from the npm
# registry, at the versions of package-lock.json; never copied into the repository.
js: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm not found: the field app scans QR codes only where the browser can (BarcodeDetector)"; exit 0; }; \
	  npm ci --ignore-scripts --no-audit --no-fund && touch node_modules/.installed

run: $(STAMP) fonts js
	$(BIN)/flask db upgrade
	$(BIN)/flask workdays seed
	$(BIN)/flask demo load
	@echo "放心消费管理系统: http://127.0.0.1:$(PORT)/  (登录后台) · API: /api/v1/openapi.json"
	@# Background jobs (sign batches, imports, bulletins) run in a worker beside the web server; it
	@# stops with it. The queue (instance/jobs-queue.db, or Redis with REDIS_URL) keeps what it has not done.
	$(BIN)/flask jobs worker & worker=$$!; trap 'kill -INT $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	  $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# Browser tests need Debian's Chromium and a CJK font; install them when missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium (Debian package) for the browser tests"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk; }

# Signs are drawn with a CJK font (see server/qrsign/font.py); install Noto CJK when none is there.
fonts:
	@test -n "$$(fc-list :lang=zh 2>/dev/null)" || { \
	  echo "installing fonts-noto-cjk (Debian package) for printing signs"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q fontconfig fonts-noto-cjk; }

# tests/test_nginx.py runs Debian's nginx in front of gunicorn (the production layout); install it when missing.
nginx:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { \
	  echo "installing nginx (Debian package) for the proxy test"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light || \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx; }

test: $(STAMP) browser fonts js nginx
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: $(STAMP) fonts
	$(BIN)/pytest -m "not e2e" $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache test-artifacts node_modules
