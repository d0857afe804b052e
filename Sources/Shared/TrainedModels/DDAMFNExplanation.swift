import DDAMFN
import Foundation
import Tensor

/// Where a DDAMFN model looks for one face: the saliency of a class score with respect to the
/// network input, and the dual-direction attention heads' maps with their elementwise maximum M
/// (the map the model multiplies its features by). HTNet's counterpart is `Explanation`.
///
/// Conventions: the model runs in eval mode (running statistics) on one sample. The input x is what
/// `predict` feeds the network: the dataset image resized to 112x112 (bilinear), RGB, ImageNet-
/// normalised (DDAMFNInput), [3, 112, 112]. Saliency S = d logit_k / d x with k the predicted class
/// unless another is asked for; images show max over the RGB channels of |S|. Each head's map A_i
/// and M are [512, 7, 7]; they are summarised by the mean over the 512 channels (a 7x7 map) and
/// shown bilinearly upsampled to 112x112 (`upsampled`).
public struct DDAMFNExplanation: Sendable {
    public static let side = DDAMFNInput.side
    public static let mapSide = DDAMFNConfig.featureSide
    public static let rgbNames = ["red", "green", "blue"]

    /// The network input x [3, 112, 112] (normalised RGB).
    public var input: [Float]
    public var logits: [Float]
    public var probabilities: [Double]
    public var prediction: Int
    /// The class whose logit the saliency differentiates.
    public var explainedClass: Int
    /// d logit_k / d x, [3, 112, 112].
    public var saliency: [Float]
    /// Each head's map A_i [512, 7, 7], as the model's forward left it.
    public var headMaps: [[Float]]
    /// M = elementwise maximum of the heads' maps [512, 7, 7], from the model's forward.
    public var maximum: [Float]

    /// One eval-mode forward and backward of a dataset image (BGR 0..255 [3, inputSide, inputSide])
    /// through `net`, which must be built with `inputGradient: true` and hold one sample.
    public static func compute(_ net: DDAMFNModel, image: [Float], inputSide: Int, explaining chosen: Int? = nil) throws -> DDAMFNExplanation {
        precondition(net.computesInputGradient, "the saliency needs a network built with inputGradient: true")
        precondition(image.count == 3 * inputSide * inputSide, "one image of 3 x \(inputSide) x \(inputSide) values")
        let classes = net.config.classes
        var input = [Float](repeating: 0, count: DDAMFNInput.sampleSize)
        image.withUnsafeBufferPointer { src in
            input.withUnsafeMutableBufferPointer { DDAMFNInput.convert(src.baseAddress!, inputSide: inputSide, into: $0.baseAddress!) }
        }
        let logits = input.withUnsafeBufferPointer { x in
            Array(UnsafeBufferPointer(start: net.forward(images: x.baseAddress!, batch: 1, training: false), count: classes))
        }
        let prediction = Predictor.argmax(logits)
        let k = chosen ?? prediction
        guard k >= 0 && k < classes else { throw FileError(path: "explain", problem: "class \(k) outside 0..<\(classes)") }
        let headMaps = (0..<net.config.heads).map { net.headMap($0) }
        let maximum = net.maximumMap
        var dLogits = [Float](repeating: 0, count: classes)
        dLogits[k] = 1
        let saliency = net.inputGradient(dLogits: dLogits)
        return DDAMFNExplanation(input: input, logits: logits, probabilities: Predictor.softmax(logits), prediction: prediction,
                                 explainedClass: k, saliency: saliency, headMaps: headMaps, maximum: maximum)
    }

    /// The face the network saw: x de-normalised to RGB 0..255, [3, 112, 112].
    public var face: [Float] {
        let plane = Self.side * Self.side
        return (0..<(3 * plane)).map { i in
            let c = i / plane
            return (input[i] * DDAMFNInput.std[c] + DDAMFNInput.mean[c]) * 255
        }
    }

