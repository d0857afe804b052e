import Foundation

/// Cross-entropy over softmax(logits): the mean over the batch (PyTorch's `nn.CrossEntropyLoss()`),
/// or, with class weights, sum(w_y * nll) / sum(w_y) (PyTorch's weighted mean).
public enum SoftmaxCrossEntropy {
    public struct Result {
        public var loss: Double
        public var correct: Int
    }

    /// Writes dLoss/dlogits into `dLogits` when given; returns the loss and the number of samples
    /// whose arg-max logit equals the label (first index wins ties, like torch.argmax).
    @discardableResult
    /// Generic so that the float64 reference fixture can be checked at its own precision; training
    /// runs it in Float. The loss is accumulated in Double either way.
    public static func evaluate<T: LossScalar>(logits: UnsafePointer<T>, labels: UnsafePointer<Int>, batch: Int, classes: Int,
                                               classWeights: [T]? = nil, dLogits: UnsafeMutablePointer<T>? = nil) -> Result {
        var total: Double = 0
        var weightSum: Double = 0
        var correct = 0
        for b in 0..<batch {
            let row = logits + b * classes
            let y = labels[b]
            var mx = row[0], arg = 0
            for j in 1..<classes where row[j] > mx { mx = row[j]; arg = j }
            if arg == y { correct += 1 }
            var sum: Double = 0
            for j in 0..<classes { sum += Foundation.exp(Double(row[j] - mx)) }
            let logSum = Foundation.log(sum) + Double(mx)
            let w = Double(classWeights?[y] ?? 1)
            total += w * (logSum - Double(row[y]))
            weightSum += w
        }
        let loss = total / weightSum
        if let d = dLogits {
            for b in 0..<batch {
                let row = logits + b * classes, out = d + b * classes
                let y = labels[b]
                var mx = row[0]
                for j in 1..<classes { mx = max(mx, row[j]) }
                var sum: T = 0
                for j in 0..<classes { let e = T.exp(row[j] - mx); out[j] = e; sum += e }
                let scale = T(Double(classWeights?[y] ?? 1) / weightSum)
                for j in 0..<classes { out[j] = out[j] / sum * scale }
                out[y] -= scale
            }
        }
        return Result(loss: loss, correct: correct)
    }

    /// Inverse class frequency weights normalised to mean 1 over the classes that occur
    /// (absent classes get weight 0; they never appear as labels).
    public static func inverseFrequencyWeights(labels: [Int], classes: Int) -> [Float] {
        var counts = [Int](repeating: 0, count: classes)
        for y in labels { counts[y] += 1 }
        let present = counts.filter { $0 > 0 }.count
        var w = counts.map { $0 > 0 ? 1 / Double($0) : 0 }
        let mean = w.reduce(0, +) / Double(max(present, 1))
        w = w.map { $0 / mean }
        return w.map { Float($0) }
    }
}
