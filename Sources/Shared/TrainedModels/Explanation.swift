import Foundation
import HTNet
import Tensor

/// Where a trained model looks for one sample: the input gradient of a class score (saliency) and
/// every Transformer layer's attention weights.
///
/// Saliency convention: S[c, y, x] = d score_k / d input[c, y, x], with score_k the logit of class k
/// (the predicted class unless another is asked for), at the model's weights, one sample alone.
/// Summaries use |S|: per region (the four composed 14x14 tiles) and per flow channel, the mean of
/// |S| over the region's or channel's values, and their share of the total.
public struct Explanation: Sendable {
    /// The composed input [channels, side, side] (BGR flow channels 0...255).
    public var input: [Float]
    public var side: Int
    public var channels: Int
    public var logits: [Float]
    public var probabilities: [Double]
    public var prediction: Int
    /// The class whose score the saliency differentiates.
    public var explainedClass: Int
    /// [channels, side, side].
    public var saliency: [Float]
    public var attention: [AttentionMap]

    /// The composed input's four tiles (docs/DESIGN.md section 4), in tile order.
    public static let regions = ["left eye", "right eye", "left mouth corner", "right mouth corner"]
    /// The flow image's channels in the order the loader reads them (section 4).
    public static let channelNames = ["horizontal flow", "vertical flow", "optical strain"]

    /// Forward and backward of one sample through `net` (classifier heads only). A fused model also
    /// takes the sample's standardised feature row, held fixed: the saliency is the image's.
    public static func compute(_ net: HTNetModel, input: [Float], features: [Float]? = nil, explaining chosen: Int? = nil) throws -> Explanation {
        guard !net.head.isMetric else {
            throw FileError(path: "explain", problem: "saliency needs the classifier head; this model has a metric-loss embedding head")
        }
        let c = net.config
        let size = c.channels * c.imageSize * c.imageSize
        precondition(input.count == size, "one sample of \(size) values")
        let classes = c.numClasses
        let featureCount = net.fusion?.featureCount ?? 0
        precondition((features?.count ?? 0) == featureCount, "one feature row of \(featureCount) values")
        let logits = input.withUnsafeBufferPointer { x in
            (features ?? []).withUnsafeBufferPointer { f in
                Array(UnsafeBufferPointer(start: net.forward(images: x.baseAddress!, features: featureCount > 0 ? f.baseAddress! : nil, batch: 1),
                                          count: classes))
            }
        }
        let attention = net.attention(sample: 0)
        let prediction = Predictor.argmax(logits)
        let k = chosen ?? prediction
        guard k >= 0 && k < classes else { throw FileError(path: "explain", problem: "class \(k) outside 0..<\(classes)") }
        var dLogits = [Float](repeating: 0, count: classes)
        dLogits[k] = 1
        var saliency = [Float](repeating: 0, count: size)
        dLogits.withUnsafeBufferPointer { d in
            saliency.withUnsafeMutableBufferPointer { net.backward(dLogits: d.baseAddress!, batch: 1, dImages: $0.baseAddress!) }
        }
        return Explanation(input: input, side: c.imageSize, channels: c.channels, logits: logits,
                           probabilities: Predictor.softmax(logits), prediction: prediction, explainedClass: k,
                           saliency: saliency, attention: attention)
    }

    /// Mean |saliency| per region (rows) and channel (columns); the composed tiles are the quadrants.
    public var regionChannelMeans: [[Double]] {
        let half = side / 2
        return (0..<4).map { tile in
            (0..<channels).map { ch in
                var sum = 0.0
                for y in 0..<half {
                    for x in 0..<half {
                        let row = (tile / 2) * half + y, col = (tile % 2) * half + x
                        sum += Double(abs(saliency[(ch * side + row) * side + col]))
                    }
                }
                return sum / Double(half * half)
            }
        }
    }

    /// Each region's share of the total |saliency| (sums to 1).
    public var regionShares: [Double] {
        let per = regionChannelMeans.map { $0.reduce(0, +) }
        let total = per.reduce(0, +)
        return per.map { total > 0 ? $0 / total : 0 }
    }

    /// Each channel's share of the total |saliency| (sums to 1).
    public var channelShares: [Double] {
        let m = regionChannelMeans
        let per = (0..<channels).map { ch in m.map { $0[ch] }.reduce(0, +) }
        let total = per.reduce(0, +)
        return per.map { total > 0 ? $0 / total : 0 }
    }

    /// |saliency| summed over channels, [side * side].
    public var saliencyMagnitude: [Float] {
        (0..<(side * side)).map { i in (0..<channels).reduce(Float(0)) { $0 + abs(saliency[$1 * side * side + i]) } }
    }

    /// One level's received attention (mean over that level's layers) spread over the input's pixels:
    /// each token covers side / levelSide pixels along each axis.
    public func attentionOnInput(level: Int) -> [Float]? {
        let maps = attention.filter { $0.level == level }
        guard let first = maps.first else { return nil }
        var received = [Float](repeating: 0, count: first.side * first.side)
        for m in maps { for (i, v) in m.received.enumerated() { received[i] += v / Float(maps.count) } }
        let cell = max(1, side / first.side)
        return (0..<(side * side)).map { i in
            let ty = min(first.side - 1, (i / side) / cell), tx = min(first.side - 1, (i % side) / cell)
            return received[ty * first.side + tx]
        }
    }

    /// Whether attention can show anything: with one token per block it is identically 1.
    public var attentionIsInformative: Bool { attention.contains { $0.seqLen > 1 } }
}
