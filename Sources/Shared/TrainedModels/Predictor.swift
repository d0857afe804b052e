import Dataset
import DDAMFN
import Foundation
import HTNet
import Tensor

/// One sample's prediction: class probabilities (softmax of the scores; for metric heads, of the
/// cosines with the class vectors) and the predicted class.
public struct SamplePrediction: Equatable, Sendable {
    public var sample: String
    public var subject: String
    public var dataset: String
    public var label: Int
    /// The fold whose model predicted it (per-fold mode), the checkpoint's fold, or "ensemble".
    public var fold: String
    /// The model's scores (one model only; nil for an ensemble, which averages probabilities).
    public var logits: [Float]?
    public var probabilities: [Double]
    public var prediction: Int
}

/// Forward passes of trained models over composed inputs.
public enum Predictor {
    /// Scores [sample][class] of the samples at `indices` of `data` (all when nil), in chunks of the
    /// model's evaluation batch, so a fold's own test samples get exactly the logits its training
    /// journalled. A fused model reads the samples' handcrafted features, standardised as in training.
    public static func scores(_ model: TrainedModel, data: ComposedDataset, at indices: [Int]? = nil) throws -> [[Float]] {
        let indices = indices ?? Array(data.samples.indices)
        var features: [Float]?
        if case let .htnet(w) = model.weights { features = try w.fusedFeatures?.rows(of: data.handcrafted, at: indices, source: model.source) }
        return scores(model, inputs: data.inputs(at: indices), inputSide: data.imageSize, standardisedFeatures: features)
    }

    /// Scores of composed inputs [n, channels, side, side]; a fused model also needs the samples'
    /// feature rows, already standardised (FusedFeatureInput.rows). DDAMFN runs in eval mode (running
    /// statistics) on each image resized from `inputSide` to 112 and normalised as in training.
    public static func scores(_ model: TrainedModel, inputs: [Float], inputSide: Int, standardisedFeatures: [Float]? = nil) -> [[Float]] {
        switch model.weights {
        case let .htnet(w):
            let sampleSize = w.config.channels * w.config.imageSize * w.config.imageSize
            return FoldTrainer.forwardAll(w.network(maxBatch: model.evaluationBatch), inputs: inputs, sampleSize: sampleSize,
                                          features: standardisedFeatures).scores
        case let .ddamfn(w):
            return DDAMFNInference.scores(w.network(maxBatch: model.evaluationBatch), inputs: inputs, inputSide: inputSide)
        }
    }

