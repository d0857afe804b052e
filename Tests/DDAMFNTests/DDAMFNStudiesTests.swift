@testable import DDAMFN
import FoldResults
import Tensor
import XCTest

/// DDAMFN in the studies: the embedding is the 512-d vector `fc` reads (recomputed here from the
/// feature map, the heads' maps and the `linear` ConvBN's weights), and the validation-selected
/// epoch is the last epoch of best validation accuracy on a recorded trajectory.
final class DDAMFNStudiesTests: XCTestCase {
    let config = DDAMFNConfig(classes: 3, heads: 2, conv4Blocks: 0)

    /// Random weights whose running statistics have moved (three train-mode passes), so the eval
    /// mode's normalisation is not the identity.
    func trainedLookingModel(maxBatch: Int) -> DDAMFNModel {
        let net = DDAMFNModel(config: config, maxBatch: maxBatch)
        var rng = DeterministicRNG(seed: 11)
        net.initialise(rng: &rng)
        let images = (0..<(maxBatch * DDAMFNInput.sampleSize)).map { _ in rng.normal() }
        for _ in 0..<3 { images.withUnsafeBufferPointer { _ = net.forward(images: $0.baseAddress!, batch: maxBatch, training: true) } }
        return net
    }

    func testEmbeddingIsTheLinearBlocksOutputThatTheClassifierReads() throws {
        let net = trainedLookingModel(maxBatch: 4)
        var rng = DeterministicRNG(seed: 12)
        let side = 28, count = 5   // two chunks: 4 + 1
        let inputs = (0..<(count * 3 * side * side)).map { _ in rng.uniform(0, 255) }
        let all = DDAMFNFoldTrainer.forwardAll(net, inputs: inputs, inputSide: side)
        XCTAssertEqual(all.embeddings.count, count)
        XCTAssertTrue(all.embeddings.allSatisfy { $0.count == 512 && $0.allSatisfy(\.isFinite) })
        // The same logits as the per-epoch evaluation, bit for bit.
        let trainer = DDAMFNFoldTrainer(config: config, settings: DDAMFNTrainingSettings(epochs: 1, batchSize: 4), seedKeys: [1])
        let evaluation = trainer.evaluate(net, inputs: inputs, labels: [0, 1, 2, 0, 1], inputSide: side,
                                          batch: FloatBuffer(count: 4 * DDAMFNInput.sampleSize))
        XCTAssertEqual(evaluation.logits, all.scores)

        let p = net.parameters.array, stats = net.statistics.array
        func offset(_ name: String) throws -> Int { try XCTUnwrap(net.table.parameter(named: name)).offset }
        let conv = try offset("linear.conv.weight"), gamma = try offset("linear.bn.weight"), beta = try offset("linear.bn.bias")
        let fcWeight = try offset("fc.weight"), fcBias = try offset("fc.bias")
        let bn = try XCTUnwrap(net.table.batchNorms.first { $0.prefix == "linear.bn" })
        let image = FloatBuffer(count: DDAMFNInput.sampleSize)
        var largest: Float = 0
        for s in 0..<count {
            // A direct batch-of-one eval forward: F, the heads' maps, then the reference's arithmetic in float64.
            inputs.withUnsafeBufferPointer { DDAMFNInput.convert($0.baseAddress! + s * 3 * side * side, inputSide: side, into: image.pointer) }
            _ = net.forward(images: image.pointer, batch: 1, training: false)
            let f = net.featureMap, maps = [net.headMap(0), net.headMap(1)]
            for c in 0..<512 {
                var pooled = 0.0
                for q in 0..<49 {
                    let i = c * 49 + q
                    pooled += Double(p[conv + i]) * Double(f[i]) * Double(max(maps[0][i], maps[1][i]))
                }
                let mean = Double(stats[bn.offset + c]), variance = Double(stats[bn.offset + 512 + c])
                let expected = (pooled - mean) / (variance + 1e-5).squareRoot() * Double(p[gamma + c]) + Double(p[beta + c])
                XCTAssertEqual(Double(all.embeddings[s][c]), expected, accuracy: 1e-6 + 1e-4 * abs(expected), "sample \(s), channel \(c)")
                largest = max(largest, abs(all.embeddings[s][c]))
            }
            // The classifier reads exactly this vector: logits = fc.weight x embedding + fc.bias.
            for k in 0..<3 {
                var logit = Double(p[fcBias + k])
                for c in 0..<512 { logit += Double(p[fcWeight + k * 512 + c]) * Double(all.embeddings[s][c]) }
                XCTAssertEqual(Double(all.scores[s][k]), logit, accuracy: 1e-6 + 1e-4 * abs(logit))
            }
        }
        XCTAssertGreaterThan(largest, 0.01, "a non-trivial embedding")
        XCTAssertNotEqual(all.embeddings[0], all.embeddings[1])
    }

