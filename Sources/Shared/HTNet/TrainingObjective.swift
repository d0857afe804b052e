import Tensor

/// What a model is trained to minimise, tied to its head: softmax cross-entropy on the classifier's
/// logits, or a metric loss on the embedding and the class vectors in the model's own buffer.
/// Prediction is arg-max of the model's scores either way: of the logits for cross-entropy, of the
/// cosine with each class vector (the nearest proxy / class weight by cosine) for metric losses.
public enum TrainingObjective {
    /// Mean cross-entropy, or the weighted mean sum(w_y nll) / sum(w_y) with class weights.
    case crossEntropy(classWeights: [Float]?)
    case metric(any MetricLoss)

    /// The head a model trained on this objective needs.
    public func head(embeddingSize: Int?) -> ModelHead {
        switch self {
        case .crossEntropy: return .classifier
        case let .metric(loss): return .metric(embeddingSize: embeddingSize, classVectors: loss.classVectorLayout)
        }
    }

    public struct Result {
        public var loss: Double
        /// Samples whose arg-max score equals the label (first index wins ties, like torch.argmax).
        public var correct: Int
    }

    /// The loss of the model's last forward (`batch` samples with `labels`); with `backward`, also
    /// writes every parameter's gradient into `model.gradients` — unless the loss is not finite:
    /// then nothing is propagated (NaN activations would give the max-pool backward arg-maxes that
    /// index out of range) and the caller must stop, as FoldTrainer does.
    public func evaluate(_ model: HTNetModel, labels: UnsafePointer<Int>, batch: Int, backward: Bool) -> Result {
        let classes = model.config.numClasses
        let correct = Self.correctCount(scores: model.scoreBuffer.pointer, labels: labels, batch: batch, classes: classes)
        switch self {
        case let .crossEntropy(weights):
            precondition(model.head == .classifier, "cross-entropy needs the classifier head")
            let dLogits = backward ? FloatBuffer(count: batch * classes) : nil
            let r = SoftmaxCrossEntropy.evaluate(logits: model.scoreBuffer.pointer, labels: labels, batch: batch, classes: classes,
                                                 classWeights: weights, dLogits: dLogits?.pointer)
            if let dLogits, r.loss.isFinite { model.backward(dLogits: dLogits.pointer, batch: batch) }
            return Result(loss: r.loss, correct: correct)
        case let .metric(loss):
            guard let slot = model.classVectorSlot else { preconditionFailure("a metric loss needs a metric head") }
            let width = model.embeddingWidth
            let dEmbeddings = backward ? FloatBuffer(count: batch * width) : nil
            let value = loss.evaluate(embeddings: UnsafePointer(model.embeddings), labels: labels, batch: batch, dim: width,
                                      classes: classes, classVectors: UnsafePointer(model.parameters.pointer + slot.offset),
                                      dEmbeddings: dEmbeddings?.pointer,
                                      dClassVectors: backward ? model.gradients.pointer + slot.offset : nil)
            if let dEmbeddings, value.isFinite { model.backward(dEmbeddings: dEmbeddings.pointer, batch: batch) }
            return Result(loss: value, correct: correct)
        }
    }

    /// Mixup's loss: soft-target cross-entropy on the classifier's logits (`Mixup.softCrossEntropy`),
    /// backward included; `labels` (the unmixed samples' own labels) count the correct predictions.
    public func evaluateSoftTargets(_ model: HTNetModel, targets: [Float], labels: [Int], batch: Int) -> Result {
        guard case .crossEntropy = self, model.head == .classifier else { preconditionFailure("mixup needs cross-entropy") }
        let classes = model.config.numClasses
        let correct = labels.withUnsafeBufferPointer {
            Self.correctCount(scores: model.scoreBuffer.pointer, labels: $0.baseAddress!, batch: batch, classes: classes)
        }
        let dLogits = FloatBuffer(count: batch * classes)
        let loss = targets.withUnsafeBufferPointer {
            Mixup.softCrossEntropy(logits: model.scoreBuffer.pointer, targets: $0.baseAddress!, batch: batch, classes: classes,
                                   dLogits: dLogits.pointer)
        }
        if loss.isFinite { model.backward(dLogits: dLogits.pointer, batch: batch) }
        return Result(loss: loss, correct: correct)
    }

    static func correctCount(scores: UnsafePointer<Float>, labels: UnsafePointer<Int>, batch: Int, classes: Int) -> Int {
        var correct = 0
        for b in 0..<batch {
            let row = scores + b * classes
            var arg = 0
            for j in 1..<classes where row[j] > row[arg] { arg = j }
            if arg == labels[b] { correct += 1 }
        }
        return correct
    }
}
