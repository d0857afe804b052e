import CKernels
import Tensor

/// PReLU with one learned slope per channel: y = x for x > 0, else a_c x, on [C, B, P].
final class PReLU {
    let channels: Int, positions: Int
    let slope: Int
    let y: FloatBuffer
    let dx: FloatBuffer
    private var x: UnsafePointer<Float>?

    init(_ table: ParameterTable, _ prefix: String, channels: Int, positions: Int, maxBatch: Int) {
        self.channels = channels
        self.positions = positions
        slope = table.add(prefix + ".weight", [channels], .constant(0.25))
        y = FloatBuffer(count: maxBatch * channels * positions)
        dx = FloatBuffer(count: maxBatch * channels * positions)
    }

    func forward(_ x: UnsafePointer<Float>, _ pass: Pass) -> Floats {
        self.x = x
        let a = pass.parameters + slope, c = channels, n = positions, out = y.pointer
        let block = pass.batch * n
        ParallelLoop.ranges(c, minimumChunk: max(1, 16384 / block)) { channels in
            for ch in channels {
                let s = a[ch], row = x + ch * block, yr = out + ch * block
                for i in 0..<block { let v = row[i]; yr[i] = v > 0 ? v : s * v }
            }
        }
        return out
    }

    /// dx = dy (x > 0) or a_c dy; da_c = sum of dy x over x <= 0 (samples in order, per channel).
    func backward(_ dy: UnsafePointer<Float>, _ pass: Pass) -> Floats {
        let a = pass.parameters + slope, da = pass.gradients + slope, c = channels, n = positions, batch = pass.batch
        let x = self.x!, out = dx.pointer
        ParallelLoop.ranges(c, minimumChunk: max(1, 16384 / max(batch * n, 1))) { range in
            for ch in range {
                let o = ch * batch * n
                da[ch] = Float(ck_prelu_backward(x + o, dy + o, out + o, batch * n, a[ch]))
            }
        }
        return out
    }
}
