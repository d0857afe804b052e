import FoldResults
import Tensor

/// What a fold's final model gives beyond its test logits: the test embeddings (for the maps and
/// embeddings.csv) and its scores on noisy copies of the test inputs (input-noise robustness).
public struct FinalEvaluation: Equatable, Sendable {
    /// [test sample][embedding width]: HTNet's pooled, LayerNormed top feature, or its projection;
    /// DDAMFN's 512-d vector its `fc` reads (DDAMFNModel.embeddings).
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

extension FinalEvaluation {
    /// The final evaluation of a fold's trained model, whatever its architecture: `forward` maps test
    /// inputs as the dataset composes them ([n, sampleSize], BGR 0..255) to scores and embeddings.
    /// The noisy copies are made on those stored inputs, before any architecture's own input
    /// transform (DDAMFN's resize and normalisation), keyed by [FoldTrainer.inputNoiseStream,
    /// training.noise_seed], the level and each test sample's key (InputNoise): an HTNet and a DDAMFN
    /// variant of one experiment score the very same noisy samples, so their per-level comparison is paired.
    public static func of(_ data: FoldData, sampleSize: Int, training: TrainingConfig,
                          forward: ([Float]) -> (scores: [[Float]], embeddings: [[Float]])) -> FinalEvaluation {
        let clean = forward(data.testInputs)
        let keys = data.testSampleKeys ?? data.testLabels.indices.map { UInt64($0) }
        let noisy = (training.noiseSNR ?? []).map { level -> (level: SNRLevel, scores: [[Float]]) in
            let inputs = InputNoise.noisy(data.testInputs, sampleSize: sampleSize, snrDB: level.decibels,
                                          keys: [FoldTrainer.inputNoiseStream, UInt64(truncatingIfNeeded: training.noiseSeed)],
                                          sampleKeys: keys)
            return (level, forward(inputs).scores)
        }
        return FinalEvaluation(embeddings: clean.embeddings, noisyScores: noisy)
    }
}

extension FoldTrainer {
    /// Stream key of the input noise: noise = DeterministicRNG(keys: [this, noiseSeed, level, sample key]).
    public static let inputNoiseStream: UInt64 = 4

    /// Forward passes of the trained `net` over the clean test inputs and, for each configured SNR
    /// level, over noisy copies of them. Call it from `run`'s `finished` callback.
    public func finalEvaluation(_ net: HTNetModel, data: FoldData) -> FinalEvaluation {
        let sampleSize = model.channels * model.imageSize * model.imageSize
        return FinalEvaluation.of(data, sampleSize: sampleSize, training: training) {
            FoldTrainer.forwardAll(net, inputs: $0, sampleSize: sampleSize, features: data.testFeatures)
        }
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
