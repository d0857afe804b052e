#!/bin/sh
# Everything of issue 17 that can run on a GPU, in one go, for a session that has one (docs/GPU.md):
#   cluster/gpu-check.sh [OUT]        (default gpu-check-out; on the device tool: cluster/gpu-check.sh "$OUT")
# 1. the machine: nvidia-smi, which CUDA libraries the loader finds;
# 2. parity: `coordinator parity --device cuda` (NVRTC kernels + cuBLAS against the CPU engine), then the
#    training-trajectory fixture trained on the GPU (fp32, the CPU engine's tolerances);
# 3. CUDABackendTests (when a Swift toolchain is present): NVRTC compilation + the same GPU checks;
# 4. bench: `coordinator bench --device cuda` at dim 64 (JSON) and paper size: cuBLAS sgemm, the step's
#    products strided-batched and the fold-batched training step over F = 1, 8, 68; dim 64 again with TF32;
# 5. a dim-64, 100-epoch LOSO seed timed on the GPU (`coordinator train-seed --device cuda`) on a
#    synthetic composite of the issue's size (69 subjects, 450 clips, about 445 training samples per
#    fold), after a 4-fold, 5-epoch run on both devices whose losses and metrics should agree closely;
# 6. bundled claiming under mpirun (when mpirun is present): experiments/bundles.yaml with a GPU worker
#    (`worker --device cuda`, bundles sized from its free memory) beside a CPU worker, then the same on
#    CPU workers only; the journal must name the GPU for some tasks; predictions are compared (within
#    float tolerance across devices, so the report's UF1s are printed side by side, not cmp'ed).
# Needs: an NVIDIA driver (libcuda.so.1), cuBLAS and NVRTC (CUDA toolkit, or set LOSO_CUBLAS /
# LOSO_NVRTC to the libraries or their folders), and either a Swift toolchain or release executables
# built elsewhere (cluster/build-release.sh) under .build/release. Each step's output goes to OUT;
# the script goes on after a failing step and exits non-zero if any failed.
set -u
cd "$(dirname "$0")/.."
out=${1:-gpu-check-out}
mkdir -p "$out"
status=0
step() { echo "== $*"; }
fail() { echo "gpu-check: FAIL: $*" | tee -a "$out/summary.txt" >&2; status=1; }
# run FILE COMMAND...: the command's output into FILE and on screen; its own exit status.
run() { file=$1; shift; "$@" > "$file" 2>&1; rc=$?; cat "$file"; return "$rc"; }

step "1. machine"
nvidia-smi > "$out/nvidia-smi.txt" 2>&1 || fail "nvidia-smi (no driver?)"
head -15 "$out/nvidia-smi.txt"
{ ldconfig -p 2>/dev/null | grep -E "libcuda\.so|libcublas\.so|libnvrtc\.so" || true; } | tee "$out/cuda-libraries.txt"
echo "LOSO_CUDA_DRIVER=${LOSO_CUDA_DRIVER:-} LOSO_CUBLAS=${LOSO_CUBLAS:-} LOSO_NVRTC=${LOSO_NVRTC:-}" >> "$out/cuda-libraries.txt"
export LOSO_KERNEL_CACHE="${LOSO_KERNEL_CACHE:-$out/kernel-cache}"

bin=${LOSO_BIN:-.build/release}   # LOSO_BIN=.build/debug uses a debug build
if [ ! -x "$bin/coordinator" ]; then
    if command -v swift > /dev/null; then
        step "building release executables (cluster/build-release.sh)"
        cluster/build-release.sh > "$out/build.txt" 2>&1 || { fail "release build (see $out/build.txt)"; }
    else
        fail "no $bin/coordinator and no Swift toolchain: build with cluster/build-release.sh elsewhere and bring .build/release"
        exit 1
    fi
fi

step "2. kernel parity on the GPU"
run "$out/parity-cuda.txt" "$bin/coordinator" parity --device cuda || fail "kernel parity"
run "$out/parity-cuda-trajectory.txt" timeout 300 "$bin/coordinator" parity --device cuda Tests/Fixtures/htnet-trajectory.safetensors ||
    fail "trajectory fixture on the GPU (30 epochs of the reference loop, csv and class-grouped)"

