import Dispatch

/// Splits elementwise work over the same number of threads OpenBLAS uses, so a worker's cores are
/// busy between sgemms too.
///
/// Only work whose result does not depend on the split goes through here (each output element is
/// computed by exactly one iteration, in the same order): a run's numbers must not change with the
/// number of threads or workers.
public enum ParallelLoop {
    /// Calls `body` on disjoint ranges covering 0..<count. Small counts run inline.
    @inline(__always)
    public static func ranges(_ count: Int, minimumChunk: Int = 4096, _ body: (Range<Int>) -> Void) {
        let threads = min(BLAS.threads, max(1, count / minimumChunk))
        if threads <= 1 {
            body(0..<count)
            return
        }
        let chunk = (count + threads - 1) / threads
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let start = t * chunk, end = min(count, start + chunk)
            if start < end { body(start..<end) }
        }
    }

    /// Calls `body(i)` for every i in 0..<count, spread over the threads (thread t takes t, t + T, ...).
    /// Which thread runs an index never changes what the index computes.
    public static func each(_ count: Int, _ body: (Int) -> Void) {
        let workers = min(BLAS.threads, count)
        if workers <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers) { t in
            for i in stride(from: t, to: count, by: workers) { body(i) }
        }
    }
}
