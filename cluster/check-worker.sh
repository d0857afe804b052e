#!/bin/sh
# Checks that a worker executable deploys on a compute node with only OpenBLAS, Open MPI and zstd:
# no Swift runtime, OpenCV, dlib or image/HDF/GDAL libraries among its shared libraries, none of them
# missing, and no coordinator, report or YAML code inside it. CUDA is opened at run time (dlopen) by
# `worker --device cuda`, never linked: a CUDA library on the link line fails this check.
#   cluster/check-worker.sh [WORKER]      (default .build/release/worker)
set -eu
worker=${1:-.build/release/worker}
[ -x "$worker" ] || { echo "check-worker: $worker not found; build it with cluster/build-release.sh" >&2; exit 1; }
libs=$(ldd "$worker")
echo "$libs"
count=$(echo "$libs" | wc -l)
status=0
if echo "$libs" | grep -q "not found"; then echo "check-worker: FAIL: missing libraries" >&2; status=1; fi
if echo "$libs" | grep -Eiq "swift|Foundation|opencv|dlib|gdal|hdf5|poppler|mariadb|yaml|libcuda|cublas|nvrtc|cudart"; then
    echo "check-worker: FAIL: links a library a compute node should not need" >&2; status=1
fi
for module in 4Yams 10Evaluation 13Preprocessing 12Coordination; do
    if nm "$worker" 2>/dev/null | grep -q "\$s$module"; then echo "check-worker: FAIL: holds $module code" >&2; status=1; fi
done
[ "$status" = 0 ] && echo "check-worker: OK: $count shared-library entries; no Swift runtime, OpenCV, dlib, CUDA, Yams or report code"
exit "$status"
