import FoldResults
import Foundation
import Tensor

/// Whole-run parity with the reference training loop (htnet-trajectory.safetensors, fixtures
/// README): from the fixture's initial weights, train its fold for `config.epochs` epochs in a
/// given order and compare every epoch's training loss and test logits, the test predictions and
/// the final weights with the README's tolerances (derived from the fixture's own measured
/// float32-vs-float64 divergence).
public enum TrajectoryParity {
    public struct Measurement: Sendable {
        public let name: String
        public let error: Double
        public let tolerance: Double
        /// For the prediction agreement the measure is a fraction that must be at least the bound.
        public let atLeast: Bool
        public var passed: Bool { atLeast ? error >= tolerance : error <= tolerance }
    }

    public struct Report: Sendable {
        /// The fixture's order whose reference trajectory was compared.
        public let referenceOrder: String
        /// The order this engine trained in.
        public let engineOrder: TrainingOrder
        public let epochs: Int
        public let measurements: [Measurement]
        public var passed: Bool { measurements.allSatisfy(\.passed) }
    }

    /// The fixture's orders and the engine's order that reproduces each.
    public static let orders: [(fixture: String, engine: TrainingOrder)] = [("csv", .csv), ("grouped", .classGrouped)]

    struct Config: Decodable {
        let adam_lr: Float
        let batch: Int
        let epochs: Int
        let measured: [String: Measured]
        struct Measured: Decodable {
            let train_loss_rel_f32_vs_f64_max: Double
            let test_logits_abs_f32_vs_f64_max_per_epoch: [Double]
        }
    }

