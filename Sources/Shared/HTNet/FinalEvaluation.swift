import FoldResults
import Tensor

/// What a fold's final model gives beyond its test logits: the test embeddings (for the maps and
/// embeddings.csv) and its scores on noisy copies of the test inputs (input-noise robustness).
public struct FinalEvaluation: Equatable, Sendable {
    /// [test sample][embedding width]: the pooled, LayerNormed top feature, or its projection.
    public var embeddings: [[Float]]
    /// One entry per TrainingConfig.noiseSNR level, in order: scores [test sample][classes]
    /// (logits, or cosines with the class vectors for metric losses).
    public var noisyScores: [(level: SNRLevel, scores: [[Float]])]

    public init(embeddings: [[Float]], noisyScores: [(level: SNRLevel, scores: [[Float]])]) {
        self.embeddings = embeddings
        self.noisyScores = noisyScores
    }

    public static func == (a: FinalEvaluation, b: FinalEvaluation) -> Bool {
        a.embeddings == b.embeddings && a.noisyScores.count == b.noisyScores.count
            && zip(a.noisyScores, b.noisyScores).allSatisfy { $0.level == $1.level && $0.scores == $1.scores }
    }
}

extension FoldTrainer {
    /// Stream key of the input noise: noise = DeterministicRNG(keys: [this, noiseSeed, level, sample key]).
    static let inputNoiseStream: UInt64 = 4

    /// Forward passes of the trained `net` over the clean test inputs and, for each configured SNR
    /// level, over noisy copies of them. Call it from `run`'s `finished` callback.
    public func finalEvaluation(_ net: HTNetModel, data: FoldData) -> FinalEvaluation {
        let sampleSize = model.channels * model.imageSize * model.imageSize
        let clean = FoldTrainer.forwardAll(net, inputs: data.testInputs, sampleSize: sampleSize, features: data.testFeatures)
        let keys = data.testSampleKeys ?? data.testLabels.indices.map { UInt64($0) }
        let noisy = (training.noiseSNR ?? []).map { level -> (level: SNRLevel, scores: [[Float]]) in
            let inputs = InputNoise.noisy(data.testInputs, sampleSize: sampleSize, snrDB: level.decibels,
                                          keys: [FoldTrainer.inputNoiseStream, UInt64(truncatingIfNeeded: training.noiseSeed)],
                                          sampleKeys: keys)
            return (level, FoldTrainer.forwardAll(net, inputs: inputs, sampleSize: sampleSize, features: data.testFeatures).scores)
        }
        return FinalEvaluation(embeddings: clean.embeddings, noisyScores: noisy)
    }

    /// Scores and embeddings of every sample, forward passes only, in chunks of the model's batch.
    /// `features` [n, F]: the samples' standardised features (fused models; noise touches images only).
    public static func forwardAll(_ net: HTNetModel, inputs: [Float], sampleSize: Int,
                                  features: [Float]? = nil) -> (scores: [[Float]], embeddings: [[Float]]) {
        let classes = net.config.numClasses, width = net.embeddingWidth, count = inputs.count / sampleSize
        let featureCount = net.fusion?.featureCount ?? 0, features = features ?? []
        var scores: [[Float]] = [], embeddings: [[Float]] = []
        var start = 0
        inputs.withUnsafeBufferPointer { src in
            while start < count {
                let b = min(net.maxBatch, count - start)
                let out = features.withUnsafeBufferPointer { f in
                    net.forward(images: src.baseAddress! + start * sampleSize,
                                features: featureCount > 0 ? f.baseAddress! + start * featureCount : nil, batch: b)
                }
                for i in 0..<b {
                    scores.append(Array(UnsafeBufferPointer(start: out + i * classes, count: classes)))
                    embeddings.append(Array(UnsafeBufferPointer(start: net.embeddings + i * width, count: width)))
                }
                start += b
            }
        }
        return (scores, embeddings)
    }
}
