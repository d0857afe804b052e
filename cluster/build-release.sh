#!/bin/sh
# Release executables for a cluster: the Swift runtime and Foundation linked statically, so compute
# nodes need no Swift toolchain, only the node packages (README "Deploying"):
#   cluster/build-release.sh            -> .build/release/coordinator, .build/release/worker
# Copy .build/release/worker to the compute nodes (the same path on each, or a shared folder) and
# .build/release/coordinator to the head node.
set -eu
cd "$(dirname "$0")/.."
swift build -c release --static-swift-stdlib "$@"
