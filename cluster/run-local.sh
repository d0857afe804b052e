#!/bin/sh
# One machine: mpirun -np 1 coordinator run EXPERIMENT : -np N worker
#   cluster/run-local.sh EXPERIMENT [WORKERS] [coordinator run options...]
# WORKERS defaults to the number of cores. Adds mpirun's root options only when run as root, and
# --oversubscribe only when there are more ranks (workers + the coordinator) than cores.
# BIN (default .build/release) is where the coordinator and worker executables are.
# WORKER_OPTIONS (e.g. "--bundle 4", "--device cuda") are passed to every worker.
set -eu
if [ $# -lt 1 ]; then
    echo "usage: $0 EXPERIMENT [WORKERS] [coordinator run options, e.g. --out runs/x --resume]" >&2
    exit 64
fi
experiment=$1; shift
cores=$(nproc)
workers=$cores
if [ $# -gt 0 ]; then
    case $1 in ''|*[!0-9]*) ;; *) workers=$1; shift ;; esac
fi
bin=${BIN:-.build/release}
for exe in coordinator worker; do
    if [ ! -x "$bin/$exe" ]; then
        echo "$0: $bin/$exe not found; build first: cluster/build-release.sh (or set BIN)" >&2
        exit 1
    fi
done
if ! command -v mpirun >/dev/null 2>&1; then
    echo "$0: mpirun not found (apt-get install openmpi-bin libopenmpi-dev); or run '$bin/coordinator run $experiment' to train in-process" >&2
    exit 1
fi
flags="--bind-to none"
if [ "$(id -u)" = 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# The coordinator mostly sleeps, but it is a rank: count it.
if [ $((workers + 1)) -gt "$cores" ]; then
    flags="$flags --oversubscribe"
fi
worker_options=${WORKER_OPTIONS:-}
echo "mpirun $flags -np 1 $bin/coordinator run $experiment $* : -np $workers $bin/worker $worker_options" >&2
# shellcheck disable=SC2086
exec mpirun $flags -np 1 "$bin/coordinator" run "$experiment" "$@" : -np "$workers" "$bin/worker" $worker_options
