#!/usr/bin/env bash
# The whole test suite: formatting, lints, and every test (unit, integration, benches in
# quick mode). Run from the repository root: ./test.sh
set -euo pipefail
cd "$(dirname "$0")"
cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings
cargo test --locked --all-targets
