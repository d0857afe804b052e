#!/bin/sh
# The main job on one machine, from a fresh clone: installs what is missing, builds in release mode,
# and runs the synthetic demo experiment (LOSO, 2 seeds, 2 variants) with 2 MPI workers.
#   cluster/demo.sh [WORKERS] [coordinator run options]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$(dirname "$here")"
"$here/setup.sh"
"$here/build-release.sh"
workers=${1:-2}
[ $# -gt 0 ] && shift
out=runs/demo
resume=""
if [ -f "$out/journal.jsonl" ]; then
    echo "demo: $out already holds a journal; resuming it (remove $out to start over)" >&2
    resume="--resume"
fi
"$here/run-local.sh" experiments/demo.yaml "$workers" --out "$out" $resume "$@"
echo "report: $out/report.html (also report.md, report.json, predictions.csv; journal: $out/journal.jsonl)"
