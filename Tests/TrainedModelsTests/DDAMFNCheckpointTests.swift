import DDAMFN
import Dataset
import FoldResults
import Foundation
import HTNet
import Tensor
import TestSupport
import XCTest
@testable import TrainedModels

/// DDAMFN checkpoints: kept ones round-trip with their metadata (arch ddamfn) under DDAMN's
/// state-dict names; a bare state dict needs `--config` with `"arch": "ddamfn"`; an HTNet
/// configuration for DDAMFN weights (and the reverse) is refused naming both; `init_from` checks
/// names and shapes, draws another class count's head and a backbone-only file's missing tensors
/// fresh, and reads a MixFeatureNet state dict as the backbone.
final class DDAMFNCheckpointTests: XCTestCase {
    let config = DDAMFNConfig(classes: 3, heads: 2, conv4Blocks: 0)

    func state(_ config: DDAMFNConfig, seed: UInt64) -> [Float] {
        let model = DDAMFNModel(config: config, maxBatch: 1)
        var rng = DeterministicRNG(seed: seed)
        model.initialise(rng: &rng)
        for i in 0..<model.statistics.count { model.statistics[i] = rng.uniform(0.5, 1.5) }
        for bn in model.table.batchNorms { model.batchesTracked[bn.counter] = 7 }
        return model.exportState()
    }

    func metadata(_ config: DDAMFNConfig) -> CheckpointMetadata {
        CheckpointMetadata(experimentName: "fer", experimentIdentity: "0123456789abcdef", variant: "v", seed: 2, fold: "k1",
                           testSubjects: ["S01"], epoch: 3, selection: .final, classNames: ["a", "b", "c"],
                           inputComposition: InputComposition(crop: .reference, imageSize: 112, channels: 3),
                           model: .ddamfn(config), training: TrainingConfig(epochs: 3, batchSize: 8), datasetSHA256: "ee", evaluationBatch: 8)
    }

    func testKeptDDAMFNCheckpointsRoundTripWithTheirMetadata() throws {
        let directory = try temporaryDirectory(self)
        let store = KeptCheckpoints(runDirectory: directory)
        let values = state(config, seed: 1)
        let path = try store.write(taskID: "v/2/k1", parameters: values, metadata: metadata(config))
        let file = try SafeTensorsFile.read(path: path)
        XCTAssertEqual(file.metadata["arch"], "ddamfn")
        XCTAssertEqual(file.metadata["config"], "{\"conv4_blocks\":0,\"num_classes\":3,\"num_heads\":2}")
        XCTAssertEqual(file["features.8.bn.running_var"]?.shape, [512])
        XCTAssertEqual(file["cat_head1.CoordinateAttention.conv1.weight"]?.dtype, .f32)
        XCTAssertEqual(file["fc.bias"]?.shape, [3])
        XCTAssertEqual(file["bn.num_batches_tracked"]?.integers, [7])
        let back = try TrainedModel.load(path: path)
        XCTAssertEqual(back.metadata, metadata(config))
        guard case let .ddamfn(w) = back.weights else { return XCTFail("loaded as \(back.architecture)") }
        XCTAssertEqual(w.config, config)
        XCTAssertEqual(w.state, values)
        XCTAssertEqual(back.evaluationBatch, 8)
        XCTAssertThrowsError(try back.htnet(for: "the HTNet gallery")) { XCTAssertTrue("\($0)".contains("the HTNet gallery takes HTNet models; this is DDAMFN"), "\($0)") }
        XCTAssertThrowsError(try store.write(taskID: "v/2/k1", parameters: [1, 2], metadata: metadata(config))) {
            XCTAssertTrue("\($0)".contains("2 trained values, the DDAMFN model's state holds"), "\($0)")
        }
    }

