#!/bin/sh
# The whole test suite from a fresh clone: installs what is missing, builds, runs every test.
#   cluster/test.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$(dirname "$here")"
# --report-tools: pdflatex and headless Chromium, so the report.tex and report.html tests run in CI.
"$here/setup.sh" --report-tools
# Builds the tests and both executables (the end-to-end cluster tests run them under mpirun).
swift build --build-tests
swift test --skip-build --disable-swift-testing
