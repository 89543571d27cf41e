#!/bin/sh
# Lighthouse 12.2.3 (mobile preset) on every public page and state of the
# fixture site, served by a release build: prints the table of
# docs/benchmarks.md (Performance, Accessibility, Best Practices, SEO).
# The same file runs in the browser tests, which assert the last three at 100.
#   sh bench/lighthouse.sh
set -eu
cd "$(dirname "$0")/.."
npm ci --prefix e2e --no-audit --no-fund >/dev/null
LOKET_E2E_ONLY=lighthouse cargo test --release --test browser 2>&1 | grep -E '^\||Lighthouse'
