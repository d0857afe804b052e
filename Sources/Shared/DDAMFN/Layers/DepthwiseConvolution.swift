import CKernels
import Tensor

/// Depthwise cross-correlation on single channel planes: one kh x kw filter per channel, zero
/// padding, the same stride both ways. Direct loops (CKernels, per ISA level): at stride 1 each tap
/// is one long vector loop over the padded plane; far cheaper than im2col for one channel.
enum DepthwisePlane {
    struct Geometry {
        let height: Int, width: Int, kernelHeight: Int, kernelWidth: Int, stride: Int, padHeight: Int, padWidth: Int
        var outHeight: Int { (height + 2 * padHeight - kernelHeight) / stride + 1 }
        var outWidth: Int { (width + 2 * padWidth - kernelWidth) / stride + 1 }
    }

    /// y = w * x on one plane (y is overwritten); the loops are in CKernels (DDAMFNKernels.h) so they
    /// run at the CPU's vector width.
    static func forward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: Floats, _ g: Geometry) {
        ck_depthwise_forward(x, Int32(g.height), Int32(g.width), w, Int32(g.kernelHeight), Int32(g.kernelWidth), Int32(g.stride),
                             Int32(g.padHeight), Int32(g.padWidth), y, Int32(g.outHeight), Int32(g.outWidth))
    }

    /// Adds dW for this plane into `dw`; writes dx (overwritten) when given.
    static func backward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                         _ dw: Floats, _ dx: Floats?, _ g: Geometry) {
        ck_depthwise_backward(x, Int32(g.height), Int32(g.width), w, Int32(g.kernelHeight), Int32(g.kernelWidth), Int32(g.stride),
                              Int32(g.padHeight), Int32(g.padWidth), dy, Int32(g.outHeight), Int32(g.outWidth), dw, dx)
    }

    /// Runs one depthwise convolution over channels `first ..< first + count` of channel-major
    /// tensors [C, B, H, W]; the weight holds the group's filters, [count, 1, kh, kw].
    static func forwardGroup(_ x: UnsafePointer<Float>, _ y: Floats, weight: UnsafePointer<Float>,
                             first: Int, count: Int, batch: Int, _ g: Geometry) {
        let inPlane = g.height * g.width, outPlane = g.outHeight * g.outWidth, taps = g.kernelHeight * g.kernelWidth
        ParallelLoop.ranges(batch * count, minimumChunk: max(1, 2048 / max(outPlane * taps, 1))) { planes in
            for index in planes {
                let plane = first * batch + index   // channel first + index / batch, sample index % batch
                forward(x + plane * inPlane, weight + (index / batch) * taps, y + plane * outPlane, g)
            }
        }
    }

    /// Backward of `forwardGroup`: writes dW for the group (samples summed in order, per channel)
    /// and dx for its channels when given.
    static func backwardGroup(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: Floats?,
                              weight: UnsafePointer<Float>, dWeight: Floats, first: Int, count: Int,
                              batch: Int, _ g: Geometry) {
        let inPlane = g.height * g.width, outPlane = g.outHeight * g.outWidth, taps = g.kernelHeight * g.kernelWidth
        ParallelLoop.ranges(count, minimumChunk: max(1, 2048 / max(batch * outPlane * taps, 1))) { group in
            for c in group {
                let dw = dWeight + c * taps
                dw.update(repeating: 0, count: taps)
                for b in 0..<batch {
                    let plane = (first + c) * batch + b
                    backward(x + plane * inPlane, weight + c * taps, dy + plane * outPlane, dw,
                             dx.map { $0 + plane * inPlane }, g)
                }
            }
        }
    }
}

/// A depthwise convolution layer over all channels (features.1, the heads' Linear_h / Linear_w,
/// the classifier's 7x7 `linear`).
final class DepthwiseConvolution {
    let channels: Int
    let geometry: DepthwisePlane.Geometry
    let weight: Int
    let y: FloatBuffer
    let dx: FloatBuffer
    private var x: UnsafePointer<Float>?

