import Dispatch

/// The machine's native sgemm rate (OpenBLAS threaded its own way over `BLAS.threads` threads),
/// the yardstick `coordinator bench` divides every model's effective training rate by.
public enum SgemmRate {
    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// GFLOP/s of the best of three n x n x n products.
    public static func square(_ n: Int) -> Double {
        let a = FloatBuffer(count: n * n), b = FloatBuffer(count: n * n), c = FloatBuffer(count: n * n)
        for i in 0..<(n * n) { a[i] = Float(i % 7) * 0.1; b[i] = Float(i % 5) * 0.1 }
        var best = Double.infinity
        for _ in 0..<3 {
            let t = now()
            BLAS.withNativeThreads(BLAS.threads) {
                BLAS.native(.none, .none, m: n, n: n, k: n, a: a.pointer, lda: n, b: b.pointer, ldb: n, beta: 0, c: c.pointer, ldc: n)
            }
            best = min(best, now() - t)
        }
        return 2 * Double(n) * Double(n) * Double(n) / best / 1e9
    }

    /// GFLOP/s replaying each recorded call as many times as a step makes it: total FLOPs over
    /// total time.
    public static func replay(_ calls: [BLAS.Call: Int]) -> Double {
        var flops = 0.0, seconds = 0.0
        for (call, count) in calls.sorted(by: { $0.key.flops > $1.key.flops }) {
            let a = FloatBuffer(count: call.m * call.k), b = FloatBuffer(count: call.k * call.n), c = FloatBuffer(count: call.m * call.n)
            for i in 0..<a.count { a[i] = Float(i % 7) * 0.01 }
            for i in 0..<b.count { b[i] = Float(i % 5) * 0.01 }
            let lda = call.transA ? call.m : call.k, ldb = call.transB ? call.k : call.n
            func once() {
                BLAS.native(call.transA ? .transpose : .none, call.transB ? .transpose : .none, m: call.m, n: call.n, k: call.k,
                            a: a.pointer, lda: lda, b: b.pointer, ldb: ldb, beta: call.accumulate ? 1 : 0, c: c.pointer, ldc: call.n)
            }
            BLAS.withNativeThreads(BLAS.threads) {
                once()
                let t = now()
                for _ in 0..<count { once() }
                seconds += now() - t
            }
            flops += call.flops * Double(count)
        }
        return flops / seconds / 1e9
    }

    public static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
