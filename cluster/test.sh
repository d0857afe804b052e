#!/bin/sh
# The whole test suite from a fresh clone: installs what is missing, builds, runs every test.
#   cluster/test.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$(dirname "$here")"
"$here/setup.sh"
swift build --build-tests
# Release binaries too: the end-to-end cluster tests launch them under mpirun.
swift build -c release
swift test --skip-build --disable-swift-testing