step "3. CUDABackendTests"
if command -v swift > /dev/null; then
    if swift build --build-tests > "$out/build-tests.txt" 2>&1; then
        run "$out/cuda-tests.txt" swift test --skip-build --disable-swift-testing --filter CUDABackendTests || fail "CUDABackendTests"
        for t in testKernelsMatchTheCPUEngineOnTheGPU testEveryKernelCompilesToCUBIN testFoldBatchOnTheGPUMatchesTheCPUEngine; do
            grep -q "$t' passed" "$out/cuda-tests.txt" || fail "CUDABackendTests.$t did not pass (skipped?)"
        done
        for t in testTheGPUEngineOnTheGPUGivesWhatTheCPUEngineGives; do
            grep -q "$t' passed" "$out/cuda-tests.txt" || fail "CUDAFoldBatchEngineTests.$t did not pass (skipped?)"
        done
    else
        fail "test build (see $out/build-tests.txt)"
    fi
else
    echo "no Swift toolchain: tests not run" | tee "$out/cuda-tests.txt"
fi

step "4. bench"
run "$out/bench-d64.txt" timeout 300 "$bin/coordinator" bench --device cuda --dim 64 --json || fail "bench dim 64"
run "$out/bench-d256.txt" timeout 300 "$bin/coordinator" bench --device cuda || fail "bench paper size"
run "$out/bench-d64-tf32.txt" timeout 300 "$bin/coordinator" bench --device cuda --dim 64 --tf32 || fail "bench dim 64 tf32"

step "5. dim-64 LOSO seed"
data="$out/synth69"
[ -d "$data" ] || "$bin/coordinator" synth --out "$data" --subjects 23 --samples 150 > "$out/synth.txt" 2>&1 || fail "synth"
for d in cpu cuda; do
    run "$out/seed-check-$d.txt" "$bin/coordinator" train-seed --data "$data" --dim 64 --epochs 5 --subjects 4 --device $d ||
        fail "train-seed check on $d"
done
run "$out/loso-d64.txt" timeout 420 "$bin/coordinator" train-seed --data "$data" --dim 64 --epochs 100 --device cuda ||
    fail "dim-64 LOSO seed on the GPU (timeout 420 s)"

step "6. bundled claiming: a GPU worker and a CPU worker in one run"
if command -v mpirun > /dev/null; then
    [ "$(id -u)" = 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    rm -rf "$out/bundles-mixed" "$out/bundles-cpu"   # a rerun starts the runs afresh
    run "$out/bundles-mixed.txt" timeout 300 mpirun --oversubscribe --bind-to none -np 1 "$bin/coordinator" run experiments/bundles.yaml \
        --out "$out/bundles-mixed" --threads 1 : -np 1 "$bin/worker" --device cuda : -np 1 "$bin/worker" ||
        fail "bundles: GPU + CPU worker run"
    grep -q '"device":"cuda:' "$out/bundles-mixed/journal.jsonl" 2>/dev/null || fail "bundles: no task journalled with a cuda device"
    grep -E "GiB per member|bundles of up to" "$out/bundles-mixed.txt" | head -5
    run "$out/bundles-cpu.txt" timeout 300 mpirun --oversubscribe --bind-to none -np 1 "$bin/coordinator" run experiments/bundles.yaml \
        --out "$out/bundles-cpu" --threads 1 : -np 2 "$bin/worker" --bundle 4 || fail "bundles: CPU workers run"
    for o in bundles-mixed bundles-cpu; do
        grep -E '^\| (plain|scheduled) \| [0-9]+ \|' "$out/$o/report.md" 2>/dev/null | head -2 | sed "s/^/$o: /"
    done | tee -a "$out/summary.txt"   # variant, seeds, UF1, its CI, UAR, its CI, accuracy
    if cmp -s "$out/bundles-mixed/predictions.csv" "$out/bundles-cpu/predictions.csv"; then
        echo "bundles: GPU+CPU and CPU-only predictions.csv identical" | tee -a "$out/summary.txt"
    else
        echo "bundles: GPU+CPU and CPU-only predictions.csv differ (expected within float tolerance; compare with coordinator compare)" | tee -a "$out/summary.txt"
    fi
else
    echo "no mpirun: bundled claiming not run" | tee "$out/bundles.txt"
fi

[ "$status" = 0 ] && echo "gpu-check: every step that exists passed" | tee -a "$out/summary.txt"
exit "$status"