    func testABareStateDictNeedsItsArchitectureAndAMismatchNamesBoth() throws {
        let bare = DDAMFNStateLayout(config: config).file(state: state(config, seed: 2))
        XCTAssertThrowsError(try TrainedModel.load(bare, source: "torch.safetensors")) { XCTAssertTrue("\($0)".contains("\"arch\": \"ddamfn\""), "\($0)") }
        let given = try TrainedArchitecture.parse(json: "{\"arch\": \"ddamfn\", \"num_classes\": 3, \"conv4_blocks\": 0}")
        XCTAssertEqual(given, .ddamfn(config))
        guard case .ddamfn = try TrainedModel.load(bare, source: "torch.safetensors", config: given).weights else { return XCTFail() }
        let htnet = try TrainedArchitecture.parse(json: "{\"dim\": 8, \"heads\": 2, \"block_repeats\": [1, 1, 1]}")
        XCTAssertThrowsError(try TrainedModel.load(bare, source: "torch.safetensors", config: htnet)) {
            XCTAssertTrue("\($0)".contains("architecture mismatch: the file's tensors are DDAMFN's (features.*), --config describes HTNet: dim 8"), "\($0)")
        }
        // A kept DDAMFN checkpoint with an HTNet --config, and a kept HTNet checkpoint with a DDAMFN one.
        var kept = bare
        kept.metadata = metadata(config).strings
        XCTAssertThrowsError(try TrainedModel.load(kept, source: "kept.safetensors", config: htnet)) {
            XCTAssertTrue("\($0)".contains("the file holds a model of DDAMFN: 2 heads, conv4_blocks 0, 3 classes") && "\($0)".contains("--config describes HTNet"), "\($0)")
        }
        let htnetConfig = HTNetConfig(dim: 8, heads: 2, blockRepeats: [1, 1, 1])
        let layout = ParameterLayout(config: htnetConfig)
        let htnetFile = KeptCheckpoints.file(parameters: [Float](repeating: 0.5, count: layout.count), layout: layout,
                                             metadata: ["config": String(decoding: try JSONEncoder().encode(htnetConfig), as: UTF8.self)])
        XCTAssertThrowsError(try TrainedModel.load(htnetFile, source: "h.safetensors", config: given)) {
            XCTAssertTrue("\($0)".contains("the file holds a model of HTNet: dim 8") && "\($0)".contains("--config describes DDAMFN"), "\($0)")
        }
        XCTAssertThrowsError(try TrainedArchitecture.parse(json: "{\"arch\": \"resnet\"}")) { XCTAssertTrue("\($0)".contains("'resnet'"), "\($0)") }
    }

