import CKernels
import Tensor

/// Exact GELU, x * Phi(x) with the error function (PyTorch's default, not the tanh approximation).
/// The loops run in CKernels at the CPU's full vector width (VectorMath holds the same arithmetic
/// in Swift); the work is split over the worker's threads.
enum GELU {
    static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        ParallelLoop.ranges(count) { range in
            ck_gelu_forward(x + range.lowerBound, y + range.lowerBound, range.count)
        }
    }

    /// dx = dy * (Phi(x) + x * phi(x)), written in place of dy.
    static func backward(_ x: UnsafePointer<Float>, _ dy: UnsafeMutablePointer<Float>, count: Int) {
        ParallelLoop.ranges(count) { range in
            ck_gelu_backward(x + range.lowerBound, dy + range.lowerBound, range.count)
        }
    }
}