    /// max over the RGB channels of |saliency|, [112 * 112].
    public var saliencyMagnitude: [Float] {
        let plane = Self.side * Self.side
        return (0..<plane).map { i in max(abs(saliency[i]), abs(saliency[plane + i]), abs(saliency[2 * plane + i])) }
    }

    /// Mean |saliency| per RGB channel.
    public var saliencyChannelMeans: [Double] {
        let plane = Self.side * Self.side
        return (0..<3).map { c in (0..<plane).reduce(0.0) { $0 + Double(abs(saliency[c * plane + $1])) } / Double(plane) }
    }

    /// A [512, 7, 7] map's mean over its 512 channels, [7 * 7] (sums in float64).
    public static func channelMean(_ map: [Float]) -> [Float] {
        let positions = mapSide * mapSide, channels = map.count / positions
        precondition(channels * positions == map.count, "a [channels, 7, 7] map")
        return (0..<positions).map { p in Float((0..<channels).reduce(0.0) { $0 + Double(map[$1 * positions + p]) } / Double(channels)) }
    }

    /// A square map of side s bilinearly upsampled to 112x112 with half-pixel centres (torch's
    /// interpolate(mode="bilinear", align_corners=False)): output pixel centre (y + 0.5) * s / 112
    /// - 0.5 in map cells, clamped at the edges, so each map cell sits over the 16x16 pixels it covers.
    public static func upsampled(_ map: [Float]) -> [Float] {
        let s = Int(Double(map.count).squareRoot().rounded()), n = side
        precondition(s * s == map.count && s > 0, "a square map")
        let ratio = Float(s) / Float(n)
        var out = [Float](repeating: 0, count: n * n)
        for y in 0..<n {
            let fy = min(Float(s - 1), max(0, (Float(y) + 0.5) * ratio - 0.5))
            let y0 = Int(fy), y1 = min(y0 + 1, s - 1), wy = fy - Float(y0)
            for x in 0..<n {
                let fx = min(Float(s - 1), max(0, (Float(x) + 0.5) * ratio - 0.5))
                let x0 = Int(fx), x1 = min(x0 + 1, s - 1), wx = fx - Float(x0)
                let top = map[y0 * s + x0] * (1 - wx) + map[y0 * s + x1] * wx
                let bottom = map[y1 * s + x0] * (1 - wx) + map[y1 * s + x1] * wx
                out[y * n + x] = top * (1 - wy) + bottom * wy
            }
        }
        return out
    }

    /// Statistics of one [512, 7, 7] map: over its channel-mean 7x7 map (mean, minimum, maximum and
    /// the cell of the maximum), and over all its elements (mean).
    public struct MapStatistics: Sendable, Equatable {
        public var channelMean: [Float]
        public var mean: Double, minimum: Float, maximum: Float
        public var peakRow: Int, peakColumn: Int
        public var elementMean: Double
    }

    public static func statistics(_ map: [Float]) -> MapStatistics {
        let m = channelMean(map)
        let peak = Predictor.argmax(m)
        return MapStatistics(channelMean: m, mean: m.reduce(0.0) { $0 + Double($1) } / Double(m.count),
                             minimum: m.min() ?? 0, maximum: m.max() ?? 0, peakRow: peak / mapSide, peakColumn: peak % mapSide,
                             elementMean: map.reduce(0.0) { $0 + Double($1) } / Double(max(1, map.count)))
    }

    /// Each head's share of M: the fraction of M's 512 x 49 elements where that head's map is the
    /// maximum (an exact tie counts for the lower head index). Sums to 1.
    public var headSharesOfMaximum: [Double] {
        var counts = [Int](repeating: 0, count: headMaps.count)
        for i in maximum.indices {
            var best = 0
            for h in headMaps.indices where headMaps[h][i] > headMaps[best][i] { best = h }
            counts[best] += 1
        }
        return counts.map { Double($0) / Double(max(1, maximum.count)) }
    }
}