    /// Trains the fold in `engineOrder` and compares it with the fixture's `referenceOrder` run.
    /// A mismatched pair (e.g. csv against grouped) is how tests show that a wrong order fails.
    public static func run(fixturePath path: String, referenceOrder: String, engineOrder: TrainingOrder,
                           file preloaded: SafeTensorsFile? = nil) throws -> Report {
        let file = try preloaded ?? SafeTensorsFile.read(path: path)
        func bad(_ why: String) -> ParityCheck.Failure { .badFixture(path, why) }
        guard let text = file.metadata["config"], let data = text.data(using: .utf8) else { throw bad("no `config` metadata") }
        let model = try JSONDecoder().decode(HTNetConfig.self, from: data)
        let config: Config
        do { config = try JSONDecoder().decode(Config.self, from: data) } catch { throw bad("config: \(error)") }
        guard let measured = config.measured[referenceOrder] else { throw bad("no measured divergence for order '\(referenceOrder)'") }
        func tensor(_ name: String) throws -> StoredTensor {
            guard let t = file.tensors[name] else { throw bad("missing tensor '\(name)'") }
            return t
        }
        let inputs = try tensor("inputs"), labels = try tensor("labels").integers
        let sampleSize = model.channels * model.imageSize * model.imageSize
        guard inputs.elementCount == labels.count * sampleSize else { throw bad("inputs hold \(inputs.elementCount) values for \(labels.count) samples") }
        let all = inputs.floats
        let testIndex = try tensor("test_index").integers
        let testSet = Set(testIndex)
        // The fold's training samples in dataset order; the trainer applies the order.
        let trainIndex = labels.indices.filter { !testSet.contains($0) }
        func gather(_ rows: [Int]) -> [Float] {
            var out = [Float](); out.reserveCapacity(rows.count * sampleSize)
            for r in rows { out.append(contentsOf: all[(r * sampleSize)..<((r + 1) * sampleSize)]) }
            return out
        }
        let fold = FoldData(trainInputs: gather(trainIndex), trainLabels: trainIndex.map { labels[$0] },
                            testInputs: gather(testIndex), testLabels: testIndex.map { labels[$0] })

        // The order itself: the engine's first-epoch order, as CSV rows, against the fixture's.
        let refOrder = try tensor("\(referenceOrder).train_index").integers
        let ours = FoldTrainer.epochOrder(engineOrder, labels: fold.trainLabels, epoch: 1, seedKeys: [0]).map { trainIndex[$0] }
        let orderAgreement = Double(zip(ours, refOrder).filter { $0 == $1 }.count) / Double(max(1, refOrder.count))

        let layout = ParameterLayout(config: model)
        var trainer = FoldTrainer(model: model, training: TrainingConfig(epochs: config.epochs, batchSize: config.batch,
                                                                          learningRate: config.adam_lr, order: engineOrder),
                                  seedKeys: [0])
        trainer.initialParameters = try Checkpoint.parameters(file, prefix: "param.", layout: layout, source: path)
        var logitsPerEpoch: [[[Float]]] = []
        trainer.testLogitsObserver = { _, logits in logitsPerEpoch.append(logits) }
        var finalWeights: [Float] = []
        let outcome = try trainer.run(fold, finished: { finalWeights = $0.parameters.array })

        let refLoss = try tensor("\(referenceOrder).train_loss").doubles
        let refLogits = try tensor("\(referenceOrder).test_logits").doubles
        let n = testIndex.count, classes = model.numClasses
        guard refLoss.count == config.epochs, refLogits.count == config.epochs * n * classes else {
            throw bad("\(referenceOrder) trajectory has \(refLoss.count) epochs, config says \(config.epochs)")
        }
        var lossError = 0.0, logitExcess = 0.0, worstLogit = 0.0, samePredictions = 0
        for e in 0..<config.epochs {
            lossError = max(lossError, abs(outcome.epochs[e].trainLoss - refLoss[e]) / abs(refLoss[e]))
            let bound = max(0.2, 10 * measured.test_logits_abs_f32_vs_f64_max_per_epoch[e])
            var epochError = 0.0
            for i in 0..<n {
                let ref = (0..<classes).map { refLogits[(e * n + i) * classes + $0] }
                let mine = logitsPerEpoch[e][i].map(Double.init)
                for c in 0..<classes { epochError = max(epochError, abs(mine[c] - ref[c])) }
                if argmax(mine) == argmax(ref) { samePredictions += 1 }
            }
            worstLogit = max(worstLogit, epochError)
            logitExcess = max(logitExcess, epochError / bound)
        }
        var worstWeight = 0.0
        for slot in layout.slots {
            let ref = try tensor("\(referenceOrder).final.\(slot.name)").floats
            var diff = 0.0, norm = 0.0
            for i in 0..<slot.count {
                let d = Double(finalWeights[slot.offset + i]) - Double(ref[i])
                diff += d * d
                norm += Double(ref[i]) * Double(ref[i])
            }
            worstWeight = max(worstWeight, norm > 0 ? (diff / norm).squareRoot() : diff.squareRoot())
        }
        let agreement = Double(samePredictions) / Double(config.epochs * n)
        return Report(referenceOrder: referenceOrder, engineOrder: engineOrder, epochs: config.epochs, measurements: [
            Measurement(name: "training order equals \(referenceOrder).train_index (fraction)", error: orderAgreement, tolerance: 1, atLeast: true),
            Measurement(name: "train loss (max relative error)", error: lossError,
                        tolerance: max(3e-2, 10 * measured.train_loss_rel_f32_vs_f64_max), atLeast: false),
            Measurement(name: "test logits (max abs error / epoch bound)", error: logitExcess, tolerance: 1, atLeast: false),
            Measurement(name: "test predictions equal (fraction)", error: agreement, tolerance: 0.95, atLeast: true),
            Measurement(name: "final weights (max relative L2 per tensor)", error: worstWeight, tolerance: 5e-2, atLeast: false),
        ] + [Measurement(name: "(info) test logits max abs error", error: worstLogit, tolerance: .infinity, atLeast: false)])
    }

    static func argmax(_ v: [Double]) -> Int { v.indices.max { v[$0] < v[$1] || (v[$0] == v[$1] && $0 > $1) }! }

    /// True when the file is a trajectory fixture.
    public static func isTrajectoryFixture(_ file: SafeTensorsFile) -> Bool { file.tensors["csv.train_loss"] != nil || file.tensors["grouped.train_loss"] != nil }
}
