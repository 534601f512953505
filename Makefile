# Two commands matter: `make run` and `make test`. Both go through `make setup`,
# which is idempotent: a second call finishes in seconds.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR ?= data
PORT ?= 8000
# llama.cpp's default build uses CPU features detected at build time; on some
# CPUs its AMX kernels crash, so the build names the features it may use.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF \
	-DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export DO_NOT_TRACK := 1

.PHONY: setup models index run test test-fast bench clean

setup: $(VENV)/.deps-installed models
	# The widget's browser tests drive Debian's Chromium through Playwright; 'playwright install'
	# would download a browser of its own, which this network does not allow. Needs root.
	test -x /usr/bin/chromium || [ "$$(id -u)" != 0 ] || { apt-get update -q && apt-get install -y -q chromium; }
	test -x /usr/bin/chromium || echo "note: /usr/bin/chromium is missing, so the browser tests will skip; as root run 'apt-get install -y chromium'"

$(VENV)/.deps-installed: requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=python3 ...'"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	# unstructured[pdf] would pull a multi-GB CUDA torch, so its inference package comes
	# without dependencies; the lock file carries what partition_pdf imports
	# (pikepdf, pandas, onnx, onnxruntime, matplotlib, opencv-python-headless, ...).
	$(BIN)/pip install --quiet --no-deps unstructured-inference==1.6.14
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip install --quiet llama-cpp-python==0.3.36
	touch $@

models: $(VENV)/.deps-installed
	$(BIN)/python scripts/fetch_models.py

index: setup
	$(BIN)/python -m retrieval --data-dir $(DATA_DIR) ingest corpora/bundled

# The demo page signs in with a name (ASSISTANT_DEMO_LOGIN), so the server listens on 127.0.0.1 only.
run: index
	$(BIN)/python -m assistant keys bootstrap --data-dir $(DATA_DIR)
	ASSISTANT_DEMO_LOGIN=true $(BIN)/python serve.py --host 127.0.0.1 --data-dir $(DATA_DIR) --port $(PORT)

test: setup
	$(BIN)/python -m pytest

test-fast: setup
	$(BIN)/python -m pytest -m "not slow"

bench: setup
	$(BIN)/python bench/run.py --out docs/benchmarks.md
	$(BIN)/python bench/ratelimit.py

clean:
	rm -rf $(DATA_DIR) .pytest_cache