    func testInitFromChecksNamesAndShapesAndDrawsAnotherClassCountsHeadFresh() throws {
        let source = state(config, seed: 3)
        let file = DDAMFNStateLayout(config: config).file(state: source)
        // Same shape: everything from the file, nothing fresh.
        let same = try DDAMFNInitialWeights.resolve(file, source: "pre", target: config)
        XCTAssertEqual(same.parameters, source)
        XCTAssertEqual(same.fresh, [])
        // Seven classes: fc.* and the class-width bn (weights and buffers) drawn fresh, the rest from the file.
        let seven = DDAMFNConfig(classes: 7, heads: 2, conv4Blocks: 0)
        let tuned = try DDAMFNInitialWeights.resolve(file, source: "pre", target: seven)
        XCTAssertEqual(Set(tuned.fresh), ["fc.weight", "fc.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"])
        let from = DDAMFNStateLayout(config: config), to = DDAMFNStateLayout(config: seven)
        let offsets = Dictionary(uniqueKeysWithValues: from.entries.map { ($0.name, $0) })
        for e in to.entries where !tuned.fresh.contains(e.name) {
            let s = offsets[e.name]!
            XCTAssertEqual(Array(tuned.parameters[e.offset..<(e.offset + e.count)]), Array(source[s.offset..<(s.offset + s.count)]), e.name)
        }
        // Another shape outside the head: named with both shapes.
        var bent = file
        bent.tensors["features.8.conv.weight"] = StoredTensor(Tensor(zeros: [512, 64, 1, 1]))
        XCTAssertThrowsError(try DDAMFNInitialWeights.resolve(bent, source: "bent.safetensors", target: config)) {
            XCTAssertTrue("\($0)".contains("bent.safetensors: init_from: tensor 'features.8.conv.weight' has shape [512, 64, 1, 1], the model")
                          && "\($0)".contains("expects [512, 256, 1, 1]"), "\($0)")
        }
        // One head more than the variant has: the extra head's tensors are named.
        XCTAssertThrowsError(try DDAMFNInitialWeights.resolve(file, source: "pre", target: DDAMFNConfig(classes: 3, heads: 1, conv4Blocks: 0))) {
            XCTAssertTrue("\($0)".contains("tensor 'cat_head1.") && "\($0)".contains("is not part of the model"), "\($0)")
        }
        // A head missing from a full file (not backbone-only) is an error, not a silent fresh draw.
        XCTAssertThrowsError(try DDAMFNInitialWeights.resolve(file, source: "pre", target: DDAMFNConfig(classes: 3, heads: 3, conv4Blocks: 0))) {
            XCTAssertTrue("\($0)".contains("the file has no tensor 'cat_head2."), "\($0)")
        }
        // HTNet weights for a DDAMFN variant: refused naming both.
        let htnetConfig = HTNetConfig(dim: 8, heads: 2, blockRepeats: [1, 1, 1])
        let layout = ParameterLayout(config: htnetConfig)
        let htnetFile = KeptCheckpoints.file(parameters: [Float](repeating: 0.5, count: layout.count), layout: layout, metadata: [:])
        XCTAssertThrowsError(try DDAMFNInitialWeights.resolve(htnetFile, source: "h", target: config)) {
            XCTAssertTrue("\($0)".contains("no DDAMFN backbone tensor") && "\($0)".contains("the variant trains DDAMFN"), "\($0)")
        }
        // ... and DDAMFN weights for an HTNet variant.
        XCTAssertThrowsError(try InitialWeights.resolve(file, source: "d", target: htnetConfig, head: .classifier)) {
            XCTAssertTrue("\($0)".contains("holds DDAMFN weights") && "\($0)".contains("the variant trains HTNet"), "\($0)")
        }
    }

    func testABackboneOnlyFileAndAMixFeatureNetStateDictStartTheBackbone() throws {
        let source = state(DDAMFNConfig(classes: 7, heads: 2, conv4Blocks: 0), seed: 4)
        let full = DDAMFNStateLayout(config: DDAMFNConfig(classes: 7, heads: 2, conv4Blocks: 0)).file(state: source)
        var backbone = SafeTensorsFile()
        for (name, t) in full.tensors where name.hasPrefix("features.") { backbone.tensors[name] = t }
        let start = try DDAMFNInitialWeights.resolve(backbone, source: "mfn", target: config)
        let layout = DDAMFNStateLayout(config: config)
        XCTAssertEqual(Set(start.fresh), Set(layout.entries.map(\.name).filter { !$0.hasPrefix("features.") }))
        XCTAssertTrue(start.fresh.contains("cat_head0.CoordinateAttention.conv1.weight") && start.fresh.contains("linear.bn.running_mean"))
        XCTAssertTrue(start.notes.contains { $0.contains("backbone-only") }, "\(start.notes)")
        // MixFeatureNet's own names: its first nine children are features.0 ... features.8, its embedding head is left out.
        var mfn = SafeTensorsFile()
        let children = DDAMFNInitialWeights.mixFeatureNetChildren
        for (name, t) in backbone.tensors {
            let parts = name.split(separator: ".", maxSplits: 2).map(String.init)
            mfn.tensors[children[Int(parts[1])!] + "." + parts[2]] = t
        }
        mfn.tensors["linear.weight"] = StoredTensor(Tensor(zeros: [256, 512]))
        mfn.tensors["bn.running_mean"] = StoredTensor(Tensor(zeros: [256]))
        let renamed = try DDAMFNInitialWeights.resolve(mfn, source: "mfn", target: config)
        XCTAssertEqual(renamed.parameters, start.parameters)
        XCTAssertEqual(renamed.fresh, start.fresh)
        XCTAssertTrue(renamed.notes.contains { $0.contains("MixFeatureNet") && $0.contains("bn.running_mean, linear.weight") }, "\(renamed.notes)")
    }
}