    func testValidationChoiceTakesTheLaterOfTiedEpochs() {
        var choice = ValidationChoice()
        for (epoch, accuracy) in [0.5, 0.75, 0.5, 0.75, 0.25].enumerated() {
            choice.offer(epoch: epoch + 1, accuracy: accuracy, testLogits: [[Float(epoch + 1)]])
        }
        XCTAssertEqual(choice, ValidationChoice(epoch: 4, accuracy: 0.75, testLogits: [[4]]))
    }

    /// FoldProductsData's set with more noise (standard deviation 60), so a few epochs do not separate it.
    func tinySet(count: Int, seed: UInt64) -> (inputs: [Float], labels: [Int]) {
        FoldProductsData.tinySet(count: count, seed: seed, noise: 60)
    }

    /// The validation-selected epoch checked by hand: a twin run whose test set IS the validation set
    /// records the validation accuracy of every epoch (training does not read the test or validation
    /// set, so both runs train the same weights); the chosen epoch is the last of the best, and its
    /// logits are the test logits seen after that epoch. Corrupted test labels do not move it.
    func testValidationSelectedEpochIsTheLastBestOnTheTrajectory() throws {
        let train = tinySet(count: 9, seed: 1), test = tinySet(count: 3, seed: 2), validation = tinySet(count: 6, seed: 3)
        let settings = DDAMFNTrainingSettings(epochs: 3, batchSize: 4, learningRate: 0.01, shuffle: true,
                                              augmentation: DDAMFNAugmentation(crop: false, flip: true, erasing: false))
        var trainer = DDAMFNFoldTrainer(config: config, settings: settings, seedKeys: [7, 8, 9])
        var testLogits: [Int: [[Float]]] = [:]
        trainer.testLogitsObserver = { testLogits[$0] = $1 }
        let data = FoldData(trainInputs: train.inputs, trainLabels: train.labels, testInputs: test.inputs, testLabels: test.labels,
                            validationInputs: validation.inputs, validationLabels: validation.labels)
        let outcome = try trainer.run(data)
        let twin = try DDAMFNFoldTrainer(config: config, settings: settings, seedKeys: [7, 8, 9])
            .run(FoldData(trainInputs: train.inputs, trainLabels: train.labels, testInputs: validation.inputs, testLabels: validation.labels))
        XCTAssertEqual(twin.epochs.map(\.trainLoss), outcome.epochs.map(\.trainLoss))
        let trajectory = twin.epochs.map(\.testAccuracy)
        let best = trajectory.max()!
        let expected = trajectory.lastIndex(of: best)! + 1
        XCTAssertEqual(outcome.validationEpoch, expected, "validation accuracy per epoch \(trajectory)")
        XCTAssertEqual(outcome.validationLogits, testLogits[expected])
        XCTAssertEqual(outcome.logits(for: .validation), testLogits[expected])

        var corrupted = data
        corrupted.testLabels = test.labels.map { ($0 + 1) % 3 }
        let other = try DDAMFNFoldTrainer(config: config, settings: settings, seedKeys: [7, 8, 9]).run(corrupted)
        XCTAssertEqual(other.validationEpoch, outcome.validationEpoch)
        XCTAssertEqual(other.validationLogits, outcome.validationLogits)
        XCTAssertNil(twin.validationEpoch, "no validation set, no validation epoch")
        XCTAssertEqual(twin.logits(for: .validation), twin.finalLogits)

        var bad = data
        bad.validationLabels[0] = 5
        XCTAssertThrowsError(try trainer.run(bad)) { XCTAssertTrue("\($0)".contains("validation label 5"), "\($0)") }
    }
}
