#!/usr/bin/env bash
# CI, after the test suite: build the bundle and the .deb from this checkout with the machine's
# own Python, then install, use and remove the package as a station would
# (packaging/tests/test_installed.py).  The old-glibc build (build-oldbase.sh) is not run here.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
# uncompressed: the same package, built in seconds rather than minutes (releases use xz)
DEB_COMPRESS=none bash packaging/build-linux.sh
echo "installer build: $(($(date +%s) - start)) s"
.venv/bin/python -m pytest -p no:cacheprovider packaging/tests/test_installed.py
echo "installer build and check: $(($(date +%s) - start)) s"
