import FoldResults
import Tensor

/// Forward-only passes of a DDAMFN fold's model in eval mode (running statistics), in chunks of the
/// model's batch: the per-epoch test and validation evaluations and the final model's scores and
/// embeddings (clean and noisy test inputs). Inputs are as the dataset stores them (BGR 0..255
/// [n, 3, s, s]); each chunk is converted (resized, normalised) by DDAMFNInput, as in training.
extension DDAMFNFoldTrainer {
    /// Logits, mean cross-entropy and correct count over `labels.count` samples of `inputs`.
    public func evaluate(_ net: DDAMFNModel, inputs: [Float], labels: [Int], inputSide: Int, batch: FloatBuffer) -> Evaluation {
        var out = Evaluation(logits: [], loss: 0, correct: 0)
        var lossSum = 0.0
        let classes = config.classes
        DDAMFNFoldTrainer.forEachChunk(net, inputs: inputs, inputSide: inputSide, buffer: batch) { start, b, logits in
            let chunkLabels = Array(labels[start..<(start + b)])
            lossSum += net.loss(labels: chunkLabels, gradients: false).crossEntropy * Double(b)
            out.correct += DDAMFNFoldTrainer.correct(logits, labels: chunkLabels, classes: classes)
            for i in 0..<b { out.logits.append(Array(UnsafeBufferPointer(start: logits + i * classes, count: classes))) }
        }
        out.loss = labels.isEmpty ? 0 : lossSum / Double(labels.count)
        return out
    }

    /// Every sample's logits and embedding (DDAMFNModel.embeddings). The logits are bit-identical
    /// to `evaluate`'s for the same inputs (same chunks, same passes).
    public static func forwardAll(_ net: DDAMFNModel, inputs: [Float], inputSide: Int) -> (scores: [[Float]], embeddings: [[Float]]) {
        var scores: [[Float]] = [], embeddings: [[Float]] = []
        let classes = net.config.classes
        let buffer = FloatBuffer(count: net.maxBatch * DDAMFNInput.sampleSize)
        forEachChunk(net, inputs: inputs, inputSide: inputSide, buffer: buffer) { _, b, logits in
            for i in 0..<b { scores.append(Array(UnsafeBufferPointer(start: logits + i * classes, count: classes))) }
            embeddings += net.embeddings
        }
        return (scores, embeddings)
    }

    /// Offers the epoch to `choice` when the fold has a validation set: its validation accuracy
    /// (eval mode) decides, the epoch's test logits ride along. True when the epoch was taken.
    func offerValidation(_ choice: inout ValidationChoice, net: DDAMFNModel, data: FoldData, inputSide: Int, batch: FloatBuffer,
                         epoch: Int, testLogits: [[Float]]) -> Bool {
        let count = data.validationLabels.count
        guard count > 0 else { return false }
        let v = evaluate(net, inputs: data.validationInputs, labels: data.validationLabels, inputSide: inputSide, batch: batch)
        return choice.offer(epoch: epoch, accuracy: Double(v.correct) / Double(count), testLogits: testLogits)
    }

    /// The validation set's problems (size, labels, finite values), as `validate` reports the others'.
    func validationSetError(_ data: FoldData, inputSize: Int) -> String? {
        let count = data.validationLabels.count
        if data.validationInputs.count != count * inputSize {
            return "\(data.validationInputs.count) validation input values for \(count) samples of \(inputSize)"
        }
        if let y = data.validationLabels.first(where: { $0 < 0 || $0 >= config.classes }) { return "validation label \(y) outside 0..<\(config.classes)" }
        if let i = data.validationInputs.firstIndex(where: { !$0.isFinite }) { return "non-finite validation input value in sample \(i / inputSize)" }
        return nil
    }

    /// Converts and forwards `inputs` chunk by chunk; `body` gets (first sample, chunk size, logits).
    static func forEachChunk(_ net: DDAMFNModel, inputs: [Float], inputSide: Int, buffer: FloatBuffer,
                             _ body: (Int, Int, UnsafePointer<Float>) -> Void) {
        let inputSize = 3 * inputSide * inputSide, sampleSize = DDAMFNInput.sampleSize
        let count = inputs.count / inputSize
        var start = 0
        inputs.withUnsafeBufferPointer { src in
            while start < count {
                let b = min(net.maxBatch, count - start)
                for i in 0..<b {
                    DDAMFNInput.convert(src.baseAddress! + (start + i) * inputSize, inputSide: inputSide, into: buffer.pointer + i * sampleSize)
                }
                body(start, b, net.forward(images: buffer.pointer, batch: b, training: false))
                start += b
            }
        }
    }
}
