#!/bin/sh
# Release executables for a cluster: the Swift runtime and Foundation linked statically, so compute
# nodes need no Swift toolchain, only the node packages (README "Deploying"):
#   cluster/build-release.sh            -> .build/release/coordinator, .build/release/worker
# Copy .build/release/worker to the compute nodes (the same path on each, or a shared folder) and
# .build/release/coordinator to the head node, with .build/release/libLOSOOpenCVBridge.so beside it
# where the head node reads image folders or preprocesses (it then needs OpenCV and dlib; a
# coordinator that runs from a feature cache needs neither).
set -eu
cd "$(dirname "$0")/.."
# Products only: a plain `swift build -c release` would also build the test-support target, which
# needs XCTest (absent from release builds).
# The git commit goes into both executables (`--version`, every report) through the C define
# LOSO_GIT_COMMIT (Sources/Shared/CBuildInfo); "-dirty" marks uncommitted changes to tracked files.
# Outside a git checkout it is left out and the programs say "commit unknown".
commit=$(git rev-parse HEAD 2>/dev/null || true)
if [ -n "$commit" ] && ! git diff --quiet HEAD -- 2>/dev/null; then commit="$commit-dirty"; fi
for product in worker coordinator LOSOOpenCVBridge; do
    swift build -c release --static-swift-stdlib --product "$product" -Xcc "-DLOSO_GIT_COMMIT=\"$commit\"" "$@"
done
