import COpenBLAS
import Foundation

/// Typed access to OpenBLAS. Every matrix product of the engine goes through `gemm`, so the
/// benchmark can compare the trainer against the very routine it is built on.
///
/// Threads are ours, not OpenBLAS's: OpenBLAS's threaded sgemm does not give the same bits as its
/// single-threaded one (its threaded driver blocks K differently, and some kernels take other paths;
/// seen for most k above 24 with the Haswell kernels, above 448 with SkylakeX). A run's numbers must
/// not depend on how many threads a worker has (the default gives each worker cores / workers), so
/// OpenBLAS always runs single-threaded, and `gemm` cuts C into fixed blocks of rows or columns whose
/// layout depends only on the shape; the blocks are spread over `threads` threads. Each block is the
/// same single-threaded call whatever the thread count, hence the same bits.
public enum BLAS {
    public enum Transpose { case none, transpose }

    /// One sgemm call's shape, as recorded for the benchmark.
    public struct Call: Hashable, Sendable {
        public let transA: Bool, transB: Bool, m: Int, n: Int, k: Int, accumulate: Bool
        public var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
    }

    /// When set, every gemm appends its shape here: `coordinator bench` replays exactly the calls of
    /// one training step to measure the machine's sgemm rate on the model's own shapes.
    nonisolated(unsafe) public static var recorder: ((Call) -> Void)?

    /// Threads the engine's work is spread over (one worker's share of the node's cores).
    nonisolated(unsafe) public private(set) static var threads = 1

    /// Rows (or columns) of C per block, from the shape alone (never from the thread count): 256 for
    /// large products, so packing the other operand once per block costs little; at least 4 blocks
    /// (of at least 64) for smaller ones, so two or four threads still share the work.
    public static func blockExtent(for extent: Int) -> Int {
        if extent >= 1024 { return 256 }
        return max(64, ((extent + 3) / 4 + 15) / 16 * 16)
    }

    /// C[m x n] = alpha * op(A)[m x k] * op(B)[k x n] + beta * C, all row-major.
    public static func gemm(_ ta: Transpose, _ tb: Transpose, m: Int, n: Int, k: Int,
                            alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        _ = singleThreadedOpenBLAS
        if let recorder { recorder(Call(transA: ta == .transpose, transB: tb == .transpose, m: m, n: n, k: k, accumulate: beta != 0)) }
        if ta == .transpose && tb == .none && k >= 1024 && k >= 2 * max(m, n) {
            // Weight gradients (dY^T X): small C, long K. Cutting C would re-pack the long operand
            // once per block; cutting K keeps every operand packed once.
            return gemmSplittingK(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
        let splitRows = m >= n
        let extent = splitRows ? m : n
        let blockSize = blockExtent(for: extent)
        let blocks = (extent + blockSize - 1) / blockSize
        func block(_ index: Int) {
            let start = index * blockSize, size = min(blockSize, extent - start)
            if splitRows {
                // Rows of C come from rows of op(A): A's rows (no transpose) or columns (transpose).
                let ap = ta == .none ? a + start * lda : a + start
                native(ta, tb, m: size, n: n, k: k, alpha: alpha, a: ap, lda: lda, b: b, ldb: ldb,
                       beta: beta, c: c + start * ldc, ldc: ldc)
            } else {
                let bp = tb == .none ? b + start : b + start * ldb
                native(ta, tb, m: m, n: size, k: k, alpha: alpha, a: a, lda: lda, b: bp, ldb: ldb,
                       beta: beta, c: c + start, ldc: ldc)
            }
        }
        ParallelLoop.each(blocks, block)
    }

    /// C = beta C + alpha A^T B with K cut into shape-fixed chunks: the first chunk accumulates into C,
    /// the others into scratch panels (in parallel), which are then added to C in chunk order, so
    /// the bits do not depend on the thread count.
    static func gemmSplittingK(m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                               b: UnsafePointer<Float>, ldb: Int, beta: Float,
                               c: UnsafeMutablePointer<Float>, ldc: Int) {
        let chunk = max(512, ((k + 3) / 4 + 63) / 64 * 64)
        let chunks = (k + chunk - 1) / chunk
        let panel = m * n
        scratchLock.lock()
        defer { scratchLock.unlock() }
        if scratch.count < (chunks - 1) * panel { scratch = FloatBuffer(count: (chunks - 1) * panel) }
        let panels = scratch.pointer
        func part(_ index: Int) {
            let start = index * chunk, size = min(chunk, k - start)
            // Rows start..<start+size of A (k x m) and of B (k x n).
            if index == 0 {
                native(.transpose, .none, m: m, n: n, k: size, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                       beta: beta, c: c, ldc: ldc)
            } else {
                native(.transpose, .none, m: m, n: n, k: size, alpha: alpha, a: a + start * lda, lda: lda,
                       b: b + start * ldb, ldb: ldb, beta: 0, c: panels + (index - 1) * panel, ldc: n)
            }
        }
        ParallelLoop.each(chunks, part)
        for index in 1..<chunks {
            let p = panels + (index - 1) * panel
            for row in 0..<m {
                let dst = c + row * ldc, src = p + row * n
                for j in 0..<n { dst[j] += src[j] }
            }
        }
    }

    nonisolated(unsafe) static var scratch = FloatBuffer(count: 0)
    static let scratchLock = NSLock()

    /// One cblas_sgemm call, as OpenBLAS does it (single-threaded unless `nativeThreads` says otherwise).
    @inline(__always)
    public static func native(_ ta: Transpose, _ tb: Transpose, m: Int, n: Int, k: Int,
                              alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                              b: UnsafePointer<Float>, ldb: Int,
                              beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor,
                    ta == .none ? CblasNoTrans : CblasTrans,
                    tb == .none ? CblasNoTrans : CblasTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                    beta, c, Int32(ldc))
    }

    /// OpenBLAS starts with one thread per core; make it single-threaded before the first product,
    /// whether or not anyone calls `setThreads`.
    private static let singleThreadedOpenBLAS: Void = openblas_set_num_threads(1)

    /// Sets the engine's thread count; OpenBLAS itself stays single-threaded (see the type's note).
    public static func setThreads(_ n: Int) {
        threads = max(1, n)
        openblas_set_num_threads(1)
    }

    /// Runs `body` with OpenBLAS's own threading at `n` threads: only for measuring the machine's
    /// native sgemm rate in `coordinator bench`, never for training.
    public static func withNativeThreads<T>(_ n: Int, _ body: () -> T) -> T {
        openblas_set_num_threads(Int32(max(1, n)))
        defer { openblas_set_num_threads(1) }
        return body()
    }

    /// OpenBLAS's build description (version, kernel, threading), for reports and benchmarks.
    public static var configuration: String { String(cString: openblas_get_config()) }
}
