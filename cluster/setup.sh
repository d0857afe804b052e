#!/bin/sh
# Installs the Debian packages the project needs (only those missing), so a fresh Debian machine
# with nothing but Swift can build and test. Safe to run again: it does nothing when all are there.
#   cluster/setup.sh                  what building and the tests need
#   cluster/setup.sh --report-tools   also pdflatex and headless Chromium, for the tests that compile
#                                     report.tex and render report.html (they skip without them);
#                                     TeX took 167 s to download and install on a Debian 12 VM
set -eu
packages="pkg-config libopenmpi-dev openmpi-bin libopenblas-dev libopencv-dev opencv-data libzstd-dev iproute2 util-linux libdlib-dev libdlib-data binutils"
if [ "${1:-}" = "--report-tools" ]; then
    packages="$packages texlive-latex-base texlive-latex-recommended chromium"
fi
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "setup: system packages present" >&2
    exit 0
fi
echo "setup: installing:$missing" >&2
if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "setup: need root (or sudo) to install:$missing" >&2
    exit 1
fi
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# shellcheck disable=SC2086
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "setup: done" >&2
