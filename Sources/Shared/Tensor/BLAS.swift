import COpenBLAS

/// Thin, typed access to OpenBLAS. Every matrix product of the engine goes through `gemm`, so the
/// benchmark can compare the trainer against the very routine it is built on.
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

    /// C[m x n] = alpha * op(A)[m x k] * op(B)[k x n] + beta * C, all row-major.
    @inline(__always)
    public static func gemm(_ ta: Transpose, _ tb: Transpose, m: Int, n: Int, k: Int,
                            alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        if let recorder { recorder(Call(transA: ta == .transpose, transB: tb == .transpose, m: m, n: n, k: k, accumulate: beta != 0)) }
        cblas_sgemm(CblasRowMajor,
                    ta == .none ? CblasNoTrans : CblasTrans,
                    tb == .none ? CblasNoTrans : CblasTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                    beta, c, Int32(ldc))
    }

    /// Sets OpenBLAS's thread count for this process (one worker's share of the node's cores).
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(max(1, n))) }

    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// OpenBLAS's build description (version, kernel, threading), for reports and benchmarks.
    public static var configuration: String { String(cString: openblas_get_config()) }
}
