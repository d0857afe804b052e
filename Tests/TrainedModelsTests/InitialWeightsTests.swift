import FoldResults
import Foundation
import HTNet
import Tensor
import XCTest
@testable import TrainedModels

/// init_from's resolution and the trainer's fresh head: every parameter but the class head comes
/// from the checkpoint bit for bit; the head is what a fresh model of the task would draw.
final class InitialWeightsTests: XCTestCase {
    let source = HTNetConfig(dim: 8, heads: 2, blockRepeats: [1, 1, 1], numClasses: 3)

    private func checkpoint() -> (SafeTensorsFile, [Float]) {
        let layout = ParameterLayout(config: source)
        let values = (0..<layout.count).map { Float(($0 * 37) % 101) / 50 - 1 }
        return (KeptCheckpoints.file(parameters: values, layout: layout, metadata: [:]), values)
    }

    func testAnotherClassCountKeepsEverythingButTheHead() throws {
        let (file, values) = checkpoint()
        let target = HTNetConfig(dim: 8, heads: 2, blockRepeats: [1, 1, 1], numClasses: 6)
        let (parameters, fresh) = try InitialWeights.resolve(file, source: "pre.safetensors", target: target, head: .classifier)
        XCTAssertEqual(fresh, ["mlp_head.2.weight", "mlp_head.2.bias"])
        let from = ParameterLayout(config: source), to = ParameterLayout(config: target)
        for slot in to.slots where !fresh.contains(slot.name) {
            let s = from[slot.name]
            XCTAssertEqual(Array(parameters[slot.offset..<(slot.offset + slot.count)]), Array(values[s.offset..<(s.offset + s.count)]), slot.name)
        }
        // Same class count: nothing fresh, the checkpoint as it is.
        let same = try InitialWeights.resolve(file, source: "pre.safetensors", target: source, head: .classifier)
        XCTAssertEqual(same.fresh, [])
        XCTAssertEqual(same.parameters, values)
        // Another depth or width: named errors.
        XCTAssertThrowsError(try InitialWeights.resolve(file, source: "pre.safetensors", target: HTNetConfig(dim: 8, heads: 2, blockRepeats: [1, 1, 2]), head: .classifier)) {
            XCTAssertTrue("\($0)".contains("no tensor 'layers.2.0.layers.1.0.norm.g'"), "\($0)")
        }
        XCTAssertThrowsError(try InitialWeights.resolve(file, source: "pre.safetensors", target: HTNetConfig(dim: 8, heads: 2, blockRepeats: [1, 1, 1], mlpMult: 2), head: .classifier)) {
            XCTAssertTrue("\($0)".contains("fn.net.0.weight") && "\($0)".contains("only the head above the embedding may differ"), "\($0)")
        }
    }

    /// Fine-tuning into and out of a fused model: the backbone always comes from the file; the
    /// classifier and the fusion are each taken whole when their shapes agree and drawn whole otherwise.
    func testAFusedTargetTakesTheBackboneAndDrawsWhatTheFileLacks() throws {
        let (plainFile, values) = checkpoint()
        let gated = FusionSpec(kind: .gated, width: 16, featureCount: 11)
        var fusedConfig = HTNetConfig(dim: 8, heads: 2, blockRepeats: [1, 1, 1], numClasses: 3)
        fusedConfig.fusion = .gated
        fusedConfig.fusionWidth = 16
        let fusedLayout = ParameterLayout(config: fusedConfig, fusion: gated)
        let fusionSlots = fusedLayout.slots.map(\.name).filter { $0.hasPrefix("fusion.") }
        XCTAssertFalse(fusionSlots.isEmpty)
        // Plain file -> gated model: the classifier reads the fused width (16), so it and the fusion are fresh.
        let into = try InitialWeights.resolve(plainFile, source: "plain", target: fusedConfig, head: .classifier, fusion: gated)
        XCTAssertEqual(Set(into.fresh), Set(["mlp_head.2.weight", "mlp_head.2.bias"] + fusionSlots))
        let plain = ParameterLayout(config: source)
        for slot in fusedLayout.slots where !into.fresh.contains(slot.name) {
            let s = plain[slot.name]
            XCTAssertEqual(Array(into.parameters[slot.offset..<(slot.offset + slot.count)]), Array(values[s.offset..<(s.offset + s.count)]), slot.name)
        }
        // Gated file -> gated model: everything taken.
        let fusedValues = (0..<fusedLayout.count).map { Float(($0 * 13) % 89) / 40 - 1 }
        let fusedFile = KeptCheckpoints.file(parameters: fusedValues, layout: fusedLayout, metadata: [:])
        let same = try InitialWeights.resolve(fusedFile, source: "gated", target: fusedConfig, head: .classifier, fusion: gated)
        XCTAssertEqual(same.fresh, [])
        XCTAssertEqual(same.parameters, fusedValues)
        // Gated file -> plain model: the fusion is not used, the classifier (16 inputs there) is drawn whole, bias included.
        let out = try InitialWeights.resolve(fusedFile, source: "gated", target: source, head: .classifier)
        XCTAssertEqual(out.fresh, ["mlp_head.2.weight", "mlp_head.2.bias"])
        XCTAssertEqual(out.parameters.count, plain.count)
    }

    func testTheTrainerDrawsTheFreshHeadFromTheTasksStream() throws {
        let (file, _) = checkpoint()
        let target = HTNetConfig(dim: 8, heads: 2, blockRepeats: [1, 1, 1], numClasses: 6)
        let (parameters, fresh) = try InitialWeights.resolve(file, source: "pre", target: target, head: .classifier)
        let start = StartingWeights.splitmix(keys: [9, 9, 9])
        var trainer = FoldTrainer(model: target, training: TrainingConfig(epochs: 1, batchSize: 4, learningRate: 1e-12), seedKeys: [1], start: start)
        trainer.initialParameters = parameters
        trainer.freshSlots = Set(fresh)
        var rng = DeterministicRNG(seed: 3)
        let size = 3 * 28 * 28
        let data = FoldData(trainInputs: (0..<(4 * size)).map { _ in rng.normal() }, trainLabels: [0, 1, 2, 5],
                            testInputs: (0..<size).map { _ in rng.normal() }, testLabels: [3])
        var initial: [Float] = []
        trainer.bestTestWeightsObserver = { _, _ in }
        _ = try trainer.run(data, finished: { net in initial = Array(UnsafeBufferPointer(start: net.parameters.pointer, count: net.layout.count)) })
        let reference = HTNetModel(config: target, maxBatch: 1)
        start.initialise(reference)
        let layout = ParameterLayout(config: target)
        // lr 1e-12 leaves every weight within rounding of its start: compare loosely but tightly enough.
        for slot in layout.slots {
            let got = initial[slot.offset..<(slot.offset + slot.count)]
            let want = fresh.contains(slot.name) ? Array(UnsafeBufferPointer(start: reference.parameters.pointer + slot.offset, count: slot.count))
                                                 : Array(parameters[slot.offset..<(slot.offset + slot.count)])
            let worst = zip(got, want).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(worst, 1e-6, "\(slot.name): \(fresh.contains(slot.name) ? "fresh from the task's stream" : "from the checkpoint")")
        }
    }
}