    init(_ table: ParameterTable, _ prefix: String, channels: Int, kernelHeight: Int, kernelWidth: Int,
         stride: Int = 1, padHeight: Int = 0, padWidth: Int = 0, height: Int, width: Int, maxBatch: Int) {
        self.channels = channels
        geometry = DepthwisePlane.Geometry(height: height, width: width, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                                           stride: stride, padHeight: padHeight, padWidth: padWidth)
        weight = table.weight(prefix + ".weight", [channels, 1, kernelHeight, kernelWidth])
        table.addWork(channels * kernelHeight * kernelWidth * geometry.outHeight * geometry.outWidth)
        y = FloatBuffer(count: maxBatch * channels * geometry.outHeight * geometry.outWidth)
        dx = FloatBuffer(count: maxBatch * channels * height * width)
    }

    var outPlane: Int { geometry.outHeight * geometry.outWidth }

    func forward(_ x: UnsafePointer<Float>, _ pass: Pass) -> Floats {
        self.x = x
        DepthwisePlane.forwardGroup(x, y.pointer, weight: pass.parameters + weight, first: 0,
                                    count: channels, batch: pass.batch, geometry)
        return y.pointer
    }

    func backward(_ dy: UnsafePointer<Float>, _ pass: Pass) -> Floats {
        DepthwisePlane.backwardGroup(x!, dy, dx.pointer, weight: pass.parameters + weight, dWeight: pass.gradients + weight,
                                     first: 0, count: channels, batch: pass.batch, geometry)
        return dx.pointer
    }
}

/// MixConv: the channels cut into consecutive groups, group j filtered depthwise with a
/// k_j x k_j kernel, stride s, padding k_j / 2; outputs concatenated in the same order. Its
/// module's `bn` and `prelu` are registered (the reference owns them) but never applied.
final class MixedDepthwiseConvolution {
    let channels: Int
    let groups: [(first: Int, count: Int, weight: Int, geometry: DepthwisePlane.Geometry)]
    let y: FloatBuffer
    let dx: FloatBuffer
    let outHeight: Int, outWidth: Int
    private var x: UnsafePointer<Float>?

    init(_ table: ParameterTable, _ prefix: String, channels: Int, kernels: [Int], split: [Int], stride: Int,
         height: Int, width: Int, maxBatch: Int) {
        precondition(kernels.count == split.count && split.reduce(0, +) == channels, "MixConv split \(split) does not cover \(channels) channels")
        self.channels = channels
        var groups: [(Int, Int, Int, DepthwisePlane.Geometry)] = []
        var first = 0
        for (j, (k, count)) in zip(kernels, split).enumerated() {
            let g = DepthwisePlane.Geometry(height: height, width: width, kernelHeight: k, kernelWidth: k,
                                            stride: stride, padHeight: k / 2, padWidth: k / 2)
            let w = table.weight("\(prefix).mixed_depthwise_conv.\(j).weight", [count, 1, k, k])
            table.addWork(count * k * k * g.outHeight * g.outWidth)
            groups.append((first, count, w, g))
            first += count
        }
        self.groups = groups
        _ = table.batchNorm(prefix + ".bn", channels, used: false)
        _ = table.add(prefix + ".prelu.weight", [channels], .constant(0.25), used: false)
        outHeight = groups[0].3.outHeight
        outWidth = groups[0].3.outWidth
        y = FloatBuffer(count: maxBatch * channels * outHeight * outWidth)
        dx = FloatBuffer(count: maxBatch * channels * height * width)
    }

    func forward(_ x: UnsafePointer<Float>, _ pass: Pass) -> Floats {
        self.x = x
        for group in groups {
            DepthwisePlane.forwardGroup(x, y.pointer, weight: pass.parameters + group.weight,
                                        first: group.first, count: group.count, batch: pass.batch, group.geometry)
        }
        return y.pointer
    }

    func backward(_ dy: UnsafePointer<Float>, _ pass: Pass) -> Floats {
        for group in groups {
            DepthwisePlane.backwardGroup(x!, dy, dx.pointer, weight: pass.parameters + group.weight,
                                         dWeight: pass.gradients + group.weight, first: group.first,
                                         count: group.count, batch: pass.batch, group.geometry)
        }
        return dx.pointer
    }
}