    /// Softmax in float64 (max-subtracted).
    public static func softmax(_ scores: [Float]) -> [Double] {
        let m = Double(scores.max() ?? 0)
        let e = scores.map { exp(Double($0) - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    /// Index of the largest value; ties go to the lower class index (as the journal's argmax).
    public static func argmax<T: Comparable>(_ values: [T]) -> Int {
        var best = 0
        for i in values.indices where values[i] > values[best] { best = i }
        return best
    }

    /// Refuses data the model was not trained for: another class set, another input shape or composition.
    public static func check(_ model: TrainedModel, fits data: ComposedDataset, dataPath: String) throws {
        if let m = model.metadata, m.classNames != data.classNames {
            throw FileError(path: model.source, problem: "class set mismatch: the model was trained on \(m.classNames) (label order), "
                                  + "\(dataPath) has \(data.classNames)")
        }
        let architecture = model.architecture
        if architecture.classCount != data.classNames.count {
            throw FileError(path: model.source, problem: "the model (\(architecture.description)) has \(architecture.classCount) classes, "
                                  + "\(dataPath) has \(data.classNames.count) (\(data.classNames))")
        }
        switch model.weights {
        case let .htnet(w):
            if w.config.imageSize != data.imageSize || w.config.channels != data.channels {
                throw FileError(path: model.source, problem: "config mismatch: the model takes \(w.config.channels)x\(w.config.imageSize)x\(w.config.imageSize) inputs, "
                                      + "\(dataPath) has \(data.channels)x\(data.imageSize)x\(data.imageSize)")
            }
            if let fused = w.fusedFeatures { _ = try fused.rows(of: data.handcrafted, at: [], source: model.source) }
        case .ddamfn:
            if data.channels != 3 {
                throw FileError(path: model.source, problem: "config mismatch: the model (\(architecture.description)) takes 3-channel images, "
                                      + "\(dataPath) has \(data.channels)x\(data.imageSize)x\(data.imageSize)")
            }
        }
        if let m = model.metadata, m.inputComposition.crop != data.manifest.options.crop {
            throw FileError(path: model.source, problem: "input composition mismatch: the model was trained on crop rule '\(m.inputComposition.crop.rawValue)', "
                                  + "\(dataPath) was composed with '\(data.manifest.options.crop.rawValue)'")
        }
    }

    /// Models meant to be averaged must agree on classes, configuration and composition.
    public static func checkCompatible(_ models: [TrainedModel]) throws {
        guard let first = models.first else { return }
        for m in models.dropFirst() {
            var sameHead = true
            if case let .htnet(a) = m.weights, case let .htnet(b) = first.weights { sameHead = a.head == b.head }
            if m.architecture != first.architecture || !sameHead {
                throw FileError(path: m.source, problem: "config mismatch with \(first.source): \(m.architecture.description) vs \(first.architecture.description)")
            }
            if m.metadata?.classNames != first.metadata?.classNames {
                throw FileError(path: m.source, problem: "class set mismatch with \(first.source): \(m.metadata?.classNames ?? []) vs \(first.metadata?.classNames ?? [])")
            }
            if m.fusedFeatures?.columns != first.fusedFeatures?.columns {
                throw FileError(path: m.source, problem: "fused feature columns differ from \(first.source)")
            }
            if m.metadata?.inputComposition != first.metadata?.inputComposition {
                throw FileError(path: m.source, problem: "input composition differs from \(first.source)")
            }
        }
    }

    /// Every sample of `data` through one model, or through several averaged by mean probability.
    public static func predict(_ models: [TrainedModel], data: ComposedDataset) throws -> [SamplePrediction] {
        let all = try models.map { try scores($0, data: data) }
        return data.samples.enumerated().map { i, s in
            if models.count == 1 {
                let l = all[0][i]
                return SamplePrediction(sample: s.id, subject: s.subject, dataset: s.dataset, label: s.label,
                                        fold: models[0].metadata?.fold ?? "", logits: l, probabilities: softmax(l), prediction: argmax(l))
            }
            var mean = [Double](repeating: 0, count: all[0][i].count)
            for m in all { for (c, p) in softmax(m[i]).enumerated() { mean[c] += p / Double(models.count) } }
            return SamplePrediction(sample: s.id, subject: s.subject, dataset: s.dataset, label: s.label,
                                    fold: "ensemble of \(models.count)", logits: nil, probabilities: mean, prediction: argmax(mean))
        }
    }

    /// CSV: sample, subject, dataset, label, fold, prediction, then p_<class> and (one model) logit_<class>.
    /// Floats in their shortest round-trip form, so logits read back bit-identical.
    public static func csv(_ rows: [SamplePrediction], classNames: [String]) -> String {
        let withLogits = rows.contains { $0.logits != nil }
        var header = ["sample", "subject", "dataset", "label", "fold", "prediction"] + classNames.map { "p_\($0)" }
        if withLogits { header += classNames.map { "logit_\($0)" } }
        var out = header.map(field).joined(separator: ",") + "\n"
        for r in rows {
            var cells = [r.sample, r.subject, r.dataset, String(r.label), r.fold, String(r.prediction)]
            cells += r.probabilities.map { "\($0)" }
            if withLogits { cells += (r.logits ?? []).map { "\($0)" } }
            out += cells.map(field).joined(separator: ",") + "\n"
        }
        return out
    }

    static func field(_ s: String) -> String {
        s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
