#!/bin/sh
# The whole test suite from a fresh clone: installs what is missing, builds, runs every test.
#   cluster/test.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$(dirname "$here")"
# --report-tools: pdflatex and headless Chromium, so the report.tex and report.html tests run in CI.
"$here/setup.sh" --report-tools
# The CUDA kernels' compilation tests need NVRTC. Without a CUDA toolkit, NVIDIA's PyPI wheel provides
# it (a CPU-only machine compiles the kernels for sm_90): fetched once into .build/nvrtc with pip, when pip
# is there; otherwise those tests skip with a message. LOSO_NVRTC, when set, wins.
nvrtc=.build/nvrtc
if [ -z "${LOSO_NVRTC:-}" ]; then
    if [ ! -e "$nvrtc/nvidia/cu13/lib/libnvrtc.so.13" ] && python3 -m pip --version >/dev/null 2>&1; then
        rm -rf "$nvrtc"
        if python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$nvrtc/wheel" "nvidia-cuda-nvrtc==13.5.37" \
            && python3 -m zipfile -e "$nvrtc"/wheel/*.whl "$nvrtc"; then
            rm -rf "$nvrtc/wheel"
        else
            echo "test: could not fetch NVRTC from PyPI; the kernel compilation tests skip" >&2
        fi
    fi
    if [ -e "$nvrtc/nvidia/cu13/lib/libnvrtc.so.13" ]; then
        LOSO_NVRTC="$(pwd)/$nvrtc/nvidia/cu13/lib"
        export LOSO_NVRTC
    fi
fi
# Builds the tests and both executables (the end-to-end cluster tests run them under mpirun).
swift build --build-tests
swift test --skip-build --disable-swift-testing
