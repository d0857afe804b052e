import Foundation
import Tensor

/// Compares this engine with a reference dump of the PyTorch HTNet (shared/fixtures format):
/// forward logits and loss, every parameter gradient, and 3 Adam steps on the same batch.
/// Tolerances are those of the fixtures' README.
public struct ParityCheck {
    public struct Measurement: Sendable {
        public let name: String
        public let error: Double
        public let tolerance: Double
        public var passed: Bool { error <= tolerance }
    }

    public struct Report: Sendable {
        public let config: HTNetConfig
        public let measurements: [Measurement]
        /// The gradient tensor with the largest error, for diagnosis.
        public let worstGradient: String
        public var passed: Bool { measurements.allSatisfy(\.passed) }
    }

    public enum Failure: Error, CustomStringConvertible {
        case badFixture(String, String)
        public var description: String {
            switch self { case let .badFixture(path, why): return "\(path): \(why)" }
        }
    }

    public static func run(fixturePath path: String) throws -> Report {
        let file = try SafeTensorsFile.read(path: path)
        guard let configText = file.metadata["config"], let configData = configText.data(using: .utf8) else {
            throw Failure.badFixture(path, "no `config` entry in the header metadata")
        }
        let config = try JSONDecoder().decode(HTNetConfig.self, from: configData)
        let errors = config.validationErrors()
        guard errors.isEmpty else { throw Failure.badFixture(path, "config: " + errors.joined(separator: "; ")) }
        struct Extra: Decodable { let adam_lr: Float? }
        let lr = (try? JSONDecoder().decode(Extra.self, from: configData))?.adam_lr ?? 1e-3
        func tensor(_ name: String) throws -> StoredTensor {
            guard let t = file.tensors[name] else { throw Failure.badFixture(path, "missing tensor '\(name)'") }
            return t
        }
        let input = try tensor("input")
        let labels = try tensor("labels").integers
        let batch = labels.count
        guard input.shape == [batch, config.channels, config.imageSize, config.imageSize] else {
            throw Failure.badFixture(path, "input has shape \(input.shape), expected [\(batch), \(config.channels), \(config.imageSize), \(config.imageSize)]")
        }
        let images = input.floats
        let model = HTNetModel(config: config, maxBatch: batch)
        try Checkpoint.load(file, prefix: "param.", into: model, source: path)
        let dLogits = FloatBuffer(count: batch * config.numClasses)

        // Forward, loss, backward.
        let logits = images.withUnsafeBufferPointer { model.forward(images: $0.baseAddress!, batch: batch) }
        let loss = labels.withUnsafeBufferPointer {
            SoftmaxCrossEntropy.evaluate(logits: logits, labels: $0.baseAddress!, batch: batch, classes: config.numClasses,
                                         dLogits: dLogits.pointer).loss
        }
        let refLogits = try tensor("logits").floats
        var logitError: Double = 0
        for i in 0..<refLogits.count { logitError = max(logitError, Double(abs(logits[i] - refLogits[i]))) }
        let lossError = abs(loss - Double(try tensor("loss").floats[0]))
        model.backward(dLogits: dLogits.pointer, batch: batch)

        var gradError: Double = 0, largestGrad: Double = 0, worst = ""
        for slot in model.layout.slots {
            let ref = try tensor("grad." + slot.name).floats
            guard ref.count == slot.count else { throw Failure.badFixture(path, "grad.\(slot.name) has \(ref.count) values, expected \(slot.count)") }
            for i in 0..<slot.count {
                largestGrad = max(largestGrad, Double(abs(ref[i])))
                let e = Double(abs(model.gradients[slot.offset + i] - ref[i]))
                if e > gradError { gradError = e; worst = slot.name }
            }
        }

        // Three Adam steps from the initial weights.
        let adam = AdamOptimizer(parameterCount: model.layout.count, learningRate: lr)
        var adamLosses: [Double] = []
        for _ in 0..<3 {
            let out = images.withUnsafeBufferPointer { model.forward(images: $0.baseAddress!, batch: batch) }
            let l = labels.withUnsafeBufferPointer {
                SoftmaxCrossEntropy.evaluate(logits: out, labels: $0.baseAddress!, batch: batch, classes: config.numClasses,
                                             dLogits: dLogits.pointer).loss
            }
            adamLosses.append(l)
            model.backward(dLogits: dLogits.pointer, batch: batch)
            adam.update(parameters: model.parameters, gradients: model.gradients)
        }
        let refAdamLosses = try tensor("adam3_losses").floats
        var adamLossError: Double = 0
        for i in 0..<3 { adamLossError = max(adamLossError, abs(adamLosses[i] - Double(refAdamLosses[i]))) }
        var adamWeightError: Double = 0
        for slot in model.layout.slots {
            let ref = try tensor("adam3." + slot.name).floats
            for i in 0..<slot.count { adamWeightError = max(adamWeightError, Double(abs(model.parameters[slot.offset + i] - ref[i]))) }
        }
        return Report(config: config, measurements: [
            Measurement(name: "logits (max abs)", error: logitError, tolerance: 1e-4),
            Measurement(name: "loss (abs)", error: lossError, tolerance: 1e-5),
            Measurement(name: "gradients (max abs)", error: gradError, tolerance: 1e-4 * largestGrad),
            Measurement(name: "adam3 losses (max abs)", error: adamLossError, tolerance: 1e-3),
            Measurement(name: "adam3 weights (max abs)", error: adamWeightError, tolerance: 5 * Double(lr)),
        ], worstGradient: worst)
    }
}
