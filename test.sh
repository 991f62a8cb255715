#!/usr/bin/env bash
# The whole test suite: formatting, lints, and every test (unit, integration, benches in
# quick mode). Run from the repository root: ./test.sh
#
# The EventBridge sync tests run against moto, an AWS API emulator: this script installs it
# (pinned in tests/requirements.txt) into .venv/ on first use, starts it on a free loopback
# port for the tests, and stops it on exit. The schema tests validate files with Python's
# `jsonschema`, installed beside it; CRONBRIDGE_TEST_PYTHON names that Python.
# `./test.sh --bench` runs the sync benchmark against moto instead of the tests.
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-test}

if [ "$mode" = test ]; then
    cargo fmt --all -- --check
    cargo clippy --locked --all-targets -- -D warnings
fi

# moto in a virtual environment under the repository (git-ignored); pip runs only when the
# requirements changed since the last install, so re-runs stay fast.
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
stamp=.venv/.cronbridge-requirements
if ! cmp -s tests/requirements.txt "$stamp" || [ ! -x .venv/bin/moto_server ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
    cp tests/requirements.txt "$stamp"
fi

port=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
mkdir -p target
.venv/bin/moto_server -H 127.0.0.1 -p "$port" > target/moto.log 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true' EXIT
export CRONBRIDGE_TEST_AWS_ENDPOINT="http://127.0.0.1:$port"
export CRONBRIDGE_TEST_PYTHON="$PWD/.venv/bin/python"
# Wait until it answers (at most 30 s).
if ! .venv/bin/python - "$CRONBRIDGE_TEST_AWS_ENDPOINT" <<'EOF'
import sys, time, urllib.request
for _ in range(300):
    try:
        urllib.request.urlopen(sys.argv[1] + "/moto-api/", timeout=1)
        sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit(1)
EOF
then
    echo "moto did not start; its log:" >&2
    cat target/moto.log >&2
    exit 1
fi

if [ "$mode" = --bench ]; then
    cargo bench --locked --bench sync
else
    cargo test --locked --all-targets
fi
