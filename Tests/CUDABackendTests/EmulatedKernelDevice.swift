import CUDABackend
import Foundation

/// The engine's CUDA C kernels compiled for the CPU with the system's clang++ and run by a small
/// emulator: blocks run one after another, their threads in turn, except in the kernels that use
/// warp shuffles, whose warps run on 32 persistent host threads meeting at a barrier per shuffle.
/// Device addresses are host addresses; cuBLAS's strided-batched sgemm is a naive column-major loop written from its documented contract. It lets a machine
/// without a GPU check what the kernels compute (CUDAKernelCheck against the CPU engine) — not
/// their speed, nor the GPU's own rounding.
final class EmulatedKernelDevice: KernelDevice {
    let library: UnsafeMutableRawPointer
    typealias Launcher = @convention(c) (UInt32, UInt32, UInt32, UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> Void
    typealias Sgemm = @convention(c) (Int32, Int32, Int32, Int32, Int32, Float, UInt64, Int32, Int64, UInt64, Int32, Int64,
                                      Float, UInt64, Int32, Int64, Int32) -> Void
    var launchers: [String: Launcher] = [:]
    let sgemm: Sgemm

    struct Unavailable: Error, CustomStringConvertible { var description: String }

    /// Kernels whose threads cooperate through warp shuffles (run with one host thread per GPU thread).
    static let warpKernels: Set<String> = ["loso_layernorm_forward", "loso_layernorm_backward_input"]

    static let prelude = #"""
#include <barrier>
#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>
struct loso_dim3 { unsigned x, y, z; };
static thread_local loso_dim3 blockIdx, threadIdx;
static loso_dim3 blockDim, gridDim;
static thread_local std::barrier<> *loso_warp_barrier;
static thread_local float *loso_warp_slots;
#define __global__
#define __device__
#define __forceinline__ inline
static inline float __shfl_xor_sync(unsigned, float v, int mask) {
    int lane = threadIdx.x % 32;
    loso_warp_slots[lane] = v;
    loso_warp_barrier->arrive_and_wait();
    float r = loso_warp_slots[lane ^ mask];
    loso_warp_barrier->arrive_and_wait();
    return r;
}
static inline float __int_as_float(int i) { float f; std::memcpy(&f, &i, 4); return f; }
static inline float __uint_as_float(unsigned i) { float f; std::memcpy(&f, &i, 4); return f; }
static inline unsigned __float_as_uint(float f) { unsigned i; std::memcpy(&i, &f, 4); return i; }
"""#

    static let launcherTemplate = #"""
template <typename... A, std::size_t... I>
static void loso_call(void (*k)(A...), void **args, std::index_sequence<I...>) {
    k(*static_cast<std::remove_reference_t<A> *>(args[I])...);
}
// 32 persistent lane threads run one warp at a time (a warp kernel's blocks are whole warps).
struct LosoWarpPool {
    std::barrier<> start{33}, done{33}, lanes{32};
    float slots[32];
    std::function<void()> body;
    unsigned bx = 0, by = 0, base = 0;
    LosoWarpPool() {
        for (unsigned lane = 0; lane < 32; lane++)
            std::thread([this, lane] {
                for (;;) {
                    start.arrive_and_wait();
                    blockIdx = {bx, by, 0};
                    threadIdx = {base + lane, 0, 0};
                    loso_warp_barrier = &lanes;
                    loso_warp_slots = slots;
                    body();
                    done.arrive_and_wait();
                }
            }).detach();
    }
};
template <typename... A>
static void loso_emulate(void (*k)(A...), unsigned gx, unsigned gy, unsigned bx, void **args, bool warps) {
    gridDim = {gx, gy, 1};
    blockDim = {bx, 1, 1};
    if (!warps) {
        for (unsigned y = 0; y < gy; y++)
            for (unsigned x = 0; x < gx; x++) {
                blockIdx = {x, y, 0};
                for (unsigned t = 0; t < bx; t++) { threadIdx = {t, 0, 0}; loso_call(k, args, std::index_sequence_for<A...>{}); }
            }
        return;
    }
    static LosoWarpPool *pool = new LosoWarpPool();
    pool->body = [k, args] { loso_call(k, args, std::index_sequence_for<A...>{}); };
    for (unsigned y = 0; y < gy; y++)
        for (unsigned x = 0; x < gx; x++)
            for (unsigned w = 0; w < bx / 32; w++) {
                pool->bx = x; pool->by = y; pool->base = w * 32;
                pool->start.arrive_and_wait();
                pool->done.arrive_and_wait();
            }
}
// cublasSgemmStridedBatched's contract, naively: column-major, op(A) m x k, op(B) k x n.
extern "C" void emu_sgemm_strided_batched(int ta, int tb, int m, int n, int k, float alpha, unsigned long long a,
        int lda, long long sa, unsigned long long b, int ldb, long long sb, float beta, unsigned long long c, int ldc,
        long long sc, int batch) {
    for (int q = 0; q < batch; q++) {
        const float *A = (const float *)a + q * sa, *B = (const float *)b + q * sb;
        float *C = (float *)c + q * sc;
        for (int j = 0; j < n; j++)
            for (int i = 0; i < m; i++) {
                float s = 0;
                for (int p = 0; p < k; p++) {
                    float x = ta ? A[p + (long)i * lda] : A[i + (long)p * lda];
                    float y = tb ? B[j + (long)p * ldb] : B[p + (long)j * ldb];
                    s += x * y;
                }
                float *out = C + i + (long)j * ldc;
                *out = alpha * s + (beta == 0 ? 0.0f : beta * *out);
            }
    }
}
"""#

    init() throws {
        let env = ProcessInfo.processInfo.environment
        let compiler = env["CXX"] ?? "clang++"
        let folder = NSTemporaryDirectory() + "loso-kernel-emulator-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var source = EmulatedKernelDevice.prelude + CUDAKernelSource.source + EmulatedKernelDevice.launcherTemplate
        for name in CUDAKernelSource.kernelNames {
            let warps = EmulatedKernelDevice.warpKernels.contains(name)
            source += "extern \"C\" void emu_\(name)(unsigned gx, unsigned gy, unsigned bx, void **args) { loso_emulate(\(name), gx, gy, bx, args, \(warps)); }\n"
        }
        let file = folder + "/kernels.cpp", output = folder + "/kernels.so"
        try source.write(toFile: file, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // -ffp-contract=off: no fused multiply-adds, as NVRTC's --fmad=false.
        process.arguments = [compiler, "-std=c++20", "-O1", "-ffp-contract=off", "-shared", "-fPIC", "-pthread",
                             "-Wno-unused-function", "-o", output, file]
        let errors = Pipe()
        process.standardError = errors
        do { try process.run() } catch { throw Unavailable(description: "cannot run \(compiler): \(error)") }
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Unavailable(description: "\(compiler) failed on the kernels:\n\(log)") }
        guard let lib = dlopen(output, RTLD_NOW | RTLD_LOCAL) else { throw Unavailable(description: String(cString: dlerror())) }
        library = lib
        for name in CUDAKernelSource.kernelNames {
            guard let symbol = dlsym(lib, "emu_\(name)") else { throw Unavailable(description: "emu_\(name) missing") }
            launchers[name] = unsafeBitCast(symbol, to: Launcher.self)
        }
        guard let g = dlsym(lib, "emu_sgemm_strided_batched") else { throw Unavailable(description: "emu_sgemm_strided_batched missing") }
        sgemm = unsafeBitCast(g, to: Sgemm.self)
    }

    func allocate(bytes: Int) throws -> DeviceBuffer {
        let p = calloc(max(1, bytes), 1)!
        return DeviceBuffer(pointer: UInt64(UInt(bitPattern: p)), bytes: bytes) { free(UnsafeMutableRawPointer(bitPattern: UInt($0))) }
    }

    func upload(_ bytes: UnsafeRawBufferPointer, to buffer: DeviceBuffer) throws {
        guard let base = bytes.baseAddress else { return }
        UnsafeMutableRawPointer(bitPattern: UInt(buffer.pointer))!.copyMemory(from: base, byteCount: bytes.count)
    }

    func download(_ bytes: UnsafeMutableRawBufferPointer, from buffer: DeviceBuffer) throws {
        guard let base = bytes.baseAddress else { return }
        base.copyMemory(from: UnsafeRawPointer(bitPattern: UInt(buffer.pointer))!, byteCount: bytes.count)
    }

    func zero(_ buffer: DeviceBuffer, bytes: Int) throws {
        precondition(bytes <= buffer.bytes, "zeroing past the buffer")
        memset(UnsafeMutableRawPointer(bitPattern: UInt(buffer.pointer))!, 0, bytes)
    }

    func launch(_ name: String, gridX: UInt32, gridY: UInt32, block: UInt32, arguments: UnsafeMutablePointer<UnsafeMutableRawPointer?>) throws {
        guard let launcher = launchers[name] else { preconditionFailure("no kernel named \(name)") }
        launcher(gridX, gridY, block, arguments)
    }

    func sgemmStridedBatchedColumnMajor(transA: Int32, transB: Int32, m: Int32, n: Int32, k: Int32, alpha: Float,
                                        a: UInt64, lda: Int32, strideA: Int64, b: UInt64, ldb: Int32, strideB: Int64,
                                        beta: Float, c: UInt64, ldc: Int32, strideC: Int64, batch: Int32) throws {
        sgemm(transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC, batch)
    }

    func synchronize() throws {}
}
